"""Security review of issue 15's sixth session (安全复查六): hostile probes where no review had looked,
each on a real SQLite file and a real PostgreSQL database, with real models.

NUL written by a model (模型写入的空字符). PostgreSQL keeps no NUL (U+0000) in a text or a JSON value;
SQLite does. A script task that wrote one into the case data (a designer joining texts with
``"\\x00"``, a text read from another system) failed the step's COMMIT on PostgreSQL with the
driver's English DataError — a 500, no incident, nothing a supervisor could see or retry — and on
SQLite stored it. A script's own error quoting a NUL (``assert 金额 > 0, "…\\x00…"``) made the
incident itself unstorable on PostgreSQL: the same 500, the failure lost. Now the step is an incident
on either database naming the variable (engine/unstorable.py), and an incident's text is stored
without the NUL.

Numbers no database keeps (无穷大与非数). JSON has no infinity or NaN; Python's json writes them as
``Infinity``/``NaN``, which SQLite ("malformed JSON") and PostgreSQL both refused at the COMMIT — a 500
on both. A script's overflow (``1e308 * 10``) or ``float("nan")``, a REST API body's ``1e999`` (the
API refused the ``NaN``/``Infinity`` literals, not a number past a float's range), a drawn form's
number typed with 400 digits (a float's infinity). Now the script's step is an incident naming the
variable, the API answers 422 and the form refuses the field by its label.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.errors import IncidentRaised
from engine.schema import Case
from tests.support import BPMN, make_engine


def _fine_on_start(script: str) -> bytes:
    """start_script.bpmn (Camunda Modeler 5.28: 立案即算罚款, a script task 计算每日罚款 at the start)
    with ``script`` in its script task."""
    source = (BPMN / "start_script.bpmn").read_text(encoding="utf-8")
    return source.replace("daily = total / days", script).encode("utf-8")


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


def test_a_script_writing_a_nul_into_the_case_data_is_an_incident_naming_the_variable(engine):
    """计算每日罚款 joins its 摘要 with a NUL: on PostgreSQL the start answered the driver's DataError
    (a 500, no incident), on SQLite it stored the NUL. Now an incident on both, naming 「摘要」;
    nothing started, and the model fixed the case starts."""
    engine.deploy(_fine_on_start('daily = total / days\n摘要 = "罚款" + "\\x00" + str(daily)'), by="boss",
                  filename="立案即算罚款.bpmn")
    with pytest.raises(IncidentRaised) as raised:
        engine.start("fine_on_start", by="zhang", org="east", data={"total": 3000, "days": 10})
    assert "流程写入的变量「摘要」含有空字符（U+0000），数据库无法保存" in raised.value.message, raised.value.message
    assert [i.id for i in engine.incidents()] == [raised.value.incident_id]
    assert engine.cases() == []
    engine.deploy(_fine_on_start('daily = total / days\n摘要 = "罚款" + str(daily)'), by="boss",
                  filename="立案即算罚款.bpmn")
    case = engine.start("fine_on_start", by="zhang", org="east", data={"total": 3000, "days": 10})
    assert engine.case(case.id).data["摘要"] == "罚款300.0"


def test_a_typed_backslash_u0000_is_text_not_a_nul(engine):
    """What JSON writes for a NUL (``\\u0000``) typed as six characters is no NUL: stored as typed."""
    engine.deploy(_fine_on_start('daily = total / days\n路径 = "C:\\\\u0000"'), by="boss", filename="立案即算罚款.bpmn")
    case = engine.start("fine_on_start", by="zhang", org="east", data={"total": 3000, "days": 10})
    assert engine.case(case.id).data["路径"] == "C:\\u0000"


@pytest.mark.parametrize("script", ["daily = total / days * 1e308 * 10", 'daily = float("nan")',
                                    "daily = {'明细': [total * 1e308 * 10]}"])
def test_a_script_computing_an_infinity_is_an_incident_naming_the_variable(engine, script):
    """计算每日罚款 overflowing (or NaN): was a 500 on both databases at the COMMIT, nothing recorded."""
    engine.deploy(_fine_on_start(script), by="boss", filename="立案即算罚款.bpmn")
    with pytest.raises(IncidentRaised) as raised:
        engine.start("fine_on_start", by="zhang", org="east", data={"total": 3000, "days": 10})
    assert "流程写入的变量「daily」的值为无穷大或非数，数据库无法保存" in raised.value.message, raised.value.message
    from webui.labels import incident_explanation  # the incident page says it as it is, the variable by its label
    assert incident_explanation(raised.value.message, names={"daily": "每日罚款"}).startswith(  # the element too (s31)
        "环节“计算每日罚款”出错：流程写入的变量「每日罚款」的值为无穷大或非数"), incident_explanation(raised.value.message)
    assert [i.id for i in engine.incidents()] == [raised.value.incident_id] and engine.cases() == []


def test_a_drawn_forms_number_of_400_digits_is_refused_naming_the_field(engine):
    """登记检查结果 (Camunda Modeler 5.17, a ``double`` field 整改完成率（%）) typed with 400 digits: a
    float's infinity, stored by no database (a 500); now refused naming the field, the task still open."""
    from engine.errors import InvalidData
    engine.deploy(BPMN / "camunda7_drawn_form_kinds.bpmn", by="boss")
    case = engine.start("camunda7_drawn_form_kinds", by="zhang", org="east")
    task = engine.case(case.id).tasks[0]
    with pytest.raises(InvalidData) as refused:
        engine.complete(task.id, "zhang", {"checked_on": "2026-11-23", "verdict": "fix", "ratio": "9" * 400})
    assert "ratio" in refused.value.errors, refused.value.errors
    assert [t.id for t in engine.case(case.id).tasks] == [task.id]
    engine.complete(task.id, "zhang", {"checked_on": "2026-11-23", "verdict": "fix", "ratio": "85.5"})
    assert engine.case(case.id).data["ratio"] == 85.5


