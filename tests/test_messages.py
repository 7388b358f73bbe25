"""The message centre (消息中心) on a real hazard case: who hears of a new task, a returned task, a
reminder, an escalation, an approval and a closed case; e-mail through a real SMTP server (aiosmtpd on
127.0.0.1), SMS through the outbox topic a gateway fetches; the unread count in the top bar and
mark-read. The deadlines are the hazard process's (原安监总局令第16号 Art 20 督办期限; reminders 10 and
3 working days before it)."""
from __future__ import annotations

import email
import socket
from datetime import timedelta
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from tests.ui_support import ACME, MAJOR_PATH, client_login, major_case_at, make_world, open_task
from workflows.messages import inbox, produce
from workflows.messages.channels import SmtpSettings, complete, deliver_email, fetch_and_lock
from workflows.messages.models import Message

import sqlalchemy as sa


class Collect:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.received.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=default_policy)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def smtp():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, SmtpSettings(host="127.0.0.1", port=controller.port, sender="duban@yjj.example.gov.cn")
    controller.stop()


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("messages")
    w = make_world(folder, None if module_database_url.startswith("sqlite") else module_database_url)
    yield w
    w.engine.dispose()


def mine(world, username, kind=None):
    produce(world.engine)
    return [m for m in inbox.messages(world.engine, username, limit=500) if kind is None or m.kind == kind]


def test_channel_settings_take_a_tired_officials_typing_and_refuse_bad_numbers(world):
    client = client_login(world.app, "zhang")
    bad = client.post("/messages/settings", data={"_csrf": client.csrf, "sms_on": "1", "phone": "1380000"})
    assert bad.status_code == 422 and "手机号码应为11位数字" in bad.get_data(as_text=True)
    ok = client.post("/messages/settings", data={"_csrf": client.csrf, "email_on": "1",
                                                 "email": "zhangsan＠yjj.example.gov.cn", "phone": "",
                                                 "kinds": ["task_new", "task_returned", "approval", "case_closed"]})
    assert ok.status_code == 302
    pref = inbox.preference(world.engine, "zhang")
    assert (pref.email, pref.email_on, pref.sms_on) == ("zhangsan@yjj.example.gov.cn", True, False)
    assert inbox.save_preference(world.engine, "qian", phone="138 0013 8000", sms_on=True) == {}
    assert inbox.preference(world.engine, "qian").phone == "13800138000"


def test_new_task_and_returned_task_reach_the_inspectors_of_the_district(world):
    case = world.engine.start("hazard_supervision", by="zhang", party=ACME, title="甲化工储罐区隐患")
    world.case_id = case.id
    news = mine(world, "li", "task_new")
    assert [m.title for m in news] == ["新待办：登记隐患"] and case.case_no in news[0].body
    assert mine(world, "wang", "task_new") == []  # 西城区's inspector: not his district
    assert mine(world, "acme") == []
    task = open_task(world.engine, case.id, "register")
    world.engine.claim(task.id, "zhang")
    world.engine.release(task.id, "zhang")
    returned = mine(world, "li", "task_returned")
    assert [m.title for m in returned] == ["任务退回待办池：登记隐患"]
    assert mine(world, "zhang", "task_returned") == []  # who returned it is not told


def test_approval_decided_tells_the_officials_who_worked_the_case(world):
    from tests.ui_support import REGISTER_MAJOR
    world.engine.complete(open_task(world.engine, world.case_id, "register").id, "zhang", REGISTER_MAJOR)
    (propose, by, data), (review, reviewer, decision) = MAJOR_PATH[:2]
    world.engine.complete(open_task(world.engine, world.case_id, propose).id, by, data)
    assert [m.title for m in mine(world, "qian", "task_new")] == ["新待办：审核挂牌建议"]
    world.engine.complete(open_task(world.engine, world.case_id, review).id, reviewer, decision)  # 同意
    decided = mine(world, "zhang", "approval")
    assert [m.title for m in decided] == ["审批结果：审核挂牌建议 — 同意"]
    assert mine(world, "qian", "approval") == []  # the decider is not told his own decision


