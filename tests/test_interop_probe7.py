"""A seventh batch of public models nobody here had tried (camunda-bpm-platform's message, signal,
multi-instance, call activity, gateway and service task test resources, Flowable's signal, timer and
sub-process test resources, lib-bpmn-engine's Camunda Modeler 8 files; bench/interop.py --walk --dir
runs such a folder): what Duban refused though the engine they were drawn for runs it, or ran the
wrong way. Each is drawn again as its tool saves it, with our own names and Chinese labels
(tests/bpmn/interop/), and run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from tests.interop_support import CORPUS, user_for, models_engine, open_specs as _open, complete_at as _do

MODELS = ("camunda7_qname_refs.bpmn", "flowable_signal_expression.bpmn", "ibm_namespace_with_spaces.bpmn",
          "mid_innovator_event_definition_refs.bpmn")


@pytest.fixture(scope="module")
def engine(module_database_url):
    yield from models_engine(module_database_url, MODELS)


def test_references_written_as_qualified_names_resolve_through_their_prefix(engine):
    """隐患线索核查 (Camunda's MessageStartEventTest.testMessageStartEventAndNoneStartEvent shape, written
    by hand with ``xmlns:tns`` and ``messageRef="tns:Msg_tip"``): BPMN types messageRef, signalRef and
    attachedToRef as qualified names and Camunda resolves the prefix; the deploy refused the file
    「引用的消息已不存在」. Anyone may report a hazard to the supervising department (《安全生产法》
    第七十四条): a 隐患线索来信 starts a case at 核查来信线索; a case started by hand takes the none start,
    巡查登记, as Camunda's startProcessInstanceByKey does; 隐患线索撤回 ends the check by its boundary."""
    by_hand = engine.start("camunda7_qname_refs", by="zhang", org="east").id
    assert _open(engine, by_hand) == ["patrol_record"]
    started = engine.correlate_message("隐患线索来信", by="boss")
    assert started["started"] and _open(engine, started["case_id"]) == ["verify_tip"]
    engine.broadcast_signal("隐患线索撤回", by="boss")
    assert engine.case(started["case_id"]).status == "completed"
    _do(engine, by_hand, "patrol_record")
    assert engine.case(by_hand).status == "completed"


def test_a_prefix_the_file_does_not_declare_is_left_for_the_reference_check():
    from lxml import etree

    from engine.qname_refs import unprefix
    root = etree.fromstring(
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:tns="urn:x">'
        b'<message id="m"/><process id="p"><startEvent id="s"><messageEventDefinition messageRef="tns:m"/>'
        b'</startEvent><intermediateCatchEvent id="c"><messageEventDefinition messageRef="other:m"/>'
        b'</intermediateCatchEvent></process></definitions>')
    rewritten = unprefix(root)
    assert [(el.getparent().get("id"), written) for el, _, written in rewritten] == [("s", "tns:m")]
    refs = [d.get("messageRef") for d in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}messageEventDefinition")]
    assert refs == ["m", "other:m"]


def test_a_message_name_holding_an_expression_is_refused_naming_the_event(engine):
    """整改报告复查 (Camunda's MessageIntermediateEventTest.testExpressionInSingleIntermediateMessageEvent
    shape, ``name="newInvoiceMessage-${foo}"``; SignalEventExpressionNameTest's ``alert-${var}``):
    Camunda computes the name when the case reaches the event; here messages are sent and waited for
    by a name fixed in the model. Deployed, the case waited for 「整改报告-${enterpriseCode}」 word for
    word, a message nobody sends, and stood still with no task (a 整改报告 never reaching 复查整改情况,
    《安全生产法》第六十五条). Now refused naming the event, the name, and what to write instead."""
    from engine.errors import InvalidModel
    with pytest.raises(InvalidModel) as err:
        engine.deploy(CORPUS / "camunda7_message_name_expression.bpmn", by="boss")
    (problem,) = [p for p in err.value.problems if p["severity"] == "error"]
    assert problem["element_id"] == "Event_0report"
    assert problem["message"] == (
        "中间捕获事件「收到整改报告」(Event_0report) 的消息名称「整改报告-${enterpriseCode}」含表达式：Camunda 等引擎在案件走到"
        "这里时才计算名称，本系统的消息须有固定名称（按名称发送和等待），案件会等待一个没有人发送的消息；请把名称改为固定的文字，"
        "需要区分案件时用关联键（correlationKey）")