def test_a_script_error_quoting_a_nul_is_stored_as_an_incident(engine):
    """A script's own message with a NUL (``assert``): the incident was refused by PostgreSQL and the
    failure lost (a 500); now it is stored, its text without the NUL."""
    engine.deploy(_fine_on_start('assert days > 0, "处罚天数\\x00不能为零"\ndaily = total / days'), by="boss",
                  filename="立案即算罚款.bpmn")
    with pytest.raises(IncidentRaised) as raised:
        engine.start("fine_on_start", by="zhang", org="east", data={"total": 3000, "days": 0})
    stored = engine.incidents()
    assert [i.id for i in stored] == [raised.value.incident_id]
    assert "处罚天数不能为零" in stored[0].message and "\x00" not in stored[0].message, stored[0].message


# --- downloads' file names (下载文件名) ------------------------------------------------------------

@pytest.fixture(scope="module")
def page_world(tmp_path_factory):
    from werkzeug.security import generate_password_hash

    from tests.ui_support import PASSWORD, make_world
    world = make_world(tmp_path_factory.mktemp("review6"))
    world.engine.directory.add_role("designer", "流程设计员")
    world.engine.directory.add_user("sheji", "city", ["designer"], name="设计员",
                                    password_hash=generate_password_hash(PASSWORD))
    yield world
    world.engine.dispose()


def test_a_model_whose_process_id_is_chinese_downloads_under_its_name(page_world):
    """Camunda Modeler takes a Chinese process id (an XML name: 立案即算罚款). 流程设计's 下载 named the
    file in a plain ``filename="立案即算罚款.v1.bpmn"``: a response header is Latin-1 (PEP 3333), so
    gunicorn and Werkzeug's server failed the response (UnicodeEncodeError) — the designer could
    never download that model. Now the name goes as RFC 6266's ``filename*``."""
    from urllib.parse import unquote

    from tests.ui_support import client_login
    source = _fine_on_start("daily = total / days").decode("utf-8").replace('"fine_on_start"', '"立案即算罚款"')
    model = page_world.engine.deploy(source.encode("utf-8"), by="zhao", filename="立案即算罚款.bpmn")
    assert model.key == "立案即算罚款"
    response = client_login(page_world.app, "sheji").get(f"/designer/models/{model.key}/versions/1/source?download=1")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    disposition.encode("latin-1")  # what every WSGI server does with a header
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == "立案即算罚款.v1.bpmn", disposition


@pytest.fixture(scope="module")
def api_world(module_database_url, tmp_path_factory):
    from tests.test_api_helpers import World, build_app, build_engine
    engine = build_engine(module_database_url)
    yield World(engine, build_app(engine, tmp_path_factory.mktemp("api")))
    engine.dispose()


