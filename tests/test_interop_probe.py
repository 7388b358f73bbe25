"""Public models nobody here had tried (a new batch from Camunda's, Flowable's, Zeebe's and
SpiffWorkflow's examples and test resources; bench/interop.py --walk --dir runs such a folder): what
Duban ran differently from the engine they were drawn for. Each is drawn again as its tool saves it,
with Chinese names (tests/bpmn/interop/), and run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from engine.errors import InvalidModel
from webui.labels import incident_explanation

from tests.interop_support import CORPUS, drive, open_task_data, models_engine

MODELS = ("camunda7_flows_without_ids.bpmn", "zeebe_link_events.bpmn", "activiti_boolean_text_condition.bpmn",
          "zeebe_risk_group.dmn", "zeebe_risk_group.bpmn", "camunda7_hazard_deadline.dmn", "camunda7_hazard_deadline.bpmn",
          "flowable_assignee_from_data.bpmn", "flowable_untyped_days.bpmn")


@pytest.fixture(scope="module")
def engine(module_database_url):
    yield from models_engine(module_database_url, MODELS)


def test_flows_written_without_an_id_are_all_taken(engine):
    """Camunda 7's hand-written models leave ``id`` off their sequence flows (the schema allows it;
    Camunda and Flowable run them). SpiffWorkflow's parser dropped every such flow, so the case
    ended at the first gateway having opened no task at all. Each flow gets a free id, noted."""
    out = drive(engine, "camunda7_flows_without_ids")
    assert out.status == "completed", out
    assert sorted(t.spec_id for t in out.tasks) == ["interview", "paperCheck", "siteCheck", "summary"]
    assert [t.spec_id for t in out.tasks][-1] in ("interview", "summary")
    pf = engine.models.validate((CORPUS / "camunda7_flows_without_ids.bpmn").read_bytes(),
                                "camunda7_flows_without_ids.bpmn")
    notes = [w.message for w in pf.warnings if "没有标识" in w.message]
    assert "未命名连线 (split_to_siteCheck) 没有标识（id），已自动取名「split_to_siteCheck」" in notes
    assert len(notes) == 10


@pytest.mark.parametrize("fixed, worked", [(True, ["Activity_0recheck", "Activity_0file"]),
                                           (False, ["Activity_0recheck", "Activity_0penalty", "Activity_0file"])])
def test_a_link_throw_event_goes_on_at_the_catch_event_of_its_name(engine, fixed, worked):
    """链接事件 (Camunda 8 Modeler's off-page connector): both branches throw 转归档 and go on at the
    one catch event 转归档. SpiffWorkflow knows no link events: the throw event ended the path and
    the case completed without 案卷归档."""
    out = drive(engine, "zeebe_link_events", data_by_task={"Activity_0recheck": {"fixed": fixed}})
    assert out.status == "completed", out
    assert [t.spec_id for t in out.tasks] == worked


def test_a_link_throw_event_without_its_catch_event_is_refused_naming_it(engine, tmp_path):
    drawn = (CORPUS / "zeebe_link_events.bpmn").read_text(encoding="utf-8")
    broken = drawn.replace('id="LinkEventDefinition_0c1" name="转归档"', 'id="LinkEventDefinition_0c1" name="归档"')
    assert broken != drawn
    (tmp_path / "zeebe_link_events.bpmn").write_text(broken, encoding="utf-8")
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(tmp_path / "zeebe_link_events.bpmn", by="boss")
    said = str(refused.value)
    assert "中间抛出事件「转归档」(Event_0toArchive1) 是链接事件「转归档」，但所在流程中没有同名的链接捕获事件" in said, said


@pytest.mark.parametrize("agree, then", [(True, "usertask3"), ("true", "usertask3"), (False, "usertask4")])
def test_a_yes_no_field_compared_with_the_text_true_takes_the_branch_juel_takes(engine, agree, then):
    """``${agree == 'true'}`` after a boolean form property (Activiti's vacation request, the 请假流程
    demos): JUEL compares a Boolean with a String as Booleans, so 是 takes 文书签发. Python's
    ``True == 'true'`` is False: the case took the default flow 退回修改 (wrong-but-running)."""
    case = engine.start("activiti_boolean_text_condition", by="zhang", org="east", data={})
    (draft,) = engine.case(case.id).tasks
    engine.complete(draft.id, "zhang", {})
    (review,) = engine.case(case.id).tasks
    engine.complete(review.id, "eastboss", {"agree": agree})
    assert [t.spec_id for t in engine.case(case.id).tasks] == [then]


@pytest.mark.parametrize("data, then, rating", [
    ({"staff_count": 30, "uses_hazmat": True}, "Activity_0key", {"group": "红", "visits": 4}),
    ({"staff_count": 150, "uses_hazmat": False}, "Activity_0routine", {"group": "黄", "visits": 2})])
def test_a_camunda8_decision_result_lands_in_its_result_variable(engine, data, then, rating):
    """``zeebe:calledDecision resultVariable="rating"`` over a table with two outputs: rating is the
    context {group, visits} and the gateway reads ``rating.group`` (Camunda 8's insurance example).
    SpiffWorkflow merged the outputs by name only: rating was never set and the gateway raised an
    incident. The outputs stay merged by name as well."""
    case = engine.start("zeebe_risk_group", by="zhang", org="east", data=data)
    (task,) = engine.case(case.id).tasks
    assert task.spec_id == then
    seen = open_task_data(engine, case.id, then)
    assert seen["rating"] == rating and seen["group"] == rating["group"]
    if then == "Activity_0key":
        assert seen["visits_per_year"] == 4


def test_a_camunda7_single_result_is_the_context_of_the_outputs(engine):
    """``camunda:mapDecisionResult="singleResult"`` with ``camunda:resultVariable="deadline"``: the
    variable is the matched rule's outputs as a map, as Camunda 7 sets it."""
    case = engine.start("camunda7_hazard_deadline", by="zhang", org="east",
                        data={"level": "重大隐患"})
    view = engine.case(case.id)
    assert view.status == "completed", view
    assert set(view.data["deadline"]) == {"handling", "days", "note"}
    assert view.data["deadline"]["days"] == view.data["days"]


def test_an_assignee_read_from_data_the_case_lacks_is_said_so_not_as_a_condition(engine):
    """``flowable:assignee="${applicant}"`` (Flowable's and Activiti's tutorials pass applicant at the
    start): a case started without it stops with an incident, as Flowable refuses the start — said
    in Chinese naming the task's 办理人 and the data; the page read SpiffWorkflow's 「Error
    evaluating expression 'applicant'」 as 条件无法计算, and the task has no condition."""
    out = drive(engine, "flowable_assignee_from_data")
    assert out.status == "incident", out
    assert ("「提交整改报告」出错: 办理人取自案件数据「applicant」，它在案件中没有值；请在发起案件或此前的环节填写它，"
            "或请流程设计员把该任务的办理人（assignee）改为固定的人员或角色") in out.message
    shown = incident_explanation(out.message.split(": ", 1)[1])
    assert shown == ("环节“提交整改报告”出错：办理人取自案件数据中的一项，该项在案件中没有值；请补充数据后重试，"
                     "或请流程设计员把该任务的办理人改为固定的人员或角色")
    given = drive(engine, "flowable_assignee_from_data", data={"applicant": "li"})
    assert given.status == "completed" and given.tasks[0].assignee == "li", given


@pytest.mark.parametrize("days, then", [("20", "leaderApprove"), ("5", "sectionApprove"), ("15", "sectionApprove"),
                                        (20, "leaderApprove")])
def test_a_number_typed_into_a_text_field_is_compared_as_juel_compares_it(engine, days, then):
    """``${days > 15}`` after a Flowable form property drawn without a type (the Chinese leave
    demos): the field holds the text 20, and JUEL compares text with a number as numbers. In
    Python ``'20' > 15`` raised TypeError: the case stopped at the gateway with an incident."""
    out = drive(engine, "flowable_untyped_days", data_by_task={"apply": {"days": days, "reason": "设备到货延迟"}})
    assert out.status == "completed", out
    assert [t.spec_id for t in out.tasks] == ["apply", then]


def test_text_that_spells_no_number_is_said_so_naming_the_value(engine):
    """「五天」 in the untyped 申请延期天数: JUEL cannot compare it as a number either (the case stops
    with an incident), and the page says what was typed — before, 条件用到的数据在案件中没有值,
    though the case has the value."""
    out = drive(engine, "flowable_untyped_days", data_by_task={"apply": {"days": "五天", "reason": "设备到货延迟"}})
    assert out.status == "incident", out
    assert ("排他网关「延期天数」(daysGateway) 通往「科室负责人审批」的连线：JUEL 表达式把案件数据「days」当作数字比较，"
            "但它的值「五天」不是数字") in out.message  # the gateway and the flow named (engine/juel_operators.py)
    shown = incident_explanation(out.message.split(": ", 1)[1], names={"days": "申请延期天数"})
    assert shown == ("排他网关「延期天数」通往「科室负责人审批」的连线：表达式把案件数据“申请延期天数”当作数字比较，但填写的「五天」不是数字；"
                     "请改为数字后重试，或请流程设计员把该表单字段设为数字类型")
