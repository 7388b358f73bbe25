"""Security review of issue 15's fifth session (安全复查五): hostile probes where no review had looked,
each on a real SQLite file and a real PostgreSQL database, with the real processes.

Control characters in typed text (录入文本中的控制字符). Text pasted into a page keeps what nobody sees:
Word's manual line break (U+000B) and page break (U+000C), a NUL or another control character out of
another system. Before, a page's form took them as they came: on PostgreSQL a NUL made the submit
answer 500 (the audit row refused it) and what was typed was lost; on SQLite it was stored. And no
.docx or .xlsx can hold any of them: one 隐患登记 whose 企业名称 held a page break — typed by an
inspector, or by the enterprise itself in 隐患自查自报 — made the quarterly 隐患排查治理统计表
(原国家安全监管总局令第16号第十四条) answer 500 to every leader of the city, and the case's
挂牌督办通知书 could never be downloaded; one such name in a 批量导入 spreadsheet broke the enterprise
registry's export for everyone (and a NUL there was PostgreSQL's 500 at the import). Now a page reads
its form and address without them (webui/typed_text.py: a line or page break is a line break, the rest
is left out), and the workbooks and documents leave out what a case stored before or a model's script
or the REST API brings (U+FFFF passes the API's check and no Office file holds it either).
"""
from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
import sqlalchemy as sa
from docx import Document

from tests.test_enterprise_spreadsheet import NOW, col, sample_rows, write_csv
from tests.ui_support import ACME, REGISTER_MAJOR, client_login, make_world, open_task, start_hazard, walk
from workflows.enterprises import EnterpriseRegistry, create_tables
from workflows.enterprises.spreadsheet import export_enterprises, import_enterprises

PASTED = "液氯储罐区\x0b未设置防火堤\x00，可燃气体报警装置\x01失效\uffff"
SAVED = "液氯储罐区\n未设置防火堤，可燃气体报警装置失效"
NAME = "甲化工\x0c有限公司\x08\uffff"
UNFIT = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"  # what no Office file holds
STORED = PASTED.replace("\x00", "")  # what SQLite stored before (PostgreSQL holds no NUL in JSON)


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("review5"),
                   None if module_database_url.startswith("sqlite") else module_database_url)
    yield w
    w.engine.dispose()


def _register_form(client, task_id: int, **typed) -> dict:
    form = {"_csrf": client.csrf, "_action": "complete", "source": "监督检查发现", "enterprise_name": "甲化工有限公司",
            "credit_code": ACME, "sector": "危化", "location": "储罐区", "found_on": "2026-11-20",
            "major_criterion": "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准》第十二条",
            "requires_shutdown": "true", "description": "", **typed}
    return form


def test_a_hazard_description_pasted_with_control_characters_is_saved_without_them_order16_art10(world):
    """隐患登记 (16号令第十条: the regulator records what it finds) typed on the page with a description
    pasted from Word: saved, its line break kept as one, the characters no record holds left out."""
    engine = world.engine
    case = start_hazard(engine, title="储罐区隐患（粘贴）")
    client = client_login(world.app, "zhang")
    task = open_task(engine, case.id, "register")
    response = client.post(f"/tasks/{task.id}", data=_register_form(client, task.id, description=PASTED,
                                                                     location="储罐区\x00\x1f"))
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    data = engine.case(case.id).data
    assert data["description"] == SAVED and data["location"] == "储罐区"


@pytest.mark.parametrize("address", ["/cases/?case_no=%00东应急", "/enterprises/?q=%00甲化工"])
def test_a_search_typed_with_a_control_character_answers_its_page(world, address):
    client = client_login(world.app, "qian")
    assert client.get(address).status_code == 200


