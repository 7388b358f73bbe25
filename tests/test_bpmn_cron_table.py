"""What the deploy refusal says of cron cycles as Camunda and Flowable users write them
(engine/cron_advice.py): one table, each cron with where it was met and what we say it means.

Quartz's increments (``0/5``, ``/1``, ``1/1`` fillers as CronMaker writes them and Camunda forum posts
paste) are read as Quartz reads them; a cron is said to repeat at one interval only if it does at
every boundary of its fields, not just over its first six fire times. Before: ``0/5 0/1 * 1/1 * ?``
(every 5 seconds) was "not a fixed interval", ``0 0/30 8-18 * * ?`` was 每 30 分钟, ``0 0 8 1/2 * ?``
was 每 2 天 and ``0 0 10 ? * 2#1`` (first Monday of the month) 每周一.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.cron_advice import advice, equivalent_cycle
from engine.timeexpr import plan_timer

NOT_EVEN = "它不是按固定间隔重复的，无法直接改写。"

TABLE = [
    # (cron, what it means, where it was met)
    ("0 0/5 * * * ?", "每 5 分钟", "Camunda 7 docs, timer events: every 5 minutes from the full hour"),
    ("0/5 0/1 * 1/1 * ?", "每 5 秒", "CronMaker's every 5 seconds, pasted into Camunda forum models"),
    ("0/5 * * * * ?", "每 5 秒", "Quartz CronTrigger tutorial style, every 5 seconds"),
    ("*/30 * * * * *", "每 30 秒", "Spring-style cron Camunda 8 accepts: every thirty seconds"),
    ("0 0/1 * 1/1 * ? *", "每分钟", "CronMaker, 7 fields: every minute"),
    ("0 /1 * * * ?", "每分钟", "Flowable issue 3093's timer start"),
    ("0 0 0/1 1/1 * ? *", "每小时", "CronMaker: every hour"),
    ("0 0 12 1/1 * ? *", "每天 12:00", "CronMaker: every day at noon"),
    ("0 15 10 ? * *", "每天 10:15", "Quartz tutorial: 10:15 every day"),
    ("0 0 21 10 * *", "每月 10 日 21:00", "Zeebe issue 11302's workaround: the 10th of each month, 21:00"),
    ("0 0 0 25 12 ?", "每年 12 月 25 日 00:00", "Spring docs: every Christmas Day at midnight"),
    ("0 0 9-17 * * MON-FRI", None, "Camunda 8 docs: on the hour nine-to-five on weekdays"),
    ("0 0/30 8-18 * * ?", None, "every 30 minutes from 8:00 to 18:30 only (was said 每 30 分钟)"),
    ("0 0 8 1/2 * ?", None, "the 1st, 3rd ... 31st at 8:00, then the 1st (was said 每 2 天)"),
    ("0 0 10 ? * 2#1", None, "first Monday of the month (was said 每周一)"),
    ("0 0 0 L * *", None, "last day of the month"),
    ("0/7 * * * * ?", None, "seconds 0, 7 ... 56, then 0: four seconds"),
]


@pytest.mark.parametrize("cron, meaning, where", TABLE, ids=[row[0] for row in TABLE])
def test_what_the_refusal_says_of_a_cron_camunda_users_write(cron, meaning, where):
    said = advice(cron)
    assert said.startswith(f"「{cron}」是 cron 定时表达式，本系统不支持这种写法；")
    if meaning is None:
        assert equivalent_cycle(cron) is None and NOT_EVEN in said, where
        return
    cycle, what = equivalent_cycle(cron)
    assert what == meaning, where
    if cycle.endswith("S"):  # under the engine's shortest cycle: said as it is, with the shortest to write
        assert f"它的意思是{meaning}一次；本系统周期定时器的最短间隔是 1 分钟，如每分钟一次即可，请改写为 R/PT1M" in said
        plan_timer("cycle", "R/PT1M", datetime(2026, 12, 3, tzinfo=timezone.utc))
    else:
        assert f"它的意思是{meaning}，请改写为 {cycle}（" in said
        plan_timer("cycle", cycle, datetime(2026, 12, 3, tzinfo=timezone.utc))  # the engine runs what we advise
