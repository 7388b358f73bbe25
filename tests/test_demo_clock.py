"""演示时间: in a demo database an administrator moves the clock forward and the hazard listing's
reminder (到期前10个工作日, 《安全生产事故隐患排查治理暂行规定》第二十条 重大隐患挂牌督办) and its
escalation (督办期限届满) fire; outside a demo database the clock never moves. SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from engine import ManualClock
from engine.schema import AuditEvent
from webui.cli import main
from workflows import demo_clock
from workflows.demo import CHEMICAL, Desk, load_directory
from workflows.runtime import build_engine

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
TO_RECTIFICATION = ["登记隐患", "提出挂牌督办建议", "审核挂牌建议", "批准挂牌督办", "下达挂牌督办通知书并公开",
                    "提交整改方案（双报告）", "审查整改方案"]


def reminders(engine, case_id) -> list[str]:
    return [ev["detail"]["timer"] for ev in engine.case(case_id).history
            if ev["action"] == "reminded" and ev["detail"]["timer"].startswith("remind_")]


def listed_case(engine, deadline: str) -> int:
    desk = Desk(engine)
    c = desk.start("hazard_supervision", by="zhang_san", org="dongcheng", party=CHEMICAL, title="甲化工二号罐区重大隐患").id
    for step in TO_RECTIFICATION:
        desk.do(c, step, **({"rectify_deadline": deadline} if step == "提出挂牌督办建议" else {}))
    assert desk.names(c) == ["实施整改"]
    return c


def test_demo_advance_fires_the_listing_reminder_ten_working_days_before_and_the_escalation_at_the_deadline(
        database_url):
    engine = build_engine(database_url, clock=ManualClock(START))
    load_directory(engine)
    c = listed_case(engine, "2026-05-31")       # a Sunday: 10 working days before is Monday 05-18
    assert demo_clock.is_demo(engine) is False
    with pytest.raises(demo_clock.DemoTimeRefused, match="只有演示系统"):
        demo_clock.advance(engine, "10d", by="admin")
    assert engine.clock.now() == START and demo_clock.stored_offset(engine) == dt.timedelta(0)

    demo_clock.mark_demo(engine)
    moved = demo_clock.advance(engine, "6d", by="admin")  # Sunday 05-17 09:00: the day before
    assert moved.after == START + dt.timedelta(days=6) and engine.clock.now() == moved.after
    assert reminders(engine, c) == []
    moved = demo_clock.advance(engine, "１天", by="admin")  # as typed on a Chinese keyboard: 05-18 09:00
    assert reminders(engine, c) == ["remind_10"] and moved.fired >= 1
    assert engine.case(c).escalation_level == 0
    engine.dispose()

    engine = build_engine(database_url, clock=ManualClock(START))  # a restart: the shift is stored
    assert engine.clock.now() == START + dt.timedelta(days=7)
    demo_clock.advance(engine, "2w", by="admin")          # 06-01: the deadline (05-31) has passed
    view = engine.case(c)
    assert view.escalation_level == 1 and reminders(engine, c) == ["remind_10", "remind_3"]
    with engine.db.read() as s:
        events = s.execute(sa.select(AuditEvent).where(AuditEvent.action == "demo_clock_advanced")
                           .order_by(AuditEvent.id)).scalars().all()
    details = [json.loads(e.detail) if isinstance(e.detail, str) else e.detail for e in events]
    assert [(e.actor, d["step_seconds"]) for e, d in zip(events, details)] == [
        ("admin", 6 * 86400), ("admin", 86400), ("admin", 14 * 86400)]
    assert details[0]["from"].startswith("2026-05-11T01:00")
    engine.dispose()


@pytest.mark.parametrize("text, expected", [
    ("10d", dt.timedelta(days=10)), ("2h", dt.timedelta(hours=2)), ("1w", dt.timedelta(weeks=1)),
    ("1w2d", dt.timedelta(days=9)), ("３０分钟", dt.timedelta(minutes=30)), (" 10 天 ", dt.timedelta(days=10))])
def test_steps_as_typed(text, expected):
    assert demo_clock.parse_step(text) == expected


@pytest.mark.parametrize("text", ["", "10", "-3d", "0d", "10x", "401d", "十天"])
def test_steps_refused_in_chinese(text):
    with pytest.raises(demo_clock.DemoTimeRefused) as caught:
        demo_clock.parse_step(text)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(caught.value))


def test_cli_refuses_outside_a_demo_database_with_exit_code_2_and_moves_a_demo_one(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("DUBAN_DATABASE_URL", url)
    runner = CliRunner()
    refused = runner.invoke(main, ["demo", "advance", "10d"])
    assert refused.exit_code == 2 and "只有演示系统" in refused.output
    assert "正式系统" in runner.invoke(main, ["demo", "status"]).output
    engine = build_engine(url, deploy=False)
    demo_clock.mark_demo(engine)
    engine.dispose()
    done = runner.invoke(main, ["demo", "advance", "10d", "--by", "trainer"])
    assert done.exit_code == 0, done.output
    assert "演示时间已拨至" in done.output and "10天" in done.output
    assert "已拨快 10天" in runner.invoke(main, ["demo", "status"]).output
    bad = runner.invoke(main, ["demo", "advance", "soon"])
    assert bad.exit_code == 2 and "无法识别" in bad.output