def test_an_api_number_past_a_floats_range_is_refused(api_world):
    """POST /api/cases with ``1e999`` in its data (Python's json reads it as infinity): a 500 with the
    case half made; now 422 in Chinese, nothing started."""
    before = api_world.engine.cases()
    r = api_world.client().open("/api/cases", method="POST", data='{"process_key": "api_matrix", "data": {"罚款": 1e999}}',
                                headers={**api_world.headers("starter"), "Content-Type": "application/json"})
    assert r.status_code == 422 and "数值超出范围" in r.get_data(as_text=True), r.get_data(as_text=True)[:300]
    assert api_world.engine.cases() == before


# --- a loop with no way out (没有出口的循环) ---------------------------------------------------------

ENDLESS_RECHECK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_0loop" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.28.0">
  <bpmn:process id="endless_recheck" name="循环复查" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="立案"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="count" />
    <bpmn:scriptTask id="count" name="复查计数" scriptFormat="python">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:incoming>Flow_again</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
      <bpmn:script>rounds = 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="count" targetRef="Gateway_done" />
    <bpmn:exclusiveGateway id="Gateway_done" name="复查完毕？" default="Flow_again">
      <bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_again</bpmn:outgoing><bpmn:outgoing>Flow_done</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_again" name="否" sourceRef="Gateway_done" targetRef="count" />
    <bpmn:sequenceFlow id="Flow_done" name="是" sourceRef="Gateway_done" targetRef="review">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">rounds &gt;= 3</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:userTask id="review" name="复核"><bpmn:incoming>Flow_done</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="review" targetRef="Event_end" />
    <bpmn:endEvent id="Event_end"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_loop_of_script_tasks_with_no_way_out_is_an_incident_at_once(engine):
    """循环复查: the designer's counter never counts (``rounds = 1``, not ``rounds + 1``), so 复查完毕？
    never says 是. SpiffWorkflow's walk stops 1,000 tasks deep, and the step went round 10,000 times
    finding the task it could not reach: 12 s of the host's CPU holding the writer's lock (on SQLite
    every other write of the city waited), then an English error (「the process does not come to
    rest」) and no incident. Now an incident in Chinese naming where it stopped, in a fraction of that;
    the counter fixed, the case runs."""
    from tests.support import thread_cpu
    engine.deploy(ENDLESS_RECHECK.encode("utf-8"), by="boss", filename="循环复查.bpmn")
    with thread_cpu() as spent, pytest.raises(IncidentRaised) as raised:
        engine.start("endless_recheck", by="zhang", org="east")
    assert "流程在一步之内自动执行的环节过多" in raised.value.message and "没有出口的循环" in raised.value.message
    assert spent.seconds < 8, spent.seconds  # ~1 s here, was 12 s
    engine.deploy(ENDLESS_RECHECK.replace("rounds = 1", "rounds = rounds + 1").encode("utf-8"), by="boss",
                  filename="循环复查.bpmn")
    case = engine.start("endless_recheck", by="zhang", org="east", data={"rounds": 0})
    assert engine.case(case.id).data["rounds"] == 3


# --- sub-processes nested without end (子流程嵌套层数) ------------------------------------------------

def _nested_subprocesses(levels: int) -> bytes:
    """A 现场检查 inside ``levels`` embedded sub-processes (分片区检查 1 … n), each drawn as bpmn.io
    draws an expanded sub-process: its own start, flows and end."""
    def level(i: int) -> str:
        inner = f'<bpmn:subProcess id="Sub_{i + 1}" name="分片区检查{i + 1}">{level(i + 1)}</bpmn:subProcess>' \
            if i < levels else '<bpmn:userTask id="inspect" name="现场检查" />'
        target = f"Sub_{i + 1}" if i < levels else "inspect"
        return (f'<bpmn:startEvent id="Start_{i}" /><bpmn:sequenceFlow id="In_{i}" sourceRef="Start_{i}" targetRef="{target}" />'
                f'{inner}<bpmn:sequenceFlow id="Out_{i}" sourceRef="{target}" targetRef="End_{i}" /><bpmn:endEvent id="End_{i}" />')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'id="Definitions_nested" targetNamespace="http://bpmn.io/schema/bpmn" exporter="bpmn-js (https://demo.bpmn.io)" '
            f'exporterVersion="17.0.2"><bpmn:process id="nested_inspection" name="分层检查" isExecutable="true">{level(0)}'
            '</bpmn:process></bpmn:definitions>').encode("utf-8")


