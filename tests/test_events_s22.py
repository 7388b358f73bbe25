"""Events that ran differently from Camunda 7 and Flowable (session 22, issue 15).

Each model is drawn as its vendor's modeler saves it (tests/bpmn/interop/), and every case runs on
SQLite and PostgreSQL, the engine made anew (a restart) where a case waits.

1. A compensation throw with ``waitForCompletion="false"`` (BPMN 2.0 §10.5.5: the throw event "just
   triggers the compensation and immediately continues"; Flowable's 「Wait for completion」):
   tests/bpmn/interop/camunda7_suspension_compensation_nowait.bpmn — 行政复议 revokes a 责令停产停业
   (《安全生产法》第六十五条第一款第三项) and 告知当事人 opens beside 恢复生产经营 and 退还安全生产许可证.
   Before, the attribute was ignored: 告知当事人 waited for both handlers.
2. A task name holding ``${...}`` whose data is absent or blank (a tired official left 复查轮次 out):
   Camunda 7 fails the task's creation (PropertyNotFoundException); a name is a label, so here the
   task opens and the part it lacks shows 「（未填写）」 — 「第（未填写）轮复查：华东化工」, not the silently
   wrong 「第轮复查」 it opened with before (the whole name fell back to its own words) — and an
   incident on the task names it as its queue does (「第2轮复查：华东化工」), not as drawn
   (「第${reviewRound}轮复查：${unitName}」). tests/bpmn/interop/camunda7_recheck_round_names.bpmn
   (Camunda Modeler 5; 《安全生产违法行为行政处罚办法》第二十三条 整改期满之日起十日内复查).
3. Camunda 7's variable filter on a conditional event (``camunda:variableName``, ``camunda:variableEvents``;
   ConditionalEventWithSpecificVariableEventTest): the condition is asked when the event is reached and
   then only when a step changed that variable, by a kind of change it lists.
   tests/bpmn/interop/camunda7_progress_report_filters.bpmn (Camunda Modeler 5; 《安全生产事故隐患排查治理
   暂行规定》第二十条、第二十一条): 首报即滞后 (variableName progress, variableEvents create) opens 约谈企业负责人
   only when the first report says 滞后, not when a later report turns 正常 into 滞后; 滞后超过宽限期
   (variableName lagDays, ``${lagDays > graceDays}``) is not asked when only 核定宽限期 lowers the grace
   period, and is when 再次核报 changes lagDays. Before, the filters were only noted at deploy and
   every condition was asked after every step: 约谈 and 督办通知 opened on changes Camunda ignores.
4. A compensation handler sees the compensated activity's data as it was when that activity
   completed (BPMN 2.0 §10.5.6: compensation works on a snapshot of the activity's data), not the
   throw's: tests/bpmn/interop/camunda7_seizure_document_numbers.bpmn (Camunda Modeler 5;
   《行政强制法》第二十八条: 解除决定写明原决定) — 查封设备 and 暂扣证照 both fill 文书编号; 解除查封 opens with
   查封设备's number, 退还证照 with 暂扣证照's, and 告知当事人 goes on with the case's latest number and
   what the handlers wrote. Before, both handlers opened with 暂扣证照's number.
5. One message, two receive tasks waiting for it behind a parallel gateway
   (tests/bpmn/interop/camunda7_parallel_receive_same_message.bpmn, Camunda Modeler 5: 整改回复 and
   听证意见 both wait for 企业书面回复; 《行政处罚法》第六十四条): Camunda 7 refuses such a correlation
   (MismatchingMessageCorrelationException) unless correlated to all. A bureau's data exchange must
   not close two steps with one reply by chance: the engine and ``POST /api/messages`` refuse it (409)
   naming both steps in Chinese and pointing to 送达全部 (``"all": true``), which completes both.
   Before, the message silently completed both receive tasks.
"""
from __future__ import annotations

import pytest

