"""执法案卷评查: the result goes back to the 承办人, deductions with their reasons, on SQLite and PostgreSQL.

Seed: 武进 2017 (seed 000) "规范执法文书和卷宗制作，定期开展行政执法案卷评查，通过交叉检查、集中评查、个案抽查"
and "执行'一案一审、集体决策'制度，开展执法案卷评查工作"; 《行政处罚法》第七十五条 (行政处罚监督制度). The scoring
standard (100 points, six items) is the bureau's own (workflows/case_review.py ITEMS).
"""
from __future__ import annotations

import pytest

from engine import Conflict, Forbidden, InvalidData
from workflows.case_review import start_review
from workflows.forms.case_review import full_marks
from tests.test_process_case_review import closed_penalty, world


@pytest.fixture(scope="module")
def w(module_database_url):
    yield from world(module_database_url)


def scored(w, items, problems=None) -> int:
    penalty = w.engine.case(closed_penalty(w))
    c = start_review(w.engine, "qian_ke", "dongcheng", penalty, mode="集中评查").id
    w.desk.do(c, "提交被评查案卷")
    w.desk.do(c, "案卷评查打分", user="zhang_san", score_items=items, review_problems=problems)
    w.desk.do(c, "审定评查结果")
    w.desk.do(c, "印发评查结果通报")
    return c


def test_every_deduction_names_its_reason_for_the_handler_administrative_penalty_law_art75(w):
    penalty = w.engine.case(closed_penalty(w))
    c = start_review(w.engine, "qian_ke", "dongcheng", penalty, mode="集中评查").id
    w.desk.do(c, "提交被评查案卷")
    items = [dict(r, score=r["score"] - 2, deduction_reason=None) if r["item"] == "文书制作" else r
             for r in full_marks()]
    with pytest.raises(InvalidData) as refused:
        w.desk.do(c, "案卷评查打分", user="zhang_san", score_items=items)
    [(field, reason)] = refused.value.errors.items()
    assert field == "score_items.4.deduction_reason" and "「文书制作」扣分的须写明扣分理由" in str(reason)
    full = full_marks()                                            # full points need no reason
    w.desk.do(c, "案卷评查打分", user="zhang_san", score_items=full)
    assert w.engine.case(c).data["review_total"] == 100


def test_a_good_file_still_goes_back_to_its_handler_who_signs_for_the_result_administrative_penalty_law_art75(w):
    items = [dict(r, score=r["score"] - 1, deduction_reason="卷内目录未编页码") if r["item"] == "归档" else r
             for r in full_marks()]
    c = scored(w, items)
    data = w.engine.case(c).data
    assert data["review_total"] == 99 and data["needs_correction"] is False
    feedback = w.desk.task(c, "签收评查结果")
    assert feedback.assignee == "li_si"                             # the 承办人 (who did 调查取证)
    assert w.engine.case(c).status == "running"                      # not closed before he has read it
    with pytest.raises((Forbidden, Conflict)):
        w.engine.complete(feedback.id, "zhang_san", {"feedback_read": True})   # the reviewer cannot sign for him
    with pytest.raises(InvalidData) as refused:
        w.desk.do(c, "签收评查结果", feedback_read=False)
    assert set(refused.value.errors) == {"feedback_read"}
    w.desk.do(c, "签收评查结果", handler_statement="目录页码已补编")
    view = w.engine.case(c)
    assert view.status == "completed" and view.data["handler_statement"] == "目录页码已补编"


def test_a_poor_file_is_signed_for_before_its_correction_and_the_statement_reaches_the_recheck(w):
    items = [dict(r, score=r["score"] // 2, deduction_reason="文书不全") for r in full_marks()]
    c = scored(w, items, problems="送达回证缺失")
    assert w.desk.names(c) == ["签收评查结果"]
    w.desk.do(c, "签收评查结果", handler_statement="送达回证在卷外档案袋，已补入")
    assert w.desk.names(c) == ["案卷问题整改"]
    w.desk.do(c, "案卷问题整改")
    recheck = w.desk.task(c, "整改复核")
    from workflows.forms.context import context_for
    assert "handler_statement" in context_for(recheck.form_key).facts
    w.desk.do(c, "整改复核")
    assert w.engine.case(c).status == "completed"
