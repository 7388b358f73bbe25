"""系统管理 pages through Flask's test client on a real engine (SQLite and PostgreSQL): users
(created under the password policy, searched by Chinese name, edited, deactivated with their work
handed on, reactivated), roles by org unit, the org-unit tree, demo time, and the menu each role
sees. Every change is audited (等保 2.0 安全审计: who, when, old → new)."""
from __future__ import annotations

import re

import pytest

from tests.ui_support import (PASSWORD, _password_hash, client_login, major_case_at, make_world, open_task)
from webui.api import create_token
from workflows.enterprises import EnterpriseRegistry
from workflows.enterprises.credit_code import complete
from workflows import demo_clock


XINHUA = complete("91110101MA0000001")


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    d = w.engine.directory
    d.add_user("root", org="city", roles=["admin"], name="系统管理员", password_hash=_password_hash())
    d.add_user("an", org="east", roles=["assessor"], name="安泰评估", password_hash=_password_hash())
    d.add_user("xu", org="city", roles=["designer"], name="许设计", password_hash=_password_hash())
    registry = EnterpriseRegistry(w.engine.db.engine, clock=w.clock.now)
    for code, name in ((XINHUA, "东城鑫华化工有限公司"), (complete("91110101MA0000002"), "东城宏达化工有限公司")):
        registry.add({"credit_code": code, "name": name, "org_unit": "east", "sector": "危化", "size": "中型",
                      "risk_level": "黄"}, by="seed")
    yield w
    w.engine.dispose()


def text(response) -> str:
    return response.get_data(as_text=True)


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def menu(client) -> list[str]:
    html = text(client.get("/messages/"))
    nav = re.search(r'<nav class="mainnav">(.*?)</nav>', html, re.S).group(1)
    return [re.sub(r"\s+", "", m) for m in re.findall(r"<a [^>]*>(.*?)</a>", nav, re.S)]


def test_only_administrators_reach_the_admin_pages(world):
    for path in ("/admin", "/admin/users", "/admin/users/new", "/admin/roles", "/admin/orgs", "/admin/demo",
                 "/admin/users/zhang/deactivate"):
        assert client_login(world.app, "qian").get(path).status_code == 403, path
        assert client_login(world.app, "acme").get(path).status_code == 403, path
    root = client_login(world.app, "root")
    for path in ("/admin", "/admin/users", "/admin/users/new", "/admin/roles", "/admin/orgs", "/admin/demo"):
        assert root.get(path).status_code == 200, path
    assert root.get("/").location.endswith("/admin")  # no queue of its own: straight to its tools
    refused = root.post("/admin/users/new", data={"name": "钱七", "username": "qianqi"})
    assert refused.status_code == 400 and "安全校验未通过" in text(refused)


def test_a_user_is_created_under_the_password_policy_found_by_chinese_name_and_edited_with_an_audit(world):
    root = client_login(world.app, "root")
    new = {"_csrf": root.csrf, "name": "赵小红", "username": "zhao_xh", "org": "east", "roles": ["inspector"],
           "password": "short", "password2": "short"}
    weak = root.post("/admin/users/new", data=new)
    assert weak.status_code == 400 and "密码至少 10 位" in text(weak)
    assert "赵小红" in text(weak)                                   # nothing typed is lost
    taken = root.post("/admin/users/new", data={**new, "username": "zhang", "password": "Anquan#2027go",
                                                "password2": "Anquan#2027go"})
    assert taken.status_code == 400 and "登录名 zhang 已被使用" in text(taken)
    made = root.post("/admin/users/new", data={**new, "password": "Anquan#2027go", "password2": "Anquan#2027go"})
    assert made.status_code == 302
    assert client_login(world.app, "zhao_xh", "Anquan#2027go").get("/tasks/").status_code == 200

    found = visible(text(root.get("/admin/users", query_string={"q": "小红"})))
    assert "赵小红" in found and "东城区应急管理局" in found and "执法人员" in found and "张三" not in found

    edited = root.post("/admin/users/zhao_xh", data={"_csrf": root.csrf, "name": "赵小红", "org": "west",
                                                      "roles": ["inspector", "supervisor"], "party_name": ""})
    assert edited.status_code == 302
    page = visible(text(root.get("/admin/users/zhao_xh")))
    assert "组织机构：东城区应急管理局 → 西城区应急管理局" in page
    assert "角色：执法人员 → 执法人员、科室负责人" in page and "系统管理员" in page
    p = world.engine.directory.principal("zhao_xh")
    assert p.org_code == "west" and p.roles == {"inspector", "supervisor"}

    worker = {**new, "username": "jia_aq", "name": "甲安全员", "roles": ["enterprise"], "party_name": "化工",
              "password": "Anquan#2027go", "password2": "Anquan#2027go"}
    two = root.post("/admin/users/new", data=worker)
    assert two.status_code == 400 and "有多家企业名称含“化工”，请输入完整名称" in text(two)
    enterprise = root.post("/admin/users/new", data={**worker, "party_name": "东城鑫华化工有限公司"})
    assert enterprise.status_code == 302, visible(text(enterprise))
    assert world.engine.directory.user("jia_aq").party == XINHUA


