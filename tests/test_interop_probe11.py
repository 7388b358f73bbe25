"""An eleventh batch of public models nobody here had tried (Flowable's and Activiti's test resources,
Camunda 7's examples, Zeebe's engine fixtures, RuoYi-Flowable's and yudao's designer output; run as
bench/interop.py --walk --dir runs such a folder): what Duban ran differently from the engine they
were drawn for, said in English, or refused naming nothing. Each is drawn again as its tool saves it,
with our own names and Chinese labels (tests/bpmn/interop/), and run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from engine.clock import as_utc
from engine.errors import IncidentRaised, InvalidModel
from engine.schema import Timer

from tests.interop_support import CORPUS, models_engine, open_specs as _open, complete_at as _do

MODELS = ("flowable_script_without_format.bpmn", "bpmnio_tipoff_urge_loop.bpmn", "activiti_rectify_deadline_timer_date.bpmn",
          "yudao_approval_timeout_auto_approve.bpmn")


@pytest.fixture(scope="module")
def engine(module_database_url):
    yield from models_engine(module_database_url, MODELS)


def test_a_flowable_script_without_a_language_is_evaluated_as_the_juel_flowable_runs(engine):
    """隐患分级复核 drawn as Flowable's test resources write a script task without ``scriptFormat``
    (ScriptTaskTest.testSetScriptResultToProcessVariableWithoutFormat): the script ``#{hazardLevel}``,
    its value kept in ``flowable:resultVariable="reviewLevel"``. Flowable's script language when none
    is written is JUEL, so the case goes on with 复核等级 set. Here the script ran as Python, where
    ``#{...}`` is a comment: the task did nothing, and the gateway after it stopped the case (on
    reviewLevel that was never set). Now the script is the JUEL expression it is, its value in the
    result variable, a script without one evaluated and dropped, as there."""
    key = "script_without_format"
    for level, after in (("重大", ["headReview"]), ("一般", [])):
        case_id = engine.start(key, by="zhang", org="east").id
        _do(engine, case_id, "register", {"hazardLevel": level})
        case = engine.case(case_id)
        assert not case.incidents, case.incidents
        assert case.data["reviewLevel"] == level
        assert _open(engine, case_id) == after
        assert case.status == ("running" if after else "completed")
    # what JUEL cannot say here (the engine's own execution object) is refused naming the task,
    # not run as a Python comment
    drawn = (CORPUS / "flowable_script_without_format.bpmn").read_text(encoding="utf-8")
    parent = drawn.replace("<script>#{hazardLevel}</script>\n    </scriptTask>\n    <sequenceFlow id=\"flow3\"",
                           "<script>#{execution.parent.id}</script>\n    </scriptTask>\n    <sequenceFlow id=\"flow3\"")
    assert parent != drawn
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(parent.encode(), by="boss", filename="flowable_script_execution.bpmn")
    errors = [p for p in refused.value.problems if p["severity"] == "error"]
    assert [p["element_id"] for p in errors] == ["keepLevel"], errors
    assert "脚本任务「记下复核等级」(keepLevel) 的 JUEL 脚本「#{execution.parent.id}」使用了引擎对象「execution」" in errors[0]["message"]


def test_a_condition_comparing_absent_data_with_chinese_text_is_said_in_chinese(engine):
    """The same 隐患分级复核 drawn without the result variable (a designer's slip: Flowable stops on it
    with PropertyNotFoundException): ``${reviewLevel == '重大'}`` reads data the case never got. Every
    Chinese designer's condition compares with Chinese text (``${result == '同意'}``), and the incident
    said only SpiffWorkflow's English 「Error evaluating expression 'reviewLevel == '重大' if …'.  Did
    you mean one of …」: the 重大 inside the expression's quotes was taken for the engine's own Chinese
    words, so none were said. Now it says which data is missing, the technical text behind it."""
    drawn = (CORPUS / "flowable_script_without_format.bpmn").read_text(encoding="utf-8")
    slip = drawn.replace(' flowable:resultVariable="reviewLevel"', "").replace(
        'id="script_without_format"', 'id="script_without_result"')
    assert "flowable:resultVariable=" not in slip
    engine.deploy(slip.encode(), by="boss", filename="flowable_script_without_result.bpmn")
    case_id = engine.start("script_without_result", by="zhang", org="east").id
    with pytest.raises(IncidentRaised) as raised:
        _do(engine, case_id, "register", {"hazardLevel": "重大"})
    said = str(raised.value)
    assert "「重大隐患？」出错: 条件用到的数据「reviewLevel」在案件中没有值；请补填数据后重试" in said, said
    assert said.index("Error evaluating") > said.index(" — ")  # the technical text behind the Chinese
    incident = engine.case(case_id).incidents[0]
    assert incident.message.startswith("「重大隐患？」出错: 条件用到的数据「reviewLevel」"), incident.message


def test_a_loop_waiting_each_round_for_a_message_runs_as_drawn(engine):
    """举报核查与催办答复 drawn as bpmn.io's pizza collaboration draws its clerk (「where is my pizza?」
    caught, the customer calmed, back to waiting): 举报人催办 caught, 答复催办, and back to waiting for
    the next 催办, on a loop with no gateway; 核查 and 答复举报人 on the other branch end the case with a
    terminate end event. Camunda runs it, each round waiting for the next message. The deploy refused
    it as a loop that 「每走完一圈都会无条件地再走一圈，永不结束」 — it waits each round (SpiffWorkflow's
    prediction of the future tasks followed it forever). Now a pass-through gateway before the catch
    event lets it run: two 催办 answered, then 办结 ends the case and its waiting."""
    case_id = engine.start("tipoff_urge_loop", by="zhang", org="east").id
    assert _open(engine, case_id) == ["Verify"]
    for _ in range(2):
        engine.correlate_message("举报人催办", by="zhang", case_id=case_id)
        assert sorted(_open(engine, case_id)) == ["AnswerUrge", "Verify"]
        _do(engine, case_id, "AnswerUrge", {"答复": "正在核查，请耐心等待"})
        assert _open(engine, case_id) == ["Verify"]
    _do(engine, case_id, "Verify")
    _do(engine, case_id, "Reply")
    case = engine.case(case_id)
    assert case.status == "completed" and not case.incidents
    # a loop of tasks only, with no gateway and nothing to wait for, is still refused
    drawn = (CORPUS / "bpmnio_tipoff_urge_loop.bpmn").read_text(encoding="utf-8")
    tasks_only = drawn.replace('<semantic:messageEventDefinition messageRef="Message_urge" />', "").replace(
        "intermediateCatchEvent", "userTask").replace('id="tipoff_urge_loop"', 'id="tipoff_task_loop"')
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(tasks_only.encode(), by="boss", filename="bpmnio_task_loop.bpmn")
    assert "永不结束" in str(refused.value)


def _timers(engine, case_id: int) -> list:
    with engine.db.read() as s:
        return s.execute(sa.select(Timer).where(Timer.case_id == case_id)).scalars().all()


def test_a_timer_date_from_the_case_is_read_as_an_official_types_the_day(engine):
    """限期整改到期复查 drawn as Activiti's test resources write a timer whose date is the case's data
    (IntermediateTimerEventTest.testExpression: ``<timeDate>#{dueDate}</timeDate>``): 整改期满 waits
    until the 整改期限 given at 下达整改指令. A tired official types that day as 2026年12月20日 (or with
    full-width digits, or with the hour: 2026/12/20 9时30分), as every date field here takes it; the
    timer stopped the case with 「「2026年12月20日」不是日期时间的写法」. Now the day is read as typed,
    Beijing time (midnight for a day alone), and the timer fires then; a day without its year is
    still refused in Chinese, never guessed."""
    day = (engine.clock.now() + dt.timedelta(days=10)).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    beijing = dt.timezone(dt.timedelta(hours=8))
    typed_days = {
        f"{day.year}年{day.month}月{day.day}日": dt.datetime(day.year, day.month, day.day, tzinfo=beijing),
        f"{day.year}／{day.month:02d}／{day.day:02d}".translate(str.maketrans("0123456789", "０１２３４５６７８９")):
            dt.datetime(day.year, day.month, day.day, tzinfo=beijing),
        f"{day.year}/{day.month}/{day.day} 9时30分": dt.datetime(day.year, day.month, day.day, 9, 30, tzinfo=beijing),
    }
    waiting = []
    for typed, due in typed_days.items():
        case_id = engine.start("rectify_deadline_timer_date", by="zhang", org="east").id
        waiting.append(case_id)
        _do(engine, case_id, "order", {"rectifyDeadline": typed})
        case = engine.case(case_id)
        assert not case.incidents, (typed, case.incidents)
        timers = _timers(engine, case_id)
        assert [as_utc(t.due_at) for t in timers] == [due.astimezone(dt.timezone.utc)], typed
        assert _open(engine, case_id) == []
    engine.clock.set(max(typed_days.values()).astimezone(dt.timezone.utc) + dt.timedelta(minutes=1))
    engine.run_due_timers()
    assert [_open(engine, c) for c in waiting] == [["recheck"]] * 3
    case_id = engine.start("rectify_deadline_timer_date", by="zhang", org="east").id
    with pytest.raises(IncidentRaised) as raised:
        _do(engine, case_id, "order", {"rectifyDeadline": f"{day.month}月{day.day}日"})
    assert f"「{day.month}月{day.day}日」不是日期时间的写法" in str(raised.value)


def test_a_yudao_approval_timeout_set_to_approve_ends_the_task_and_goes_on(engine):
    """隐患整改延期申请 drawn as yudao's BPM designer saves an approval timeout: a non-interrupting
    timer boundary event with no flow out, ``flowable:boundaryEventType`` 1 and
    ``flowable:timeoutHandlerType`` 2 (自动同意) — yudao's listener approves the task when the timer
    fires and the case goes on. Here the timer fired and did nothing: 科室负责人审批 waited on a person
    where yudao moved on, noted only as ignored extension settings. Now 自动同意 is drawn as what it
    does (noted on the event): after 24 hours the task ends and 分管领导签批 opens; the reminder (1) on
    分管领导签批 fires with nothing to do, as before, and the task stays."""
    name = "yudao_approval_timeout_auto_approve.bpmn"
    warnings = [w.message for w in engine.models.validate((CORPUS / name).read_bytes(), name).warnings]
    assert any("(Event_head_timeout) 是芋道（yudao）的审批超时「自动同意」" in w and "科室负责人审批" in w for w in warnings), warnings
    assert not any("(Event_head_timeout) 的扩展设置" in w for w in warnings), warnings
    assert any("(Event_leader_reminder) 的扩展设置「flowable:timeoutHandlerType」" in w for w in warnings), warnings
    case_id = engine.start("approval_timeout_auto_approve", by="zhang", org="east").id
    assert _open(engine, case_id) == ["Activity_head"]
    engine.clock.advance(hours=23, minutes=59)
    engine.run_due_timers()
    assert _open(engine, case_id) == ["Activity_head"]
    engine.clock.advance(minutes=2)
    engine.run_due_timers()
    assert _open(engine, case_id) == ["Activity_leader"]
    engine.clock.advance(hours=24, minutes=1)
    engine.run_due_timers()
    assert _open(engine, case_id) == ["Activity_leader"]
    _do(engine, case_id, "Activity_leader")
    case = engine.case(case_id)
    assert case.status == "completed" and not case.incidents
