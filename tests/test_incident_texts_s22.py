"""Incident texts a person can act on: each way a model's own code fails leads with a Chinese sentence.

A script, a condition, a mapping or a timer's period failing used to be stored (and given by the REST
API) as Python's and SpiffWorkflow's English first — 「计算罚款」出错: NameError:name 'reviewDays' is
not defined. Did you mean one of …? — and the incident page explained several kinds with words that
did not fit (a value left empty, a number indexed, a missing method all read as 「如文字与数字相加」;
a missing key as 请管理员查看错误详情). Now the stored text leads with what went wrong in plain words
and what to do (engine/incident_words.py), the technical text behind it for the designer; the page
and the API's ``message`` say the Chinese, the API's ``detail`` keeps the technical text.

The models are drawn as Camunda Modeler 5 draws them (a script task, an exclusive gateway whose
flows hold a Python condition or JUEL, a user task with a Camunda input mapping, a timer period read
from the case): 3 deaths or more make an accident 较大事故 (《生产安全事故报告和调查处理条例》第三条).
Real engine, real SQLite file and real PostgreSQL.
"""
from __future__ import annotations

import re

import pytest

from engine.errors import IncidentRaised
from tests.support import make_engine
from tests.ui_support import api_client, make_world
from webui.labels import incident_explanation

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.17.0">
  <bpmn:process id="{pid}" name="事故处理" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="报告事故"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Activity_fill" name="填写事故情况" camunda:candidateGroups="inspector">
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_fill" />
    {body}
  </bpmn:process>
</bpmn:definitions>"""


def script(code: str) -> str:
    return f"""<bpmn:scriptTask id="Activity_calc" name="计算罚款" scriptFormat="python">
      <bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing><bpmn:script>{code}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_fill" targetRef="Activity_calc" />
    <bpmn:userTask id="Activity_review" name="复核" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_calc" targetRef="Activity_review" />"""


def gateway(yes: str, no: str) -> str:
    """较大事故？: 3 deaths or more (《生产安全事故报告和调查处理条例》第三条)."""
    return f"""<bpmn:exclusiveGateway id="Gateway_level" name="较大事故？">
      <bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_yes</bpmn:outgoing><bpmn:outgoing>Flow_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_fill" targetRef="Gateway_level" />
    <bpmn:sequenceFlow id="Flow_yes" name="是" sourceRef="Gateway_level" targetRef="Activity_city">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{yes}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_no" name="否" sourceRef="Gateway_level" targetRef="Activity_county">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{no}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:userTask id="Activity_city" name="市级调查" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_yes</bpmn:incoming></bpmn:userTask>
    <bpmn:userTask id="Activity_county" name="县级调查" camunda:candidateGroups="inspector"><bpmn:incoming>Flow_no</bpmn:incoming></bpmn:userTask>"""


def then(element: str) -> str:
    return element + '\n    <bpmn:sequenceFlow id="Flow_2" sourceRef="Activity_fill" targetRef="Activity_next" />'


MAPPING = then("""<bpmn:userTask id="Activity_next" name="审批罚款" camunda:candidateGroups="inspector">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:inputParameter name="doubled">${fineAmount * 2}</camunda:inputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
      <bpmn:incoming>Flow_2</bpmn:incoming></bpmn:userTask>""")
TIMER = then("""<bpmn:intermediateCatchEvent id="Activity_next" name="整改期满">
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${rectifyPeriod}</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>""")

