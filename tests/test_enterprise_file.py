"""一企一档: one enterprise's file gathers its record, cases of every process, open hazards,
accidents, penalties, risk history, dishonesty listing, next inspection and a reasoned standing."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from workflows.demo import BUILDING, CHEMICAL, MACHINERY
from workflows.enterprises import EnterpriseNotFound
from workflows.enterprises.standing import enterprise_file

from tests.test_dishonesty_process import at_shanghai, do, w  # noqa: F401  (w is the fixture)
from tests.test_dishonesty_trigger import approved_accident, concluded, listings, penalty_of


def concluded_penalty(w, party=CHEMICAL, **proposal) -> int:
    c = w.desk.start("enforcement_case", by="zhang_san", org="dongcheng", party=party, title="执法案件").id
    for _ in range(20):
        names = [n for n in w.desk.names(c) if n != "办案期限审查"]
        if not names:
            return c
        do(w, c, names[0], which=0, **(proposal if names[0] == "案件处理呈批" else {}))
    raise AssertionError("the enforcement case did not conclude")


def file_of(w, code=CHEMICAL) -> dict:
    return enterprise_file(w.engine, w.registry, code)


def test_a_clean_enterprise_is_in_good_standing(w):
    w.registry.set_risk_level(BUILDING, "蓝", by="qian_ke", reason="年度评定")
    w.registry.record_inspection(BUILDING, dt.date(2026, 5, 20))
    f = file_of(w, BUILDING)
    assert f["enterprise"]["name"] == "示范市丙建材有限公司" and f["enterprise"]["risk_level"] == "蓝"
    assert f["cases"] == [] and f["open_hazards"] == [] and f["accidents"] == [] and f["penalties"] == []
    assert f["next_inspection_due"] == "2026-11-20"
    assert f["standing"]["level"] == "良好" and len(f["standing"]["reasons"]) == 1
    json.dumps(f, ensure_ascii=False)


def test_the_file_shows_cases_of_every_process_and_a_reasoned_standing(w):
    e, reg = w.engine, w.registry
    reg.set_risk_level(CHEMICAL, "橙", by="qian_ke", reason="年度评定")
    reg.set_risk_level(CHEMICAL, "红", by="zheng_fj", reason="发生重大事故")
    hazard = w.desk.start("hazard_supervision", by="zhang_san", org="dongcheng", party=CHEMICAL,
                          title="甲化工二号罐区重大隐患").id
    do(w, hazard, "登记隐患")
    penalty = concluded_penalty(w, fine_amount="50000", penalty_types=["罚款", "责令停产停业"])
    accident = approved_accident(w, deaths=10, local_level="省级")
    accident_penalty = concluded(w, penalty_of(w, accident))   # the listing waits for it (第11号令第三条)
    f = file_of(w)

    # the accident's 批复 also opens penalty cases of its own (those of the enterprise count here)
    penalty_cases = e.cases(process_key="enforcement_case", party=CHEMICAL)
    assert {c["id"] for c in f["cases"]} == {c.id for c in e.cases(party=CHEMICAL)}
    # 安全生产法 Art 86: the one-year assessment opens at the 批复下达, so an approved accident has one
    assert f["case_counts"] == {"hazard_supervision": 1, "enforcement_case": len(penalty_cases),
                                "accident_investigation": 1, "dishonesty_list": 1, "post_case_assessment": 1}
    assert {c["process_name"] for c in f["cases"]} >= {"事故调查处理（四不放过）", "安全生产严重失信主体名单管理"}
    assert [h["grade"] for h in f["open_hazards"]] == ["重大"] and f["open_hazards"][0]["id"] == hazard
    [acc] = f["accidents"]
    assert (acc["id"], acc["grade"], acc["deaths"], acc["occurred_on"]) == (accident, "重大", 10, "2026-06-01")
    pen = next(p for p in f["penalties"] if p["id"] == penalty)
    assert all(p["outcome"] is None for p in f["penalties"] if p["id"] not in (penalty, accident_penalty))
    assert (pen["id"], pen["outcome"], pen["fine_amount"], pen["status"]) == (penalty, "处罚", "50000.00", "completed")
    assert pen["penalty_types"] == ["罚款", "责令停产停业"]
    accident_fine = next(p for p in f["penalties"] if p["id"] == accident_penalty)["fine_amount"]
    assert f["fines_total"] == f"{50000 + float(accident_fine):.2f}"
    assert [(h["from"], h["to"], h["by"]) for h in f["risk"]["history"]] == [(None, "橙", "qian_ke"),
                                                                             ("橙", "红", "zheng_fj")]
    assert f["next_inspection_due"] == "2026-06-01"          # graded but never inspected: due today
    assert not f["dishonesty"]["listed"]
    [listing] = f["dishonesty"]["cases"]
    assert listing["listing_status"] == "拟列入" and listing["ground"] == "发生特别重大、重大生产安全事故"

    assert f["standing"]["level"] == "重点监管"
    reasons = " ".join(r["reason"] for r in f["standing"]["reasons"])
    for words in ("红色", "重大事故隐患挂牌督办中", "重大事故", "责令停产停业", "列入程序进行中"):
        assert words in reasons, words
    json.dumps(f, ensure_ascii=False)

    # the listing goes through: the enterprise is flagged 失信 everywhere, its file included
    c = listings(w)[0].id
    for step in ("拟列入呈批", "审核拟列入", "送达拟列入告知书"):
        do(w, c, step)
    do(w, c, "陈述申辩（提出异议）", objection_choice="无异议", objection_text=None)
    for step in ("作出列入决定", "制作并送达列入决定书", "公开严重失信主体信息"):
        do(w, c, step)
    f = file_of(w)
    assert f["dishonesty"]["listed"] and f["dishonesty"]["from"] == "2026-06-01"
    assert f["dishonesty"]["until"] == "2029-06-01"
    assert f["standing"]["level"] == "失信"
    assert f["standing"]["reasons"][0]["reason"] == "列入严重失信主体名单（2026年6月1日起，2029年6月1日移出）"


def test_old_events_age_out_of_the_standing(w):
    w.registry.set_risk_level(MACHINERY, "黄", by="qian_ke", reason="年度评定")
    approved_accident(w, party=MACHINERY)                       # 一般 accident
    assert file_of(w, MACHINERY)["standing"]["level"] == "关注"
    w.clock.set(at_shanghai("2027-06-02", 9))
    w.registry.record_inspection(MACHINERY, dt.date(2027, 6, 1))
    f = file_of(w, MACHINERY)
    assert f["accidents"][0]["grade"] == "一般"
    assert f["standing"]["level"] == "良好"


def test_overdue_inspection_is_a_reason_to_watch(w):
    w.registry.set_risk_level(MACHINERY, "红", by="qian_ke", reason="年度评定")
    w.registry.record_inspection(MACHINERY, dt.date(2026, 4, 1))
    f = file_of(w, MACHINERY)
    assert f["next_inspection_due"] == "2026-05-01"
    assert any(r["reason"] == "逾期未检查（应于2026-05-01前检查）" for r in f["standing"]["reasons"])


def test_unknown_enterprise(w):
    with pytest.raises(EnterpriseNotFound) as err:
        enterprise_file(w.engine, w.registry, "91110000000000001H")
    assert "未找到" in str(err.value)
