"""行政处罚: a 退回 of the proposal (法制审核, 负责人审批) goes back to the 承办人 who wrote it, in his
own 我的待办 — not to every 执法人员 of the unit, unclaimed (《行政处罚法》第五十八条 法制审核,
第五十七条 负责人审查决定). The model's 案件处理呈批 records its completer (``completerVariable``)
and names him as ``assignee``; the first 呈批 stays the unit's pool.

Real SQLite file and real PostgreSQL (the ``database_url`` fixture), the real model, the demo users."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine import Conflict, Forbidden, InvalidModel
from workflows.demo import CHEMICAL
from tests.process_support import process_world

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
PROCESS = "enforcement_case"
A, B = "li_si", "zhang_san"   # two 执法人员 of 东城; A is the 承办人 who writes the 呈批


@pytest.fixture
def w(database_url):
    yield from process_world(database_url, PROCESS, None, START)


def _propose_task(w, c):
    return w.desk.task(c, "案件处理呈批")


def _in_queue(w, user, task_id) -> bool:
    return any(t.id == task_id for t in w.engine.queue(user, limit=500))


def _proposed_by_a(w) -> int:
    c = w.desk.start(PROCESS, by=B, org="dongcheng", party=CHEMICAL, title="甲化工重大危险源监控案").id
    w.desk.do(c, "初步核查", user=B)
    w.desk.do(c, "立案审批")
    w.desk.do(c, "调查取证", user=A)
    first = _propose_task(w, c)
    assert first.assignee is None                          # the first 呈批: the unit's 执法人员 pool
    assert _in_queue(w, A, first.id) and _in_queue(w, B, first.id)
    w.desk.do(c, "案件处理呈批", user=A)
    return c


def _returned_to_a(w, c):
    task = _propose_task(w, c)
    assert task.assignee == A                              # 指定给承办人本人
    assert _in_queue(w, A, task.id)                        # in A's 我的待办
    assert not _in_queue(w, B, task.id)                    # not in the pool B sees
    with pytest.raises((Conflict, Forbidden)):
        w.engine.complete(task.id, B, {})
    return task


def test_return_by_legal_review_art58_and_by_head_art57_goes_back_to_the_handler(w):
    c = _proposed_by_a(w)
    w.desk.do(c, "法制审核", legal_review_decision="退回", legal_review_opinion="裁量基准适用错误",
              legal_review_points=["裁量基准运用不适当"])
    _returned_to_a(w, c)
    w.desk.do(c, "案件处理呈批", user=A)                    # A re-proposes
    w.desk.do(c, "法制审核")
    w.desk.do(c, "送达行政处罚告知书", user=A)
    w.desk.do(c, "陈述申辩或申请听证", user="jia_qy")
    w.desk.do(c, "负责人审批", head_decision="退回", head_opinion="罚款数额偏高")
    _returned_to_a(w, c)
    w.desk.do(c, "案件处理呈批", user=A)
    assert w.engine.case(c).data["proposer"] == A


def test_a_handler_no_longer_of_the_unit_leaves_the_return_to_the_pool(w):
    c = _proposed_by_a(w)
    w.engine.directory.set_active(A, False, reason="调离")  # A 停用 (left): may not be named (may_be_named)
    w.desk.do(c, "法制审核", legal_review_decision="退回", legal_review_opinion="事实不清",
              legal_review_points=["裁量基准运用不适当"])
    task = _propose_task(w, c)
    assert task.assignee is None
    assert _in_queue(w, B, task.id)


def test_a_completer_variable_named_like_a_case_field_is_refused_at_deploy(w, tmp_path):
    text = (Path(__file__).resolve().parent.parent / "bpmn" / "enforcement_case.bpmn").read_text(encoding="utf-8")
    bad = text.replace('name="completerVariable" value="proposer"', 'name="completerVariable" value="case_no"')
    path = tmp_path / "enforcement_case.bpmn"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(InvalidModel) as refused:
        w.engine.deploy(str(path), by="xu_sj")
    assert "办理人记入变量" in str(refused.value) and "系统保留" in str(refused.value)