# kind: (the model's body, the data the tired official sent, the stored text's Chinese lead, what the page says)
KINDS = {
    "undefined_name_in_script": (
        script("fine = reviewDays * 1000"), {"review_days": 3},
        "脚本用到的数据「reviewDays」在案件中没有值（也许应为「review_days」）；请补填数据后重试，或请流程设计员修改模型",
        "流程脚本需要的一项数据"),
    "division_by_zero": (
        script("per_day = total / days"), {"total": 3000, "days": 0},
        "计算时除数为零，请检查提交的数值（如天数、人数不能为 0）后重试，或请流程设计员修改模型",
        "计算时除数为零，请检查提交的数值（如天数、人数不能为 0）后重试"),
    "text_plus_number": (
        script("fine = amount + 100"), {"amount": "五千"},
        "脚本把文字与数字相加或计算（如「五千」加 100）；请把该数据改为数字后重试，或请流程设计员修改模型",
        "脚本把文字与数字相加或计算"),
    "text_read_as_whole_number": (
        script("fine = int(amount) * 2"), {"amount": "五千"},
        "脚本无法把「五千」读成数字；请改为数字（如 5000）后重试，或请流程设计员修改模型",
        "脚本无法把「五千」读成数字；请改为数字（如 5000）后重试"),
    "text_read_as_number": (
        script("fine = float(amount) * 2"), {"amount": "五千元"},
        "脚本无法把「五千元」读成数字；请改为数字（如 5000）后重试，或请流程设计员修改模型",
        "脚本无法把「五千元」读成数字"),
    "list_too_short": (
        script("leader = inspectors[1]"), {"inspectors": ["张三"]},
        "脚本要取列表中的某一项，但列表没有那么多项；请检查提交的数据，或请流程设计员修改模型",
        "脚本要取列表中的某一项，但列表没有那么多项"),
    "empty_value_compared": (
        script("major = deaths &gt;= 3"), {"deaths": None},
        "脚本用到的一项数据是空的（没有填写），不能与数字比较或计算；请补填数据后重试，或请流程设计员修改模型",
        "脚本用到的一项数据是空的（没有填写）"),
    "missing_method": (
        script("name = party.strip()"), {"party": None},
        "脚本调用的方法或函数不存在（或该数据不能这样调用）；请流程设计员修改模型",
        "脚本调用的方法或函数不存在"),
    "number_indexed": (
        script("first = deaths[0]"), {"deaths": 3},
        "脚本从一个数字中取其中一项，但它不是列表或表格；请检查提交的数据，或请流程设计员修改模型",
        "脚本从一个数字中取其中一项，但它不是列表或表格"),
    "missing_key": (
        script("unit = enterprise['name']"), {"enterprise": {"code": "91110000000000001H"}},
        "脚本要取的数据项「name」不存在；请补填数据后重试，或请流程设计员修改模型",
        "脚本要取的数据项不存在；请补填数据后重试"),
    "python_condition_undefined": (
        gateway("deaths &gt;= 3", "deaths &lt; 3"), {},
        "条件用到的数据「deaths」在案件中没有值；请补填数据后重试，或请流程设计员修改模型",
        "条件无法计算：条件用到的数据在案件中没有值"),
    "python_condition_on_empty_value": (
        gateway("deaths &gt;= 3", "deaths &lt; 3"), {"deaths": None},
        "条件用到的一项数据是空的（没有填写），不能与数字比较或计算；请补填数据后重试，或请流程设计员修改模型",
        "条件"),
    "juel_condition_undefined": (
        gateway("${deaths &gt;= 3}", "${deaths &lt; 3}"), {},
        "条件用到的数据「deaths」在案件中没有值；请补填数据后重试，或请流程设计员修改模型",
        "条件用到的数据在案件中没有值"),
    "input_mapping_undefined": (
        MAPPING, {"fine_amount": 5000},
        "输入输出映射用到的数据「fineAmount」在案件中没有值（也许应为「fine_amount」）；请补填数据后重试，或请流程设计员修改模型",
        "需要的一项数据"),
    "timer_period_undefined": (
        TIMER, {},
        "定时器的期限用到的数据「rectifyPeriod」在案件中没有值；请补填数据后重试，或请流程设计员修改模型",
        "定时器的期限无法计算"),
}
_ENGLISH = re.compile(r"Error|is not defined|Traceback|Did you mean|[A-Za-z]{3,}")


