"""Deploy refuses what SpiffWorkflow would drop without a word or refuse without saying what to fix,
and only warns (提示) about a harmless leftover. Each case is tests/bpmn/rectify_deadline.bpmn (drawn
the way Camunda Modeler saves it: a lane, a boundary timer on 复查整改情况) with one thing broken."""
from __future__ import annotations

import pytest

from engine import InvalidModel, NotFound
from tests.interop_support import CORPUS
from tests.support import BPMN, make_engine
from webui.labels import model_refusal

MODEL = (BPMN / "rectify_deadline.bpmn").read_text(encoding="utf-8")
TIMER = """<bpmn:timerEventDefinition id="TimerEventDefinition_0x7lq2d">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">P15D</bpmn:timeDuration>
      </bpmn:timerEventDefinition>"""
END = """<bpmn:endEvent id="Event_0done" name="整改完毕">
      <bpmn:incoming>Flow_0a2</bpmn:incoming>"""
SET_TIME = ("请在属性面板中选择「定时器类型」，并在「定时器表达式」中填写，"
            "如持续时长 PT2H（2 小时）、指定时间 2026-12-31T09:00:00+08:00、循环 R/P1D（每天）")


@pytest.fixture
def engine(sqlite_url):
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


def drawn(*replacements: tuple[str, str]) -> bytes:
    text = MODEL
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text.encode()


def refusal(engine, content: bytes) -> InvalidModel:
    with pytest.raises(InvalidModel) as err:
        engine.deploy(content, by="boss", filename="rectify_deadline.bpmn")
    with pytest.raises(NotFound):  # nothing deployed
        engine.models.latest("rectify_deadline")
    return err.value


def test_the_model_as_drawn_deploys_without_a_problem_of_its_own(engine):
    pf = engine.models.validate(MODEL, "rectify_deadline.bpmn")
    assert [w.message for w in pf.warnings if "表单" not in w.message] == []


@pytest.mark.parametrize("attached, why", [
    ('', "没有附着在任何任务上"),
    ('attachedToRef="Activity_0deleted"', "附着的任务已不存在"),
    ('attachedToRef="Event_0done"', "附着在结束事件「整改完毕」(Event_0done)上，边界事件只能附着在任务或子流程上"),
])
def test_a_boundary_event_on_no_task_is_refused_because_spiffworkflow_drops_it_silently(engine, attached, why):
    """Raw SpiffWorkflow parses such a model and runs it with the boundary event left out: 整改期限届满
    would never fire and 催办整改 never come. Refused, naming the event and what to do."""
    err = refusal(engine, drawn(('attachedToRef="Activity_0rectify"', attached)))
    assert err.element_id == "Event_0overdue" and err.line == 24
    assert str(err).endswith(
        f"边界事件「整改期限届满」(Event_0overdue) {why}，永远不会触发；请在设计器中把它拖到要监视的任务或子流程的边框上，或删除它")


@pytest.mark.parametrize("timer", [
    "<bpmn:timerEventDefinition id=\"TimerEventDefinition_1end\" />",
    '<bpmn:timerEventDefinition id="TimerEventDefinition_1end"><bpmn:timeDuration>P1D</bpmn:timeDuration>'
    '</bpmn:timerEventDefinition>',
])
def test_a_timer_on_an_end_event_is_refused_because_spiffworkflow_ignores_it(engine, timer):
    """BPMN has no timer end event; SpiffWorkflow runs the end event at once, timer or not, so a drawn
    wait would silently not happen."""
    err = refusal(engine, drawn((END, END + timer)))
    assert err.element_id == "Event_0done"
    assert str(err).endswith("结束事件「整改完毕」(Event_0done) 带有定时器，但结束事件不会等待，定时器不起作用；"
                             "如需等待一段时间，请在它之前加一个定时中间事件，并在设计器中把它改回不带定时器的结束事件")


@pytest.mark.parametrize("empty", [
    '<bpmn:timerEventDefinition id="TimerEventDefinition_0x7lq2d" />',
    '<bpmn:timerEventDefinition id="TimerEventDefinition_0x7lq2d"><bpmn:timeDuration xsi:type="bpmn:tFormalExpression" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" /></bpmn:timerEventDefinition>',
])
def test_a_timer_with_no_time_is_refused_saying_what_to_fill_in(engine, empty):
    """SpiffWorkflow refuses it too, but as 'Unknown Time Specification' (定时器设置无法识别): nothing
    said about what to fill in where. Camunda Modeler saves a freshly drawn timer this way."""
    err = refusal(engine, drawn((TIMER, empty)))
    assert err.element_id == "Event_0overdue"
    assert str(err).endswith(f"边界事件「整改期限届满」(Event_0overdue) 的定时器没有设置时间；{SET_TIME}")


