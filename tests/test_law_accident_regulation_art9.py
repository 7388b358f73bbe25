"""《生产安全事故报告和调查处理条例》第九条: the unit's head reports within 1 hour of being told.

「事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，应当于1小时内向…报告。」
The hour runs from the moment the head was told (单位负责人接到报告时间), which 事故信息接报 now asks for;
a worker who found the injured an hour after the accident, and a head who reported 50 minutes after
hearing of it, is not 迟报. Left blank, the hour runs from the accident as before (the people on the
spot report at once). Times on the engine's clock, set by the test.
"""
from __future__ import annotations

import datetime as dt

import pytest

from workflows.demo import CHEMICAL
from workflows.forms import registry
from workflows.forms.registry import FormError
from workflows.forms.samples import sample
from tests.process_support import process_world

START = dt.datetime(2026, 5, 11, 4, 0, tzinfo=dt.timezone.utc)   # Monday 12:00 in Shanghai
PROCESS = "accident_investigation"


def at(hh: int, mm: int = 0) -> str:
    return f"2026-05-11T{hh:02d}:{mm:02d}:00+08:00"


@pytest.fixture
def w(database_url):
    yield from process_world(database_url, PROCESS, None, START)


def late_report(w, **times) -> bool:
    c = w.desk.start(PROCESS, by="sun_qi", org="dongcheng", party=CHEMICAL, title="甲化工“5·11”爆炸事故").id
    w.desk.do(c, "事故信息接报", **times)
    return w.engine.case(c).data["late_report"]


@pytest.mark.parametrize("reported, late", [(at(10, 30), False), (at(10, 31), True)])
def test_unit_head_reports_within_one_hour_of_being_told_accident_regulation_art9(w, reported, late):
    """Accident 08:00, found and told to the head at 09:30: reported 10:30 is in time, 10:31 迟报."""
    assert late_report(w, occurred_at=at(8), head_informed_at=at(9, 30), reported_at=reported) is late


@pytest.mark.parametrize("reported, late", [(at(9), False), (at(9, 1), True)])
def test_hour_runs_from_the_accident_when_the_head_was_told_is_not_known_accident_regulation_art9(w, reported, late):
    assert late_report(w, occurred_at=at(8), head_informed_at=None, reported_at=reported) is late


@pytest.mark.parametrize("informed, field_error", [
    (at(7, 59), "单位负责人接到报告的时间不能早于事故发生时间"),
    (at(10, 31), "单位负责人接到报告的时间不能晚于事故单位报告时间"),
])
def test_head_told_before_the_accident_or_after_the_report_is_refused_accident_regulation_art9(informed, field_error):
    data = {**sample("accident.receive", dt.date(2026, 5, 11)), "occurred_at": at(8), "reported_at": at(10, 30),
            "head_informed_at": informed}
    with pytest.raises(FormError) as refused:
        registry.validate("accident.receive", data)
    assert refused.value.errors == {"head_informed_at": field_error}
