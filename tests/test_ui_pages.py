"""The web pages through Flask's test client: login and CSRF, queues, case search, task forms,
attachments, authorization, supervisor pages — on a real engine and SQLite file, no browser.

The browser scenarios (tests/test_ui_browser.py) show the pages work for a person; these pin down
the rules behind them quickly and one by one.
"""
from __future__ import annotations

import io
from pathlib import Path
import re
import pytest

from tests.ui_support import (ACME, PASSWORD, REGISTER_MAJOR, ROOT, client_login, csrf_of, major_case_at,
                              make_world, open_task, start_hazard)


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path)
    yield w
    w.engine.dispose()


def text(response) -> str:
    return response.get_data(as_text=True)


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def general_hazard(world, title="乙公司配电室隐患", fix_deadline="2026-11-30"):
    """A hazard registered as 一般: the enterprise's 立即整改 task is open, due at the deadline."""
    case = start_hazard(world.engine, title=title)
    data = dict(REGISTER_MAJOR, major_criterion=None, requires_shutdown=False, fix_deadline=fix_deadline)
    world.engine.complete(open_task(world.engine, case.id, "register").id, "zhang", data)
    return case


# --- login, sessions, CSRF ----------------------------------------------------------------------

def test_pages_need_a_login_and_return_there_afterwards(world):
    client = world.app.test_client()
    response = client.get("/cases/?status=running")
    assert response.status_code == 302
    assert "/login?next=" in response.location
    token = csrf_of(text(client.get("/login")))
    response = client.post("/login?next=/cases/%3Fstatus%3Drunning",
                           data={"username": "zhang", "password": PASSWORD, "_csrf": token})
    assert response.location == "/cases/?status=running"


def test_login_refuses_wrong_passwords_and_foreign_redirects(world):
    client = world.app.test_client()
    token = csrf_of(text(client.get("/login")))
    response = client.post("/login", data={"username": "zhang", "password": "nope", "_csrf": token})
    assert response.status_code == 401
    assert "用户名或密码错误" in text(response)
    response = client.post("/login", data={"username": "nobody", "password": "x", "_csrf": token})
    assert response.status_code == 401
    response = client.post("/login?next=//evil.example/x",
                           data={"username": "zhang", "password": PASSWORD, "_csrf": token})
    assert response.location == "/tasks/"


def test_every_post_needs_the_csrf_token(world):
    client = world.app.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "zhang", "password": PASSWORD})
    assert response.status_code == 400
    assert "安全校验未通过" in text(response)
    client = client_login(world.app, "zhang")
    case = start_hazard(world.engine)
    task = open_task(world.engine, case.id, "register")
    assert client.post(f"/tasks/{task.id}/claim", data={"_csrf": "forged"}).status_code == 400
    assert world.engine.task(task.id).assignee is None
    assert client.post(f"/tasks/{task.id}/claim", data={"_csrf": client.csrf}).status_code == 302
    assert world.engine.task(task.id).assignee == "zhang"


def test_logout_ends_the_session(world):
    client = client_login(world.app, "zhang")
    client.post("/logout", data={"_csrf": client.csrf})
    assert client.get("/tasks/").status_code == 302


def test_a_deactivated_user_is_logged_out_on_the_next_click(world):
    client = client_login(world.app, "li")
    from engine.schema import User
    with world.engine.db.write() as s:
        s.get(User, "li").active = False
    assert client.get("/tasks/").status_code == 302


def test_navigation_follows_roles(world):
    enterprise = text(client_login(world.app, "acme").get("/tasks/"))
    assert "我的待办" in enterprise and "发起案件" not in enterprise and "逾期督办" not in enterprise
    inspector = text(client_login(world.app, "zhang").get("/tasks/"))
    assert "发起案件" in inspector and "逾期督办" not in inspector
    supervisor = text(client_login(world.app, "qian").get("/tasks/"))
    assert all(item in supervisor for item in ("审批", "逾期督办", "异常事件"))
    assert client_login(world.app, "zhang").get("/supervise/overdue").status_code == 403


# --- queues -------------------------------------------------------------------------------------