def test_sub_processes_nested_250_deep_are_refused_at_deploy(engine):
    """250 embedded sub-processes one inside another (within the 3,000-element bound) took 0.85 s of
    the host's CPU to deploy and 2.4 s at every start, the writer's lock held. Now refused in Chinese
    naming the first too deep; 30 levels, more than any real model, still deploy and run."""
    from engine.errors import InvalidModel
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(_nested_subprocesses(250), by="boss", filename="分层检查.bpmn")
    assert "子流程嵌套过深：「分片区检查31」在第 31 层（上限 30 层）" in str(refused.value), str(refused.value)
    assert refused.value.element_id == "Sub_31"
    engine.deploy(_nested_subprocesses(30), by="boss", filename="分层检查.bpmn")
    case = engine.start("nested_inspection", by="zhang", org="east")
    assert [t.spec_id for t in engine.case(case.id).tasks] == ["inspect"]


def test_a_file_nested_past_libxml2s_depth_is_refused_for_its_depth(engine):
    """libxml2 reads at most 256 levels of elements (its XML_PARSE_HUGE is off, and stays off): a file
    nested deeper (300 sub-processes one inside another) was refused as 「文件不是格式正确的
    XML」 with the advice to export it again, which changes nothing. Now the refusal says the nesting is
    too deep and what to draw instead."""
    from engine.errors import InvalidModel
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(_nested_subprocesses(300), by="boss", filename="分层检查.bpmn")
    text = str(refused.value)
    assert "元素嵌套超过 256 层" in text and "子流程最多嵌套 30 层" in text, text
    assert "重新导出" not in text, text


# --- 修改密码 as a password oracle ---------------------------------------------------------------

@pytest.fixture(scope="module")
def hazard_world(module_database_url, tmp_path_factory):
    from tests.ui_support import make_world
    world = make_world(tmp_path_factory.mktemp("review6_pages"),
                       None if module_database_url.startswith("sqlite") else module_database_url)
    yield world
    world.engine.dispose()


def test_guessing_the_current_password_on_the_change_page_is_locked_out_like_a_login(hazard_world):
    """修改密码 checks the current password before it takes a new one. Whoever sits at an official's
    unlocked office PC (a session left open) could try passwords there without end — 40 guesses,
    40 answers, then the right one changed it and locked the official out: the login's lockout
    (10 failures in 15 minutes, 等保 2.0 登录失败处理) counted only /login and /api/tokens. Now the
    11th wrong guess answers 429 in Chinese, and so does the right one until the window ends."""
    from tests.ui_support import PASSWORD, client_login
    client = client_login(hazard_world.app, "li")
    new = {"new": "Xx-Anquan-2027", "confirm": "Xx-Anquan-2027"}
    answers = [client.post("/account/password", data={"_csrf": client.csrf, "current": f"guess-{i}", **new}).status_code
               for i in range(12)]
    assert answers == [422] * 10 + [429] * 2, answers
    refused = client.post("/account/password", data={"_csrf": client.csrf, "current": PASSWORD, **new})
    assert refused.status_code == 429 and "当前密码输错次数过多" in refused.get_data(as_text=True)
    assert client_login(hazard_world.app, "li", PASSWORD)  # the password was not changed


# --- a task opened for someone who has left (停用的人员) ---------------------------------------------

def test_a_task_opened_later_for_a_deactivated_official_goes_to_someone_who_works(engine):
    """提交整改报告 of 整改复查申请 (Flowable 6.8: ``flowable:assignee="${applicant}"``) for 李四, who was
    停用 (left; his open tasks handed over) after the case data named him: the task opened assigned to
    him, in nobody's queue — no one could open or work it, and nobody was told. Now a name that is no
    active user is treated as no name: the task goes where an unknown one goes (here the starter)."""
    engine.deploy(BPMN / "interop" / "flowable_assignee_from_data.bpmn", by="boss")
    engine.directory.set_active("li", False, by="boss", reason="调离")
    case = engine.start("flowable_assignee_from_data", by="zhang", org="east", data={"applicant": "li"})
    assert [t.assignee for t in engine.case(case.id).tasks] == ["zhang"]
    assert [t.case_id for t in engine.queue("zhang")] == [case.id]


