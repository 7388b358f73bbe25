"""Security review 17 (安全复查十七) — the web surface as three kinds of account: an enterprise account
(生产经营单位, 甲化工's ``acme``), an inspector of one district (东城区's 李四, 西城区's 王五) and a designer,
through the served pages and REST API on a real SQLite file and a real PostgreSQL database, with the
real processes and real evaluator workers.

Findings
--------

Opening a message marked it read on a GET (消息打开即已读). ``GET /messages/<id>`` marked the message
read, then went to its task or case: any link — an ``<img src>`` in a mail or on another site's page
the inspector opened while logged in — marked his 新待办、催办 or 逾期督办 read, so the top bar's count
and the 未读 list no longer showed work whose deadline runs (原安监总局令第16号 第二十条's 督办期限). A GET now
changes nothing: it only goes where the message points. The message centre opens a message with a
POST carrying the form's CSRF token (the title is a button of the list's form), which marks it read
(webui/messages.open_and_read); a POST without the token is refused as every other form's.

Expressions' results were not charged to the step's write budget (表达式结果不计入写入量). Scripts' writes
were bounded per step (engine/evaluator.STEP_WRITE_UNITS, review 16), an expression's result not: eight
parallel multi-instance tasks whose collection is a FEEL expression (Zeebe's ``inputCollection``) of
2,500,000 characters each computed 20,000,000 characters from one ``POST /api/cases`` of a designer's model
(34 s, 6.1 s of CPU, RSS 250 MB, 46 MB written to the SQLite file) before the case's data limit refused the
step, and the page said 「条件无法计算」. Now expressions' results share the budget (a variable read by its
name is not charged); the fourth is an incident naming the element and the limit, in the engine's words.

The host sent a worker whatever it was given (发往执行进程的数据无上限). It took at most 32 MiB back from a
worker, but sent any size: two texts of control characters written within a step's budget, 47 MB as JSON,
went whole to the script reading both. Now a message past 32 MiB is not sent: an incident naming the
element and the limit. (A helper's answer is as large as what the worker sent it at most, or bounded
itself — ``string join`` 1,000,000 characters, ``case_value`` one variable a worker wrote — so no answer
passes 32 MiB that the data sent with the job would not.)

Tried, and held (no change)
---------------------------

IDOR, probed as 西城区's inspector 王五 and 甲化工's enterprise account against a 东城区 hazard case: the case,
its diagram, a document (page and .docx), its task and ``/api/cases/<id>`` are 403 to 王五 (an official of
another district is told why, review 12), as is claiming the task; the case is in none of his lists
(``/cases/?q=`` by the enterprise's code or by title, 我的待办, 组待办, ``/api/cases?q=``). Another
enterprise's file (一企一档) is 403 to 甲化工 before the lookup (webui/enterprises._visible); the designer's
pages, a model version's source, 系统管理 and 异常事件 are refused to both; the enterprise export needs a
supervisory role. An attachment is downloaded only by who may read the case its meta names (read:
webui/attachments.download, ``engine.can_view``; its id 128 random bits). Messages: another's id is
neither followed nor marked read (only the user's own rows are looked up or updated,
workflows/messages/inbox.mark_read). Open redirect at login: ``next=`` of ``//evil.example/x``,
``https://evil.example/`` and ``javascript:alert(1)`` land on 我的待办, ``/\\evil.example`` on
``/%5Cevil.example`` of this site (webui/auth._safe_next).

Left alone, noticed: the same collection of 1,000 items of 10,000 characters (more time in ``string join``)
stops as 「表达式用到的数据「i」在案件中没有值」 (a comprehension variable), not as the bound it met (most
likely the helpers' CPU bound, ``ScriptTimeout``): SpiffWorkflow's ``evaluate`` keeps only the type's name
of what it wraps; ``engine/incidents._SAID_IN_CONTEXT`` could take more of the engine's own stops
(incident wording is hinput5's room). The API's 422 message said 「最大的是变量、变量、变量」 for the
case-data limit when the largest variables' names start with ``_`` (a multi-instance collection's holder).
"""
from __future__ import annotations

import sqlalchemy as sa
import pytest

from tests.api_probe_support import deploy_source, served_world
from tests.ui_support import client_login, make_world, start_hazard
from workflows.messages import inbox, produce
from workflows.messages.models import Message


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("review17"),
                   None if module_database_url.startswith("sqlite") else module_database_url)
    yield w
    w.engine.dispose()


def _unread_new_task(world, username: str) -> Message:
    """A 新待办 of ``username``'s, unread: a hazard case started in 东城区 gives one to each district inspector."""
    case = start_hazard(world.engine, title="东城甲化工储罐区隐患")
    produce(world.engine)
    found = [m for m in inbox.messages(world.engine, username, unread_only=True, limit=500) if m.case_id == case.id]
    assert found, "no message about the new case"
    return found[0]


# -- 1. a GET changes nothing ---------------------------------------------------------------------------