def test_my_queue_is_sorted_by_due_date_with_overdue_marked(world):
    late = general_hazard(world, "甲公司隐患（期限早）", fix_deadline="2026-11-25")
    later = general_hazard(world, "乙公司隐患（期限晚）", fix_deadline="2026-12-20")
    client = client_login(world.app, "acme")
    page = text(client.get("/tasks/"))
    assert page.index(late.case_no) < page.index(later.case_no)
    assert "逾期" not in page.split("<tbody>")[1]
    world.clock.advance(days=4)  # 2026-11-27 09:00: the first deadline (end of the 25th) has passed
    page = text(client.get("/tasks/"))
    first_row = re.search(r'<tr class="overdue"[^>]*>.*?</tr>', page, re.S).group(0)
    assert late.case_no in first_row and "逾期 2 天" in first_row
    assert "2026年11月25日 24:00" in first_row  # a deadline "by the 25th" reads as the end of that day
    only = text(client.get("/tasks/?overdue=1"))
    assert late.case_no in only and later.case_no not in only


def test_group_queue_per_role_claim_and_release(world):
    case = start_hazard(world.engine)
    zhang = client_login(world.app, "zhang")
    page = text(zhang.get("/tasks/group"))
    assert case.case_no in page and "认领" in page
    task = open_task(world.engine, case.id, "register")
    response = zhang.post(f"/tasks/{task.id}/claim", data={"_csrf": zhang.csrf})
    assert response.location == f"/tasks/{task.id}"
    assert case.case_no not in text(zhang.get("/tasks/group"))
    li = client_login(world.app, "li")
    assert case.case_no not in text(li.get("/tasks/group")) and case.case_no not in text(li.get("/tasks/"))
    # another inspector cannot take it meanwhile
    response = li.post(f"/tasks/{task.id}/claim", data={"_csrf": li.csrf}, follow_redirects=True)
    assert "任务已被张三认领" in text(response) and "zhang" not in text(response).split("任务已被")[1][:20]   # a name, not the account
    zhang.post(f"/tasks/{task.id}/release", data={"_csrf": zhang.csrf})
    assert case.case_no in text(li.get("/tasks/group"))
    # the supervisor of the city sees supervisory-role work below, not inspectors' work
    assert case.case_no not in text(client_login(world.app, "zhao").get("/tasks/group"))
    assert client_login(world.app, "zhang").get("/tasks/group?role=supervisor").status_code == 404


def test_done_lists_what_i_completed(world):
    general_hazard(world)
    page = text(client_login(world.app, "zhang").get("/tasks/done"))
    assert "登记隐患" in page and "乙公司配电室隐患" in page


def test_case_search_by_number_party_process_and_status(world):
    one = start_hazard(world.engine, title="甲公司隐患")
    two = world.engine.start("hazard_supervision", by="li", party="91110000000000002L", title="乙公司隐患")
    client = client_login(world.app, "zhang")
    page = text(client.get(f"/cases/?case_no={one.case_no}"))
    assert one.case_no in page and two.case_no not in page
    page = text(client.get("/cases/?party=91110000000000002L"))
    assert two.case_no in page and one.case_no not in page
    page = text(client.get("/cases/?process=hazard_supervision&status=running"))
    assert one.case_no in page and two.case_no in page
    assert "没有符合条件的案件" in text(client.get("/cases/?status=completed"))
    # another org unit's inspector finds neither; the enterprise only its own
    assert one.case_no not in text(client_login(world.app, "wang").get("/cases/"))
    acme = text(client_login(world.app, "acme").get("/cases/"))
    assert one.case_no in acme and two.case_no not in acme


# --- task forms ---------------------------------------------------------------------------------