def test_a_start_timer_with_no_time_is_refused_the_same_way(engine):
    err = refusal(engine, drawn(('<bpmn:outgoing>Flow_0a1</bpmn:outgoing>\n    </bpmn:startEvent>',
                                 '<bpmn:outgoing>Flow_0a1</bpmn:outgoing><bpmn:timerEventDefinition />\n    </bpmn:startEvent>')))
    assert str(err).endswith(f"开始事件「发现隐患」(StartEvent_1) 的定时器没有设置时间；{SET_TIME}")


def test_a_lane_naming_a_deleted_element_deploys_with_a_warning_because_it_is_a_harmless_leftover(engine):
    """Camunda Modeler sometimes keeps a deleted shape's flowNodeRef in its lane. SpiffWorkflow ignores
    it and the case runs as drawn; bpmn-js drops it when it reads the file. So a 提示, not a refusal."""
    content = drawn(("<bpmn:flowNodeRef>Event_1urged</bpmn:flowNodeRef>",
                     "<bpmn:flowNodeRef>Event_1urged</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>Activity_0gone</bpmn:flowNodeRef>"))
    pf = engine.models.validate(content, "rectify_deadline.bpmn")
    assert [w.message for w in pf.warnings if "泳道" in w.message] == [
        "泳道「执法人员」(Lane_0insp) 列出了 1 个流程中已不存在的元素（多为删除元素后留下的引用），已忽略，"
        "不影响运行；在流程设计中打开并重新保存即可清除"]
    engine.deploy(content, by="boss", filename="rectify_deadline.bpmn")
    case = engine.start("rectify_deadline", by="zhang", org="east")
    (task,) = engine.queue("zhang")
    assert task.name == "复查整改情况" and task.role_code == "inspector"
    engine.complete(task.id, "zhang", {})
    assert engine.case(case.id).status == "completed"


CALLS_MISSING = MODEL.replace('<bpmn:userTask id="Activity_0urge" name="催办整改" camunda:formKey="urge">',
                              '<bpmn:callActivity id="Activity_0urge" name="催办整改" calledElement="urge_process">'
                              ).replace("</bpmn:userTask>\n    <bpmn:sequenceFlow id=\"Flow_0a3\"",
                                        "</bpmn:callActivity>\n    <bpmn:sequenceFlow id=\"Flow_0a3\"")


@pytest.mark.parametrize("content, said", [
    (b'<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="x">\n  <unclosed>\n</bpmn:definitions>',
     "XML 格式错误：开始标签与结束标签不匹配，无法读取；请用建模工具重新导出后再部署"),
    (MODEL.encode()[:MODEL.encode().index(b"\n", 1500) + 1], "XML 格式错误：文件不完整，可能在保存或上传时被截断，无法读取；请用建模工具重新导出后再部署"),
    (b"\x00\x01\x02 not xml at all", "XML 格式错误：文件为空或不是 XML 文件，无法读取；请用建模工具重新导出后再部署"),
    (MODEL.replace("整改完毕", "整改&nbsp;完毕").encode(), "模型文件不允许包含 DTD 或实体声明（如 &nbsp;），请删除后再部署"),
    (MODEL.encode("gb18030"), "文件须为 UTF-8 编码；请在建模工具中另存为 UTF-8 编码"),
    (b"<html><body>rectify</body></html>", "不是 BPMN 或 DMN 模型文件；请从流程设计或建模工具导出 .bpmn 或 .dmn 文件"),
    (CALLS_MISSING.encode(), "被调用的流程「urge_process」未部署，请先部署它"),
])
def test_a_file_that_cannot_be_read_is_refused_in_chinese_without_an_english_gloss(engine, content, said):
    err = refusal(engine, content)
    assert str(err).split(": ", 1)[1] == said


DURATION_HINT = "请填写时长，如 P5D（5 天）、PT2H（2 小时）、P2W（2 周）或 P1Y2M3DT4H（1 年 2 个月 3 天 4 小时）"
CYCLE_HINT = ("请填写周期，如 R3/PT1H（每小时一次，共 3 次）、R/P1D（每天，不限次数）、"
              "R3/2026-12-01T09:00:00+08:00/P1D（从该时间起每天一次，共 3 次）")