from engine.errors import Conflict, IncidentRaised
from tests.interop_support import open_task_data
from tests.test_api_helpers import World as ApiWorld, build_app, build_engine
from tests.test_event_subprocess_scoped import CORPUS, World, world  # noqa: F401  (the fixture)

NOWAIT = "camunda7_suspension_compensation_nowait"
ROUNDS = "camunda7_recheck_round_names"
FILTERS = "camunda7_progress_report_filters"
NUMBERS = "camunda7_seizure_document_numbers"
REPLIES = "camunda7_parallel_receive_same_message"


def test_a_compensation_throw_not_waiting_opens_the_next_task_beside_the_handlers(world):  # noqa: F811
    world.deploy(f"{NOWAIT}.bpmn")
    case_id = world.start(NOWAIT)
    world.work(case_id, "责令停产停业")
    world.work(case_id, "暂扣安全生产许可证")
    world.work(case_id, "行政复议", {"revoked": True})
    assert world.open(case_id) == ["告知当事人", "恢复生产经营", "退还安全生产许可证"]
    world.restart()
    world.work(case_id, "告知当事人")
    assert world.open(case_id) == ["恢复生产经营", "退还安全生产许可证"]  # the case ends with its handlers
    assert world.engine.case(case_id).status == "running"
    world.work(case_id, "退还安全生产许可证")
    world.work(case_id, "恢复生产经营")
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"



def test_a_task_name_lacking_its_data_shows_the_gap_and_keeps_the_rest(world):  # noqa: F811
    world.deploy(f"{ROUNDS}.bpmn")
    case_id = world.start(ROUNDS)
    world.work(case_id, "登记复查安排", {"unitName": "华东化工", "reviewDeadline": "P10D"})
    assert world.open(case_id) == ["第（未填写）轮复查：华东化工"]
    second = world.start(ROUNDS)
    world.work(second, "登记复查安排", {"unitName": "  ", "reviewRound": 2, "reviewDeadline": "P10D"})
    assert world.open(second) == ["第2轮复查：（未填写）"]
    third = world.start(ROUNDS)
    world.work(third, "登记复查安排", {"unitName": "华东化工", "reviewRound": 2, "reviewDeadline": "P10D"})
    assert world.open(third) == ["第2轮复查：华东化工"]
    world.work(third, "第2轮复查：华东化工")
    assert not world.engine.incidents()
    assert world.engine.case(third).status == "completed"


def test_an_incident_on_a_task_named_by_its_data_names_it_as_computed(world):  # noqa: F811
    world.deploy(f"{ROUNDS}.bpmn")
    case_id = world.start(ROUNDS)
    with pytest.raises(IncidentRaised):
        world.work(case_id, "登记复查安排", {"unitName": "华东化工", "reviewRound": 2, "reviewDeadline": "下周五"})
    (incident,) = world.engine.incidents()
    assert "任务「第2轮复查：华东化工」" in incident.message and "「下周五」不是日期" in incident.message
    assert "${" not in incident.message


def test_an_incident_in_the_task_s_own_code_names_it_as_computed(world):  # noqa: F811
    mapping = ('camunda:dueDate="${reviewDeadline}">', 'camunda:dueDate="${reviewDeadline}"><bpmn:extensionElements>'
               '<camunda:inputOutput><camunda:inputParameter name="limit">${reviewDays + 1}</camunda:inputParameter>'
               '</camunda:inputOutput></bpmn:extensionElements>')
    world.deploy(f"{ROUNDS}.bpmn", replace=mapping)
    case_id = world.start(ROUNDS)
    with pytest.raises(IncidentRaised):
        world.work(case_id, "登记复查安排", {"unitName": "华东化工", "reviewRound": 3, "reviewDeadline": "P10D"})
    (incident,) = world.engine.incidents()
    assert incident.message.startswith("「第3轮复查：华东化工」出错")
    assert "${" not in incident.message