def test_email_goes_out_through_smtp_and_sms_waits_for_the_gateway(world, smtp):
    handler, settings = smtp
    before = len(handler.received)  # the server is shared by the module's SQLite and PostgreSQL worlds
    sent = deliver_email(world.engine, settings)
    assert sent >= 2 and len(handler.received) - before == sent
    to_zhang = [m for rcpt, m in handler.received[before:] if rcpt == ["zhangsan@yjj.example.gov.cn"]]
    subjects = sorted(m["Subject"] for m in to_zhang)
    assert {"【督办】新待办：登记隐患", "【督办】审批结果：审核挂牌建议 — 同意"} <= set(subjects)
    assert "督办系统" in to_zhang[0]["From"] and "请登录系统办理" in to_zhang[0].get_content()
    assert deliver_email(world.engine, settings) == 0  # sent once
    items = fetch_and_lock(world.engine, "sms", "gateway-1")
    assert items and all(i.recipient == "13800138000" and i.body.startswith("【督办】") for i in items)
    assert fetch_and_lock(world.engine, "sms", "gateway-2") == []  # leased to gateway-1
    assert all(complete(world.engine, i.id, "gateway-1") for i in items)
    world.clock.advance(minutes=5)
    assert fetch_and_lock(world.engine, "sms", "gateway-2") == []  # sent, not handed out again


def test_sms_gateway_drains_the_outbox_through_the_api(world):
    from webui.api.auth import create_token
    world.engine.directory.add_user("sms_gw", org="city", roles=["gateway"], name="短信网关")
    gateway = {"Authorization": f"Bearer {create_token(world.engine, 'sms_gw', name='sms')}"}
    inspector = {"Authorization": f"Bearer {create_token(world.engine, 'zhang', name='test')}"}
    client = world.app.test_client()
    # a new message for qian, whose channel is SMS
    world.engine.complete(open_task(world.engine, world.case_id, "approve_listing").id, "sun", MAJOR_PATH[2][2])
    produce(world.engine)
    refused = client.post("/api/outbox/sms/fetch-and-lock", json={"worker": "x"}, headers=inspector)
    assert refused.status_code == 403
    got = client.post("/api/outbox/sms/fetch-and-lock", json={"worker": "gw-1", "max_items": 10}, headers=gateway)
    assert got.status_code == 200, got.get_json()
    items = got.get_json()["items"]
    assert items and all(i["recipient"] == "13800138000" and i["body"].startswith("【督办】") for i in items)
    assert client.post("/api/outbox/sms/fetch-and-lock", json={"worker": "gw-2"}, headers=gateway).get_json() == {
        "items": []}  # leased to gw-1
    first, *rest = items
    assert client.post(f"/api/outbox/items/{first['id']}/complete", json={"worker": "gw-1"},
                       headers=gateway).status_code == 200
    assert client.post(f"/api/outbox/items/{first['id']}/complete", json={"worker": "gw-1"},
                       headers=gateway).status_code == 409  # sent once
    for item in rest:
        client.post(f"/api/outbox/items/{item['id']}/failure", json={"worker": "gw-1", "error": "号码停机"},
                    headers=gateway)
    assert client.post("/api/outbox/fax/fetch-and-lock", json={"worker": "gw-1"}, headers=gateway).status_code == 404
    bad = client.post("/api/outbox/sms/fetch-and-lock", json={"worker": "gw 1", "max_items": 1000}, headers=gateway)
    assert bad.status_code == 422

def test_smtp_server_down_leaves_the_mail_to_retry(world, smtp):
    # the 分管领导's approval (previous test) made an approval message and e-mail for zhang
    down = SmtpSettings(host="127.0.0.1", port=free_port())
    assert deliver_email(world.engine, down) == 0
    handler, settings = smtp
    before = len(handler.received)
    assert deliver_email(world.engine, settings) >= 1
    assert any("批准挂牌督办" in m["Subject"] for _r, m in handler.received[before:])


