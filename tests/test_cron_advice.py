"""A Camunda 7 cron cycle is refused saying what to write instead (engine/cron_advice.py).

Camunda 7 takes a Quartz cron expression as a timer cycle; Duban's cycles are repeating intervals.
The refusal a designer reads names the event, says what the cron means (每天 08:00) and gives the
cycle that means the same — no standard's name to look up. Each advised cycle, written into the
corpus file drawn in Camunda Modeler (tests/bpmn/interop/camunda7_cron_cycle.bpmn), deploys, and
the engine fires it at the times the cron would have fired (written out here by hand, Beijing time).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine import InvalidModel
from engine.clock import SHANGHAI
from engine.cron_advice import advice, equivalent_cycle
from engine.timeexpr import plan_timer
from tests.interop_support import CORPUS
from tests.support import make_engine
from webui.labels import model_refusal

DRAWN = (CORPUS / "camunda7_cron_cycle.bpmn").read_text(encoding="utf-8")
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)  # a Thursday


@pytest.fixture
def engine(sqlite_url):
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


def test_the_refusal_says_what_the_cron_means_and_what_to_write(engine):
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(DRAWN.encode(), by="boss", filename="camunda7_cron_cycle.bpmn")
    assert model_refusal(refused.value) == (
        "模型校验未通过：camunda7_cron_cycle.bpmn 第 4 行：开始事件「每天早八点」的定时器（周期）无效："
        "「0 0 8 * * ?」是 cron 定时表达式，本系统不支持这种写法；它的意思是每天 08:00，"
        "请改写为 R/2026-01-01T08:00:00+08:00/P1D（R 表示重复，中间是第一次的时间，最后是间隔；"
        "第一次的时间已过时，从下一次开始）")


@pytest.mark.parametrize("cron, meaning, fires", [
    ("0 0 8 * * ?", "每天 08:00", ["2026-12-04 08:00", "2026-12-05 08:00", "2026-12-06 08:00"]),
    ("0 0/15 * * * ?", "每 15 分钟", ["2026-12-03 09:15", "2026-12-03 09:30", "2026-12-03 09:45"]),
    ("0 30 9 ? * MON", "每周一 09:30", ["2026-12-07 09:30", "2026-12-14 09:30", "2026-12-21 09:30"]),
    ("0 0 17 ? * 6", "每周五 17:00", ["2026-12-04 17:00", "2026-12-11 17:00", "2026-12-18 17:00"]),
    ("30 8 * * 1", "每周一 08:30", ["2026-12-07 08:30", "2026-12-14 08:30", "2026-12-21 08:30"]),  # Unix cron
    ("0 0 */6 * * ?", "每 6 小时", ["2026-12-03 12:00", "2026-12-03 18:00", "2026-12-04 00:00"]),
    ("0 0 9 1 * ?", "每月 1 日 09:00", ["2027-01-01 09:00", "2027-02-01 09:00", "2027-03-01 09:00"]),
])
def test_the_advised_cycle_deploys_and_fires_when_the_cron_would(engine, cron, meaning, fires):
    cycle, said = equivalent_cycle(cron)
    assert said == meaning
    assert f"它的意思是{meaning}，请改写为 {cycle}（" in advice(cron)
    engine.deploy(DRAWN.replace("0 0 8 * * ?", cycle).encode(), by="boss", filename="rewritten.bpmn")
    due, got = NOW, []
    for _ in fires:
        due = plan_timer("cycle", cycle, due + timedelta(seconds=1)).due.astimezone(SHANGHAI)
        got.append(f"{due:%Y-%m-%d %H:%M}")
    assert got == fires


@pytest.mark.parametrize("cron", ["0 0 8 ? * MON-FRI", "0 0 8 L * ?", "0 */5 * * *"])
def test_a_cron_that_does_not_repeat_evenly_gets_the_rule_with_examples(cron):
    """工作日 8 点, 每月最后一天, 0/5/10/15/20 点 (then 0 点 again): no one interval means the same."""
    assert equivalent_cycle(cron) is None
    assert advice(cron) == (
        f"「{cron}」是 cron 定时表达式，本系统不支持这种写法；它不是按固定间隔重复的，无法直接改写。"
        "本系统的周期写作「R/间隔」，如 R/P1D（每天一次）、R/PT5M（每 5 分钟一次）；要固定在某个时刻，把起始时间写在中间，"
        "如 R/2026-01-01T08:00:00+08:00/P1D（每天 8:00）；R 后加数字表示共几次，如 R3/PT1H（每小时一次，共 3 次）")
