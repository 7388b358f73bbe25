"""A case's stored rows for a cold step (冷加载的案件数据), read in one statement.

A step on a case this process's workflow cache does not hold — another web or timer process
stepped it last (PostgreSQL with several workers: most steps), the process restarted, more cases
are active than the cache holds — needs, besides the case row, the case's live workflow and task
rows (to restore the workflow) and what its projections last wrote, to compare with: its open human
tasks, timers, event waits and external tasks, and the top workflow's last task (kept on the case
row, engine/state.py ``last_task_text``). Read table by table that was six statements after the task and case (the last two through SQLAlchemy's full ``Connection.execute``), six round trips
on PostgreSQL. Here it is one prepared ``UNION ALL`` of tagged rows (``kind``), each branch an
index lookup by case id (tests/test_query_plans.py), decoded into ``StoredCase``.

The projections' rows are read whether or not the case's model can have any: a case moved to
another version of its model may have rows its old version left (a wait the new one no longer
has), and they must still be deleted; read here they cost no statement of their own.
"""
from __future__ import annotations

import json
import operator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from . import sqlexec
from .schema import OPEN, Case, EventWait, ExternalTask, HumanTask, TaskRow, Timer, UTCDateTime, WorkflowRow

WORKFLOW, TASK, OPEN_TASK, TIMER, WAIT, EXTERNAL, LAST_TASK = range(7)  # what a row is (its ``kind``)

_CASE_ID = sa.bindparam("case_id")


def _null(type_) -> sa.Cast:
    """A typed NULL: PostgreSQL resolves a UNION's column types branch by branch, and an untyped
    NULL in the first two would make a text column that an integer one cannot join."""
    return sa.cast(sa.null(), type_)


def _branch(kind: int, table, where, id, wf_key=None, seq=None, content=None, due_at=None) -> sa.Select:
    return sa.select(
        sa.literal_column(str(kind), sa.Integer).label("kind"), id.label("id"),
        (wf_key if wf_key is not None else _null(sa.String)).label("wf_key"),
        (seq if seq is not None else _null(sa.Integer)).label("seq"),
        (content if content is not None else _null(sa.Text)).label("content"),
        # the first branch's types decide the result's processing: a datetime parsed from SQLite's text
        (due_at if due_at is not None else _null(UTCDateTime())).label("due_at"),
    ).select_from(table).where(*where)


_W, _T, _H, _TI, _E, _X, _C = (m.__table__ for m in (WorkflowRow, TaskRow, HumanTask, Timer, EventWait, ExternalTask,
                                                     Case))
CASE_ROWS = sqlexec.Sql(sa.union_all(
    _branch(WORKFLOW, _W, (_W.c.case_id == _CASE_ID, _W.c.live.is_(True)), _W.c.wf_key, content=_W.c.content),
    _branch(TASK, _T, (_T.c.case_id == _CASE_ID, _T.c.live.is_(True)), _T.c.id, _T.c.wf_key, _T.c.seq, _T.c.content),
    _branch(OPEN_TASK, _H, (_H.c.case_id == _CASE_ID, _H.c.state == OPEN), _H.c.id,
            content=sa.cast(_H.c.rules, sa.Text), due_at=_H.c.due_at),
    _branch(TIMER, _TI, (_TI.c.case_id == _CASE_ID,), _TI.c.id, due_at=_TI.c.due_at),
    _branch(WAIT, _E, (_E.c.case_id == _CASE_ID,), _E.c.id, content=sa.cast(_E.c.correlation, sa.Text)),
    _branch(EXTERNAL, _X, (_X.c.case_id == _CASE_ID,), _X.c.id),
    # the top workflow's last task, kept on the case row (engine/state.py ``last_task_text``)
    _branch(LAST_TASK, _C, (_C.c.id == _CASE_ID,), _C.c.last_task),
))

_by_seq = operator.attrgetter("seq")


@dataclass(slots=True)
class StoredCase:
    """A case's rows as stored: what ``state.restore_rows`` restores the workflow from, and what
    the projections last wrote."""
    workflows: dict[str, str]  # wf_key -> content (live rows)
    tasks: list  # live task rows (id, wf_key, seq, content), in seq order
    open_tasks: dict[str, tuple]  # human task id -> (due_at, has separation-of-duty rules)
    timers: dict[str, datetime | None]  # timer id -> due_at
    waits: dict[str, dict]  # event_wait id -> correlation
    external: set[str]  # external_task ids
    last_task: str | None = None  # the case row's ``last_task`` (the top workflow's)


def _decoded(text: str | None):
    return json.loads(text) if text is not None else None


def read_case(conn: sa.Connection, case_id: int) -> StoredCase:
    """Every row a cold step reads of the case, in one statement (one round trip)."""
    stored = StoredCase({}, [], {}, {}, {}, set())
    tasks = stored.tasks
    for row in sqlexec.all_rows(conn, CASE_ROWS, {"case_id": case_id}):
        kind = row.kind
        if kind == TASK:
            tasks.append(row)
        elif kind == WORKFLOW:
            stored.workflows[row.id] = row.content
        elif kind == OPEN_TASK:
            stored.open_tasks[row.id] = (row.due_at, bool(_decoded(row.content)))
        elif kind == TIMER:
            stored.timers[row.id] = row.due_at
        elif kind == WAIT:
            stored.waits[row.id] = _decoded(row.content)
        elif kind == EXTERNAL:
            stored.external.add(row.id)
        else:
            stored.last_task = row.id
    tasks.sort(key=_by_seq)  # each branch comes in index order already: a sorted list is one pass
    return stored
