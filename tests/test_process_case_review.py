"""执法案卷评查 walked through the engine (SQLite and PostgreSQL), one world per module. Sources: 武进 2017
(seed 000) "定期开展行政执法案卷评查，通过交叉检查、集中评查、个案抽查"; 《行政处罚法》第七十五条; the scoring
standard and the 30-day correction period are local rules (workflows/case_review.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import Forbidden, InvalidData
from workflows.case_review import review_grade_of, sample, scores_by_unit, start_review
from workflows.demo import CHEMICAL
from workflows.documents import render
from workflows.forms.case_review import full_marks
from tests.process_support import advance, process_world, user_tasks, reached_by_every_scenario

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
PROCESS = "case_file_review"
PENALTY_PATH = ["初步核查", "立案审批", "调查取证", "案件处理呈批", "法制审核", "送达行政处罚告知书", "陈述申辩或申请听证",
                "负责人审批", "送达行政处罚决定书", "缴纳罚款", "结案审批"]


def world(database_url):
    yield from process_world(database_url, PROCESS, None, START)


@pytest.fixture(scope="module")
def w(module_database_url):
    yield from world(module_database_url)


def closed_penalty(w, handler="li_si") -> int:
    c = w.desk.start("enforcement_case", by=handler, org="dongcheng", party=CHEMICAL, title="甲化工违规动火案").id
    for step in PENALTY_PATH:
        w.desk.do(c, step, user=handler if step in ("初步核查", "调查取证", "案件处理呈批") else None)
    assert w.engine.case(c).status == "completed"
    return c


def test_a_sampled_file_is_scored_by_someone_who_did_not_handle_it_and_the_notice_issued_seed_000(w):
    penalty = closed_penalty(w)
    today = w.desk.today()
    [picked] = sample(w.engine, ["dongcheng"], today, today, 1, seed="2026Q2-个案抽查")
    assert picked.id == penalty
    c = start_review(w.engine, "qian_ke", "dongcheng", picked).id
    data = w.engine.case(c).data
    assert data["case_handler"] == "li_si" and data["reviewed_case_no"] == picked.case_no
    submit = w.desk.task(c, "提交被评查案卷")
    assert submit.assignee == "li_si"
    w.desk.do(c, "提交被评查案卷")
    score = w.desk.task(c, "案卷评查打分")
    with pytest.raises(Forbidden, match="回避"):                 # the handler does not review his own file
        w.engine.complete(score.id, "li_si", {})
    w.desk.do(c, "案卷评查打分", user="zhang_san")
    data = w.engine.case(c).data
    assert data["review_total"] == 96 and data["review_grade"] == "优秀" and data["needs_correction"] is False
    w.desk.do(c, "审定评查结果", review_confirm_decision="退回重评", review_confirm_opinion="归档扣分过重")
    w.desk.do(c, "案卷评查打分", user="zhang_san", score_items=full_marks())
    w.desk.do(c, "审定评查结果")
    w.desk.do(c, "印发评查结果通报")
    w.desk.do(c, "签收评查结果")
    view = w.engine.case(c)
    assert view.status == "completed" and view.data["review_total"] == 100
    notice = render("case_review.notice", view.data, issuer="示范市东城区应急管理局")
    assert "评查得分：100分，等次：优秀" in notice and "无需整改" in notice


def test_a_poor_file_is_corrected_by_its_handler_and_rechecked_and_the_score_feeds_the_quarter(w):
    penalty = w.engine.case(closed_penalty(w))
    c = start_review(w.engine, "qian_ke", "dongcheng", penalty, mode="集中评查").id
    w.desk.do(c, "提交被评查案卷")
    items = [dict(r, score=r["score"] // 2, deduction_reason="文书不全") for r in full_marks()]
    w.desk.do(c, "案卷评查打分", user="zhang_san", score_items=items, review_problems="送达回证缺失")
    assert w.engine.case(c).data["review_grade"] == "不合格"
    w.desk.do(c, "审定评查结果")
    w.desk.do(c, "印发评查结果通报")
    w.desk.do(c, "签收评查结果")
    fix = w.desk.task(c, "案卷问题整改")
    assert fix.assignee == "li_si"
    assert "30日内整改" in render("case_review.notice", w.engine.case(c).data)
    advance(w, days=31)                                          # late: recorded, not escalated
    view = w.engine.case(c)
    assert any(ev["action"] == "reminded" for ev in view.history) and view.escalation_level == 0
    w.desk.do(c, "案卷问题整改")
    w.desk.do(c, "整改复核", recheck_passed=False, recheck_opinion="仍缺送达回证")
    w.desk.do(c, "案卷问题整改")
    w.desk.do(c, "整改复核")
    assert w.engine.case(c).status == "completed"
    quarter = (w.desk.today().month - 1) // 3 + 1
    [unit] = scores_by_unit(w.engine, w.desk.today().year, quarter)
    assert unit["org_code"] == "dongcheng" and unit["failed"] >= 1 and unit["files"] >= 1


def test_review_scores_feed_the_units_quarterly_case_quality_seed_000_and_003(w):
    """A reviewed file counts in the unit's 案件质量 indicator of the quarterly 通报排名 (seed 003 柴桑区实施意见:
    季度通报排名) with its score out of 100."""
    from workflows.leadership import period as periods
    from workflows.leadership.ranking import rank
    from workflows.leadership.scope import load

    def quality():
        now = w.clock.now()
        with w.engine.db.read() as s:
            scope = load(s, "shifan")
        rows = {r.org: r for r in rank(w.engine, scope, periods.parse(None, now), now, history=0)}
        return rows["dongcheng"].values["quality"] or (0, 0)

    penalty = w.engine.case(closed_penalty(w))
    before = quality()
    c = start_review(w.engine, "qian_ke", "dongcheng", penalty, mode="集中评查").id
    w.desk.do(c, "提交被评查案卷")
    items = [dict(r, score=r["score"] // 2, deduction_reason="文书不全") for r in full_marks()]
    w.desk.do(c, "案卷评查打分", user="zhang_san", score_items=items, review_problems="送达回证缺失")
    w.desk.do(c, "审定评查结果")
    assert quality() == before                                   # not notified yet: not counted
    w.desk.do(c, "印发评查结果通报")
    w.desk.do(c, "签收评查结果")
    total = int(w.engine.case(c).data["review_total"])
    after = quality()
    assert after[1] == before[1] + 1 and after[0] - before[0] == pytest.approx(total / 100)


def test_cross_check_by_another_unit_and_the_scoring_sheet_names_each_item_once_in_chinese(w):
    penalty = w.engine.case(closed_penalty(w))
    c = start_review(w.engine, "wu_ke", "xicheng", penalty, mode="交叉检查").id      # 西城 reviews 东城 files
    w.desk.do(c, "提交被评查案卷")                                   # the handler (东城) hands it in
    assert w.desk.task(c, "案卷评查打分").org_code == "xicheng"
    with pytest.raises(Forbidden):
        w.engine.complete(w.desk.task(c, "案卷评查打分").id, "zhang_san", {})   # 东城 officers are out of scope
    with pytest.raises(InvalidData) as exc:
        w.desk.do(c, "案卷评查打分", user="wang_wu", score_items=full_marks()[:-1])
    assert "须对每个评查项目各打分一次" in str(exc.value.errors)
    bad = [dict(r, score=25) if r["item"] == "立案" else r for r in full_marks()]
    with pytest.raises(InvalidData) as exc:
        w.desk.do(c, "案卷评查打分", user="wang_wu", score_items=bad)
    assert "立案满分10分" in str(exc.value.errors)
    assert [review_grade_of(x) for x in (90, 89, 80, 79, 60, 59)] == ["优秀", "良好", "良好", "合格", "合格", "不合格"]


def test_every_user_task_of_the_model_is_reached_by_a_test(request, w):
    """Stands on its own: any scenario above not yet run on this database is walked on a world of its
    own first (alone, after a subset, in any order; tests/process_support.py)."""
    assert user_tasks(PROCESS) - reached_by_every_scenario(request, w, world, PROCESS) == set()


def test_a_cross_check_names_the_reviewed_units_handler_and_no_one_of_a_third_unit_bpmn_assignee_unit(w):
    """交叉检查 (武进 2017: 通过交叉检查、集中评查、个案抽查): 西城's review case names 东城's 承办人 for
    提交被评查案卷 because the model lets that task's assignee come from the reviewed unit
    (``assigneeUnit`` = reviewed_org); data claiming the reviewed unit is the reviewing one names no
    official of another district (engine/projection.may_be_named, f18dae7): the task goes to the queue."""
    penalty = w.engine.case(closed_penalty(w))
    crossed = start_review(w.engine, "wu_ke", "xicheng", penalty, mode="交叉检查").id
    assert w.desk.task(crossed, "提交被评查案卷").assignee == "li_si"
    forged = w.engine.start(PROCESS, by="wu_ke", org="xicheng", party=penalty.party,
                            data={"review_mode": "交叉检查", "reviewed_case_id": penalty.id,
                                  "reviewed_org": "xicheng", "case_handler": "li_si"}).id
    assert w.desk.task(forged, "提交被评查案卷").assignee is None