def test_a_failed_submit_shows_chinese_errors_by_field_and_keeps_the_input(world):
    case = start_hazard(world.engine)
    task = open_task(world.engine, case.id, "register")
    client = client_login(world.app, "zhang")
    response = client.post(f"/tasks/{task.id}", data={
        "_csrf": client.csrf, "source": "监督检查发现", "enterprise_name": "甲化工有限公司",
        "description": "报警装置失效", "found_on": "2026-13-45", "requires_shutdown": "true"})
    assert response.status_code == 422
    page = text(response)
    errors = dict(re.findall(r'data-field="(\w+)".*?<p class="field-error" id="err-\1"[^>]*>([^<]+)</p>', page, re.S))
    assert errors["sector"] == "此项为必填项"
    assert errors["location"] == "此项为必填项"
    assert errors["found_on"] == "2026年13月45日不是有效的日期"
    assert 'value="甲化工有限公司"' in page and ">报警装置失效</textarea>" in page
    assert 'value="2026-13-45"' in page
    assert re.search(r'name="requires_shutdown"[^>]*value="true" checked', page)
    assert re.search(r'value="监督检查发现" checked', page)
    assert world.engine.task(task.id).state == "open"


def test_submitting_completes_the_task_and_shows_the_case(world):
    case = start_hazard(world.engine)
    task = open_task(world.engine, case.id, "register")
    client = client_login(world.app, "zhang")
    form = {"_csrf": client.csrf, **{k: v for k, v in REGISTER_MAJOR.items() if v not in (None, [], False)}}
    form["requires_shutdown"] = "true"
    response = client.post(f"/tasks/{task.id}", data=form)
    assert response.status_code == 302 and response.location == f"/cases/{case.id}"
    assert [t.spec_id for t in world.engine.case(case.id).tasks] == ["propose"]
    page = text(client.get(response.location))
    assert "已提交：登记隐患" in page
    # the same task cannot be submitted twice
    response = client.post(f"/tasks/{task.id}", data=form)
    assert response.status_code == 409 and "已办结" in text(response)


def test_the_decision_is_the_button_and_a_mismatch_is_refused(world):
    case = major_case_at(world.engine, "review_listing")
    task = open_task(world.engine, case.id, "review_listing")
    client = client_login(world.app, "qian")
    page = text(client.get(f"/tasks/{task.id}"))
    assert 'name="listing_review_decision" value="退回"' in page and 'type="radio" name="listing_review_decision"' not in page
    # a post whose choice and button disagree (同意 ticked, 退回 pressed) submits nothing
    response = client.post(f"/tasks/{task.id}", data={"_csrf": client.csrf, "listing_review_decision": "同意",
                                                      "_action": "return", "listing_review_opinion": "同意挂牌"})
    assert response.status_code == 422 and "所选意见与所按按钮不一致" in text(response)
    assert [t.spec_id for t in world.engine.case(case.id).tasks] == ["review_listing"]
    response = client.post(f"/tasks/{task.id}", data={"_csrf": client.csrf, "listing_review_decision": "退回",
                                                      "listing_review_opinion": "整改期限过长，请调整"})
    assert response.status_code == 302
    view = world.engine.case(case.id)
    assert [t.spec_id for t in view.tasks] == ["propose"]
    assert view.data["listing_review_decision"] == "退回"
    # the proposal comes back prefilled with what was proposed before
    page = text(client_login(world.app, "zhang").get(f"/tasks/{open_task(world.engine, case.id, 'propose').id}"))
    assert 'value="王建国"' in page
    assert "退回原因" in page and "整改期限过长，请调整" in page  # and says why it came back


def test_a_form_without_a_decision_has_one_submit_button(world):
    case = start_hazard(world.engine)
    page = text(client_login(world.app, "zhang").get(f"/tasks/{open_task(world.engine, case.id, 'register').id}"))
    assert 'id="submit"' in page and 'id="decide-1"' not in page