def lead_and_detail(message: str) -> tuple[str, str]:
    """The stored text's Chinese sentence (after the element's name) and the technical text behind it."""
    body = re.sub(r"^「[^」]*」(?:的定时器)?出错: ", "", message)
    lead, _, detail = body.partition(" — ")
    return lead, detail


def fail(engine, kind: str, by: str = "boss"):
    body, data, _, _ = KINDS[kind]
    pid = "accident_" + kind
    engine.deploy(HEAD.format(pid=pid, body=body), by=by, filename=f"{kind}.bpmn")
    case = engine.start(pid, by="zhang", org="east", title="甲化工有限公司事故")
    (task,) = [t for t in engine.queue("zhang") if t.case_id == case.id]
    with pytest.raises(IncidentRaised):
        engine.complete(task.id, "zhang", data)
    (incident,) = engine.incidents(case_id=case.id)
    return incident


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_failure_of_the_models_code_leads_with_chinese_a_person_can_act_on(engine, kind):
    incident = fail(engine, kind)
    lead, detail = lead_and_detail(incident.message)
    assert lead == KINDS[kind][2], incident.message
    assert not _ENGLISH.search(re.sub(r"「[^」]*」", "", lead)), lead
    assert detail, incident.message  # the technical text stays, behind the sentence (技术详情)
    shown = incident_explanation(incident.message)
    assert KINDS[kind][3] in shown and not _ENGLISH.search(shown), shown


def test_the_api_gives_the_chinese_message_and_the_technical_detail_to_the_administrator(database_url, tmp_path):
    world = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    e = world.engine
    try:
        incident = fail(e, "missing_key", by="zhao")
        client = api_client(world.app, e, 'qian')
        (item,) = client.get(f"/api/incidents?case_id={incident.case_id}").get_json()["items"]
        assert item["message"] == "环节“计算罚款”出错：脚本要取的数据项不存在；请补填数据后重试，或请流程设计员修改模型"
        assert item["detail"] == item["message"]  # a section head reads the Chinese; 技术详情 is the designer's
        case = client.get(f"/api/cases/{incident.case_id}").get_json()
        assert case["incidents"][0]["detail"] == item["message"]
        events = [h["detail"] for h in case["history"] if h["action"] == "incident"]
        assert events and all("trace" not in d and "KeyError" not in d["message"] for d in events), events
        e.directory.add_user("admin1", org="city", roles=["admin"], name="管理员")
        admin = api_client(world.app, e, 'admin1')
        (item,) = admin.get(f"/api/incidents?case_id={incident.case_id}").get_json()["items"]
        assert "KeyError" in item["detail"] and item["detail"] == incident.message
        events = [h["detail"] for h in admin.get(f"/api/cases/{incident.case_id}").get_json()["history"]
                  if h["action"] == "incident"]
        assert events and all("trace" in d for d in events), events
        retried = client.post(f"/api/incidents/{incident.id}/retry",
                              json={"data": {"enterprise": {"name": "甲化工有限公司"}}})
        assert retried.status_code == 200, retried.get_json()
        assert retried.get_json()["incident"]["message"].startswith("环节“计算罚款”出错：脚本要取的数据项不存在")
    finally:
        e.dispose()


# Python's and SpiffWorkflow's words, and the variables the models read (a case number such as AIMU-2026-00001 may show)
_PYTHON_WORDS = re.compile(r"Error|is not defined|Traceback|Did you mean|NoneType|subscriptable|not supported|object|"
                           r"Script|evaluating|expression|reviewDays|review_days|fineAmount|fine_amount|deaths|enterprise")
_BROWSER_KINDS = ["undefined_name_in_script", "empty_value_compared", "number_indexed", "missing_key",
                  "python_condition_undefined", "input_mapping_undefined"]