def test_a_task_computed_from_data_to_another_enterprises_account_goes_to_the_queue(engine):
    """An assignee or candidate computed from case data (flowable:assignee="${applicant}") is data a
    start form, a 12350 message or an import sets. Naming another enterprise's account (acme acts for
    甲公司, the case is of no enterprise or of another) handed that enterprise the task and with it the
    case to read. Now such a name is dropped as an unknown one is (here: the starter); the case's own
    enterprise's account is still named (its 提交整改报告)."""
    engine.deploy(BPMN / "interop" / "flowable_assignee_from_data.bpmn", by="boss")
    acme_party = "91110000000000001H"  # tests/support.make_engine's acme
    other = engine.start("flowable_assignee_from_data", by="zhang", org="east", data={"applicant": "acme"},
                         party="91110101MA00000B2N")
    unowned = engine.start("flowable_assignee_from_data", by="zhang", org="east", data={"applicant": "acme"})
    own = engine.start("flowable_assignee_from_data", by="zhang", org="east", data={"applicant": "acme"},
                       party=acme_party)
    assert [t.assignee for t in engine.case(other.id).tasks] == ["zhang"]
    assert [t.assignee for t in engine.case(unowned.id).tasks] == ["zhang"]
    assert [t.assignee for t in engine.case(own.id).tasks] == ["acme"]
    assert [t.case_id for t in engine.queue("acme")] == [own.id]


# --- one event definition copied into thousands of events (事件定义引用的放大) --------------------------

def test_an_event_definition_named_by_thousands_of_events_is_refused_not_copied_into_each(engine):
    """<eventDefinitionRef> (MID Innovator's export, ea47ec2) puts a copy of the definition it names in
    each event. A 350 KB file — one conditional definition of 100 KB named by 2,000 catch events —
    became 200 MB at every deploy, validation and preview (a file of the 5 MB bound: gigabytes, the
    host's memory). Now refused naming the definition; MID Innovator's own file still deploys."""
    from engine.errors import InvalidModel
    from tests.support import thread_cpu
    events = "".join(f'<bpmn:intermediateCatchEvent id="Event_{i}" name="等待{i}"><bpmn:eventDefinitionRef>Definition_cond'
                     '</bpmn:eventDefinitionRef></bpmn:intermediateCatchEvent>' for i in range(2000))
    source = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
              'id="Definitions_amp" targetNamespace="http://www.mid.de/innovator">'
              '<bpmn:conditionalEventDefinition id="Definition_cond"><bpmn:condition>备注 == "' + "甲" * 100_000 + '"'
              '</bpmn:condition></bpmn:conditionalEventDefinition><bpmn:process id="amplified" name="放大" isExecutable="true">'
              '<bpmn:startEvent id="Start" />' + events + '</bpmn:process></bpmn:definitions>')
    with thread_cpu() as spent, pytest.raises(InvalidModel) as refused:
        engine.deploy(source.encode("utf-8"), by="boss", filename="放大.bpmn")
    assert "事件定义「Definition_cond」被事件引用后要复制的内容过多" in str(refused.value), str(refused.value)
    assert spent.seconds < 5, spent.seconds
    engine.deploy(BPMN / "interop" / "mid_innovator_event_definition_refs.bpmn", by="boss")


# --- 试运行's answer (the designer's page) --------------------------------------------------------

def test_a_dry_runs_failing_script_is_said_in_chinese_on_the_designers_page(page_world):
    """流程设计's 试运行 answered a failing step with the engine's raw text, shown on the page as
    「试运行未完成：incident #1: 「计算每日罚款」出错: NameError:name 'total' is not defined.  Did you mean
    one of '['party', …]'?」 — an English Python error (and the case's system variables). Now as the
    incident page says it; the raw text stays in ``detail`` for whoever opens the response."""
    from tests.ui_support import client_login
    designer = client_login(page_world.app, "sheji")
    xml = _fine_on_start("daily = total / days").decode("utf-8")
    r = designer.post("/designer/api/dry-run", json={"xml": xml, "filename": "立案即算罚款.bpmn"},
                      headers={"X-CSRF-Token": designer.csrf})
    body = r.get_json()
    assert body["ok"] is False and body["status"] == "incident", body
    assert body["error"].startswith("环节“计算每日罚款”出错：") and "NameError" not in body["error"] \
        and "incident" not in body["error"], body["error"]
    assert "NameError" in body["detail"]