def test_a_create_only_condition_ignores_a_later_report_turning_late(world):  # noqa: F811
    world.deploy(f"{FILTERS}.bpmn")
    case_id = world.start(FILTERS, {"graceDays": 30})
    world.work(case_id, "首次核报", {"progress": "正常", "lagDays": 0})
    assert world.open(case_id) == ["企业整改", "核定宽限期"]
    world.restart()
    world.work(case_id, "核定宽限期", {"graceDays": 30})
    world.work(case_id, "再次核报", {"progress": "滞后", "lagDays": 3})
    assert world.open(case_id) == ["企业整改"]  # progress updated, not created: no 约谈
    world.work(case_id, "企业整改")
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"


def test_a_condition_watching_one_variable_is_asked_only_when_that_variable_changes(world):  # noqa: F811
    world.deploy(f"{FILTERS}.bpmn")
    case_id = world.start(FILTERS, {"graceDays": 10})
    world.work(case_id, "首次核报", {"progress": "滞后", "lagDays": 5})
    assert world.open(case_id) == ["企业整改", "核定宽限期", "约谈企业负责人"]  # created as 滞后
    world.restart()
    world.work(case_id, "核定宽限期", {"graceDays": 3})
    assert world.open(case_id) == ["企业整改", "再次核报", "约谈企业负责人"]  # lagDays unchanged: not asked
    world.work(case_id, "再次核报", {"progress": "滞后", "lagDays": 6})
    assert world.open(case_id) == ["下发督办通知", "企业整改", "约谈企业负责人"]
    for name in ("下发督办通知", "约谈企业负责人", "企业整改"):
        world.work(case_id, name)
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"


def test_camunda_8_s_conditional_filter_watches_its_variables_too(world):  # noqa: F811
    """Camunda 8.8's ``<zeebe:conditionalFilter variableNames="lagDays"/>`` (no variableEvents: any
    kind of change), drawn on the same 滞后超过宽限期: the deploy no longer calls it ignored."""
    text = (CORPUS / f"{FILTERS}.bpmn").read_text(encoding="utf-8")
    text = text.replace('xmlns:modeler=', 'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler=').replace(
        ' camunda:variableName="lagDays">',
        '><bpmn:extensionElements><zeebe:conditionalFilter variableNames="lagDays" /></bpmn:extensionElements>')
    checked = world.engine.models.validate(text.encode(), f"{FILTERS}.bpmn")
    assert not [w.message for w in checked.warnings if "conditionalFilter" in w.message]
    world.engine.deploy(text.encode(), by="boss", filename=f"{FILTERS}.bpmn")
    case_id = world.start(FILTERS, {"graceDays": 10})
    world.work(case_id, "首次核报", {"progress": "正常", "lagDays": 5})
    world.work(case_id, "核定宽限期", {"graceDays": 3})
    assert world.open(case_id) == ["企业整改", "再次核报"]  # lagDays unchanged: not asked
    world.work(case_id, "再次核报", {"progress": "滞后", "lagDays": 6})
    assert world.open(case_id) == ["下发督办通知", "企业整改"]


def test_each_compensation_handler_sees_its_activity_s_data_as_it_completed(world):  # noqa: F811
    world.deploy(f"{NUMBERS}.bpmn")
    case_id = world.start(NUMBERS)
    world.work(case_id, "查封设备", {"docNo": "查封〔2026〕12号", "selfRectified": False})
    world.work(case_id, "暂扣证照", {"docNo": "暂扣〔2026〕7号"})
    world.work(case_id, "行政复议", {"revoked": True})
    assert world.open(case_id) == ["解除查封", "退还证照"]
    world.restart()
    assert open_task_data(world.engine, case_id, "Activity_1unseal")["docNo"] == "查封〔2026〕12号"
    giving_back = open_task_data(world.engine, case_id, "Activity_1giveBack")
    assert giving_back["docNo"] == "暂扣〔2026〕7号" and giving_back["revoked"] is True  # later data kept
    world.work(case_id, "退还证照", {"releaseNo": "退还〔2026〕3号"})
    world.work(case_id, "解除查封")
    notify = open_task_data(world.engine, case_id, "Activity_1notify")
    assert notify["docNo"] == "暂扣〔2026〕7号"  # the case's latest, not a handler's snapshot put back
    assert notify["releaseNo"] == "退还〔2026〕3号"
    world.work(case_id, "告知当事人")
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"


