"""The 双随机 draw (workflows/random_inspection.py): reproducible from its seed, risk-weighted shares over
10,000 draws, and 回避 (国发〔2019〕5号 随机抽取检查对象、随机选派执法检查人员; seed 003 实施"双随机、一公开")."""
from __future__ import annotations

from collections import Counter

import pytest

from workflows.random_inspection import (RISK_WEIGHTS, Candidate, DrawError, Inspector, draw, draw_enterprises,
                                         draw_from_data)

LEVELS = ["红", "橙", "黄", "蓝"]
POOL = [Candidate(f"9111010{n:011d}", f"企业{n}", "工贸" if n % 2 else "危化", LEVELS[n % 4], "dongcheng")
        for n in range(40)]
STAFF = [Inspector(u) for u in ("zhang_san", "li_si", "wang_wu", "zhao_liu", "sun_qi")]


def test_the_same_seed_reproduces_the_same_draw_whatever_the_input_order():
    a = draw("DRAW-2026-Q2-东城", POOL, STAFF, {"工贸": 3, "危化": 2})
    b = draw("DRAW-2026-Q2-东城", list(reversed(POOL)), list(reversed(STAFF)), {"危化": 2, "工贸": 3})
    assert a == b and len(a) == 5
    assert draw("DRAW-2026-Q2-东城-2", POOL, STAFF, {"工贸": 3, "危化": 2}) != a
    assert sum(p.enterprise.sector == "工贸" for p in a) == 3


def test_shares_follow_risk_levels_over_10000_draws():
    """One pick from ten enterprises of each level: 红/橙/黄/蓝 in proportion 4:3:2:1, within ±1.5 points."""
    pool = [Candidate(f"C{lv}{i}", "", "工贸", lv) for lv in LEVELS for i in range(10)]
    counts = Counter(draw_enterprises(f"seed-{n}", pool, {"工贸": 1})[0].risk_level for n in range(10_000))
    total = sum(RISK_WEIGHTS.values())
    for level in LEVELS:
        assert abs(counts[level] / 10_000 - RISK_WEIGHTS[level] / total) < 0.015, (level, counts)


def test_avoidance_last_inspector_and_declared_conflict_and_pairs_of_two():
    target = POOL[0]
    staff = [Inspector("zhang_san"), Inspector("li_si", conflicts=frozenset({target.credit_code})),
             Inspector("wang_wu"), Inspector("zhao_liu")]
    last = {target.credit_code: ["zhang_san"]}
    for n in range(300):
        for pick in draw(f"s{n}", [target], staff, {target.sector: 1}, last):
            assert len(set(pick.inspectors)) == 2
            assert set(pick.inspectors) == {"wang_wu", "zhao_liu"}      # zhang_san (last time), li_si (conflict)
    with pytest.raises(DrawError, match="执法人员不足2人"):
        draw("s", [target], staff[:3], {target.sector: 1}, last)
    with pytest.raises(DrawError, match="不得少于2人"):
        draw("s", [target], staff, {target.sector: 1}, team_size=1)
    with pytest.raises(DrawError, match="不足抽取"):
        draw("s", POOL, STAFF, {"工贸": 21})


def test_the_auditor_reruns_the_recorded_draw_from_case_data():
    pool = [{"credit_code": c.credit_code, "name": c.name, "sector": c.sector, "risk_level": c.risk_level} for c in POOL]
    staff = [{"username": i.username, "conflicts": []} for i in STAFF]
    first = draw_from_data("PLAN-7", pool, staff, {"工贸": "2"})
    assert first == draw_from_data("PLAN-7", pool, staff, {"工贸": 2}) and len(first) == 2