def _delegated_then_left(engine, to_user):
    """李四 claims 登记隐患 of 登记审批 and delegates it (委托) to 张三; then 李四 leaves: 交接 to ``to_user``."""
    engine.deploy(BPMN / "approval.bpmn", by="boss")
    case = engine.start("approval", by="li", org="east")
    task = engine.case(case.id).tasks[0]
    engine.claim(task.id, "li")
    engine.delegate(task.id, "li", "zhang", reason="出差")
    moved = engine.hand_over("li", to_user, by="eastboss", reason="调离")
    engine.directory.set_active("li", False, by="eastboss", reason="调离")
    engine.resolve(task.id, "zhang", {})
    return task.id, moved


@pytest.mark.parametrize("to_user", [None, "zhang"], ids=["back_to_the_queue", "to_the_successor"])
def test_a_task_delegated_by_someone_who_left_comes_back_to_who_took_over(engine, to_user):
    """委托 then 交接: the handover took only tasks the leaver held, not one he had delegated, which
    named him as its owner; when the delegate finished (办理完毕退回) it came back to his account —
    nobody's queue, nobody could work it. Now the handover gives the delegated task's return to the
    successor where he may work it, else to the group queue."""
    task_id, moved = _delegated_then_left(engine, to_user)
    assert task_id in moved["to" if to_user else "queue"], moved
    row = engine.task(task_id)
    assert row.assignee == to_user and row.owner == to_user, (row.assignee, row.owner)
    if to_user is None:
        assert task_id in [t.id for t in engine.queue("zhang")]


# --- a dashboard drill-down's IN list (驾驶舱下钻) ---------------------------------------------------

def test_the_accidents_of_a_month_are_listed_by_a_range_not_an_in_list_of_every_accident(tmp_path, fresh_database):
    """驾驶舱's 事故 chart by month clicks through to that month's accidents: the ids of every accident
    of the period were read and bound one by one (``IN (?, ?, …)``: SQLite takes 32,766, PostgreSQL's
    driver 65,535 — a year of a province's reports, and the page was a 500). Now the month's range is
    the SQL; the same cases are listed (Beijing's month: the 1st at 00:00 is 16:00 UTC the day before)."""
    import sqlalchemy as sa

    from tests.leadership_support import NOW, add_cases, build_world
    from tests.test_query_plans import _captured
    from tests.ui_support import client_login
    for kind in ("sqlite", "postgresql"):
        (tmp_path / kind).mkdir()
        world = build_world(tmp_path / kind, None if kind == "sqlite" else fresh_database(kind))
        try:
            add_cases(world.engine, [{"process": "accident_investigation", "org": "north", "title": title,
                                      "started": at, "data": {"accident_grade": "一般"}} for title, at in (
                ("十一月一日零点事故", datetime(2026, 10, 31, 16, 0, tzinfo=timezone.utc)),
                ("十月末事故", datetime(2026, 10, 31, 15, 59, tzinfo=timezone.utc)))]
                     + [{"process": "accident_investigation", "org": "south", "started": NOW - timedelta(days=5),
                         "data": {"accident_grade": "一般"}}] * 200)
            client = client_login(world.app, "zhao")
            sent = _captured(world.engine, lambda: client.get(
                "/leadership/cases?metric=accidents&month=2026-11&period=2026Q4"))
            listing = [(st, p) for st, p in sent if "FROM case_instance" in st and "ORDER BY" in st]
            assert listing and all(len(p or ()) < 40 for _st, p in listing), [len(p or ()) for _st, p in listing]
            from workflows.leadership import dashboard, period as periods, scope as scopes
            with world.engine.db.read() as s:
                city = scopes.load(s, "city")
                ids = dashboard.case_ids(s, "accidents", city, periods.parse("2026Q4", NOW), NOW, {"month": "2026-11"})
                titles = s.execute(sa.select(Case.title).where(Case.id.in_(ids))).scalars().all()
            assert len(titles) == 202 and "十一月一日零点事故" in titles and "十月末事故" not in titles, len(titles)
        finally:
            world.engine.dispose()