def test_a_name_with_a_page_break_leaves_the_quarterly_statistics_and_the_notice_downloadable_order16_art14(world):
    """A case whose 企业名称 and 隐患描述 hold control characters — stored before this check, or set by a
    script or a message — still gives the leaders their 季度统计表 (16号令第十四条) and the case its
    挂牌督办通知书 (.docx): the characters left out, a page break read as a line break."""
    engine = world.engine
    case = start_hazard(engine, title="储罐区隐患（旧数据）")
    engine.complete(open_task(engine, case.id, "register").id, "zhang",
                    {**REGISTER_MAJOR, "enterprise_name": NAME, "description": STORED, "credit_code": ""})
    walk(engine, case.id, "review_plan")

    book = client_login(world.app, "zhao").get("/leadership/statistics/hazards.xlsx?year=2026&quarter=4")
    assert book.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(book.data))
    cells = [c.value for ws in workbook for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert cells and not any(re.search(UNFIT, value) for value in cells)

    notice = client_login(world.app, "zhang").get(f"/cases/{case.id}/documents/hazard.notice/docx")
    assert notice.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(notice.data)).paragraphs)
    assert "液氯储罐区" in text and "未设置防火堤，可燃气体报警装置失效" in text
    with zipfile.ZipFile(io.BytesIO(notice.data)) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    assert not re.search(UNFIT, xml)


@pytest.fixture
def registry(database_url):
    engine = sa.create_engine(database_url)
    create_tables(engine)
    yield EnterpriseRegistry(engine, clock=lambda: NOW)
    engine.dispose()


def test_a_registry_spreadsheet_with_control_characters_imports_and_exports(registry, tmp_path):
    """批量导入 of names pasted with a NUL and a page break: imported without them (PostgreSQL refused the
    NUL: a 500), and the registry's .xlsx export — every enterprise of the city — still writes."""
    rows = sample_rows(3)
    rows[0][col("企业名称")] = "甲\x00化工有限公司"
    rows[1][col("企业名称")] = "乙\x0c机械有限公司\x01"
    assert import_enterprises(registry, write_csv(tmp_path / "in.csv", rows)).ok
    path = tmp_path / "out.xlsx"
    assert export_enterprises(registry, path) == 3
    names = {r[col("企业名称")].value for r in openpyxl.load_workbook(path).active.iter_rows(min_row=2)}
    assert {"甲化工有限公司", "乙\n机械有限公司"} <= names


LOOPED_FLOWS = ('<bpmn:sequenceFlow id="Flow_self" sourceRef="Flow_self" targetRef="Flow_self" />'
                '<bpmn:sequenceFlow id="Flow_a" sourceRef="Flow_b" targetRef="register" />'
                '<bpmn:sequenceFlow id="Flow_b" sourceRef="Flow_a" targetRef="register" />')


@pytest.fixture(scope="module")
def designer(world):
    from werkzeug.security import generate_password_hash

    from tests.ui_support import PASSWORD
    world.engine.directory.add_role("designer", "流程设计员")
    world.engine.directory.add_user("sheji", "city", ["designer"], name="设计员",
                                    password_hash=generate_password_hash(PASSWORD))
    return client_login(world.app, "sheji")


@pytest.mark.parametrize("endpoint", ["/designer/api/diff", "/designer/api/deploy/preview"])
def test_the_designers_diff_of_a_draft_whose_flow_starts_at_a_flow_answers_in_chinese(world, designer, endpoint):
    """流程设计's 对比 and 部署预览 read the draft before any check: a hand-edited file whose unnamed flow
    starts at itself, or two flows at each other, named its ends without end (RecursionError: a 500
    HTML page to the editor's script). Now each end is named once: 连线「未命名连线 → …」."""
    model = world.engine.models.latest("hazard_supervision")
    draft = model.content.replace("</bpmn:process>", LOOPED_FLOWS + "</bpmn:process>", 1)
    response = designer.post(endpoint, json={"xml": draft, "key": model.key, "filename": "hazard.bpmn"},
                             headers={"X-CSRF-Token": designer.csrf})
    if endpoint.endswith("preview"):  # the preview validates first: refused naming each flow (ca925a7)
        assert response.status_code == 422 and response.is_json, response.status_code
        problems = {(p["element_id"], p["message"]) for p in response.get_json()["problems"]}
        assert ("Flow_self", "未命名的连线的起点「Flow_self」是另一条连线，不是环节；请在流程设计器中重新连接这条连线") \
            in problems and {p[0] for p in problems} == {"Flow_self", "Flow_a", "Flow_b"}, problems
        return
    assert response.status_code == 200 and response.is_json, response.status_code
    body = response.get_json()
    diff = body["models"][0]["diff"] if "models" in body else body
    assert {e["title"] for e in diff["added"]} == {"连线「未命名连线 → 未命名连线」",
                                                   "连线「未命名连线 → 登记隐患」"}, diff["added"]


