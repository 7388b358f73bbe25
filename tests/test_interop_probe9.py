"""A ninth batch of public models nobody here had tried (camunda-bpm-platform's call activity, timer and
transaction test resources, camunda-bpm-examples, Flowable's call activity test resources, Zeebe's
engine test resources (conditional events, ad-hoc sub-process, compensation), and the Chinese
contractors' demos: RuoYi/BladeX-style Flowable 会签 and 请假/报销 models; bench/interop.py --walk
--dir runs such a folder): what Duban refused or said nothing of though the engine they were drawn
for runs it, or ran the wrong way. Each is drawn again as its tool saves it, with our own names and
Chinese labels (tests/bpmn/interop/), and run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from engine.errors import InvalidModel

from tests.interop_support import CORPUS, open_task_data, open_specs as _open, complete_at as _do
from tests.support import make_engine

MODELS = ("camunda7_call_input_child.bpmn", "camunda7_call_input_parameters.bpmn",
          "camunda7_subprocess_input_parameters.bpmn", "flowable_http_mail_tasks.bpmn",
          "flowable_call_types_child.bpmn", "flowable_call_types_parent.bpmn", "camunda7_rest_connector.bpmn")


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.directory.add_role("admin", "系统管理员")
    eng.directory.add_user("gateway", org="city", roles=["admin"], name="企业服务平台接口")  # fetches external tasks
    for name in MODELS:
        eng.deploy(CORPUS / name, by="boss")
    yield eng
    eng.dispose()


def _warnings(engine, name: str) -> list[str]:
    return [w.message for w in engine.models.validate((CORPUS / name).read_bytes(), name).warnings]


def test_a_call_activity_s_input_parameters_are_read_by_its_in_mappings(engine):
    """隐患整改复查交办 (camunda-bpm-platform's CallActivity.testSubProcessLocalInputSingleVariableExpression:
    ``camunda:inputParameter name="inputParameter">${42}`` on the call activity and ``camunda:in
    sourceExpression="${inputParameter + 1}"``, the child getting 43). Camunda sets a call activity's
    input parameters before its ``camunda:in`` mappings read them and its output parameters after
    ``camunda:out``; here the parameters were noted as ignored at deploy and the case stopped at the
    call with an incident (reviewRound had no value). Now the child gets round 2 and the unit, the
    output parameter reads the input parameter, and the case's own ``reviewer`` is left as it was."""
    assert not any("输入输出映射" in m for m in _warnings(engine, "camunda7_call_input_parameters.bpmn"))
    case_id = engine.start("camunda7_call_input_parameters", by="zhang", org="east",
                           data={"reviewer": "市局督办科"}).id
    _do(engine, case_id, "Activity_0register", {"hazard": "消防通道堵塞"})
    assert _open(engine, case_id) == ["Activity_0check"]
    assert not engine.case(case_id).incidents
    seen = open_task_data(engine, case_id, "Activity_0check")
    assert {k: seen[k] for k in ("hazard", "nextRound", "reviewUnit")} == \
        {"hazard": "消防通道堵塞", "nextRound": 2, "reviewUnit": "区县执法大队"}
    assert "reviewRound" not in seen and "reviewer" not in seen  # only what camunda:in maps goes in
    _do(engine, case_id, "Activity_0check", {"conclusion": "已整改"})
    assert _open(engine, case_id) == ["Activity_0close"]
    data = engine.case(case_id).data
    assert (data["conclusion"], data["nextRound"], data["reviewUnit"], data["reviewedBy"]) == \
        ("已整改", 2, "区县执法大队", "区县执法大队")
    assert data["reviewer"] == "市局督办科" and "reviewRound" not in data
    assert not any(k.startswith("duban_shadowed") for k in data)
    _do(engine, case_id, "Activity_0close")
    assert engine.case(case_id).status == "completed"


def test_a_sub_process_s_input_parameters_hold_inside_it_only(engine):
    """整改复查（内嵌子流程）: Camunda 7 keeps an embedded sub-process's input parameters as its local
    variables (readable by its tasks, gone after it) and sets its output parameters as it ends; here
    they were noted as ignored and never set. A task inside with parameters of its own keeps what
    they shadow beside the sub-process's, so the case's ``reviewRound`` and ``checker`` are both
    back after it."""
    assert not any("输入输出映射" in m for m in _warnings(engine, "camunda7_subprocess_input_parameters.bpmn"))
    case_id = engine.start("camunda7_subprocess_input_parameters", by="zhang", org="east",
                           data={"reviewRound": 0, "checker": "市局"}).id
    assert _open(engine, case_id) == ["Activity_0check"]
    _do(engine, case_id, "Activity_0check")
    assert _open(engine, case_id) == ["Activity_0close"]
    data = engine.case(case_id).data
    assert (data["lastRound"], data["roundSeen"], data["checkedBy"]) == (1, 1, "区县执法大队")
    assert (data["reviewRound"], data["checker"]) == (0, "市局")
    assert not any(k.startswith("duban_shadowed") for k in data)