def test_case_closed_tells_the_officials_and_the_enterprise(world):
    from tests.ui_support import PEOPLE
    case = major_case_at(world.engine, "approve_close", title="甲化工仓库隐患")
    by_role = {roles[0]: name for name, org, roles, _n, _p in PEOPLE if org == "east"}
    for element, data in (("approve_close", {"close_approval_decision": "同意"}),
                          ("publish_delist", {"delist_published_on": "2026-12-11", "delist_channel": "区政府门户网站"})):
        task = open_task(world.engine, case.id, element)
        world.engine.complete(task.id, by_role[task.role_code], data)
    assert world.engine.case(case.id).status == "completed"
    closed = f"案件办结：{world.engine.case(case.id).case_no}"
    for who in ("zhang", "acme"):
        assert closed in [m.title for m in mine(world, who, "case_closed")]
    assert closed not in [m.title for m in mine(world, "wang", "case_closed")]


def test_reminders_and_escalation_of_an_overdue_rectification(world):
    for element, user, data in MAJOR_PATH[3:6]:  # issue_notice, submit_plan, review_plan
        world.engine.complete(open_task(world.engine, world.case_id, element).id, user, data)
    world.engine.claim(open_task(world.engine, world.case_id, "rectify").id, "acme")
    for day in (13, 24):  # past 10 and 3 working days before 2027-02-26
        world.clock.set(world.clock.now().replace(year=2027, month=2, day=day))
        world.engine.run_due_timers()
        produce(world.engine)
    world.clock.set(world.clock.now().replace(year=2027, month=2, day=27) + timedelta(hours=1))
    world.engine.run_due_timers()
    reminders = mine(world, "acme", "reminder")
    titles = {m.title for m in reminders}
    assert {"催办：实施整改（到期前10个工作日）", "催办：实施整改（到期前3个工作日）"} <= titles
    assert titles <= {"催办：实施整改（到期前10个工作日）", "催办：实施整改（到期前3个工作日）", "催办：实施整改（每30日报送进展）"}
    for who in ("qian", "sun"):
        escalations = mine(world, who, "escalation")
        assert escalations and "督办级别升为一级督办" in escalations[0].body
    assert mine(world, "zhang", "escalation") == []


def test_top_bar_count_and_mark_read(world):
    client = client_login(world.app, "li")
    page = client.get("/tasks/").get_data(as_text=True)
    unread = inbox.unread_count(world.engine, "li")
    assert unread >= 2 and f'id="unread-count">{unread}<' in page
    listing = client.get("/messages/").get_data(as_text=True)
    assert "新待办：登记隐患" in listing and "任务退回" in listing
    one = mine(world, "li")[0]
    client.post("/messages/read", data={"_csrf": client.csrf, "id": str(one.id)})
    assert inbox.unread_count(world.engine, "li") == unread - 1
    client.post("/messages/read", data={"_csrf": client.csrf, "all": "1"})
    assert inbox.unread_count(world.engine, "li") == 0
    assert 'id="unread-count"' not in client.get("/tasks/").get_data(as_text=True)
    # nobody marks another's messages
    other = client_login(world.app, "wang")
    before = inbox.unread_count(world.engine, "qian")
    other.post("/messages/read", data={"_csrf": other.csrf, "all": "1"})
    assert inbox.unread_count(world.engine, "qian") == before


def test_a_second_producer_run_writes_nothing_twice(world):
    produce(world.engine)
    with world.engine.db.read() as s:
        count = s.execute(sa.select(sa.func.count()).select_from(Message)).scalar()
    assert produce(world.engine) == 0
    with world.engine.db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(Message)).scalar() == count



def test_the_timer_workers_sweep_produces_messages(world):
    from engine.worker import sweep
    case = world.engine.start("hazard_supervision", by="li", party=ACME, title="甲化工装卸区隐患")
    sweep(world.engine, "test-worker")
    with world.engine.db.read() as s:
        made = s.execute(sa.select(Message.username).where(Message.case_id == case.id)).scalars().all()
    assert set(made) == {"zhang", "li"}  # the district's inspectors, before any page asked