def test_attachments_are_stored_referenced_and_downloadable_only_with_the_case(world):
    case = general_hazard(world)
    task = open_task(world.engine, case.id, "fix_now")
    acme = client_login(world.app, "acme")
    response = acme.post(f"/tasks/{task.id}", content_type="multipart/form-data", data={
        "_csrf": acme.csrf, "measures_taken": "更换报警探头", "completed_on": "2026-11-26",
        "attachments__upload": [(io.BytesIO(b"before"), "整改前.jpg"), (io.BytesIO(b"after"), "整改后.jpg")]})
    assert response.status_code == 302, text(response)
    refs = world.engine.case(case.id).data["attachments"]
    assert [r.rsplit("/", 1)[1] for r in refs] == ["整改前.jpg", "整改后.jpg"]
    assert all(r.startswith("attachment:") for r in refs)
    page = text(acme.get(f"/cases/{case.id}"))
    link = re.search(r'href="(/attachments/[0-9a-f]{32}/[^"]+)"[^>]*>整改后.jpg', page).group(1)
    download = acme.get(link)
    assert download.status_code == 200 and download.data == b"after"
    assert "filename*=UTF-8''%E6%95%B4" in download.headers["Content-Disposition"]
    assert client_login(world.app, "wang").get(link).status_code == 403
    assert acme.get("/attachments/" + "0" * 32 + "/x.jpg").status_code == 404


def test_uploads_of_a_refused_submit_are_held_for_the_form_not_stored(world):
    """Issue 12: uploads go into the attachments only once the form validates. Issue 15: a refused
    submit keeps them aside (暂存) for this task and person; the page lists them and the next submit
    takes them without choosing them again."""
    case = general_hazard(world)
    task = open_task(world.engine, case.id, "fix_now")
    acme = client_login(world.app, "acme")
    folder = Path(world.app.config["ATTACHMENT_DIR"])
    before = set(folder.iterdir()) if folder.exists() else set()
    response = acme.post(f"/tasks/{task.id}", content_type="multipart/form-data", data={
        "_csrf": acme.csrf, "measures_taken": "更换报警探头",
        "attachments__upload": [(io.BytesIO(b"photo" * 1000), "照片.jpg")]})
    assert response.status_code == 422 and "1个附件已暂存" in text(response)
    assert (set(folder.iterdir()) if folder.exists() else set()) == before
    listed = text(response).split('id="f-attachments"', 1)[1].split("</div>\n</div>", 1)[0]
    assert "照片.jpg" in listed and "4.9 KB" in listed and "移除" in listed
    [held] = re.findall(r'name="attachments__held" value="([0-9a-f]{32})"', listed)
    response = acme.post(f"/tasks/{task.id}", content_type="multipart/form-data", data={
        "_csrf": acme.csrf, "measures_taken": "更换报警探头", "completed_on": "2026-11-26",
        "attachments__held": held})
    assert response.status_code == 302
    [ref] = world.engine.case(case.id).data["attachments"]
    assert ref == f"attachment:{held}/照片.jpg" and len(set(folder.iterdir()) - before) == 1
    assert acme.get(ref.replace("attachment:", "/attachments/", 1)).data == b"photo" * 1000


def test_a_task_without_a_registered_form_gets_the_generic_handling_form(world):
    world.engine.deploy(ROOT / "tests" / "bpmn" / "ui_fine.bpmn", by="zhao")
    case = world.engine.start("ui_fine", by="zhang", title="丙公司罚款计算")
    task = open_task(world.engine, case.id, "enter")
    client = client_login(world.app, "zhang")
    page = text(client.get(f"/tasks/{task.id}"))
    assert ">办理意见</label>" in page and ">办理完成</button>" in page
    assert "名称: 值" not in page and "JSON" not in page  # never a box for raw variables
    response = client.post(f"/tasks/{task.id}", data={"_csrf": client.csrf, "_data": "total: 30000"})
    assert response.status_code == 302  # an opinion, whatever it says; the model's script then fails
    incident = world.engine.incidents(case_id=case.id)[0]  # the step rolled back; the submit is kept
    assert incident.payload["data"] == {"handling_opinion": "total: 30000"}
    page = text(client.get(f"/cases/{case.id}"))
    assert "环节“计算每日罚款”出错：流程脚本需要的一项数据" in page and "NameError" not in page  # in Chinese
    assert "“total”" not in page  # a value no form labels is not named by its key


# --- case page ----------------------------------------------------------------------------------

