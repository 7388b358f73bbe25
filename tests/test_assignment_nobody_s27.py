"""Candidate users (``candidateUsers``, Camunda/Flowable ``candidateUsers="${reviewers}"``) that match
nobody are said, not given to the case's starter (engine/assignment.py ``resolve_candidates``).

Officials type people's names (姓名), not accounts: 「李四、钱科」 is li and eastboss when each name is
exactly one active user the case may name (its unit's branch of the org tree). A name several such
users bear, or one nobody bears (a title typed as a name, an account since removed), on a task that
nothing else queues (no lane role, candidateGroups or assignee) stops the step as an incident at the
task naming it and the names, which an administrator resolves by correcting the data and retrying.
Before, the task went to the case's starter without a word. Camunda 7 and Flowable keep candidate
users as written (a task nobody holds sits unclaimable); with ``candidateGroups`` too, the group's
queue takes it, here as there. SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from engine import IncidentRaised
from tests.support import make_engine

_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  id="Definitions_{key}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.19.0">
  <bpmn:process id="{key}" name="隐患材料审查" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_0assign" />
    <bpmn:userTask id="Activity_0assign" name="指定审查人员" camunda:assignee="${{initiator}}">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_0assign" targetRef="Activity_0review" />
    <bpmn:userTask id="Activity_0review" name="审查隐患材料" camunda:candidateUsers="${{reviewers}}"{groups}>
      <bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_0review" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    d = eng.directory
    d.add_user("zhang_west", org="west", roles=["inspector"], name="张三")  # 西城区: not on the east case's branch
    d.add_user("sun_east", org="east", roles=["inspector"], name="孙七")
    d.add_user("sun_city", org="city", roles=["supervisor"], name="孙七")  # the unit above: two 孙七 for an east case
    for key, groups in (("review_by_names", ""), ("review_by_names_or_group", ' camunda:candidateGroups="supervisor"')):
        xml = _MODEL.format(key=key, groups=groups)
        eng.deploy(xml.encode(), by="boss", filename=f"{key}.bpmn")
    yield eng
    eng.dispose()


def _review(engine, reviewers, key: str = "review_by_names"):
    case = engine.start(key, by="zhang", org="east", data={})
    (assign,) = engine.case(case.id).tasks
    engine.complete(assign.id, "zhang", {"reviewers": reviewers})
    return case


def _who_may(engine, case_id: int) -> list[str]:
    (task,) = [t for t in engine.case(case_id).tasks if t.name == "审查隐患材料"]
    users = ("zhang", "li", "wang", "boss", "eastboss", "zhang_west", "sun_east", "sun_city")
    return sorted(u for u in users if task.id in [t.id for t in engine.queue(u, limit=500)])


@pytest.mark.parametrize("typed", ["李四、钱科", "李四，钱科", ["李四", "钱科"], "li, 钱科"])
def test_candidates_typed_as_names_are_the_one_user_each_names(engine, typed):
    case = _review(engine, typed)
    assert _who_may(engine, case.id) == ["eastboss", "li"]


def test_a_name_a_user_of_another_district_also_bears_is_the_case_units_one(engine):
    case = _review(engine, "张三")
    assert _who_may(engine, case.id) == ["zhang"]


def test_an_account_still_works(engine):
    case = _review(engine, ["li"])
    assert _who_may(engine, case.id) == ["li"]


def _refused(engine, reviewers) -> tuple[IncidentRaised, int]:
    case = engine.start("review_by_names", by="zhang", org="east", data={})
    (assign,) = engine.case(case.id).tasks
    with pytest.raises(IncidentRaised) as err:
        engine.complete(assign.id, "zhang", {"reviewers": reviewers})
    assert [t.name for t in engine.case(case.id).tasks] == ["指定审查人员"]  # the step did not happen
    return err.value, case.id


def test_an_unknown_name_is_an_incident_at_the_task_not_the_starters_task(engine):
    """Before: 审查隐患材料 opened assigned to zhang, who started the case (no word said)."""
    err, case_id = _refused(engine, "东城科长")
    assert err.message == ("任务「审查隐患材料」的候选人「东城科长」在本系统中找不到对应的人员（不是在用账号，也不是本案办理单位及其"
                           "上下级单位在用人员的姓名）。该任务没有可以办理的人，未交给发起人代办：请管理员在用户管理中核对人员姓名或"
                           "账号（或改用账号），或改正案件数据后重试")
    assert err.element_id == "Activity_0review"
    (incident,) = [i for i in engine.incidents(case_id=case_id)]
    engine.retry_incident(incident.id, "boss", {"reviewers": "钱科"})  # the administrator corrects the data
    assert _who_may(engine, case_id) == ["eastboss"]
    assert engine.incidents(case_id=case_id) == []


def test_an_ambiguous_name_and_another_districts_official_are_said(engine):
    err, _ = _refused(engine, "孙七、王五")
    assert err.message.startswith("任务「审查隐患材料」的候选人「王五」在本系统中找不到对应的人员")
    assert "；「孙七」对应多名同名人员，无法确定是哪一位。" in err.message


def test_with_candidate_groups_too_the_groups_queue_takes_it(engine):
    case = _review(engine, "东城科长", key="review_by_names_or_group")
    assert _who_may(engine, case.id) == ["boss", "eastboss", "sun_city"]  # the 科室负责人 of the unit and above


def test_a_candidate_naming_a_role_is_that_roles_queue(engine):
    """jBPM's bare potentialOwner 「inspector」 (tests/bpmn/interop/jbpm_escalation_boundary_subprocess.bpmn):
    its identity callback reads a group's name as the group."""
    case = _review(engine, "执法人员")
    assert _who_may(engine, case.id) == ["li", "sun_east", "zhang"]