def test_deactivation_hands_the_claimed_task_to_the_colleague_picked_and_ends_sessions_and_tokens(world):
    eng = world.engine
    case = major_case_at(eng, "review_plan")
    task = open_task(eng, case.id, "review_plan")
    eng.claim(task.id, "zhang")
    token = create_token(eng, "zhang", name="手机")
    assert world.app.test_client().get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    zhang = client_login(world.app, "zhang")
    root = client_login(world.app, "root")

    page = text(root.get("/admin/users/zhang/deactivate"))
    picker = re.search(r'id="f-handover">(.*?)</span>', page, re.S).group(1)
    assert "李四" in picker and "王五" not in picker and "钱科长" not in picker  # same role, same unit
    assert "审查整改方案" in page

    outsider = root.post("/admin/users/zhang/deactivate", data={"_csrf": root.csrf, "handover": "wang"})
    assert outsider.status_code == 400 and "接手人须从列表中选择" in text(outsider)
    assert eng.directory.user("zhang").active and eng.task(task.id).assignee == "zhang"

    done = root.post("/admin/users/zhang/deactivate", data={"_csrf": root.csrf, "handover": "li", "reason": "调离"},
                     follow_redirects=True)
    assert "已停用 张三" in text(done) and "1 项任务已转交 李四" in text(done)
    assert eng.task(task.id).assignee == "li" and not eng.directory.user("zhang").active
    assert zhang.get("/tasks/").status_code == 302                     # the open session is gone
    api = world.app.test_client().get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    history = [ev for ev in eng.case(case.id).history if ev["action"] == "reassigned"]
    assert history[-1]["actor"] == "root" and history[-1]["detail"]["to"] == "li"
    assert "在岗 → 停用（调离）" in visible(text(root.get("/admin/users/zhang")))

    back = root.post("/admin/users/li/deactivate", data={"_csrf": root.csrf, "handover": ""}, follow_redirects=True)
    assert "1 项任务已退回组待办" in text(back)
    assert eng.task(task.id).assignee is None                         # for the inspectors' group queue

    root.post("/admin/users/zhang/reactivate", data={"_csrf": root.csrf})
    assert eng.directory.user("zhang").active
    assert client_login(world.app, "zhang").get("/tasks/").status_code == 200
    assert root.post("/admin/users/root/deactivate", data={"_csrf": root.csrf}).status_code == 302
    assert eng.directory.user("root").active                          # never oneself


def test_roles_page_lists_each_roles_holders_by_org_unit(world):
    page = visible(text(client_login(world.app, "root").get("/admin/roles")))
    row = re.search(r"执法人员(.*?)科室负责人", page, re.S).group(1)
    assert "东城区应急管理局" in row and "张三" in row and "李四" in row and "西城区应急管理局" in row and "王五" in row