@pytest.mark.parametrize("kind, text, said", [
    ("timeDuration", "15天", f"的定时器（时长）无效：「15天」既不是时长的写法，也不是能计算的表达式；{DURATION_HINT}，"
                           "或写一个算出时长的表达式，如 timedelta(days=5)"),
    ("timeDuration", "P1.5M", "的定时器（时长）无效：「P1.5M」中的年、月须为整数（一个月的天数不固定）；请改用天数，如 P45D（45 天）"),
    ("timeCycle", "R/PT0S", f"的定时器（周期）无效：周期「R/PT0S」有误：周期的间隔为零，定时器会不停触发；{CYCLE_HINT}"),
    ("timeCycle", "R/PT30S", "的定时器（周期）无效：周期定时器的间隔 PT30S 短于最小间隔 1 分钟；"
                            "请填写至少 1 分钟的间隔，如 R/PT5M（每 5 分钟）、R/P1D（每天）"),
    ("timeCycle", "R0/P1D", "的定时器（周期）无效：周期「R0/P1D」的 R0 表示一次也不触发；请写 R1 或更多次，或写 R 表示不限次数，"
                           "如 R3/PT1H（每小时一次，共 3 次）、R/P1D（每天，不限次数）、"
                           "R3/2026-12-01T09:00:00+08:00/P1D（从该时间起每天一次，共 3 次）"),
    ("timeDate", "2026-13-01", "的定时器（到期时间）无效：「2026-13-01」不是日期时间的写法；请填写到期时间，"
                              "如 2026-12-31T09:00:00+08:00、2026-12-31T01:00:00Z 或 2026-12-31（北京时间当日 0 点）"),
    ("timeDate", "明天 上午", "的定时器（到期时间）无效：「明天 上午」既不是到期时间的写法，也不是能计算的表达式；"
                            "请填写到期时间，如 2026-12-31T09:00:00+08:00、2026-12-31T01:00:00Z 或 2026-12-31（北京时间当日 0 点），"
                            "或写一个算出到期时间的表达式，如 workdays_after(registered_at, 10)"),
])
def test_a_timer_text_that_is_no_time_is_refused_in_chinese_saying_what_to_write(engine, kind, text, said):
    """The timer's own words (时长、周期、到期时间), what is wrong with the text as typed and what to
    write instead; no English gloss (it was "(neither ISO 8601 nor an expression)")."""
    err = refusal(engine, drawn(("<bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\" "
                                 "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">P15D</bpmn:timeDuration>",
                                 f"<bpmn:{kind}>{text}</bpmn:{kind}>")))
    assert err.element_id == "Event_0overdue"
    assert str(err).split(": ", 1)[1] == f"边界事件「整改期限届满」(Event_0overdue) {said}"


@pytest.mark.parametrize("filename, removed, said", [
    ("message_catch.bpmn", '<bpmn:message id="Msg_done" name="整改完成" />',
     "中间捕获事件「企业报告整改完成」(wait_done) 引用的消息已不存在（可能已被删除）；请在属性面板中重新选择消息，或新建一个消息"),
    ("signal_throw.bpmn", '<bpmn:signal id="Sig_stop" name="停产整顿令" />',
     "中间抛出事件「发布命令」(announce) 引用的信号已不存在（可能已被删除）；请在属性面板中重新选择信号，或新建一个信号"),
])
def test_an_event_whose_message_or_signal_was_deleted_is_refused_naming_the_event(engine, filename, removed, said):
    """A bpmn.io drawing whose message (signal) definition was deleted while an event still refers to
    it: SpiffWorkflow's parser fails on its own error there, which the refusal said as 「模型结构无法识别」."""
    text = (CORPUS / filename).read_text(encoding="utf-8")
    assert removed in text
    with pytest.raises(InvalidModel) as err:
        engine.deploy(text.replace(removed, "").encode(), by="boss", filename=filename)
    assert err.value.message == said


def test_a_call_activity_calling_nothing_is_refused_saying_where_to_choose_the_process(engine):
    """Camunda 7's call activity with its called element cleared: the refusal names no attribute (it
    said 「（calledElement）」, which the page turned into 「被调用的未命名的流程」)."""
    text = (CORPUS / "camunda7_call_parent.bpmn").read_text(encoding="utf-8")
    engine.deploy(CORPUS / "camunda7_call_child.bpmn", by="boss")
    with pytest.raises(InvalidModel) as err:
        engine.deploy(text.replace(' calledElement="camunda7_call_child"', "").encode(), by="boss",
                      filename="camunda7_call_parent.bpmn")
    assert model_refusal(err.value).endswith(
        "调用活动「区级核查\n（子流程）」：调用活动没有指定被调用的流程；请在属性面板中选择被调用的流程")


