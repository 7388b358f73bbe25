"""Enterprise pages (企业档案) and the 当事企业 shown everywhere, through Flask's test client on the real
engine and registry: search, the one-page file, who may see which file, risk grading, spreadsheet
import (dry run, fix, confirm) and export, the 失信 badge on case and task pages, the 红 panel of the
board — and the UI follow-ups (diagram marks from the engine, prefilled forms, item labels).

The browser scenario (a supervisor finds an enterprise by two characters of its name, grades it 红
and finds it on the board) is at the end, with screenshots.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
import shutil

import openpyxl
import pytest

from tests.ui_support import (MAJOR_PATH, PASSWORD, REGISTER_MAJOR, ROOT, client_login, make_world, open_task,
                              screenshot, start_hazard)
from workflows.enterprises import EnterpriseRegistry, RiskLevel
from workflows.enterprises.credit_code import complete

JIA = complete("91110101MA0000001")    # 东城 (east): the enterprise of most scenarios
YI = complete("91110101MA0000002")     # 东城 (east)
BING = complete("91110102MA0000003")   # 西城 (west)
NEW_ONE = complete("91110101MA0000004")
NEW_TWO = complete("91110101MA0000005")

ENTERPRISES = [
    {"credit_code": JIA, "name": "东城鑫华化工有限公司", "org_unit": "east", "sector": "危化", "size": "中型",
     "address": "东城区化工园路8号", "legal_rep": "王建国", "legal_rep_phone": "13800000001", "risk_level": "黄"},
    {"credit_code": YI, "name": "东城宏达机械制造有限公司", "org_unit": "east", "sector": "工贸", "size": "小型",
     "risk_level": "蓝"},
    {"credit_code": BING, "name": "西城安泰化工有限公司", "org_unit": "west", "sector": "危化", "size": "大型",
     "risk_level": "橙"},
]


def text(response) -> str:
    return response.get_data(as_text=True)


def setup_registry(world) -> EnterpriseRegistry:
    """The three enterprises, and a user account for 鑫华化工 and one for 宏达机械."""
    registry = EnterpriseRegistry(world.engine.db.engine, clock=world.clock.now)
    for data in ENTERPRISES:
        registry.add(data, by="seed")
    password_hash = world.engine.directory.user("zhang").password_hash
    world.engine.directory.add_user("jia_aq", org="east", roles=["enterprise"], name="鑫华安全员", party=JIA,
                                    password_hash=password_hash)
    world.engine.directory.add_user("yi_aq", org="east", roles=["enterprise"], name="宏达安全员", party=YI,
                                    password_hash=password_hash)
    return registry


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path)
    w.registry = setup_registry(w)
    yield w
    w.engine.dispose()


@pytest.fixture
def any_world(tmp_path, database_url):
    """The same world on SQLite and on PostgreSQL (the search and the bulk lookups are SQL of their own)."""
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    w.registry = setup_registry(w)
    yield w
    w.engine.dispose()


def rows_of(page: str, table_id: str) -> list[str]:
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    return re.findall(r"<tr.*?</tr>", body.group(1), re.S) if body else []


def jia_hazard(world, title="鑫华化工储罐区重大事故隐患"):
    case = world.engine.start("hazard_supervision", by="zhang", party=JIA, title=title)
    data = dict(REGISTER_MAJOR, enterprise_name="东城鑫华化工有限公司", credit_code=JIA)
    world.engine.complete(open_task(world.engine, case.id, "register").id, "zhang", data)
    return case


# --- the list --------------------------------------------------------------------------------------

def test_search_by_name_fragment_code_prefix_and_filters(any_world):
    world = any_world
    qian = client_login(world.app, "qian")
    page = text(qian.get("/enterprises/?q=化工"))
    assert "东城鑫华化工有限公司" in page and "东城宏达机械制造有限公司" not in page
    assert "西城安泰化工有限公司" not in page  # another district's: not in an east supervisor's list
    assert re.search(r'id="enterprise-total">1<', page)
    page = text(qian.get("/enterprises/?q=鑫华"))  # two characters of the name
    assert [JIA] == re.findall(r'<tr data-code="([^"]+)"', page)
    page = text(qian.get(f"/enterprises/?q={JIA[:8]}"))  # a credit-code prefix
    assert {JIA, YI} == set(re.findall(r'<tr data-code="([^"]+)"', page))
    assert re.findall(r'<tr data-code="([^"]+)"', text(qian.get("/enterprises/?sector=工贸"))) == [YI]
    assert re.findall(r'<tr data-code="([^"]+)"', text(qian.get("/enterprises/?risk=黄"))) == [JIA]
    assert "没有符合条件的企业" in text(qian.get("/enterprises/?q=不存在的名字"))
    zhao = client_login(world.app, "zhao")  # the city sees both districts, and may narrow to one
    assert {JIA, BING} == set(re.findall(r'<tr data-code="([^"]+)"', text(zhao.get("/enterprises/?q=化工"))))
    assert re.findall(r'<tr data-code="([^"]+)"', text(zhao.get("/enterprises/?q=化工&org=west"))) == [BING]
    assert qian.get("/enterprises/?org=west").status_code == 403
    assert qian.get("/enterprises/?org=nowhere").status_code == 404


def test_the_list_comes_in_pages(world):
    for i in range(51):
        world.registry.add({"credit_code": complete(f"91110101MB{i:07d}"), "name": f"东城批量{i:02d}五金厂",
                            "org_unit": "east", "sector": "工贸", "size": "微型"})
    qian = client_login(world.app, "qian")
    first = text(qian.get("/enterprises/?q=批量"))
    assert first.count('<tr data-code="') == 50 and "下一页" in first and 'id="enterprise-total">51<' in first
    second = text(qian.get("/enterprises/?q=批量&page=2"))
    assert second.count('<tr data-code="') == 1 and "上一页" in second


# --- who sees which file ---------------------------------------------------------------------------

def test_an_enterprise_user_sees_only_its_own_file(world):
    jia = client_login(world.app, "jia_aq")
    assert jia.get("/enterprises/").location == "/enterprises/mine"
    assert jia.get("/enterprises/mine").location == f"/enterprises/{JIA}"
    page = text(jia.get(f"/enterprises/{JIA}"))
    assert "东城鑫华化工有限公司" in page and 'id="risk-form"' not in page
    assert "本企业档案" in page and 'href="/enterprises/"' not in page
    for url in (f"/enterprises/{YI}", f"/enterprises/{BING}", "/enterprises/91110000000000000X",
                "/enterprises/import", "/enterprises/export"):
        response = jia.get(url)
        assert response.status_code == 403, url
    assert jia.post(f"/enterprises/{JIA}/risk", data={"_csrf": jia.csrf, "risk_level": "蓝",
                                                      "reason": "自评"}).status_code == 403
    assert world.registry.get(JIA).risk_level == RiskLevel.YELLOW


def test_an_official_of_another_district_gets_403(world):
    wang = client_login(world.app, "wang")  # 西城 inspector
    response = wang.get(f"/enterprises/{JIA}")
    assert response.status_code == 403 and "无权查看" in text(response)
    assert wang.get(f"/enterprises/{BING}").status_code == 200
    assert client_login(world.app, "zhang").get(f"/enterprises/{JIA}").status_code == 200
    assert client_login(world.app, "zhao").get(f"/enterprises/{JIA}").status_code == 200  # the city, above
    assert client_login(world.app, "zhang").get(f"/enterprises/{complete('91110101MA0000009')}").status_code == 404
    # An enterprise registered under an org code the directory does not know is the administrator's to see.
    stray = complete("91110101MA0000008")
    world.registry.add({"credit_code": stray, "name": "属地未知的五金厂", "org_unit": "440604001", "sector": "工贸",
                        "size": "微型"})
    assert client_login(world.app, "zhao").get(f"/enterprises/{stray}").status_code == 403
    world.engine.directory.add_user("root", org="city", roles=["admin"], name="系统管理员",
                                    password_hash=world.engine.directory.user("zhang").password_hash)
    admin = client_login(world.app, "root")
    assert admin.get(f"/enterprises/{stray}").status_code == 200
    assert stray in text(admin.get("/enterprises/?q=五金"))


# --- the file --------------------------------------------------------------------------------------

def test_the_file_shows_record_cases_hazards_and_standing(world):
    hazard = jia_hazard(world)
    other = start_hazard(world.engine, title="不相干企业的隐患")
    page = text(client_login(world.app, "zhang").get(f"/enterprises/{JIA}"))
    assert "东城区化工园路8号" in page and "王建国" in page and "13800000001" in page
    cases = rows_of(page, "enterprise-cases")
    assert len(cases) == 1 and f'href="/cases/{hazard.id}"' in cases[0] and other.case_no not in page
    assert "重大事故隐患挂牌督办" in cases[0] and "办理中" in cases[0]
    assert 'id="hazards"' in page and "储罐区" in page
    standing = re.search(r'id="standing"[^>]*>([^<]+)<', page).group(1)
    assert standing == "重点监管"
    assert "重大事故隐患挂牌督办中：鑫华化工储罐区重大事故隐患" in page
    assert re.search(r'id="next-inspection">.*?2026年11月23日', page, re.S)  # graded, never inspected: due today
    assert "建档时评定" in page  # the first row of the risk history
    # The enterprise's own user sees the same file, cases linked.
    assert f'href="/cases/{hazard.id}"' in text(client_login(world.app, "jia_aq").get(f"/enterprises/{JIA}"))


def test_cases_of_a_higher_unit_are_counted_not_named(world):
    city_case = world.engine.start("hazard_supervision", by="zhao", party=JIA, title="市局督办的隐患")
    page = text(client_login(world.app, "zhang").get(f"/enterprises/{JIA}"))
    assert city_case.case_no not in page and "市局督办的隐患" not in page and "另有 1 件其他单位办理的案件" in page
    assert f'href="/cases/{city_case.id}"' in text(client_login(world.app, "zhao").get(f"/enterprises/{JIA}"))


def test_risk_grading_needs_a_supervisor_and_a_reason_and_shows_on_the_board(world):
    zhang = client_login(world.app, "zhang")
    assert 'id="risk-form"' not in text(zhang.get(f"/enterprises/{JIA}"))
    assert zhang.post(f"/enterprises/{JIA}/risk", data={"_csrf": zhang.csrf, "risk_level": "红",
                                                        "reason": "x"}).status_code == 403
    qian = client_login(world.app, "qian")
    board = text(qian.get("/supervise/overdue"))
    assert 'id="red-total">0<' in board and "没有红色风险企业" in board
    response = qian.post(f"/enterprises/{JIA}/risk", data={"_csrf": qian.csrf, "risk_level": "红", "reason": " "})
    assert response.status_code == 422 and "须注明变更原因" in text(response)
    response = qian.post(f"/enterprises/{JIA}/risk", data={"_csrf": qian.csrf, "reason": "有隐患"})
    assert response.status_code == 422 and "应为以下之一" in text(response)
    assert world.registry.get(JIA).risk_level == RiskLevel.YELLOW
    response = qian.post(f"/enterprises/{JIA}/risk", data={"_csrf": qian.csrf, "risk_level": "红",
                                                          "reason": "液氯储罐区存在重大事故隐患"})
    assert response.status_code == 302
    assert world.registry.get(JIA).risk_level == RiskLevel.RED
    history = world.registry.risk_history(JIA)
    assert (history[-1].old_level, history[-1].new_level, history[-1].changed_by) == (
        RiskLevel.YELLOW, RiskLevel.RED, "qian")
    page = text(qian.get(response.location))
    assert "已将风险等级调整为红" in page and "液氯储罐区存在重大事故隐患" in page and "钱科长" in page
    assert re.search(r'id="standing"[^>]*>重点监管<', page)
    board = text(qian.get("/supervise/overdue"))
    assert [JIA] == [re.search(r'data-code="([^"]+)"', r).group(1) for r in rows_of(board, "red-list")]
    assert "东城鑫华化工有限公司" in board
    city = text(client_login(world.app, "zhao").get("/supervise/overdue"))
    assert JIA in city  # the city's board lists the red enterprises of its districts


# --- spreadsheets ----------------------------------------------------------------------------------

HEADER = ["统一社会信用代码", "企业名称", "地址", "属地代码", "行业类别", "企业规模", "风险等级"]


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode("utf-8-sig")


def upload(client, content: bytes, filename: str):
    return client.post("/enterprises/import", data={"_csrf": client.csrf, "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def test_import_dry_run_reports_every_bad_row_and_imports_nothing_then_imports_the_fixed_file(world):
    qian = client_login(world.app, "qian")
    wrong_check = NEW_ONE[:-1] + ("0" if NEW_ONE[-1] != "0" else "1")
    bad = csv_bytes([
        [NEW_ONE, "东城新建五金厂", "", "east", "五金", "小型", "蓝"],          # line 2: unknown sector
        [wrong_check, "东城另一家化工厂", "", "east", "危化", "小型", "红"],    # line 3: check character
        [NEW_TWO, "西城某化工厂", "", "west", "危化", "小型", ""],             # line 4: another district
        [BING, "西城安泰化工有限公司", "", "east", "危化", "大型", "橙"],        # line 5: kept by another district
    ])
    response = upload(qian, bad, "名录.csv")
    assert response.status_code == 422
    page = text(response)
    errors = [re.sub(r"<[^>]+>", "|", r) for r in rows_of(page, "import-errors")]
    found = {(int(re.search(r"第 (\d+) 行", e).group(1)), e.split("|")[4]) for e in errors}
    assert found == {(2, "行业类别"), (3, "统一社会信用代码"), (4, "属地代码"), (5, "统一社会信用代码")}
    assert "应为以下之一" in page and "校验码错误" in page and "不在本单位管辖范围内" in page and "不能在此导入更新" in page
    assert "4 行有误，未导入任何数据" in page and 'id="import-confirm"' not in page
    assert world.registry.get(NEW_ONE) is None and world.registry.get(NEW_TWO) is None

    fixed = csv_bytes([
        [NEW_ONE, "东城新建五金厂", "", "east", "工贸", "小型", "蓝"],
        [NEW_TWO, "东城另一家化工厂", "", "east", "危化", "小型", "红"],
        [YI, "东城宏达机械制造有限公司", "东城区机械路1号", "east", "工贸", "小型", "橙"],
    ])
    response = upload(qian, fixed, "名录（修改后）.csv")
    assert response.status_code == 200
    page = text(response)
    assert "将新增 <b>2</b> 家，更新 <b>1</b> 家" in page
    assert world.registry.get(NEW_ONE) is None  # still a dry run
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    zhao = client_login(world.app, "zhao")  # another session cannot use the token
    assert zhao.post("/enterprises/import/confirm", data={"_csrf": zhao.csrf, "token": token}).status_code == 409
    response = qian.post("/enterprises/import/confirm", data={"_csrf": qian.csrf, "token": token})
    assert response.status_code == 302
    assert "新增2家，更新1家" in text(qian.get(response.location))
    assert world.registry.get(NEW_TWO).risk_level == RiskLevel.RED
    assert world.registry.get(YI).address == "东城区机械路1号"
    change = world.registry.risk_history(YI)[-1]
    assert (change.new_level, change.changed_by, change.reason) == (RiskLevel.ORANGE, "qian", "批量导入：名录（修改后）.csv")
    # the staged file is used once
    assert qian.post("/enterprises/import/confirm", data={"_csrf": qian.csrf, "token": token}).status_code == 409


def test_import_refuses_what_is_not_a_spreadsheet_and_is_for_supervisors_only(world):
    qian = client_login(world.app, "qian")
    response = upload(qian, b"hello", "名录.txt")
    assert response.status_code == 422 and "CSV 或 xlsx" in text(response)
    response = upload(qian, b"not a zip", "名录.xlsx")
    assert response.status_code == 422 and "无法读取 xlsx 文件" in text(response)
    zhang = client_login(world.app, "zhang")
    for url in ("/enterprises/import", "/enterprises/export"):
        assert zhang.get(url).status_code == 403
    assert upload(zhang, csv_bytes([]), "名录.csv").status_code == 403
    assert 'id="import-link"' not in text(zhang.get("/enterprises/"))
    assert 'id="import-link"' in text(qian.get("/enterprises/"))


def test_export_round_trip_in_xlsx_and_csv(world):
    qian = client_login(world.app, "qian")
    response = qian.get("/enterprises/export?format=xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert rows[0][:2] == ["统一社会信用代码", "企业名称"]
    assert sorted(r[0] for r in rows[1:]) == sorted([JIA, YI])  # only the supervisor's district
    page = text(upload(qian, response.data, "导出.xlsx"))
    assert "将新增 <b>0</b> 家，更新 <b>0</b> 家，无变化 2 家" in page
    # edited in the spreadsheet and imported again
    sheet = [r[:] for r in rows]
    sheet[1 + [r[0] for r in rows[1:]].index(YI)][1] = "东城宏达机械（集团）有限公司"
    edited = io.BytesIO()
    out = openpyxl.Workbook()
    for r in sheet:
        out.active.append(["" if v is None else v for v in r])
    out.save(edited)
    page = text(upload(qian, edited.getvalue(), "导出-改.xlsx"))
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    qian.post("/enterprises/import/confirm", data={"_csrf": qian.csrf, "token": token})
    assert world.registry.get(YI).name == "东城宏达机械（集团）有限公司"

    response = qian.get("/enterprises/export?format=csv")
    assert response.data.startswith("\ufeff".encode()) and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(lines) == 3 and lines[0][0] == "统一社会信用代码"
    assert "无变化 2 家" in text(upload(qian, response.data, "导出.csv"))
    template = qian.get("/enterprises/export?format=csv&template=1")
    assert len(list(csv.reader(io.StringIO(template.data.decode("utf-8-sig"))))) == 1  # the header only


# --- 当事企业 on case and task pages -----------------------------------------------------------------

def test_a_listed_enterprise_is_flagged_on_case_and_task_pages(any_world):
    world = any_world
    case = jia_hazard(world)
    other = world.engine.start("hazard_supervision", by="zhang", party=YI, title="宏达机械隐患")
    zhang = client_login(world.app, "zhang")
    listing = text(zhang.get("/cases/"))
    assert "东城鑫华化工有限公司" in listing and "东城宏达机械制造有限公司" in listing  # names, not bare codes
    assert "badge dishonest" not in listing
    world.registry.list_dishonest(JIA, since=dt.date(2026, 11, 20))
    listing = text(zhang.get("/cases/"))
    row = next(r for r in rows_of(listing, "cases") if case.case_no in r)
    assert "东城鑫华化工有限公司" in row and 'class="badge dishonest"' in row
    row = next(r for r in rows_of(listing, "cases") if other.case_no in r)
    assert "dishonest" not in row
    head = re.search(r'id="case-party">(.*?)</dd>', text(zhang.get(f"/cases/{case.id}")), re.S).group(1)
    assert "东城鑫华化工有限公司" in head and JIA in head and "失信" in head
    assert f'href="/enterprises/{JIA}"' in head
    element, user, data = MAJOR_PATH[0]
    world.engine.complete(open_task(world.engine, case.id, element).id, user, data)
    approvals = rows_of(text(client_login(world.app, "qian").get("/supervise/approvals")), "approvals")
    assert len(approvals) == 1 and "东城鑫华化工有限公司" in approvals[0] and "dishonest" in approvals[0]
    group = text(zhang.get("/tasks/group"))
    row = next(r for r in rows_of(group, "group-tasks") if other.case_no in r)
    assert "东城宏达机械制造有限公司" in row and "dishonest" not in row
    task = open_task(world.engine, case.id, "review_listing")
    assert "失信" in re.search(r'id="task-party">(.*?)</dd>', text(zhang.get(f"/tasks/{task.id}")), re.S).group(1)
    assert 'class="badge dishonest"' in text(client_login(world.app, "qian").get("/enterprises/?q=鑫华"))
    # a listing whose period is over is no longer flagged
    world.registry.update(JIA, {"dishonest_until": "2026-11-22"})
    assert "dishonest" not in re.search(r'id="case-party">(.*?)</dd>', text(zhang.get(f"/cases/{case.id}")),
                                        re.S).group(1)


def test_a_case_of_an_unregistered_party_shows_its_code(world):
    case = start_hazard(world.engine)  # ACME of the other UI tests: not in the registry
    page = text(client_login(world.app, "zhang").get(f"/cases/{case.id}"))
    head = re.search(r'id="case-party">(.*?)</dd>', page, re.S).group(1)
    assert case.party in head and "/enterprises/" not in head


# --- follow-ups: diagram, prefill, item labels -----------------------------------------------------

def test_diagram_marks_come_from_the_engine_and_the_model_from_the_case(world):
    case = jia_hazard(world)
    client = client_login(world.app, "zhang")
    page = text(client.get(f"/cases/{case.id}"))
    marks = json.loads(re.search(r"data-marks='([^']+)'", page).group(1).replace("&#34;", '"'))
    elements = world.engine.case_elements(case.id)
    assert marks["active"][0] == "propose" and set(marks["active"]) == set(elements["active"])
    assert set(marks["finished"]) == {e for e in elements["completed"] if "." not in e}
    assert not set(marks["finished"]) & set(elements["cancelled"]) - set(elements["completed"])
    # a later version of the model does not change the diagram of a running case
    source = (ROOT / "bpmn" / "hazard_supervision.bpmn").read_text(encoding="utf-8")
    world.engine.deploy(source.replace('name="登记隐患"', 'name="登记事故隐患"', 1).encode("utf-8"), by="system",
                        filename="hazard_supervision.bpmn")
    xml = text(client.get(f"/cases/{case.id}/diagram.bpmn"))
    assert 'name="登记隐患"' in xml and 'name="登记事故隐患"' not in xml
    later = jia_hazard(world, title="新版本的案件")
    assert 'name="登记事故隐患"' in text(client.get(f"/cases/{later.id}/diagram.bpmn"))


def test_a_form_opens_with_what_the_case_already_knows(world):
    seed = {"source": "重大事故隐患逾期未整改", "party_name": "东城鑫华化工有限公司", "party_type": "单位",
            "credit_code": JIA, "violation_facts": "重大事故隐患逾期未整改：液氯储罐区未设置防火堤"}
    case = world.engine.start("enforcement_case", by="zhang", data=seed, party=JIA, title="鑫华化工逾期未整改案")
    (task,) = world.engine.case(case.id).tasks
    page = text(client_login(world.app, "zhang").get(f"/tasks/{task.id}"))
    assert 'value="东城鑫华化工有限公司"' in page
    assert ">重大事故隐患逾期未整改：液氯储罐区未设置防火堤</textarea>" in page
    assert re.search(r'value="单位" checked', page)
    assert re.search(r'name="intake_proposal"[^>]*value="建议立案"(?! checked)', page)  # decisions start empty


def test_multi_instance_tasks_say_which_item_they_are_about(world):
    """The accident's 跟踪整改措施落实 runs once per measure; lists and the task page name the measure."""
    from workflows.demo import Desk, load_directory
    load_directory(world.engine)
    world.engine.directory.set_password_hash("zhang_san", world.engine.directory.user("zhang").password_hash)
    desk = Desk(world.engine)
    # the demo's 甲化工 code is this world's 东城鑫华 (JIA), registered in the other tree's east: outside
    # 东城区 (dongcheng)'s territory (属地管理, 《行政处罚法》第二十二条), so the accident names no party here
    c = desk.start("accident_investigation", by="sun_qi", org="dongcheng").id
    for step in ["事故信息接报", "逐级上报事故信息", "成立事故调查组", "调查取证", "起草事故调查报告", "批复事故调查报告"]:
        desk.do(c, step)
    measures = [t for t in world.engine.case(c).tasks if t.name == "跟踪整改措施落实"]
    labels = sorted(t.item_label for t in measures)
    assert len(labels) == 2 and all(labels)
    client = client_login(world.app, "zhang_san", PASSWORD)
    group = text(client.get("/tasks/group?role=inspector"))
    for label in labels:
        assert f'<span class="item-label">{label}</span>' in group
    page = text(client.get(f"/tasks/{measures[0].id}"))
    assert re.search(rf'<h1>跟踪整改措施落实 <span class="item-label" id="item-label">{re.escape(measures[0].item_label)}', page)
    assert f'<span class="item-label">{measures[1].item_label}</span>' in text(client.get(f"/cases/{c}"))