@pytest.fixture(scope="module")
def api_world(module_database_url, tmp_path_factory):
    from tests.test_api_helpers import World, build_app, build_engine
    engine = build_engine(module_database_url)
    yield World(engine, build_app(engine, tmp_path_factory.mktemp("api")))
    engine.dispose()


@pytest.mark.parametrize("password, problem", [
    ("12345678ab", "至少三类"), ("zhou-Wu-2026", "不能包含用户名"), ("Aa1-xyz-9", "至少 10 位")])
def test_an_account_made_through_the_api_keeps_the_password_policy(api_world, password, problem):
    """POST /api/users (系统管理员) set an initial password of 8 characters of any kind — 「12345678ab」,
    the user's own name, the demo password everyone has seen — where the 用户管理 page and ``duban user
    add`` refuse it (等保 2.0 身份鉴别: 口令复杂度); nothing is saved, and a strong one is taken."""
    r = api_world.call("POST", "/api/users", "adm", json={"username": "zhou", "org": "west", "roles": ["inspector"],
                                                          "password": password})
    assert r.status_code == 422 and problem in r.get_json()["errors"]["password"], r.get_json()
    assert all(u["username"] != "zhou" for u in api_world.call("GET", "/api/users", "adm").get_json()["items"])
    assert api_world.client().post("/api/tokens", json={"username": "zhou", "password": password}).status_code == 401


def test_an_account_made_through_the_api_with_a_strong_password_logs_in(api_world):
    r = api_world.call("POST", "/api/users", "adm", json={"username": "wu", "org": "west", "roles": ["inspector"],
                                                          "password": "Anquan-Jian-2026"})
    assert r.status_code == 201, r.get_json()
    assert api_world.client().post("/api/tokens", json={"username": "wu", "password": "Anquan-Jian-2026"}).status_code == 201


def _category_table(rules: int) -> bytes:
    """camunda7_category.dmn (Camunda Modeler 5.19) with ``rules`` more rules of its two inputs."""
    from tests.ui_support import ROOT
    source = (ROOT / "tests" / "bpmn" / "interop" / "camunda7_category.dmn").read_text(encoding="utf-8")
    head, rest = source.split("<rule ", 1)
    added = "".join(
        f'<rule id="DecisionRule_x{i}"><inputEntry id="UnaryTests_x{i}a"><text>false</text></inputEntry>'
        f'<inputEntry id="UnaryTests_x{i}b"><text>[{i}..{i + 1})</text></inputEntry>'
        f'<outputEntry id="LiteralExpression_x{i}"><text>"{i}人规模"</text></outputEntry></rule>' for i in range(rules))
    return (head + added + "<rule " + rest).replace('id="Decision_0category"', f'id="Decision_big{rules}"').encode()


def test_a_decision_table_of_thousands_of_rules_is_refused_at_deploy(world):
    """A 决策表 of 20,000 rules (4 MB, within the file bound) took 3 s of the host's CPU to deploy and
    4 s at every completion that reached it; the BPMN side has had its bound (3,000 elements). Now a
    DMN file of more than 3,000 rules and cells is refused in Chinese, nothing deployed; a table of
    hundreds of rules still deploys."""
    from engine.errors import InvalidModel
    with pytest.raises(InvalidModel) as refused:
        world.engine.deploy(_category_table(1000), by="zhao", filename="监管类别.dmn")
    assert "决策表过大（规则和单元格共 4012 个，上限 3000 个），请拆分为多个决策表" in str(refused.value)
    assert all(m.key != "Definitions_0category" or m.filename != "监管类别.dmn" for m in world.engine.models.list())
    model = world.engine.deploy(_category_table(700), by="zhao", filename="监管类别（七百条）.dmn")
    assert model.version >= 1


