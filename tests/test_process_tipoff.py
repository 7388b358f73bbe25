"""12350举报核查 walked through the engine API (SQLite and PostgreSQL), one world per module.

Rules and sources: 《安全生产领域举报奖励办法》(安监总财〔2018〕19号): 核查自受理起60日内办结, 经上一级批准
延长不超过30日; 实名举报人奖励: 重大事故隐患、违法行为按罚款15%，最低3000元、最高30万元; 瞒报谎报事故每人
3/4/5/6万元，最高30万元; 不得泄露举报人信息. 柴桑区实施意见 (seed 003) "12350专线…统一接报、分类处置"."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from webui.app import create_app
from webui.redaction import case_for
from workflows.demo import CHEMICAL
from workflows.tipoffs import reward, reward_eligible
from tests.process_support import advance, day, process_world, user_tasks, reached_by_every_scenario

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
PROCESS = "tipoff_12350"
IDENTITY = ("whistleblower_name", "whistleblower_phone", "whistleblower_id_number")


def world(database_url):
    yield from process_world(database_url, PROCESS, None, START)


@pytest.fixture(scope="module")
def w(module_database_url):
    yield from world(module_database_url)


def received(w, **intake) -> int:
    c = w.desk.start(PROCESS, by="he_sl", org="dongcheng", party=CHEMICAL, title="12350举报：甲化工违规动火").id
    w.desk.do(c, "受理登记举报", **intake)
    return c


def children(w, c, process):
    return [x for x in w.engine.cases(process_key=process, limit=1000) if x.parent_case_id == c]


@pytest.mark.parametrize("kind, fine, grade, deaths, expected", [
    ("安全生产违法行为", "50000", None, 0, "7500.00"),          # 15% of the fine
    ("重大事故隐患", "20000", None, 0, "3000.00"),             # 15% = 3000: the floor exactly
    ("重大事故隐患", "19999.99", None, 0, "3000.00"),          # below: lifted to the floor
    ("重大事故隐患", "20000.10", None, 0, "3000.02"),          # just above the floor
    ("安全生产违法行为", "2,000,000", None, 0, "300000.00"),   # 15% = 300000: the ceiling exactly
    ("安全生产违法行为", "5000000", None, 0, "300000.00"),     # capped
    ("瞒报谎报事故", None, "一般", 2, "60000.00"),            # 3万元 per concealed death
    ("瞒报谎报事故", None, "较大", 3, "120000.00"),           # 4万元
    ("瞒报谎报事故", None, "重大", 6, "300000.00"),           # 5万元 × 6 = the ceiling
    ("瞒报谎报事故", None, "特别重大", 6, "300000.00"),        # 6万元 × 6 capped
    ("一般事故隐患", "5000", None, 0, "0.00"),                # outside the national scheme
])
def test_reward_share_floor_and_ceiling_of_the_2018_reward_rules(kind, fine, grade, deaths, expected):
    """安监总财〔2018〕19号: 15% of the fine, 3,000 to 300,000 yuan; 3/4/5/6万元 per concealed death."""
    assert reward(kind, fine, grade, deaths) == expected
    assert Decimal(expected) <= Decimal("300000")


def test_only_verified_real_name_tipoffs_of_the_rewarded_kinds_are_eligible():
    assert reward_eligible(False, "属实", "重大事故隐患") and reward_eligible(False, "基本属实", "瞒报谎报事故")
    assert not reward_eligible(True, "属实", "重大事故隐患")          # 匿名: nobody to reward
    assert not reward_eligible(False, "不属实", "安全生产违法行为")
    assert not reward_eligible(False, "属实", "一般事故隐患")


def test_verified_violation_opens_a_penalty_case_and_the_reward_is_approved_and_paid(w):
    """Seed 003 统一接报、分类处置; a verified 违法行为 is 立案查处 with the tip-off's data; the reward is
    15% of the fine (安监总财〔2018〕19号), approved by the leader and paid with a signed receipt."""
    c = received(w)
    assert w.desk.task(c, "分类交办").role_code == "supervisor"
    assert w.engine.case(c).data["verify_due"] == day(w, 60)
    w.desk.do(c, "分类交办")
    verify = w.desk.task(c, "核查举报事项")
    assert verify.role_code == "inspector"
    assert verify.due_at == dt.datetime.fromisoformat(f"{day(w, 61)}T00:00:00+08:00")
    w.desk.do(c, "核查举报事项")
    [penalty] = children(w, c, "enforcement_case")
    data = w.engine.case(penalty.id).data
    assert data["source"] == "投诉举报" and "动火" in data["violation_facts"] and penalty.party == CHEMICAL
    reply = w.desk.task(c, "答复举报人")
    assert reply.role_code == "intake" and reply.due_at == dt.datetime.fromisoformat(f"{day(w, 11)}T00:00:00+08:00")
    w.desk.do(c, "答复举报人")
    w.desk.do(c, "核定举报奖励", fine_amount="50000")
    assert w.engine.case(c).data["reward_proposed"] == "7500.00"
    w.desk.do(c, "审批举报奖励", reward_approval_decision="退回", reward_approval_opinion="罚款尚未执行到位")
    w.desk.do(c, "核定举报奖励", fine_amount="10000")
    assert w.engine.case(c).data["reward_proposed"] == "3000.00"               # the floor
    assert w.desk.task(c, "审批举报奖励").role_code == "leader"
    w.desk.do(c, "审批举报奖励")
    w.desk.do(c, "发放举报奖励", paid_amount="3000")
    view = w.engine.case(c)
    assert view.status == "completed" and view.data["payment_receipts"]


def test_verified_major_hazard_is_listed_and_an_untrue_anonymous_tipoff_gets_no_reward(w):
    c = received(w)
    w.desk.do(c, "分类交办", tipoff_category="重大事故隐患")
    w.desk.do(c, "核查举报事项", finding_type="重大事故隐患", follow_up="挂牌督办",
              verify_findings="液氨储罐紧急切断阀失效")
    [listing] = children(w, c, "hazard_supervision")
    data = w.engine.case(listing.id).data
    assert data["source"] == "举报核查" and data["description"] == "液氨储罐紧急切断阀失效"
    assert w.desk.names(listing.id) == ["登记隐患"]
    anon = received(w, anonymous=True, whistleblower_name=None, whistleblower_phone=None, whistleblower_id_number=None)
    w.desk.do(anon, "分类交办")
    w.desk.do(anon, "核查举报事项", verified_result="不属实", follow_up="无需处理", verify_findings="现场未发现动火作业")
    assert children(w, anon, "enforcement_case") == []
    w.desk.do(anon, "答复举报人", reply_channel="无法联系（匿名）", reply_content="匿名举报，无法联系")
    view = w.engine.case(anon)
    assert view.status == "completed" and view.data["reward_eligible"] is False


def test_real_name_intake_needs_name_and_phone_in_chinese(w):
    from engine import InvalidData
    c = w.desk.start(PROCESS, by="he_sl", org="dongcheng").id
    with pytest.raises(InvalidData) as exc:
        w.desk.do(c, "受理登记举报", whistleblower_name=None)
    assert exc.value.errors == {"whistleblower_name": "实名举报须填写举报人姓名和联系电话"}


def test_tipoff_is_handed_to_the_competent_district_keeping_the_60_day_limit_seed_003(w):
    """分类处置 by jurisdiction: the competent unit gets a case of its own, at 核查, with the same limit."""
    c = received(w)
    w.desk.do(c, "分类交办", handling="移交属地单位核查", handling_org="xicheng", classify_opinion="属西城区管辖")
    [child] = children(w, c, PROCESS)
    assert child.org_code == "xicheng" and w.desk.names(child.id) == ["核查举报事项"]
    assert w.desk.task(child.id, "核查举报事项").org_code == "xicheng"
    data = w.engine.case(child.id).data
    assert data["verify_due"] == day(w, 60) and data["handed_over_from"] == w.engine.case(c).case_no
    assert data["whistleblower_name"] == "刘某"
    w.desk.do(c, "答复举报人", reply_content="已移交西城区应急管理局核查")
    assert w.engine.case(c).status == "completed"


def test_verification_past_60_days_escalates_and_is_extended_by_at_most_30(w):
    """60日内办结; 经上一级批准延长不超过30日 (安监总财〔2018〕19号)."""
    c = received(w)
    w.desk.do(c, "分类交办")
    advance(w, days=60)
    assert w.desk.names(c) == ["核查举报事项"]                  # the 60th day is still in time
    advance(w, days=1)
    assert w.desk.names(c) == ["核查超期督办"] and w.engine.case(c).escalation_level == 1
    from engine import InvalidData
    with pytest.raises(InvalidData):
        w.desk.do(c, "核查超期督办", extension_days=31)
    w.desk.do(c, "核查超期督办", extension_days=30)
    assert w.engine.case(c).data["verify_due"] == day(w, 29)   # 60 + 30 days after 受理
    assert w.desk.names(c) == ["核查举报事项"]


def test_whistleblower_identity_is_read_only_by_the_intake_role(w):
    """不得泄露举报人信息: the case page, the task page and the API hide it from everyone but 举报受理员."""
    c = received(w)
    d = w.engine.directory
    as_intake = case_for(w.engine, c, d.principal("he_sl"))
    as_inspector = case_for(w.engine, c, d.principal("qian_ke"))
    assert as_intake.data["whistleblower_name"] == "刘某"
    assert not set(IDENTITY) & set(as_inspector.data) and as_inspector.data["tipoff_content"]
    assert "刘某" not in repr(as_inspector.history) and "刘某" in repr(as_intake.history)
    fast = generate_password_hash("pw-2026", method="pbkdf2:sha256:1000")
    d.add_user("he_web", org="dongcheng", roles=["intake"], name="何受理", password_hash=fast)
    d.add_user("qian_web", org="dongcheng", roles=["supervisor"], name="钱科长", password_hash=fast)
    app = create_app(w.engine, secret_key="t", testing=True)
    from tests.ui_support import client_login
    pages = {}
    for user in ("he_web", "qian_web"):
        client = client_login(app, user, "pw-2026")
        task = w.desk.task(c, "分类交办")
        pages[user] = (client.get(f"/cases/{c}").get_data(as_text=True) + client.get(f"/tasks/{task.id}").get_data(as_text=True),
                       client.get(f"/api/cases/{c}").get_data(as_text=True))
    assert "13900000000" in pages["he_web"][0] and "13900000000" in pages["he_web"][1]
    assert "13900000000" not in pages["qian_web"][0] and "13900000000" not in pages["qian_web"][1]
    assert "110101199001011237" not in pages["qian_web"][0] + pages["qian_web"][1]
    assert "甲化工储罐区检修时未办理动火作业票即动火" in pages["qian_web"][0]


def test_every_user_task_of_the_model_is_reached_by_a_test(request, w):
    """Stands on its own: any scenario above not yet run on this database is walked on a world of its
    own first (alone, after a subset, in any order; tests/process_support.py)."""
    assert user_tasks(PROCESS) - reached_by_every_scenario(request, w, world, PROCESS) == set()


def test_the_reported_enterprise_neither_lists_opens_nor_hears_of_a_tipoff_about_it_whistleblower_protection_opinion_2013_art5(w):
    """《国家安全监管总局关于保护生产安全事故和事故隐患举报人的意见》(2013年6月8日) 第五条（一）（二）: no 举报内容
    that may point at the whistleblower, no 举报材料 to the enterprise reported. The model's start event
    says ``partyReads`` 否 (engine/policy.PARTY_READS): the case is 甲化工's (its ``party``, as the intake
    official picks it), yet 甲化工's own account neither lists it (engine, case search, API), nor opens
    it — 404 with the words of a case that is not there, so it learns nothing —, nor counts it in its
    一企一档, nor hears of it when it ends; the intake official, the section head, the inspector and the
    leader still read it, and 甲化工 still reads a self-report of its own. Before, 甲化工安全员 read the
    举报内容 and the 交办意见 and was told 「案件办结」."""
    from engine.errors import NotFound
    from workflows.demo import register_enterprises
    from workflows.messages import producer
    from workflows.messages.models import Message
    from tests.ui_support import api_client, client_login
    e = w.engine
    c = received(w, tipoff_content="甲化工储罐区检修时未办理动火作业票即动火，举报人系该班组夜班操作工")
    w.desk.do(c, "分类交办", classify_opinion="请执法大队五日内核查")
    w.desk.do(c, "核查举报事项", verified_result="不属实", follow_up="无需处理", verify_findings="现场未发现动火作业")
    w.desk.do(c, "答复举报人")
    assert e.case(c).status == "completed"
    own = w.desk.start("hazard_self_report", by="jia_qy", org="dongcheng", party=CHEMICAL, title="甲化工静电接地线断开").id
    assert e.case(own, username="jia_qy").id == own                       # its own report: still its to read
    assert [x.id for x in e.cases(username="jia_qy", limit=1000) if x.id in (c, own)] == [own]
    with pytest.raises(NotFound, match=f"案件不存在: {c}"):
        e.case(c, username="jia_qy")
    for official in ("he_sl", "qian_ke", "zhang_san", "zheng_fj"):      # 受理员, 科室负责人, 执法人员, 分管领导
        assert e.case(c, username=official).id == c
    assert any(x.id == c for x in e.cases(username="qian_ke", limit=1000))
    producer.produce(e)
    with e.db.read() as s:
        told = s.scalars(sa.select(Message.title).where(Message.case_id == c, Message.username == "jia_qy")).all()
        officials = s.scalars(sa.select(Message.username).where(Message.case_id == c)).all()
    assert told == [] and "he_sl" in officials
    fast = generate_password_hash("pw-2026", method="pbkdf2:sha256:1000")
    e.directory.add_user("jia_web", org="dongcheng", roles=["enterprise"], name="甲化工安全员", party=CHEMICAL,
                         password_hash=fast)
    register_enterprises(e)
    app = create_app(e, secret_key="t", testing=True)
    page = client_login(app, "jia_web", "pw-2026")
    case_no = e.case(c).case_no
    page.get("/tasks/")                                                   # the login's 欢迎 shown
    shown, missing = page.get(f"/cases/{c}"), page.get("/cases/2147480000")
    assert shown.status_code == missing.status_code == 404
    unsigned = [re.sub(r'name="_csrf" value="[^"]*"', "", r.get_data(as_text=True)) for r in (shown, missing)]
    assert unsigned[0] == unsigned[1] and "要找的案件不存在" in unsigned[0]   # the form token: signed each second
    for url in ("/cases/", f"/cases/?case_no={case_no}", "/messages/?show=all", "/tasks/", "/enterprises/mine"):
        text = page.get(url, follow_redirects=True).get_data(as_text=True).replace(f'value="{case_no}"', "")  # as typed
        assert case_no not in text and "违规动火" not in text and "另有" not in text, url
    api = api_client(app, e, "jia_web")
    assert api.get(f"/api/cases/{c}").status_code == 404
    assert api.get(f"/api/cases/{c}").get_json() == {**api.get("/api/cases/2147480000").get_json(),
                                                     "message": f"案件不存在: {c}"}
    assert c not in [x["id"] for x in api.get("/api/cases?limit=200").get_json()["items"]]
    assert own in [x["id"] for x in api.get("/api/cases?limit=200").get_json()["items"]]