def test_a_signal_thrown_by_a_name_holding_an_expression_is_refused_saying_nobody_receives_it(engine):
    from engine.errors import InvalidModel
    text = (CORPUS / "camunda7_message_name_expression.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:messageEventDefinition id="MessageEventDefinition_0report" messageRef="Message_0report" />',
        '<bpmn:signalEventDefinition id="SignalEventDefinition_0report" signalRef="Signal_0done" />').replace(
        "bpmn:intermediateCatchEvent", "bpmn:intermediateThrowEvent").replace(
        '<bpmn:message id="Message_0report" name="整改报告-${enterpriseCode}" />',
        '<bpmn:signal id="Signal_0done" name="整改完成-${enterpriseCode}" />')
    with pytest.raises(InvalidModel) as err:
        engine.models.validate(text, "整改完成通知.bpmn")
    messages = [p["message"] for p in err.value.problems if p["severity"] == "error"]
    assert any("的信号名称「整改完成-${enterpriseCode}」含表达式" in m and "发出的信号名称会是这段原文，等待它的案件收不到" in m
               for m in messages), messages


def test_a_flowable_signal_expression_names_the_signal_its_event_waits_for(engine):
    """停产整顿 (Flowable's SignalEventTest.testSignalExpression shape: Flowable Design writes a signal
    event's signal as ``flowable:signalExpression``, no ``signalRef``): refused 「没有选择信号」. The
    plain names are the signals: 停产整顿决定下达 opens 督促停产整顿 (《安全生产法》第六十五条第一款第三项,
    责令暂时停产停业), 停产整顿决定撤销 ends it by the boundary, and the throw sends 停产整顿验收申请."""
    case = engine.start("flowable_signal_expression", by="zhang", org="east").id
    assert _open(engine, case) == []
    assert engine.broadcast_signal("停产整顿决定下达", by="boss")["delivered"] == [case]
    assert _open(engine, case) == ["formTask1"]
    _do(engine, case, "formTask1")
    assert engine.case(case).status == "completed"
    withdrawn = engine.start("flowable_signal_expression", by="zhang", org="east").id
    engine.broadcast_signal("停产整顿决定下达", by="boss")
    engine.broadcast_signal("停产整顿决定撤销", by="boss")
    assert engine.case(withdrawn).status == "completed" and _open(engine, withdrawn) == []


def test_a_flowable_signal_expression_computed_from_data_is_refused_once_naming_the_event(engine):
    from engine.errors import InvalidModel
    text = (CORPUS / "flowable_signal_expression.bpmn").read_text(encoding="utf-8").replace(
        'flowable:signalExpression="停产整顿决定下达"', 'flowable:signalExpression="${decisionSignal}"')
    with pytest.raises(InvalidModel) as err:
        engine.models.validate(text, "停产整顿.bpmn")
    assert [(p["element_id"], p["message"]) for p in err.value.problems if p["severity"] == "error"] == [(
        "intermediateSignalEventCatching1",
        "中间捕获事件「等待停产整顿决定」(intermediateSignalEventCatching1) 的信号名称是表达式「${decisionSignal}」"
        "（signalExpression），本系统的信号须有固定名称；请在属性面板中为它选择或新建一个信号")]


def test_a_called_element_chosen_by_an_expression_is_refused_saying_what_to_draw(engine):
    """立案审查 (Camunda's CallActivity.testCallSimpleSubProcessWithExpressions shape,
    ``calledElement="${simpleSubProcessExpression}"``): Camunda picks the called process from the
    case's data when the case gets there; here the called process is fixed when the model is
    deployed. The refusal read 「被调用的流程「${reviewProcess}」未部署，请先部署它」, as if a process of
    that name were missing; it now says it is an expression and what to draw instead."""
    from engine.errors import InvalidModel
    with pytest.raises(InvalidModel) as err:
        engine.deploy(CORPUS / "camunda7_called_element_expression.bpmn", by="boss")
    assert [(p["element_id"], p["message"]) for p in err.value.problems if p["severity"] == "error"] == [(
        "Activity_0review",
        "调用活动「按类别审查」(Activity_0review) 的被调用流程「${reviewProcess}」是表达式：Camunda 在案件走到这里时才按案件数据"
        "选择被调用的流程，本系统在部署时就确定被调用的流程；请填写被调用流程的编号（流程标识），需要按情况调用不同的流程时，"
        "用排他网关分到各自的调用活动")]