def test_the_org_tree_adds_renames_moves_and_refuses_to_delete_a_unit_with_users_or_cases(world):
    eng = world.engine
    root = client_login(world.app, "root")
    added = root.post("/admin/orgs/add", data={"_csrf": root.csrf, "parent": "east", "name": "和平镇",
                                               "level": "乡镇", "code": "east_heping"}, follow_redirects=True)
    assert "已新增组织机构：和平镇" in text(added)
    bad = root.post("/admin/orgs/add", data={"_csrf": root.csrf, "parent": "east", "name": "清河镇",
                                             "level": "乡镇", "code": "清河"}, follow_redirects=True)
    assert "机构代码应为小写字母开头" in text(bad)
    root.post("/admin/orgs/east_heping/rename", data={"_csrf": root.csrf, "name": "和平街道", "level": "乡镇"})
    eng.directory.add_user("town", org="east_heping", roles=["inspector"], name="镇安监员")
    moved = root.post("/admin/orgs/east_heping/move", data={"_csrf": root.csrf, "parent": "west"},
                      follow_redirects=True)
    assert "已将“和平街道”移至“西城区应急管理局”之下" in text(moved)
    with eng.db.read() as s:
        assert eng.directory.org_path(s, "east_heping") == "/city/west/east_heping/"
    assert eng.directory.principal("town").org_path == "/city/west/east_heping/"
    loop = root.post("/admin/orgs/west/move", data={"_csrf": root.csrf, "parent": "east_heping"},
                     follow_redirects=True)
    assert "不能把“西城区应急管理局”移到它自己或它的下级“和平街道”之下" in text(loop)

    refused = root.post("/admin/orgs/east/delete", data={"_csrf": root.csrf}, follow_redirects=True)
    assert "不能删除“东城区应急管理局”：它有 " in text(refused) and "名用户" in text(refused)
    busy = root.post("/admin/orgs/east_heping/delete", data={"_csrf": root.csrf}, follow_redirects=True)
    assert "有 1 名用户" in text(busy)
    eng.directory.update_user("town", org="west")
    gone = root.post("/admin/orgs/east_heping/delete", data={"_csrf": root.csrf}, follow_redirects=True)
    assert "已删除组织机构：和平街道" in text(gone)
    tree = visible(text(root.get("/admin/orgs")))
    assert "和平街道" in tree and "名称：和平镇 → 和平街道" in tree        # in the change history only
    assert "上级机构：东城区应急管理局 → 西城区应急管理局" in tree


def test_demo_time_is_refused_outside_a_demo_database_and_moves_the_clock_in_one(world):
    root = client_login(world.app, "root")
    assert "这是正式系统，时间不能拨动" in text(root.get("/admin/demo"))
    before = world.engine.clock.now()
    refused = root.post("/admin/demo", data={"_csrf": root.csrf, "step": "10d"})
    assert refused.status_code == 403 and "只有演示系统" in text(refused)
    assert world.engine.clock.now() == before
    demo_clock.mark_demo(world.engine)
    assert "演示时间" in visible(text(root.get("/admin")))
    moved = root.post("/admin/demo", data={"_csrf": root.csrf, "step": "10d"}, follow_redirects=True)
    assert "演示时间已拨至 2026年12月3日 09:00" in text(moved)
    assert (world.engine.clock.now() - before).days == 10
    assert client_login(world.app, "qian").post("/admin/demo", data={"step": "1d"}).status_code in (400, 403)


# The menu of each role: only what it can use (the pages still check for themselves).
MENUS = {
    "acme": ["我的待办", "已办", "本企业案件", "自查上报", "本企业档案"],
    "an": ["我的待办", "已办", "案件查询"],
    "zhang": ["我的待办", "组待办", "已办", "案件查询", "发起案件", "企业档案", "隐患统计"],
    "qian": ["我的待办", "组待办", "已办", "案件查询", "发起案件", "企业档案", "隐患统计", "审批", "逾期督办", "异常事件",
             "驾驶舱"],
    "sun": ["我的待办", "组待办", "已办", "案件查询", "发起案件", "企业档案", "隐患统计", "审批", "逾期督办", "驾驶舱"],
    "xu": ["流程设计"],
    "root": ["案件查询", "异常事件", "流程设计", "系统管理"],
}


def test_each_role_sees_the_menu_it_can_use(world):
    for username, expected in MENUS.items():
        client = client_login(world.app, username)
        assert menu(client) == expected, username
        if username == "root":
            continue  # may open the supervisors' boards (it retries incidents anywhere) but decides nothing there
        for path in {"系统管理": "/admin", "审批": "/supervise/approvals", "驾驶舱": "/leadership/",
                     "流程设计": "/designer/", "发起案件": "/cases/start"}.items():
            label, url = path
            if label not in expected:
                assert client.get(url).status_code in (403, 404), (username, url)