def test_a_file_with_a_pool_and_no_process_is_refused_without_a_tag_name(engine):
    """A collaboration whose pool is empty (a black-box pool, as Camunda Modeler draws a partner
    organisation): the refusal says what is missing and what to draw, not the XML tag
    (it said 「文件中没有流程 <bpmn:process>」)."""
    pool_only = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_1"
  targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.28.0">
  <bpmn:collaboration id="Collaboration_1"><bpmn:participant id="Participant_1" name="\xe4\xbc\x81\xe4\xb8\x9a" /></bpmn:collaboration>
</bpmn:definitions>"""
    with pytest.raises(InvalidModel) as err:
        engine.deploy(pool_only, by="boss", filename="pool.bpmn")
    assert model_refusal(err.value) == (
        "模型校验未通过：pool.bpmn 第 3 行：文件中没有流程，无法部署（只有泳池而泳池里没有流程，或是空白的模型）；"
        "请在建模工具中画出流程（开始事件、任务、结束事件）后重新导出")


@pytest.mark.parametrize("source, why", [
    ('sourceRef="Flow_0a1"', "的起点「Flow_0a1」是另一条连线，不是环节"),
    ('sourceRef="Activity_0deleted"', "的起点「Activity_0deleted」在文件中不存在"),
    ('sourceRef=""', "没有起点"),
    ('sourceRef="  "', "没有起点"),
])
def test_a_flow_from_no_element_is_refused_naming_it_as_camunda_refuses_it(engine, source, why):
    """连线「催办」(Flow_0a3) drawn from another flow, from a deleted task or from nothing (a file
    edited by hand, or a tool that left a dangling reference): Camunda 7 and Flowable refuse the
    deploy ("Invalid source … of sequence flow"). Before, it deployed and 催办整改 counted as reached
    by that flow, so it could never open and nobody was told."""
    err = refusal(engine, drawn(('sourceRef="Event_0overdue" targetRef="Activity_0urge"',
                                 f'{source} targetRef="Activity_0urge"')))
    assert err.element_id == "Flow_0a3", err
    assert why in str(err) and "请在流程设计器中重新连接这条连线" in str(err), err


def test_a_flow_out_of_its_sub_process_is_refused_naming_it():
    """A sequence flow may not leave its sub-process (BPMN 2.0 §10.5.1): one drawn from a task inside
    a sub-process to a task outside it is refused naming the flow and saying why."""
    text = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_cross" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="cross_sub" name="跨子流程连线" isExecutable="true">
    <bpmn:startEvent id="S"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:subProcess id="Sub" name="现场核查"><bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
      <bpmn:startEvent id="S2"><bpmn:outgoing>G1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:userTask id="Check" name="核查"><bpmn:incoming>G1</bpmn:incoming><bpmn:outgoing>G2</bpmn:outgoing><bpmn:outgoing>Leak</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="E2"><bpmn:incoming>G2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="G1" sourceRef="S2" targetRef="Check" />
      <bpmn:sequenceFlow id="G2" sourceRef="Check" targetRef="E2" />
      <bpmn:sequenceFlow id="Leak" name="直接上报" sourceRef="Check" targetRef="Report" />
    </bpmn:subProcess>
    <bpmn:userTask id="Report" name="上报"><bpmn:incoming>F2</bpmn:incoming><bpmn:incoming>Leak</bpmn:incoming><bpmn:outgoing>F3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="E"><bpmn:incoming>F3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="Sub" />
    <bpmn:sequenceFlow id="F2" sourceRef="Sub" targetRef="Report" />
    <bpmn:sequenceFlow id="F3" sourceRef="Report" targetRef="E" />
  </bpmn:process>
</bpmn:definitions>""".encode()
    from engine import validation
    problems = [p for p in validation.check_bpmn(validation.read_file(text, "cross_sub.bpmn"), lane_roles=set())
                if p.severity == "error"]
    assert [(p.element_id, p.message) for p in problems if p.element_id == "Leak"] == [
        ("Leak", "连线「直接上报」(Leak) 的终点「Report」不在这条连线所在的流程或子流程中（连线不能跨出子流程或泳池，"
                 "跨泳池请用消息流）；请在流程设计器中重新连接这条连线")]