def test_first_starts_of_a_new_model_version_at_once_all_start(world):
    """Officials starting cases of a model just deployed, at the same moment (a morning's 企业分级
    评定 after the designer's deploy; a hotline system's messages): each first start found no stored
    spec bundle of the new version and inserted it, and on PostgreSQL all but one failed on its key
    (IntegrityError: a 500, nothing started). Now every start starts (engine/models._store_bundle).
    Camunda Modeler 5.19's camunda7_dmn_rule.bpmn, with its decision table."""
    import threading

    from tests.ui_support import ROOT
    folder = ROOT / "tests" / "bpmn" / "interop"
    world.engine.deploy((folder / "camunda7_category.dmn").read_bytes(), by="zhao", filename="camunda7_category.dmn")
    source = (folder / "camunda7_dmn_rule.bpmn").read_text(encoding="utf-8")
    world.engine.deploy(source.replace('id="camunda7_dmn_rule"', 'id="grading_at_once"').encode(), by="zhao",
                        filename="grading_at_once.bpmn")
    starters, ready, started, failed = 4, threading.Barrier(4), [], []

    def start(i):
        ready.wait()
        try:
            started.append(world.engine.start("grading_at_once", by="zhang", title=f"年度评定{i}").id)
        except Exception as exc:  # noqa: BLE001 - what a request would have answered 500 with
            failed.append(repr(exc)[:160])
    threads = [threading.Thread(target=start, args=(i,)) for i in range(starters)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failed == [] and len(started) == starters, failed


def _deploy_interop(world, filename: str):
    from tests.ui_support import ROOT
    return world.engine.deploy((ROOT / "tests" / "bpmn" / "interop" / filename).read_bytes(), by="zhao", filename=filename)


def test_a_countersign_count_typed_with_extra_zeros_is_an_incident_not_300000_tasks_art42(world):
    """联合执法会签 (Camunda Modeler 5: 会签人数 ${signers} from a text field; 《行政处罚法》第四十二条:
    执法人员不少于两人): 会签人数 typed 「300000」 for 3 made 300,000 instances in one step — 17 s of the
    host's CPU, 1.6 GB, 300,000 tasks in the inspectors' queue. Now more than 1,000 instances is an
    incident naming the task and the count; what was typed is kept for the retry, 3 goes on."""
    from engine.errors import IncidentRaised
    engine = world.engine
    _deploy_interop(world, "camunda7_countersign_count_text.bpmn")
    case = engine.start("camunda7_countersign_count_text", by="qian", title="联合执法会签（多打了零）")
    plan = open_task(engine, case.id, "Activity_0plan")
    with pytest.raises(IncidentRaised) as raised:
        engine.complete(plan.id, "qian", {"signers": "300000"})
    assert "多实例任务「会签执法意见」" in str(raised.value) and "实例数为 300000，超过上限 1000" in str(raised.value)
    assert len(engine.case(case.id).tasks) == 1
    engine.complete(plan.id, "qian", {"signers": "3"})
    assert [t.spec_id for t in engine.case(case.id).tasks] == ["Activity_0sign"] * 3


def test_a_collection_of_thousands_is_an_incident_not_thousands_of_tasks(world):
    """专家会签 (Flowable 6.8, ``flowable:collection="experts"``) over a list of 1,500 names sent with the
    start: refused as an incident naming the collection, never 1,500 tasks."""
    from engine.errors import IncidentRaised
    engine = world.engine
    key = _deploy_interop(world, "flowable_countersign_half.bpmn").key
    with pytest.raises(IncidentRaised) as raised:
        engine.start(key, by="qian", title="专家会签（名单过长）", data={"experts": [f"expert{i}" for i in range(1500)]})
    assert "的集合「experts」有 1500 项，超过上限 1000" in str(raised.value)


def test_a_case_number_search_reads_percent_and_underscore_as_typed(database_url):
    """案件查询's 案号 is a substring of the case number as typed: 「%」 and 「_」 are SQL LIKE's
    wildcards, and Case.case_no.contains() did not escape them, so 「%」 listed every case the user may
    see and 「HS_2026」 matched 「HS-2026」. Scope still applied; the answer was simply not what was
    asked."""
    from tests.support import make_engine
    engine = make_engine(database_url)
    try:
        from tests.support import BPMN
        engine.deploy((BPMN / "rectify_deadline.bpmn").read_text(encoding="utf-8"), by="boss",
                      filename="rectify_deadline.bpmn")
        started = engine.start("rectify_deadline", by="zhang", org="east", data={})
        number = engine.case(started.id).case_no
        assert [c.id for c in engine.cases(case_no=number[2:-1])] == [started.id]
        for typed in ("%", "_", number[:2] + "_" + number[3:]):
            if typed in number:
                continue
            assert engine.cases(case_no=typed) == [], typed
    finally:
        engine.dispose()
