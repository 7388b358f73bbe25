"""A time of day as an official writes it down, in every time field of our forms (录入规整, issue 15).

``2026年5月11日 上午8:00``, ``下午3点半``, ``晚上8点`` are read in Beijing time (they were refused with
the ISO pattern). A day typed without its time (``2026-05-11``, ``2026年5月11日``) is refused: it was
read as midnight, and an 事故发生时间 at 00:00 moves the hour within which the unit must report
(《生产安全事故报告和调查处理条例》第九条: 1小时; later is 迟报). The engine grades that hour from
times typed these ways, at its boundary, on SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt

import pytest

from workflows.demo import CHEMICAL
from workflows.forms import FormError, registry
from workflows.forms.fields import DAY_WITHOUT_TIME
from workflows.forms.samples import sample

TODAY = dt.date(2026, 11, 20)
TIMES = [(k, f) for k in registry.keys() for f in registry.fields(k) if f["type"] == "datetime"]


def _submit(key, name, typed):
    data = {**sample(key, TODAY), name: typed}
    if key == "accident.receive":  # 报告时间 may not be before 发生时间: compare with the earliest
        data["occurred_at" if name == "reported_at" else "reported_at"] = \
            "2026-11-01T00:00:00+08:00" if name == "reported_at" else "2026-11-02T23:00:00+08:00"
        if name == "head_informed_at":  # 单位负责人接到报告 lies between them (条例第九条)
            data["occurred_at"] = "2026-11-01T00:00:00+08:00"
    if key == "enforcement.hearing_schedule" and name == "hearing_at":  # the notice served 7 工作日 before
        data["hearing_notice_served_on"] = "2026-10-15"  # (行政处罚法第六十四条第（二）项、第八十五条; forms/deadlines.py)
    try:
        return registry.validate(key, data)[name], None
    except FormError as exc:
        return None, exc.errors


@pytest.mark.parametrize("typed, meant", [
    ("2026年11月1日 上午9:30", "2026-11-01T09:30:00+08:00"), ("2026年11月1日下午3点半", "2026-11-01T15:30:00+08:00"),
    ("2026/11/1 下午3:30", "2026-11-01T15:30:00+08:00"), ("2026-11-01 晚上8点", "2026-11-01T20:00:00+08:00"),
    ("2026年11月1日 中午12点", "2026-11-01T12:00:00+08:00"), ("2026.11.1 凌晨2点10分", "2026-11-01T02:10:00+08:00"),
    ("２０２６年１１月１日 ９：３０", "2026-11-01T09:30:00+08:00"), (" 2026-11-01 09:30\u3000", "2026-11-01T09:30:00+08:00"),
])
@pytest.mark.parametrize("key, field", TIMES, ids=[f"{k}.{f['name']}" for k, f in TIMES])
def test_a_time_written_as_people_write_it_is_read_in_beijing_time(key, field, typed, meant):
    assert _submit(key, field["name"], typed) == (meant, None)


@pytest.mark.parametrize("typed", ["2026-11-01", "2026年11月1日", "2026/11/1", "20261101"])
@pytest.mark.parametrize("key, field", TIMES, ids=[f"{k}.{f['name']}" for k, f in TIMES])
def test_a_day_without_its_time_is_refused_not_read_as_midnight(key, field, typed):
    assert _submit(key, field["name"], typed) == (None, {field["name"]: DAY_WITHOUT_TIME})


@pytest.mark.parametrize("typed", ["2026-11-01 上午15:00", "2026-11-01 晚上12点", "2026-11-01 9"])
def test_a_time_that_says_two_things_is_refused(typed):
    key, field = TIMES[0]
    value, errors = _submit(key, field["name"], typed)
    assert value is None and field["name"] in errors


REPORTS = [  # (发生时间, 报告时间, 迟报) — 条例第九条: within 1 hour
    ("2026年5月11日 上午8:00", "2026年5月11日 上午9:00", False), ("2026年5月11日 上午8点", "2026/5/11 9点01分", True),
    ("2026年5月11日 下午3点半", "2026年5月11日 下午4点半", False), ("2026.5.11 晚上11:30", "2026年5月12日 凌晨0点31分", True),
]


def test_the_one_hour_report_is_judged_from_times_typed_so(database_url):
    from tests.process_support import process_world
    world = process_world(database_url, "accident_investigation", None, dt.datetime(2026, 5, 12, 2, 0, tzinfo=dt.timezone.utc))
    w = next(world)
    try:
        late = []
        for occurred, reported, _ in REPORTS:
            c = w.desk.start("accident_investigation", by="sun_qi", org="dongcheng", party=CHEMICAL, title="事故").id
            w.desk.do(c, "事故信息接报", occurred_at=occurred, reported_at=reported)
            late.append(w.engine.case(c).data["late_report"])
        assert late == [expected for *_, expected in REPORTS]
    finally:
        world.close()


DAYS = [(k, f) for k in registry.keys() for f in registry.fields(k) if f["type"] == "date"]


# 26年11月1日: test_typed_input_s30; 2026年11月 (须写明哪一日): test_typed_input_s31
@pytest.mark.parametrize("typed", ["11/1/2026", "明天", "2026-11-01 09:30"])
@pytest.mark.parametrize("key, field", DAYS, ids=[f"{k}.{f['name']}" for k, f in DAYS])
def test_a_day_that_is_no_day_is_told_how_to_write_it_not_a_pattern_of_letters(key, field, typed):
    from workflows.forms.fields import DAY_SPELLINGS
    assert _submit(key, field["name"], typed) == (None, {field["name"]: DAY_SPELLINGS})


@pytest.mark.parametrize("key, field", TIMES, ids=[f"{k}.{f['name']}" for k, f in TIMES])
def test_a_time_that_is_no_time_is_told_how_to_write_it(key, field):
    from workflows.forms.fields import TIME_SPELLINGS
    assert _submit(key, field["name"], "明天上午") == (None, {field["name"]: TIME_SPELLINGS})
