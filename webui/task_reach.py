"""Which tasks an account may know of (任务可知范围), the same on the pages and in the REST API.

An enterprise account asking for a task of another enterprise's case, or of a case kept from it (a
12350 举报 about it, ``partyReads`` 否: engine/policy.CaseHidden), is answered as for a task that is not
there: 404 「任务不存在」 on the page (「要找的任务不存在」) and in the API, for showing, claiming,
releasing and completing it alike. Until 2026-12-07 the page said 「要找的案件不存在」 and the API 403
with the engine's reason (「您没有办理该任务所需的角色（执法人员）」, 「只能释放自己认领的任务」), each
telling such a task from one that does not exist —
《国家安全监管总局关于保护生产安全事故和事故隐患举报人的意见》(2013年6月8日) 第五条（一）（二）, as for cases
(tests/test_security_review10_s25.py). An official of another unit is still told why not (403).
"""
from __future__ import annotations

from engine.errors import NotFound


def hidden(eng, task_id: str, user) -> None:
    """Raise NotFound (「任务不存在: …」, the engine's words for a task that is not there) when ``user``
    (a principal) is an enterprise account that may neither work task ``task_id`` nor read its case;
    NotFound too for a task that is not there. Nothing is read for any other account."""
    if not getattr(user, "party", None):
        return
    row = eng.task(str(task_id))
    if eng.may_work(row.id, user.username) or eng.can_view(row.case_id, user.username):
        return
    raise NotFound(f"任务不存在: {task_id}")