def test_a_link_to_a_message_does_not_mark_it_read_only_the_list_s_form_does(world):
    """李四's 新待办 stays unread when a link (a GET, no token) opens it — before, the GET marked it read and
    his 督办期限's work left the 未读 list (原安监总局令第16号 第二十条). The list opens it with a POST of its
    form's CSRF token, which marks it read; a POST without the token marks nothing."""
    client = client_login(world.app, "li")
    msg = _unread_new_task(world, "li")
    before = inbox.unread_count(world.engine, "li")
    r = client.get(f"/messages/{msg.id}")
    assert r.status_code == 302 and ("/tasks/" in r.location or "/cases/" in r.location), (r.status_code, r.location)
    assert inbox.unread_count(world.engine, "li") == before, "a GET marked the message read"
    listing = client.get("/messages/").get_data(as_text=True)
    assert f'formaction="/messages/{msg.id}"' in listing, "the list does not open a message with its form"
    r = client.post(f"/messages/{msg.id}", data={})
    assert r.status_code == 400 and inbox.unread_count(world.engine, "li") == before
    r = client.post(f"/messages/{msg.id}", data={"_csrf": client.csrf})
    assert r.status_code == 302 and ("/tasks/" in r.location or "/cases/" in r.location), (r.status_code, r.location)
    assert inbox.unread_count(world.engine, "li") == before - 1
    # another's message: neither read nor followed
    other = client_login(world.app, "wang")
    theirs = _unread_new_task(world, "zhang")
    r = other.post(f"/messages/{theirs.id}", data={"_csrf": other.csrf})
    assert r.status_code == 302 and r.location.endswith("/messages/")
    with world.engine.db.read() as s:
        assert s.execute(sa.select(Message.read_at).where(Message.id == theirs.id)).scalar_one() is None


# -- 2. what a step's expressions may compute -----------------------------------------------------------

ZEEBE_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
              'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" '
              'id="d" targetNamespace="http://bpmn.io/schema/bpmn" modeler:executionPlatform="Camunda Cloud" '
              'modeler:executionPlatformVersion="8.6.0">\n')


def parallel_collections_model(branches: int, items: int, tens: int) -> bytes:
    """立案 → ``branches`` parallel 逐项复查k (multi-instance user tasks, each over ``items`` texts of ``tens`` ×
    10 characters, its collection a FEEL expression as Zeebe's ``inputCollection``) → 汇总. No script writes
    anything: each collection is an expression's result, held in its task's data while the task waits."""
    collection = f'=for i in 1..{items} return string join(for j in 1..{tens} return &quot;yyyyyyyyyy&quot;)'
    body = ['<bpmn:startEvent id="s" name="立案"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>',
            '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="fork"/>',
            '<bpmn:parallelGateway id="fork" name="分头复查"><bpmn:incoming>f0</bpmn:incoming>'
            + "".join(f"<bpmn:outgoing>a{k}</bpmn:outgoing>" for k in range(branches)) + "</bpmn:parallelGateway>",
            '<bpmn:parallelGateway id="join" name="汇总">' + "".join(f"<bpmn:incoming>b{k}</bpmn:incoming>" for k in range(branches))
            + '<bpmn:outgoing>fe</bpmn:outgoing></bpmn:parallelGateway>',
            '<bpmn:sequenceFlow id="fe" sourceRef="join" targetRef="e"/>',
            '<bpmn:endEvent id="e"><bpmn:incoming>fe</bpmn:incoming></bpmn:endEvent>']
    for k in range(branches):
        body += [f'<bpmn:sequenceFlow id="a{k}" sourceRef="fork" targetRef="u{k}"/>',
                 f'<bpmn:userTask id="u{k}" name="逐项复查{k + 1}"><bpmn:extensionElements><zeebe:assignmentDefinition '
                 f'candidateGroups="inspector" /></bpmn:extensionElements><bpmn:incoming>a{k}</bpmn:incoming>'
                 f'<bpmn:outgoing>b{k}</bpmn:outgoing><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>'
                 f'<zeebe:loopCharacteristics inputCollection="{collection}" inputElement="item" /></bpmn:extensionElements>'
                 '</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>',
                 f'<bpmn:sequenceFlow id="b{k}" sourceRef="u{k}" targetRef="join"/>']
    return (ZEEBE_HEAD + '<bpmn:process id="big_collections" name="分头逐项复查" isExecutable="true">\n'
            + "\n".join(body) + "\n</bpmn:process>\n</bpmn:definitions>\n").encode()


LANE = '<bpmn:laneSet id="ls"><bpmn:lane id="L" name="inspector">{refs}</bpmn:lane></bpmn:laneSet>'
PY_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
           'id="d" targetNamespace="http://bpmn.io/schema/bpmn">\n<bpmn:process id="{key}" name="{name}" isExecutable="true">\n')