def test_one_message_for_two_waiting_steps_is_refused_naming_both_unless_sent_to_all(world):  # noqa: F811
    world.deploy(f"{REPLIES}.bpmn")
    case_id = world.start(REPLIES)
    with pytest.raises(Conflict) as refused:
        world.engine.correlate_message("企业书面回复", by="zhang", case_id=case_id, data={"reply": "已整改"})
    said = str(refused.value)
    assert "匹配到 2 个等待中的环节" in said and "「等待整改回复」" in said and "「等待听证意见」" in said
    assert "送达全部" in said
    world.restart()
    assert not world.engine.incidents()
    got = world.engine.correlate_message("企业书面回复", by="zhang", case_id=case_id, data={"reply": "已整改"},
                                         correlate_all=True)
    assert got == {"case_id": case_id, "started": False, "case_ids": [case_id]}
    assert world.open(case_id) == ["审查回复并决定"]
    assert world.engine.case(case_id).data["reply"] == "已整改"


def test_two_cases_waiting_for_one_message_are_both_reached_when_sent_to_all(world):  # noqa: F811
    world.deploy(f"{REPLIES}.bpmn")
    first, second = world.start(REPLIES), world.start(REPLIES)
    with pytest.raises(Conflict, match="匹配到 2 个等待中的案件"):
        world.engine.correlate_message("企业书面回复", by="zhang")
    got = world.engine.correlate_message("企业书面回复", by="zhang", correlate_all=True)
    assert got["case_ids"] == [first, second]
    assert world.open(first) == world.open(second) == ["审查回复并决定"]


@pytest.fixture
def api(database_url, tmp_path):
    engine = build_engine(database_url)
    yield ApiWorld(engine, build_app(engine, tmp_path))
    engine.dispose()


def test_rest_says_the_two_steps_in_chinese_and_sends_to_all_when_asked(api):
    api.engine.deploy(CORPUS / f"{REPLIES}.bpmn", by="des")
    case_id = api.engine.start(REPLIES, by="insp", org="east").id
    body = {"name": "企业书面回复", "case_id": case_id, "data": {"reply": "申请听证"}}
    r = api.call("POST", "/api/messages", "insp", json=body)
    assert r.status_code == 409
    said = r.get_json()["message"]
    assert "「等待整改回复」" in said and "「等待听证意见」" in said and "送达全部" in said
    r = api.call("POST", "/api/messages", "insp", json={**body, "all": True})
    assert r.status_code == 200 and r.get_json() == {"case_id": case_id, "started": False, "case_ids": [case_id]}
    assert [t.name for t in api.engine.case(case_id).tasks] == ["审查回复并决定"]
    doc = api.client().get("/api/openapi.json").get_json()
    assert "all" in doc["components"]["schemas"]["SendMessage"]["properties"]


def test_a_computed_name_s_parts_are_compiled_at_deploy_not_as_the_task_opens(database_url):
    """Each ``${...}`` of such a name is evaluated on its own (a part lacking its data shows the gap),
    compiled with the model's other code at deploy (engine/precompile.py), not at the first opening."""
    from tests.support import make_engine
    from tests.test_precompile import _compilations, _forget_compiled_code

    engine = make_engine(database_url)
    _forget_compiled_code()
    engine.deploy(CORPUS / f"{ROUNDS}.bpmn", by="boss")
    compiled = _compilations()
    case = engine.start(ROUNDS, by="zhang", org="east")
    (task,) = engine.case(case.id).tasks
    engine.complete(task.id, "zhang", {"unitName": "华东化工", "reviewRound": 2, "reviewDeadline": "P10D"})
    assert [t.name for t in engine.case(case.id).tasks] == ["第2轮复查：华东化工"]
    assert _compilations() == compiled
    engine.dispose()