def test_case_page_shows_header_marks_timeline_and_data(world):
    case = major_case_at(world.engine, "approve_close")
    client = client_login(world.app, "qian")
    page = text(client.get(f"/cases/{case.id}"))
    assert case.case_no in page and ACME in page and "重大事故隐患挂牌督办" in page and "第1版" in page
    assert "办理中" in page and "未升级" in page
    marks = re.search(r"data-marks='([^']+)'", page).group(1)
    import json
    marks = json.loads(marks.replace("&#34;", '"'))
    assert marks["active"] == ["approve_close"]
    assert {"register", "grade", "is_major", "propose", "review_listing", "list_hazard", "onsite_review"} <= set(
        marks["finished"])
    assert "fix_now" not in marks["finished"]  # the general-hazard branch was never taken
    assert "钱科长" in page and "审核挂牌建议" in page  # timeline names people and steps
    assert "隐患描述" in page and "液氯储罐区未设置防火堤" in page  # data with the forms' labels
    xml = client.get(f"/cases/{case.id}/diagram.bpmn")
    assert xml.status_code == 200 and b'id="approve_close"' in xml.data


def test_another_org_units_case_and_task_are_forbidden(world):
    case = start_hazard(world.engine)
    task = open_task(world.engine, case.id, "register")
    wang = client_login(world.app, "wang")
    for url in (f"/cases/{case.id}", f"/cases/{case.id}/diagram.bpmn", f"/tasks/{task.id}"):
        response = wang.get(url)
        assert response.status_code == 403, url
        assert "无权" in text(response)
    assert wang.post(f"/tasks/{task.id}/claim", data={"_csrf": wang.csrf}).status_code == 403
    assert wang.get("/cases/999999").status_code == 404
    assert wang.get("/tasks/no-such-task").status_code == 404
    assert client_login(world.app, "zhao").get(f"/cases/{case.id}").status_code == 200  # the city sees below


def test_a_viewer_who_may_not_work_the_task_sees_it_without_the_form(world):
    case = start_hazard(world.engine)
    task = open_task(world.engine, case.id, "register")
    page = text(client_login(world.app, "zhao").get(f"/tasks/{task.id}"))
    assert "无权办理" in page and 'id="task-form"' not in page


def test_starting_a_case_from_the_page(world):
    client = client_login(world.app, "zhang")
    page = text(client.get("/cases/new"))
    assert "重大事故隐患挂牌督办" in page
    response = client.post("/cases/new", data={"_csrf": client.csrf, "process": ""})
    assert response.status_code == 422 and "请选择流程" in text(response)
    response = client.post("/cases/new", data={"_csrf": client.csrf, "process": "hazard_supervision",
                                               "title": "丁公司隐患", "party": ACME})
    assert response.status_code == 302
    case = world.engine.cases("zhang", case_no="HS-")[0]
    assert case.title == "丁公司隐患" and case.party == ACME and case.started_by == "zhang"
    # An enterprise user is offered only the models whose start event names its role (隐患自查自报).
    acme = client_login(world.app, "acme")
    page = text(acme.get("/cases/new"))
    assert "隐患自查自报" in page and "重大事故隐患挂牌督办" not in page
    assert acme.post("/cases/new", data={"_csrf": acme.csrf, "process": "hazard_supervision"}).status_code == 403


# --- supervisor pages ---------------------------------------------------------------------------

def test_approvals_list_the_supervisors_decisions(world):
    case = major_case_at(world.engine, "review_listing")
    other = general_hazard(world)
    page = text(client_login(world.app, "qian").get("/supervise/approvals"))
    assert case.case_no in page and "审核挂牌建议" in page
    assert other.case_no not in page