def read_back_model(key: str) -> bytes:
    """立案 → 生成 (``x``: 4,000,000 control characters) → 再生成 (``y``: 3,900,000; 7,900,000 in all, within the
    step's 8,000,000) → 计算长度 (``len(x) + len(y)`` through a lambda, which a worker runs, then both emptied, so the case's data stays small) → 复核.
    Each as JSON is ``\\u0001`` six times over: 24 and 23.4 MB, each within what a worker may answer, 47.4 MB
    together."""
    elements = ["s", "make", "join", "read", "review", "e"]
    refs = "".join(f"<bpmn:flowNodeRef>{e}</bpmn:flowNodeRef>" for e in elements)
    return (PY_HEAD.format(key=key, name="读回控制字符") + LANE.format(refs=refs) + f'''<bpmn:startEvent id="s" name="立案"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="make"/>
<bpmn:scriptTask id="make" name="生成" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>x = "\\x01" * 4000000</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f2" sourceRef="make" targetRef="join"/>
<bpmn:scriptTask id="join" name="再生成" scriptFormat="python"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing><bpmn:script>y = "\\x01" * 3900000</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f5" sourceRef="join" targetRef="read"/>
<bpmn:scriptTask id="read" name="计算长度" scriptFormat="python"><bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing><bpmn:script>n = (lambda a, b: len(a) + len(b))(x, y)
x = ""
y = ""</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f3" sourceRef="read" targetRef="review"/>
<bpmn:userTask id="review" name="复核"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
<bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="e"/>
<bpmn:endEvent id="e"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
</bpmn:process>
</bpmn:definitions>
''').encode()


@pytest.fixture(scope="module")
def served(module_database_url, tmp_path_factory):
    w = served_world(module_database_url, tmp_path_factory.mktemp("review17-served"))
    yield w
    w.engine.dispose()


def _cases(world, key: str) -> int:
    with world.engine.db.read() as s:
        return s.execute(sa.text("SELECT count(*) FROM case_instance WHERE process_key = :k"), {"k": key}).scalar_one()


def _refused_start(world, key: str):
    before = _cases(world, key)
    r = world.call("POST", "/api/cases", "insp", json={"process_key": key, "org": "east", "data": {}})
    body = r.get_json()
    assert r.status_code == 422 and body.get("incident_id"), (r.status_code, str(body)[:300])
    assert _cases(world, key) == before
    return next(i for i in world.engine.incidents() if i.id == body["incident_id"]), body


def test_expression_results_share_the_step_s_write_budget(served):
    """Three parallel multi-instance tasks, each over a collection a FEEL expression makes of 3,000,000
    characters — no script writes anything. Before, the step computed every collection (eight of
    2,500,000: 20,000,000 characters, 34 s, RSS 250 MB, 46 MB written to the SQLite file) and only the
    case's data limit refused it at the end, as 「条件无法计算」 on the page. Now the expressions' results
    are charged against the step's 8,000,000 as scripts' writes are: the third is an incident naming its
    element and the limit, nothing kept; the same model over small collections runs."""
    from webui.labels import incident_explanation
    r = deploy_source(served, parallel_collections_model(3, 100, 3000), "分头逐项复查.bpmn")
    assert r.status_code == 201, r.get_json()
    incident, body = _refused_start(served, "big_collections")
    assert "「逐项复查3」出错" in incident.message and "表达式的结果过大" in incident.message \
        and "8,000,000 个字符" in incident.message, incident.message[:600]
    said = incident_explanation(incident.message)
    assert said.startswith("环节“逐项复查3”出错：表达式在一步之内得出的数据过大（超过 8,000,000 个字符）"), said
    assert said in body["message"], body["message"]
    r = deploy_source(served, parallel_collections_model(3, 5, 2), "分头逐项复查.bpmn")
    assert r.status_code == 201, r.get_json()
    r = served.call("POST", "/api/cases", "insp", json={"process_key": "big_collections", "org": "east", "data": {}})
    assert r.status_code == 201, str(r.get_json())[:300]


def test_what_the_host_sends_a_worker_is_bounded_as_what_it_takes_back(served):
    """The host took at most 32 MiB back from an evaluator worker (engine/evaluator.MAX_MESSAGE) but sent
    whatever it was given: a script reading a text of 6,000,000 control characters (36 MB as JSON, written
    within the step's budget by the script before) was sent it whole, as was a helper's answer
    (``case_value("x")``), and the case went on. Now a message past 32 MiB is not sent: the step is an
    incident naming the element and the limit, nothing kept."""
    from webui.labels import incident_explanation
    key = "read_back"
    r = deploy_source(served, read_back_model(key), "读回控制字符.bpmn")
    assert r.status_code == 201, r.get_json()
    incident, body = _refused_start(served, key)
    assert "「计算长度」出错" in incident.message and "33,554,432 字节" in incident.message, incident.message[:600]
    said = incident_explanation(incident.message)
    assert said.startswith("环节“计算长度”出错：流程脚本要读取的数据过大（超过 32 MB）"), said
