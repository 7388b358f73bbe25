"""核定举报奖励 and 审批举报奖励 show the 行政处罚案件 the reward rests on (issue 15).

A verified 违法行为 is rewarded with 15% of the fine its penalty decision imposed (《安全生产领域举报奖励办法》,
安监总财〔2018〕19号), yet the reward page asked for the fine with nothing of the penalty case beside it: the
official looked the case up elsewhere or typed a figure from memory. The page now shows the case opened from
the tip-off (立案查处): its 案号, 当事企业, the fine decided, its 行政处罚决定书 (文号, date, a link) and whether
the fine was paid; with none linked it says so, and what to do. A real engine and app, SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from werkzeug.security import generate_password_hash

from engine import ManualClock
from tests.ui_support import client_login
from webui.app import create_app
from workflows.demo import CHEMICAL, ENTERPRISES, Desk, load_directory, register_enterprises
from workflows.runtime import build_engine

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)  # Monday 09:00 in Beijing
PASSWORD = "reward-2026"
TIPOFF = "tipoff_12350"


@pytest.fixture
def world(database_url, tmp_path):
    engine = build_engine(database_url, clock=ManualClock(START))
    load_directory(engine)
    register_enterprises(engine)
    quick = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")  # test logins, not storage
    for user in engine.directory.users():
        engine.directory.set_password_hash(user.username, quick)
    app = create_app(engine, secret_key="test", testing=True, instance_path=tmp_path / "instance")
    yield engine, Desk(engine), app
    engine.dispose()


def _verified(desk, **verify) -> int:
    c = desk.start(TIPOFF, by="he_sl", org="dongcheng", party=CHEMICAL, title="12350举报：甲化工违规动火").id
    desk.do(c, "受理登记举报")
    desk.do(c, "分类交办")
    desk.do(c, "核查举报事项", **verify)
    desk.do(c, "答复举报人")
    return c


def _decided_and_paid(engine, desk, tipoff: int) -> int:
    [penalty] = [x.id for x in engine.cases(process_key="enforcement_case", limit=100) if x.parent_case_id == tipoff]
    for name in ("初步核查", "立案审批", "调查取证", "案件处理呈批", "法制审核", "送达行政处罚告知书"):
        desk.do(penalty, name)
    desk.do(penalty, "陈述申辩或申请听证", user="jia_qy")
    desk.do(penalty, "负责人审批")
    desk.do(penalty, "送达行政处罚决定书")
    desk.do(penalty, "缴纳罚款")
    return penalty


def _section(html: str) -> str:
    start = html.index("关联的行政处罚案件")
    return html[start:html.index("</section>", start)]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_reward_page_shows_the_penalty_case_its_fine_and_decision(world):
    engine, desk, app = world
    tipoff = _verified(desk)  # the sample: 安全生产违法行为, 立案查处
    penalty = engine.case(_decided_and_paid(engine, desk, tipoff))
    data = penalty.data
    task = desk.task(tipoff, "核定举报奖励")
    client = client_login(app, desk.user_for(task), PASSWORD)
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    section = _section(html)
    text = _text(section)
    assert penalty.case_no in text and ENTERPRISES[CHEMICAL] in text
    assert f'href="/cases/{penalty.id}"' in section
    assert "安监总财〔2018〕19号" in text
    fine = _text(re.search(r'data-penalty="fine">(.*?)</td>', section, re.S).group(1)).strip()
    assert fine == "50,000.00", fine
    decision = _text(re.search(r'data-penalty="decision">(.*?)</td>', section, re.S).group(1))
    assert data["decision_no"] in decision and "查看决定书" in decision
    assert f'href="/cases/{penalty.id}/documents/enforcement.decision"' in section
    paid = _text(re.search(r'data-penalty="paid">(.*?)</td>', section, re.S).group(1))
    assert paid.startswith("已缴纳 50,000.00 元"), paid
    assert "本举报未关联行政处罚案件" not in html
    assert client.get(f"/cases/{penalty.id}/documents/enforcement.decision").status_code == 200

    desk.do(tipoff, "核定举报奖励", fine_amount=data["fine_amount"], penalty_decision_no=data["decision_no"])
    approve = desk.task(tipoff, "审批举报奖励")
    leader = client_login(app, desk.user_for(approve), PASSWORD)
    html = leader.get(f"/tasks/{approve.id}").get_data(as_text=True)
    assert penalty.case_no in _text(_section(html))
    proposed = re.search(r'<tr data-fact="reward_proposed"><th>[^<]*</th><td>([^<]*)', html).group(1).strip()
    assert proposed == "7,500.00"  # 15% of 50,000.00, as money


def test_the_reward_page_says_plainly_when_no_penalty_case_is_linked(world):
    engine, desk, app = world
    tipoff = _verified(desk, follow_up="责令限期整改")  # verified, but no case opened from it
    assert not [x for x in engine.cases(process_key="enforcement_case", limit=100) if x.parent_case_id == tipoff]
    task = desk.task(tipoff, "核定举报奖励")
    client = client_login(app, desk.user_for(task), PASSWORD)
    text = _text(_section(client.get(f"/tasks/{task.id}").get_data(as_text=True)))
    assert "本举报未关联行政处罚案件" in text and "立案查处" in text and "核定说明中写明其案号" in text