def test_overdue_board_counts_by_org_unit_and_process(world):
    general_hazard(world, "东城一", fix_deadline="2026-11-24")
    general_hazard(world, "东城二", fix_deadline="2026-11-25")
    general_hazard(world, "东城三", fix_deadline="2027-01-30")
    west = world.engine.start("hazard_supervision", by="wang", party=ACME, title="西城一")
    data = dict(REGISTER_MAJOR, major_criterion=None, requires_shutdown=False, fix_deadline="2026-11-24")
    world.engine.complete(open_task(world.engine, west.id, "register").id, "wang", data)
    world.clock.advance(days=5)

    city = text(client_login(world.app, "zhao").get("/supervise/overdue"))
    assert re.search(r'id="overdue-total">3<', city)
    assert "东城区应急管理局" in city and "西城区应急管理局" in city
    assert "东城三" not in city
    east = text(client_login(world.app, "qian").get("/supervise/overdue"))
    assert re.search(r'id="overdue-total">2<', east) and "西城一" not in east
    from webui import overdue  # at a province's size the count stops at a cap and says so (1000+)
    chief = world.engine.directory.principal("zhao")
    assert overdue.count(world.engine, chief, world.clock.now(), cap=2) == (2, False)
    assert overdue.count(world.engine, chief, world.clock.now()) == (3, True)
    only_west = text(client_login(world.app, "zhao").get("/supervise/overdue?org=west"))
    assert "西城一" in only_west.split('id="overdue-tasks"')[1] and "东城一" not in only_west.split('id="overdue-tasks"')[1]


def test_incident_retry_from_the_page(world):
    world.engine.deploy(ROOT / "tests" / "bpmn" / "ui_fine.bpmn", by="zhao")
    case = world.engine.start("ui_fine", by="zhang", title="丙公司罚款计算")
    client = client_login(world.app, "zhang")
    response = client.post(f"/tasks/{open_task(world.engine, case.id, 'enter').id}",
                           data={"_csrf": client.csrf, "_data": "已核对"})
    assert response.location == f"/cases/{case.id}"
    assert "异常事件" in text(client.get(response.location))
    incident = world.engine.incidents()[0]

    qian = client_login(world.app, "qian")
    html = qian.get("/supervise/incidents").get_data(as_text=True)
    page = text(qian.get("/supervise/incidents"))
    assert case.case_no in page and "计算每日罚款" in page
    assert "环节“计算每日罚款”出错：流程脚本需要的一项数据，但前面的环节没有填写或没有算出" in page
    assert "NameError" not in page and "not defined" not in page  # the raw text is for administrators only
    assert "{" not in page and 'name="data"' not in html  # a form of the values, no JSON box
    assert 'name="total"' in html and "办理意见" in page
    response = qian.post(f"/supervise/incidents/{incident.id}/retry", data={"_csrf": qian.csrf},
                         follow_redirects=True)
    # same data, same failure: refused on the form naming the box the script needs (it used to run
    # and fail again, a second incident)
    assert response.status_code == 422 and "（「计算每日罚款」要用到）" in text(response)
    again = world.engine.incidents()
    assert [i.id for i in again] == [incident.id]
    response = qian.post(f"/supervise/incidents/{again[0].id}/retry",
                         data={"_csrf": qian.csrf, "total": "30,000", "handling_opinion": "已核对"},
                         follow_redirects=True)
    assert "重试仍然失败" in text(response)  # the days are still missing: the next form asks for them
    last = world.engine.incidents()[0]
    assert last.payload["data"]["total"] == 30000
    html = qian.get("/supervise/incidents").get_data(as_text=True)
    assert 'name="days"' in html and 'value="30000"' in html
    response = qian.post(f"/supervise/incidents/{last.id}/retry",
                         data={"_csrf": qian.csrf, "total": "30000", "days": "３０", "handling_opinion": "已核对"},
                         follow_redirects=True)
    assert "已重试成功" in text(response)
    assert world.engine.case(case.id).data["daily"] == 1000
    assert client_login(world.app, "zhang").get("/supervise/incidents").status_code == 403


def test_times_show_in_beijing_time(world):
    case = start_hazard(world.engine)
    page = text(client_login(world.app, "zhang").get(f"/cases/{case.id}"))
    assert "2026年11月23日 09:00" in page  # stored 01:00 UTC, shown in Chinese (2026年12月2日)
    assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", visible_text(page))  # no ISO moments left
    world.clock.advance(hours=16)
    assert "当前 2026年11月24日 01:00" in text(client_login(world.app, "zhang").get("/tasks/"))


