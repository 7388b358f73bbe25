"""《安全生产领域举报奖励办法》(安监总财〔2018〕19号): a tip-off is verified within 60 days of 受理; 情况复杂的，
经上一级部门批准 the time may be extended once, by at most 30 days.

核查超期督办 is the bureau's own 分管领导's task. The extension is the upper level's to grant: with the upper
level's 批准文号 and date the legal limit moves; without them the days the 分管领导 sets are a 督办 date only,
the legal limit stays the 60th day and the case is marked past it. Before, any 督办 of the 分管领导 extended
the legal limit. Received Monday 2026-05-11 09:00 on the engine's clock: the 60 days end 07-10.
"""
from __future__ import annotations

import datetime as dt

import pytest

from workflows.demo import CHEMICAL
from workflows.forms import registry
from workflows.forms.registry import FormError
from tests.process_support import advance, process_world

RECEIVED = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)     # Mon 09:00 in China


@pytest.fixture
def w(database_url):
    yield from process_world(database_url, "tipoff_12350", None, RECEIVED)


def overdue_tipoff(w) -> int:
    c = w.desk.start("tipoff_12350", by="he_sl", org="dongcheng", party=CHEMICAL, title="12350举报：甲化工违规动火").id
    w.desk.do(c, "受理登记举报")
    w.desk.do(c, "分类交办")
    assert w.engine.case(c).data["verify_due"] == "2026-07-10"
    w.clock.set(dt.datetime(2026, 7, 10, 15, 59, tzinfo=dt.timezone.utc))   # 07-10 23:59: the 60th day
    w.engine.run_due_timers()
    assert w.desk.names(c) == ["核查举报事项"]
    advance(w, minutes=1)                                                      # 07-11 00:00
    assert w.desk.names(c) == ["核查超期督办"]
    return c


def test_extension_approved_by_the_upper_level_moves_the_legal_limit_reward_measures_2018_19(w):
    c = overdue_tipoff(w)
    w.desk.do(c, "核查超期督办", extension_days=30, upper_approval_no="示应急函〔2026〕8号", upper_approval_on="2026-07-11")
    data = w.engine.case(c).data
    assert (data["verify_due"], data["verify_legal_due"]) == ("2026-08-09", "2026-08-09")
    assert not data.get("verify_limit_exceeded")


def test_extension_without_the_upper_levels_approval_sets_a_reminder_date_only_reward_measures_2018_19(w):
    c = overdue_tipoff(w)
    w.desk.do(c, "核查超期督办", extension_days=30, upper_approval_no=None, upper_approval_on=None)
    data = w.engine.case(c).data
    assert data["verify_legal_due"] == "2026-07-10"        # the 60th day stays the legal limit
    assert data["verify_limit_exceeded"] is True
    assert data["verify_due"] == "2026-08-10"              # the 督办 date: 30 days from 07-11
    assert w.desk.names(c) == ["核查举报事项"]


def test_upper_approval_named_whole_reward_measures_2018_19():
    with pytest.raises(FormError) as refused:
        registry.validate("tipoff.extension", {"extension_days": 30, "upper_approval_no": "示应急函〔2026〕8号",
                                               "extension_reason": "涉及多家承包单位"})
    assert refused.value.errors == {"upper_approval_on": "填写了上一级部门批准文号的，须同时填写批准日期"}
