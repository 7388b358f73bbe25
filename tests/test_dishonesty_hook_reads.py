"""What the 失信 after-step hook reads at each step (counted, not timed): a listing case's step
reads the enterprise's flag only when the step could change it, in one statement on the step's own
connection, and an approved accident's steps read nothing; none of it makes the step's ORM session (through the session each cost ~300–550 µs a step; issue 15)."""
from __future__ import annotations

import contextlib

import sqlalchemy as sa
from sqlalchemy.orm import Session

from workflows.forms.dishonesty import example
from workflows.forms.samples import sample

from tests.test_dishonesty_process import at_shanghai, do, listed, notified, published, w  # noqa: F401
from tests.test_dishonesty_trigger import accident_at_approval, listings


def counted(w, case_id: int, name: str) -> dict:
    """``do`` with its form's example data, counting (``counting``) the completion alone."""
    task = w.desk.task(case_id, name)
    today = w.desk.today()
    data = example(task.form_key, today) if task.form_key.startswith("dishonesty.") else sample(task.form_key, today)
    user = w.desk.user_for(task)
    with counting(w) as seen:
        w.engine.complete(task.id, user, data)
    return seen


@contextlib.contextmanager
def counting(w):
    """Statements naming the enterprises table, and ORM sessions begun, while the block runs."""
    seen = {"enterprises": 0, "sessions": 0}

    def statement(conn, cursor, sql, params, context, executemany):
        if "enterprises" in sql:
            seen["enterprises"] += 1

    def began(session, transaction, connection):
        seen["sessions"] += 1

    sa.event.listen(w.engine.db.engine, "before_cursor_execute", statement)
    sa.event.listen(Session, "after_begin", began)
    try:
        yield seen
    finally:
        sa.event.remove(Session, "after_begin", began)
        sa.event.remove(w.engine.db.engine, "before_cursor_execute", statement)


def test_a_listing_step_reads_the_flag_only_when_it_could_change_it(w):
    c = notified(w)
    seen = counted(w, c, "陈述申辩（提出异议）")      # nothing listed yet, no listed_from: no read
    assert seen["enterprises"] == 0
    do(w, c, "复核异议")
    do(w, c, "作出列入决定")
    do(w, c, "制作并送达列入决定书")
    do(w, c, "公开严重失信主体信息")
    assert listed(w)
    w.clock.set(at_shanghai("2027-05-31", 10))
    seen = counted(w, c, "申请信用修复（提前移出）")  # refused (under 12 months): still 公开中
    assert seen == {"enterprises": 1, "sessions": 0}
    assert listed(w) and w.engine.case(c).data["repair_refusals"] == 1


def test_a_published_listing_is_flagged_and_an_early_removal_clears_it(w):
    c = published(w)
    assert listed(w)
    w.clock.set(at_shanghai("2027-06-01", 10))
    do(w, c, "申请信用修复（提前移出）")
    do(w, c, "核查信用修复申请")
    do(w, c, "审批提前移出")
    assert not listed(w) and w.engine.case(c).data["listing_status"] == "已移出"


def test_an_approved_accident_starts_nothing_and_reads_nothing_at_its_steps(w):
    """Since the listing waits for the penalty decision (第11号令第三条), an accident's steps leave the
    hook nothing to read: no ORM session, no enterprise row."""
    c = accident_at_approval(w, deaths=10, local_level="省级")
    do(w, c, "批复事故调查报告")
    assert listings(w) == []
    seen = counted(w, c, "落实处分和移送司法")
    assert seen == {"enterprises": 0, "sessions": 0}
    assert listings(w) == []