def test_http_and_mail_tasks_are_said_not_to_call_out_and_an_external_worker_task_waits_for_its_worker(engine):
    """整改通知送达 (BootDo's flowable6.5 demo: ``serviceTask flowable:type="http"`` with requestMethod and
    requestUrl fields; Flowable's mail task; Flowable 6.6's ``flowable:type="external-worker"
    flowable:topic``): Flowable sends the request and the mail; here those tasks are a person's, and the
    deploy said only that their field injection was ignored. Now each is said on the task — what it
    would have done, that it is not done here, and what to draw instead — and the external worker task
    waits for a worker of its topic, as Flowable's does, instead of going to a person."""
    said = _warnings(engine, "flowable_http_mail_tasks.bpmn")
    assert any(m.startswith('服务任务「推送企业服务平台」(sid-push) 是 Flowable 的 HTTP 任务（flowable:type="http"），'
                            "本系统不会发出 HTTP 请求；该任务将交由人员办理") for m in said), said
    assert any(m.startswith('服务任务「邮件通知企业」(sid-mail) 是 Flowable 的邮件任务（flowable:type="mail"），本系统不会发送邮件')
               and "请改为外部任务" in m for m in said), said
    assert not any("字段注入" in m for m in said), said
    case_id = engine.start("flowable_http_mail_tasks", by="zhang", org="east").id
    _do(engine, case_id, "sid-notice")
    _do(engine, case_id, "sid-push")
    _do(engine, case_id, "sid-mail")
    assert _open(engine, case_id) == []
    (locked,) = engine.fetch_and_lock("notice-receipt", "platform-worker", by="gateway")
    engine.complete_external(locked["id"], "platform-worker", {"receipt": "已签收"}, by="gateway")
    view = engine.case(case_id)
    assert view.status == "completed" and view.data["receipt"] == "已签收"


def test_what_flowable_sets_on_a_call_activity_and_is_not_done_here_is_said(engine):
    """罚款决定交办 (Flowable's CallActivityTypeConversionTest: ``flowable:in … targetType="string"``
    converts the value on its way; CallActivity.testIdVariableName: ``flowable:idVariableName`` gets the
    called instance's id; ``flowable:inheritBusinessKey``): none is done here, and the deploy said
    nothing of them. Now the two not done are said on the call activity; the targetType is done since
    session 23 (engine/flowable_types.py, tests/test_vendor_gaps_s23.py): the number goes in as text."""
    said = [m for m in _warnings(engine, "flowable_call_types_parent.bpmn") if m.startswith("调用活动「送达决定书」")]
    assert len(said) == 2, said
    assert not any("targetType" in m for m in said), said
    assert any("把被调用流程的实例编号写入变量（idVariableName）「deliveryInstanceId」的设置在本系统中不生效" in m
               for m in said), said
    assert any("业务键传递 (inheritBusinessKey)" in m for m in said), said
    case_id = engine.start("flowable_call_types_parent", by="zhang", org="east").id
    _do(engine, case_id, "sid-decide", {"fineAmount": 5000})
    seen = open_task_data(engine, case_id, "sid-deliver")
    assert (seen["fineText"], seen["fineAmount"]) == ("5000", 5000)
    _do(engine, case_id, "sid-deliver", {"deliveredBy": "留置送达"})
    view = engine.case(case_id)
    assert view.status == "completed" and view.data["deliveredBy"] == "留置送达"
    assert "deliveryInstanceId" not in view.data


def test_a_spring_bean_handed_the_execution_is_refused_saying_what_to_fill_in_instead(engine):
    """重大隐患挂牌会签 (a BladeX/RuoYi-style workflow dump: the 会签 collection
    ``${wfMultiInstanceHandler.getList(execution)}``, the assignee ``${wfCustomUserHandler.userList(execution,
    '参数')}``, a flow's condition ``${wfCustomUserHandler.condition(execution, '对')}``): Java of the
    application the model came with, handed the engine's execution. The refusal said only that the
    method is not one of Java's String methods we know; now it says what the name is (the other
    system's Spring bean), that its Java does not run here, and what to fill in and write instead."""
    with pytest.raises(InvalidModel) as err:
        engine.deploy(CORPUS / "flowable_bean_countersign_collection.bpmn", by="boss")
    (problem,) = [p for p in err.value.problems if p["severity"] == "error"]
    assert problem["element_id"] == "Activity_0sign"
    assert "调用了原系统程序中的 Java 对象（Spring bean）「wfMultiInstanceHandler」的方法「getList」，并把引擎对象传给它；" \
           "本系统不运行原系统的 Java 代码，请在此前的环节把它算出的值（如审批人、人员列表、是否通过）填入流程变量，此处改用该变量" \
        in problem["message"], problem["message"]


def test_a_connector_is_said_not_to_call_out_naming_the_outputs_left_unset(engine):
    """失信企业核查 (camunda-bpm-examples' servicetask/rest-service: ``camunda:connector`` http-connector
    with url and method input parameters and an output parameter computed from the response): Camunda
    calls the service; here the task goes to a person, and the deploy said 「连接器在本系统中不会执行，
    已忽略；需要的逻辑请改用脚本任务或服务任务」 (it is a service task) without saying that its output
    ``blacklisted``, which the gateway reads, is never set. Now the note names the connector, who does
    the task, the outputs left unset and what to draw; the person's answer routes the case."""
    said = [m for m in _warnings(engine, "camunda7_rest_connector.bpmn") if m.startswith("服务任务「查询失信名单」")]
    assert said == ["服务任务「查询失信名单」(Activity_0query) 的连接器「http-connector」在本系统中不会调用外部系统，该任务将交由人员"
                    "办理，办理人完成后流程继续；连接器的输出参数（「blacklisted」）不会被设置，后续环节要用时请在该任务的表单中"
                    "让办理人填写。需要由外部程序完成的，请改为外部任务（camunda:type=\"external\" 并填写主题）"], said
    case_id = engine.start("camunda7_rest_connector", by="zhang", org="east").id
    assert _open(engine, case_id) == ["Activity_0query"]
    _do(engine, case_id, "Activity_0query", {"blacklisted": False})
    assert _open(engine, case_id) == ["Activity_0normal"]
