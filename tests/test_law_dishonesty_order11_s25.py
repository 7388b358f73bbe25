"""应急管理部令第11号《安全生产严重失信主体名单管理办法》, the fourth legal audit (2026-12-07): an early removal
obtained by 隐瞒真实情况、弄虚作假 is revoked and the listing restored (撤销提前移出决定，恢复列入状态, as
山西省应急管理厅《安全生产严重失信主体名单管理制度》2024 copies the rule), and the boundary days of the
3-year term and of the 12 months before early removal, counted from the 列入决定 day (2026-06-01).

The trigger's order (第三条 受到行政处罚, 第四条第二款 谁处罚、谁决定) is tested in tests/test_dishonesty_trigger.py.
"""
from __future__ import annotations

import datetime as dt

from workflows.demo import CHEMICAL

from tests.test_dishonesty_process import (at_shanghai, do, ended_with_the_term, listed, published,  # noqa: F401
                                          w)  # (w is the fixture)


def found_fraud(w, c: int, by: str = "zhang_san") -> None:
    """An inspector who finds the removal fraudulent starts 撤销提前移出 (the case page's action sends this
    message: tests/test_law_dishonesty_case_action_s26.py)."""
    w.engine.correlate_message("revoke_early_removal", by=by, case_id=c, data={"revoke_found_by": by})


def removed_early(w) -> int:
    """Listed on 2026-06-01, removed early on 2027-06-01 (the first day 12 months allow)."""
    c = published(w)
    w.clock.set(at_shanghai("2027-06-01", 10))
    do(w, c, "申请信用修复（提前移出）")
    do(w, c, "核查信用修复申请")
    do(w, c, "审批提前移出")
    return c


def test_an_early_removal_obtained_by_fraud_is_revoked_and_the_listing_restored_order11(w):
    c = removed_early(w)
    view = w.engine.case(c)
    assert (view.data["listing_status"], view.data["removed_on"]) == ("已移出", "2027-06-01") and not listed(w)
    assert view.status == "running" and w.desk.names(c) == []    # nothing in a pool: the case page offers it

    w.clock.set(at_shanghai("2027-09-15", 10))
    found_fraud(w, c)
    assert w.desk.task(c, "撤销提前移出呈批").role_code == "inspector"
    do(w, c, "撤销提前移出呈批")
    assert w.desk.task(c, "撤销提前移出决定").role_code == "leader" and not listed(w)
    do(w, c, "撤销提前移出决定", revoke_decision="不同意", revoke_opinion="证据不足，继续核查")
    assert w.desk.names(c) == [] and not listed(w)                       # not revoked: the watch goes on
    found_fraud(w, c)
    do(w, c, "撤销提前移出呈批")
    do(w, c, "撤销提前移出决定")
    view = w.engine.case(c)
    assert view.data["listing_status"] == "公开中" and view.data["removed_on"] is None
    assert (view.data["revoked_removal_on"], view.data["revoked_on"]) == ("2027-06-01", "2027-09-15")
    assert listed(w)
    ent = w.registry.get(CHEMICAL)
    assert (ent.dishonest_from, ent.dishonest_until) == (dt.date(2026, 6, 1), dt.date(2029, 6, 1))
    assert w.desk.names(c) == []                                          # no second early removal here

    # restored to the original term: still listed on its last day, off as 2029-06-01 begins
    view = ended_with_the_term(w, c)
    assert (view.data["removed_on"], view.data["removal_reason"]) == ("2029-06-01", "管理期限届满")


def test_an_early_removal_stands_and_its_watch_ends_with_the_original_term_order11(w):
    c = removed_early(w)
    assert w.desk.names(c) == []
    view = ended_with_the_term(w, c, listed_on_last_day=False)
    # the early removal is what happened: its day and reason are kept, not the term's
    assert (view.data["listing_status"], view.data["removed_on"], view.data["removal_reason"]) == (
        "已移出", "2027-06-01", "信用修复提前移出")
    assert not listed(w) and w.registry.get(CHEMICAL).dishonest_until == dt.date(2027, 6, 1)


def test_early_removal_is_refused_on_the_day_before_12_months_and_allowed_on_the_corresponding_day_order11(w):
    """列入满12个月: listed from the decision day 2026-06-01 (that day is a listed day), the 12 months are
    full at the end of 2027-05-31; an application that day is refused, one on 2027-06-01 is heard."""
    c = published(w)
    w.clock.set(at_shanghai("2027-05-31", 23, 59))
    do(w, c, "申请信用修复（提前移出）")
    assert w.engine.case(c).data["repair_refusal_reason"] == "列入未满12个月，2027-06-01起方可申请提前移出"
    assert w.desk.names(c) == ["申请信用修复（提前移出）"]
    w.clock.set(at_shanghai("2027-06-01", 0, 1))
    do(w, c, "申请信用修复（提前移出）")
    assert w.desk.names(c) == ["核查信用修复申请"]


def test_the_revocation_form_names_the_fraud_and_its_evidence_order11(w):
    from workflows.forms import FormError, registry
    ok = {"fraud_facts": "缴款凭证系伪造", "fraud_found_on": "2027-09-15", "attachments": ["核查笔录.pdf"]}
    for missing in ("fraud_facts", "attachments"):
        data = {**ok}
        data.pop(missing)
        try:
            registry.validate("dishonesty.revoke_proposal", data)
        except FormError as e:
            assert missing in e.errors
        else:
            raise AssertionError(f"accepted without {missing}")
    try:
        registry.validate("dishonesty.revoke_decision", {"revoke_decision": "不同意"})
    except FormError as e:
        assert "revoke_opinion" in e.errors
    else:
        raise AssertionError("不同意 accepted without its reason")