# --- in a browser ----------------------------------------------------------------------------------

@contextlib.contextmanager
def browser_page(world, username: str):
    """Chromium logged in as ``username`` on the app served from this process."""
    if shutil.which("chromium") is None:
        pytest.skip("Debian chromium is not installed (run scripts/setup-browser)")
    from playwright.sync_api import expect, sync_playwright

    from tests.ui_support import LiveServer, close_context, launch_chromium
    with LiveServer(world.app) as server, sync_playwright() as p:
        browser = launch_chromium(p)
        ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
        ctx.set_default_timeout(10_000)
        page = ctx.new_page()
        page.base = server.url
        page.goto(server.url + "/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator(".whoami .user")).to_be_visible()
        try:
            yield page
        finally:
            close_context(ctx)
            browser.close()


@pytest.mark.browser
def test_supervisor_finds_an_enterprise_grades_it_red_and_sees_it_on_the_board(world):
    from playwright.sync_api import expect
    hazard = jia_hazard(world)
    with browser_page(world, "qian") as page:
        page.click("nav.mainnav >> text=企业档案")
        page.fill("#enterprise-search input[name=q]", "鑫华")
        page.click("#enterprise-search button[type=submit]")
        rows = page.locator("#enterprises tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("东城鑫华化工有限公司")
        screenshot(page, "enterprise-list")

        rows.first.locator("a").first.click()
        expect(page.locator("#enterprise-head h1")).to_contain_text("东城鑫华化工有限公司")
        expect(page.locator("#enterprise-cases")).to_contain_text(hazard.case_no)
        expect(page.locator("#standing")).to_have_text("重点监管")
        expect(page.locator("#standing-reasons")).to_contain_text("重大事故隐患挂牌督办中")
        screenshot(page, "enterprise-file")

        page.locator("#risk-form input[name=risk_level][value=红]").check()
        page.fill("#f-reason", "液氯储罐区重大事故隐患未消除，经评估调整为红色")
        page.click("#risk-submit")
        expect(page.locator(".flash.ok")).to_have_text("已将风险等级调整为红")
        expect(page.locator("#risk-level")).to_have_text("红")
        expect(page.locator("#risk-history tbody tr").first).to_contain_text("液氯储罐区重大事故隐患未消除")
        screenshot(page, "enterprise-risk")

        page.click("nav.mainnav >> text=逾期督办")
        red = page.locator("#red-list tbody tr")
        expect(red).to_have_count(1)
        expect(red.first).to_contain_text("东城鑫华化工有限公司")
        screenshot(page, "enterprise-board")

        red.first.locator("a").first.click()  # back to the file from the board
        expect(page.locator("#enterprise-head h1")).to_contain_text("东城鑫华化工有限公司")


@pytest.mark.browser
def test_import_dry_run_and_the_listed_badge_in_a_browser(world, tmp_path):
    from playwright.sync_api import expect
    case = jia_hazard(world)
    world.registry.list_dishonest(JIA, since=dt.date(2026, 11, 20))
    bad = tmp_path / "名录.csv"
    bad.write_bytes(csv_bytes([[NEW_ONE, "东城新建五金厂", "", "east", "五金", "小型", "蓝"],
                               [NEW_TWO, "西城某化工厂", "", "west", "危化", "小型", ""]]))
    with browser_page(world, "qian") as page:
        page.goto(page.base + "/enterprises/import")
        page.set_input_files("#import-form input[type=file]", str(bad))
        expect(page.locator("#import-form .file-names")).to_have_text("名录.csv")
        page.click("#import-check")
        expect(page.locator("#import-errors tbody tr")).to_have_count(2)
        expect(page.locator("#import-summary")).to_contain_text("2 行有误，未导入任何数据")
        screenshot(page, "enterprise-import-errors")

        page.click("nav.mainnav >> text=案件查询")
        row = page.locator("#cases tbody tr", has_text=case.case_no)
        expect(row.locator(".badge.dishonest")).to_have_text("失信")
        screenshot(page, "enterprise-listed-cases")
        row.locator("a", has_text=case.case_no).click()
        expect(page.locator("#case-party .badge.dishonest")).to_be_visible()
        screenshot(page, "enterprise-listed-case")