@pytest.mark.browser
def test_the_incident_and_case_pages_say_each_failure_in_chinese_with_the_technical_text_folded(tmp_path):
    """钱科长 (科室负责人) reads the incidents page and a case page in Chromium: no word of Python's
    English outside the administrator's 「技术详情」, which is folded (and shown to an administrator only)."""
    import shutil

    if shutil.which("chromium") is None:
        pytest.skip("Debian chromium is not installed (run scripts/setup-browser)")
    from playwright.sync_api import expect, sync_playwright

    from engine.policy import ADMIN_ROLE
    from tests.ui_support import LiveServer, _password_hash, launch_chromium, logged_in_page

    world = make_world(tmp_path)
    e = world.engine
    e.directory.add_user("admin", org="city", roles=[ADMIN_ROLE], name="系统管理员", password_hash=_password_hash())
    failed = [fail(e, kind, by="zhao") for kind in _BROWSER_KINDS]
    try:
        with LiveServer(world.app) as server, sync_playwright() as p:
            chromium = launch_chromium(p)
            try:
                for who in ("qian", "admin"):
                    page = logged_in_page(chromium, server, who, 1280)
                    page.goto(server.url + "/supervise/incidents")
                    for incident in failed:
                        expect(page.locator(f'tr[data-incident="{incident.id}"]')).to_be_visible()
                    said = page.locator("#incidents").evaluate(
                        "t => { const c = t.cloneNode(true); c.querySelectorAll('details.admin-only')"
                        ".forEach(d => d.remove()); return c.innerText; }")
                    assert not _PYTHON_WORDS.search(said), said
                    assert "脚本要取的数据项不存在；请补填数据后重试" in said and "不是列表或表格" in said, said
                    folded = page.locator("#incidents details.admin-only")
                    if who == "admin":  # the technical text is there, folded under 技术详情
                        expect(folded.first.locator("summary")).to_have_text("技术详情")
                        assert folded.first.get_attribute("open") is None
                        expect(folded.first.locator("code")).not_to_be_visible()
                    else:
                        expect(folded).to_have_count(0)
                    page.goto(server.url + f"/cases/{failed[3].case_id}")
                    box = page.locator(".incident-box").evaluate(
                        "b => { const c = b.cloneNode(true); c.querySelectorAll('details.admin-only')"
                        ".forEach(d => d.remove()); return c.innerText; }")
                    assert "脚本要取的数据项不存在" in box and not _PYTHON_WORDS.search(box), box
                    page.context.close()
            finally:
                chromium.close()
    finally:
        e.dispose()


def test_a_multi_instance_completed_without_its_output_element_says_which_result_is_missing(engine):
    """zeebe_literal_collection.bpmn as drawn (Camunda Modeler for Camunda 8: 行业检查 over 危险化学品,
    烟花爆竹, 工贸, each instance's ``finding`` gathered into ``findings``): an instance completed without
    a finding stopped with SpiffWorkflow's 「Expected an output item」 alone."""
    from tests.interop_support import CORPUS, user_for

    engine.deploy(CORPUS / "zeebe_literal_collection.bpmn", by="boss")
    case = engine.start("zeebe_literal_collection", by="zhang", org="east").id
    (task,) = engine.case(case).tasks
    with pytest.raises(IncidentRaised):
        engine.complete(task.id, user_for(engine, task), {})
    (incident,) = engine.incidents(case_id=case)
    lead, detail = lead_and_detail(incident.message)
    assert lead == ("这项多人（多份）办理的任务要收集每一份的结果数据「finding」，但有一份办理时没有给出；"
                    "请补填数据后重试，或请流程设计员修改模型"), lead
    assert "Expected an output item" in detail
    shown = incident_explanation(incident.message)
    assert shown == ("环节“行业检查”出错：这项多人（多份）办理的任务要收集每一份的结果数据，但有一份办理时没有给出；"
                     "请补填数据后重试，或请流程设计员修改模型"), shown