def test_an_ibm_export_whose_namespace_holds_spaces_and_chinese_is_read(engine):
    """重大事故隐患挂牌督办 (bpmn-miwg's IBM Process Designer 8.0.1 A.3.0 round trip: the file's namespace is
    named after its project and process, ``xmlns:Process="http://A.3.0/Initial Import/Process"``, and the
    boundary event is attached by ``attachedToRef="Process:bpmnid-…"``). Java's XML parsers, so Camunda
    and Flowable, read it; the deploy refused it 「XML 格式错误：文件不是格式正确的 XML」 (libxml2: not a
    valid URI). The case runs 下达挂牌督办通知 → 企业整改 → 验收销号, and the enterprise's closure
    (企业停产关闭) ends 企业整改 by its boundary at 注销督办."""
    case = engine.start("ibm_namespace_with_spaces", by="zhang", org="east").id
    names = []
    while engine.case(case).status == "running":
        (task,) = engine.case(case).tasks
        names.append(task.name)
        engine.complete(task.id, user_for(engine, task), {})
    assert names == ["下达挂牌督办通知", "提交整改报告", "验收销号"]
    closed = engine.start("ibm_namespace_with_spaces", by="zhang", org="east").id
    (notice,) = engine.case(closed).tasks
    engine.complete(notice.id, user_for(engine, notice), {})
    engine.correlate_message("企业停产关闭", by="boss", case_id=closed)
    assert [t.name for t in engine.case(closed).tasks] == ["注销督办"]
    # stored so that every reader of the file parses it (the start policy, the pages' diagram)
    from lxml import etree
    stored = etree.fromstring(engine.models.latest("ibm_namespace_with_spaces").content.encode())
    assert stored.nsmap["Process"] == "http://%E9%9A%90%E6%82%A3%E6%B2%BB%E7%90%86%20Demo/%E6%8C%82%E7%89%8C%E7%9D%A3%E5%8A%9E%20V1/Process"


def test_only_the_namespace_declarations_are_escaped_and_a_broken_file_stays_refused():
    from engine.errors import InvalidModel
    from engine.validation import _uri_escaped_namespaces, safe_xml
    raw = '<a xmlns:p="http://督办 Demo/P" name="督办 Demo"/>'.encode()
    assert _uri_escaped_namespaces(raw) == (
        b'<a xmlns:p="http://%E7%9D%A3%E5%8A%9E%20Demo/P" name="' + "督办 Demo".encode() + b'"/>')
    assert safe_xml(raw, "x.bpmn").get("name") == "督办 Demo"
    with pytest.raises(InvalidModel, match="开始标签与结束标签不匹配"):
        safe_xml('<a xmlns:p="http://督办 Demo/P"><b></a>'.encode(), "x.bpmn")


def test_a_call_activity_naming_a_process_of_its_file_by_qualified_name_calls_it(engine):
    """IBM Process Designer writes references as qualified names (its A.3.0 export:
    ``attachedToRef="Process:bpmnid-…"``); a call activity's ``calledElement`` is one too in BPMN 2.0.
    Written so, the deploy said the called process 「Process:核查」 was not deployed."""
    xml = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:Process="http://督办 Demo/Process"
      targetNamespace="http://督办 Demo/Process" id="d">
      <process id="qname_call_parent" name="举报办理" isExecutable="true">
        <startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="call"/>
        <callActivity id="call" name="现场核查" calledElement="Process:qname_call_child"/>
        <sequenceFlow id="f2" sourceRef="call" targetRef="e"/><endEvent id="e"/>
      </process>
      <process id="qname_call_child" name="核查" isExecutable="true">
        <startEvent id="cs"/><sequenceFlow id="c1" sourceRef="cs" targetRef="check"/>
        <userTask id="check" name="核查举报内容"/>
        <sequenceFlow id="c2" sourceRef="check" targetRef="ce"/><endEvent id="ce"/>
      </process>
    </definitions>"""
    engine.deploy(xml, by="boss", filename="举报办理.bpmn")
    case = engine.start("qname_call_parent", by="zhang", org="east").id
    (task,) = engine.case(case).tasks
    assert task.name == "核查举报内容"
    engine.complete(task.id, user_for(engine, task), {})
    assert engine.case(case).status == "completed"


def test_an_event_naming_its_definition_by_reference_waits_for_it(engine):
    """停产整顿后复工审查 (bpmn-miwg's MID Innovator 11.5 A.3.0 export: the event definitions kept among
    the file's root elements, each event naming its own by ``<eventDefinitionRef>``, BPMN 2.0 §10.4.1).
    The deploy refused the catch event 「本系统不支持这种事件」, though it waits for a message: it now
    waits for 复工验收报告 and goes on to 审查复工条件 when the report comes."""
    case = engine.start("mid_innovator_event_definition_refs", by="zhang", org="east").id
    (task,) = engine.case(case).tasks
    assert task.name == "受理复工申请"
    engine.complete(task.id, user_for(engine, task), {})
    assert engine.case(case).tasks == []
    engine.correlate_message("复工验收报告", by="boss", case_id=case)
    assert [t.name for t in engine.case(case).tasks] == ["审查复工条件"]