def test_documents_of_the_case_are_offered_for_download(world):
    docs = pytest.importorskip("workflows.documents")
    offered = [d for d in getattr(docs, "documents_for", lambda *_: [])("hazard_supervision")]
    if not offered:
        pytest.skip("workflows.documents offers no document for hazard_supervision yet")
    case = major_case_at(world.engine, "submit_plan")
    client = client_login(world.app, "zhang")
    page = text(client.get(f"/cases/{case.id}"))
    first = offered[0]
    assert first["title"] in page
    response = client.get(f"/cases/{case.id}/documents/{first['key']}")
    assert response.status_code == 200
    body = text(response)
    assert "甲化工有限公司" in body  # filled from the case data
    assert client.get(f"/cases/{case.id}/documents/no.such.doc").status_code == 404
    assert client_login(world.app, "wang").get(f"/cases/{case.id}/documents/{first['key']}").status_code == 403


def test_an_escalated_case_shows_its_supervision_level(world):
    case = general_hazard(world, fix_deadline="2026-11-25")
    world.clock.advance(days=3)
    assert world.engine.run_due_timers() >= 1  # the deadline timer of 立即整改 fires: 逾期督促
    page = text(client_login(world.app, "qian").get(f"/cases/{case.id}"))
    assert "一级督办" in page and "逾期升级" in page
    assert "一般隐患逾期督促" in page  # the supervisor's task the escalation opened


def test_quick_search_box_finds_a_case_by_number(world):
    case = start_hazard(world.engine)
    client = client_login(world.app, "zhang")
    assert 'name="case_no" placeholder="案号查询"' in text(client.get("/tasks/"))
    assert case.case_no in text(client.get(f"/cases/?case_no={case.case_no[-5:]}"))


def test_wsgi_module_builds_the_app_from_the_environment(tmp_path, monkeypatch):
    import gc
    import importlib
    import sys
    monkeypatch.setenv("DUBAN_DATABASE_URL", f"sqlite:///{tmp_path / 'wsgi.sqlite'}")
    monkeypatch.setenv("DUBAN_INSTANCE_PATH", str(tmp_path / "instance"))
    sys.modules.pop("webui.wsgi", None)
    wsgi = importlib.import_module("webui.wsgi")
    try:
        assert wsgi.app.test_client().get("/healthz").get_json() == {"ok": True}
        assert (tmp_path / "instance" / "secret_key").exists()
        assert gc.get_freeze_count() > 10_000  # the built app left out of later full collections (webui/heap.py)
    finally:
        gc.unfreeze()
        wsgi.app.extensions["duban_engine"].dispose()
        sys.modules.pop("webui.wsgi", None)


def test_the_pages_queries_run_on_postgresql_too(tmp_path, postgres_url):
    """``duban serve --workers N`` runs on PostgreSQL: the pages' own queries must work there as well."""
    world = make_world(tmp_path, postgres_url)
    try:
        review = major_case_at(world.engine, "review_listing")
        late = general_hazard(world, fix_deadline="2026-11-24")
        world.clock.advance(days=3)
        qian = client_login(world.app, "qian")
        assert review.case_no in text(qian.get("/supervise/approvals"))
        assert re.search(r'id="overdue-total">1<', text(qian.get("/supervise/overdue")))
        assert late.case_no in text(client_login(world.app, "acme").get("/tasks/group?role=enterprise"))
        page = text(qian.get(f"/cases/{review.id}"))
        assert '"active": ["review_listing"]' in page.replace("&#34;", '"')
    finally:
        world.engine.dispose()


def test_long_queues_come_in_pages_of_fifty(world):
    for i in range(51):
        start_hazard(world.engine, title=f"批量案件{i:02d}")
    client = client_login(world.app, "li")
    first = text(client.get("/tasks/group"))
    assert first.count('data-task-id="') == 50 and "下一页" in first and "上一页" not in first
    second = text(client.get("/tasks/group?page=2"))
    assert second.count('data-task-id="') == 1 and "上一页" in second and "下一页" not in second
    assert text(client.get("/tasks/group?page=x")).count('data-task-id="') == 50
