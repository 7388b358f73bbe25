"""Cases (案件): start (立案/登记), read one with its tasks, timers, incidents and history, list the
ones a user may see, the elements a case has been through (for the diagram), withdraw (撤销), and
the case number (案号) a new case gets.

Use-case functions over an ``Engine`` (engine/engine.py is the facade that names them); a change to
a case is one pass of the step pipeline (engine/step.py), a read one read-only session.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from SpiffWorkflow.util.task import TaskState

from . import audit, case_anchor, case_numbers, incidents, models, queries, sqlexec, step
from .directory import version_column
from .errors import EngineError, Forbidden, InvalidData, NotFound
from .schema import OPEN, Case, Counter, HumanTask, Incident, OrgUnit, ProcessModel, TaskRow, Timer

log = logging.getLogger("duban.engine")
T = TypeVar("T")


@dataclass
class CaseView:
    id: int
    case_no: str
    process_key: str
    model_id: int
    model_version: int
    status: str
    title: str
    org_code: str
    party: str | None
    escalation_level: int
    data: dict
    started_by: str
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    # Rows of human_task, incident and timer, read only: named tuples with the tables' columns as
    # attributes (``t.id``, ``t.due_at``, ``i.resolved_at``), not ORM entities (see ``case`` below).
    tasks: list[Any] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    incidents: list[Any] = field(default_factory=list)
    timers: list[Any] = field(default_factory=list)
    parent_case_id: int | None = None

    @property
    def active_tasks(self):
        return self.tasks


# -- changes ------------------------------------------------------------------------------------
def start(engine, process_key: str, by: str, org: str | None = None, data: dict | None = None,
          title: str = "", party: str | None = None, parent_case_id: int | None = None) -> step.CaseRow:
    """Start a case (立案/登记) of the latest version of ``process_key``.

    The new case's chain head goes in the case row's INSERT (revision 0021). Its case number is
    taken in the transaction: a start that fails takes none. A start whose transaction PostgreSQL
    ended as a deadlock's victim or as a serialization failure (``conflict_to_retry``) wrote
    nothing and is run again, at most ``CONFLICT_RETRIES`` times, each logged (``retried``)."""
    return retried(lambda: _start(engine, process_key, by, org, data, title, party, parent_case_id),
                   f"立案（{process_key}）")


# How many times a use case the database ended as a deadlock's victim or a serialization failure
# is run again (``retried``): a start, a message's correlation, a signal's broadcast, a completion
# (engine/tasks.py) and a timer firing (engine/timer_sweep.py), each one transaction whose script may
# start a case (案号 counter, then anchor head), and the sweep's claim and parking (one short
# transaction each); 0: never (the tests of each guard alone, tests/test_start_deadlock_s27.py,
# tests/test_complete_deadlock_s28.py, tests/test_timer_retry_s29.py).
CONFLICT_RETRIES = 3
# SQLSTATE 40P01 deadlock_detected, 40001 serialization_failure: the transaction was rolled back whole
_CONFLICTS = {"40P01": "死锁", "40001": "串行化冲突"}


def conflict_to_retry(exc: BaseException) -> str | None:
    """What ended ``exc``'s transaction if it may simply run again (「死锁」, 「串行化冲突」), else
    None: the error as the DBAPI raised it (``sqlexec``'s statements) or as SQLAlchemy wrapped it."""
    for err in (exc, getattr(exc, "orig", None), exc.__cause__):
        said = _CONFLICTS.get(getattr(err, "sqlstate", None) or "")
        if said:
            return said
    return None


def retried(run: Callable[[], T], what: str) -> T:
    """``run()``, run again when the database ended its transaction as a deadlock's victim or a
    serialization failure (``conflict_to_retry``), at most ``CONFLICT_RETRIES`` times, each logged;
    any other error is the caller's at once. ``run`` must be one transaction, all or nothing."""
    attempt = 0
    while True:
        try:
            return run()
        except Exception as exc:
            said = conflict_to_retry(exc)
            if said is None or attempt >= CONFLICT_RETRIES:
                raise
            attempt += 1
            log.warning("%s的事务因数据库%s被撤回（未写入任何内容），第 %d 次重试", what, said, attempt)


def _start(engine, process_key: str, by: str, org: str | None, data: dict | None, title: str,
           party: str | None, parent_case_id: int | None) -> step.CaseRow:
    payload = {"process_key": process_key, "org": org, "data": data, "title": title, "party": party,
               "parent_case_id": parent_case_id}
    with incidents.recorded(engine, "start", by, payload) as attempt:  # a script/rule failed at set-up
        with step.transaction(engine) as tx:
            # No ORM session: the principal, the org unit's path, the policy's answer, the model and
            # its specs come from caches at the counters read below; ``tx.orm`` makes one only if a
            # cache misses (a new user, a deploy since the last start).
            s = tx.orm
            # One round trip (PostgreSQL) for what a start asks before it runs: the case number and
            # id (``NewCase``), the directory counter (the principal and the org unit's path from the
            # caches) and the models' stamp (the model and its bundle from the caches).
            new_case = NewCase(tx, process_key, engine.clock.now(), prefix=engine.models.case_prefix(process_key))
            try:
                stamps = sqlexec.first(tx.conn, STAMPS)
                version = tx.directory_version = stamps.directory_version or 0
                models_stamp = (stamps.models_count, stamps.models_newest)
                principal = engine.directory.cached_principal(by, s, version)
                org = attempt.payload["org"] = org or principal.org_code
                party = attempt.payload["party"] = party if party is not None else principal.party
                try:
                    engine.directory.cached_org_path(s, org, version)
                except NotFound:
                    raise InvalidData({"org": f"组织机构不存在: {org}"}) from None
                engine.policy.check_start(s, principal, org, party, process_key, version=version,
                                          models_stamp=models_stamp)
            except EngineError:  # refused before the step (unknown user or unit, the policy): see discard
                new_case.discard()
                raise
            case = step.start_in(engine, tx, process_key, principal, org, data or {}, title, party,
                                 parent_case_id=parent_case_id, org_checked=True, models_stamp=models_stamp,
                                 new_case=new_case)
        step.commit_cache(engine, tx)
        return case


# The directory counter and the models' stamp: what a start (or a message, a signal) may take from caches.
STAMPS = sqlexec.Sql(sa.select(version_column(), *models.stamp_columns()))
_MODELS_STAMP = sqlexec.Sql(sa.select(*models.stamp_columns()))


def cancel(engine, case_id: int, by: str, reason: str = "") -> None:
    """Withdraw a case (撤销): every open task and timer is cancelled. One transaction."""
    def run() -> None:
        with step.transaction(engine) as tx:
            with step.locked_step(engine, tx, case_id, by) as st:
                st.loaded.workflow.cancel()
                st.case.status, st.case.ended_at = "cancelled", engine.clock.now()  # 撤销: ended then
                st.audit("cancelled", detail={"reason": reason})
                st.write(advance_first=False)
        step.commit_cache(engine, tx)

    run()


class NewCase:
    """What a start asks of the database before its step runs, queued (``sqlexec.defer``) to go
    with its first round trip on PostgreSQL: the case number's counter moved (``next_case_no``),
    the case's id from its sequence (PostgreSQL: the case row can then be inserted with the step's
    last writes, ``step.write_case``) and, unless the caller reads it, the models' stamp.

    ``prefix``: the 案号 prefix of the process's latest model as this server process last saw it
    (``ModelStore.case_prefix``; None: it has not, and the key's initials are the guess). The
    counter is moved by it in the first round trip; ``case_no`` checks it against the model the
    start runs on (read at this transaction's models' stamp): a model that declares another prefix
    (its first start in this server process, or a deploy elsewhere that changed it) has the wrong
    counter moved back — this start holds its row — and the right one taken, one round trip more."""

    def __init__(self, tx, process_key: str, now: datetime, models_stamp: bool = False,
                 prefix: str | None = None):
        self.tx, self.process_key, self.now = tx, process_key, now
        self.prefix = self.counter = ""  # the counter's name is also the case's anchor chain's
        self.year = 0
        self._number: sqlexec.Pending | None = None
        self._anchor_head: sqlexec.Pending | None = None
        self._take(prefix or case_numbers.derived(process_key))
        self._id = None if tx.is_sqlite else sqlexec.defer(tx.conn, _NEXT_CASE_ID)
        self._stamp = sqlexec.defer(tx.conn, _MODELS_STAMP) if models_stamp else None

    def _take(self, prefix: str) -> None:
        self.prefix, (self.year, self.counter) = prefix, case_numbers.counter_name(prefix, self.now)
        # Made if it is not there, moved if it is: the start holds the counter row from here on
        # either way, so the head is read under it — the first start of a prefix and year too
        # (``_NEXT_CASE_NO``: the lock order counter, then head, of every start of a chain).
        self._number = sqlexec.defer(self.tx.conn, _NEXT_CASE_NO_SQL, {"b_name": self.counter})
        # the anchor chain's head, read after the counter's row lock (engine/case_anchor.py)
        self._anchor_head = case_anchor.read_head(self.tx, self.counter)

    def case_no(self, model=None) -> str:
        """The new case's 案号, by the prefix of ``model`` (``models.StartModel``, the version it
        starts on); without one, by the prefix guessed."""
        prefix = model.case_prefix if model is not None and model.case_prefix else self.prefix
        if prefix != self.prefix:  # guessed before the model was known
            assert self._number is not None and self._anchor_head is not None
            self._number.first()
            self._anchor_head.first()
            sqlexec.defer(self.tx.conn, _GIVE_BACK_SQL, {"b_name": self.counter})  # its row is this start's
            self._take(prefix)
        assert self._number is not None
        row = self._number.first()
        return f"{self.prefix}-{self.year}-{row[0]:05d}"

    def anchor(self, case) -> None:
        """The new case's anchor event (engine/case_anchor.py), once its id is known."""
        case_anchor.anchor(self.tx, self.counter, self._anchor_head, case)

    def case_id(self) -> int | None:
        """The new case's id (PostgreSQL); None: the database gives it when the row is inserted."""
        return None if self._id is None else self._id.first()[0]

    def discard(self) -> None:
        """The start is refused before its case is made: on SQLite the case number's ``UPDATE …
        RETURNING`` (and the reads beside it) ran at once and nobody will read their rows, and a
        statement left unread keeps running after the rollback — while the refusal's traceback
        holds it, the connection's next COMMIT failed (「cannot commit transaction - SQL statements
        in progress」: a token issued, a case started after a refused start form). Closed here."""
        for pending in (self._number, self._anchor_head, self._id, self._stamp):
            cursor = getattr(pending, "cursor", None)
            if cursor is not None:
                cursor.close()

    def models_stamp(self) -> tuple | None:
        if self._stamp is None:
            return None
        row = self._stamp.first()
        return row.models_count, row.models_newest


def next_case_no(s: Session, process_key: str, now: datetime, prefix: str | None = None) -> str:
    """案号 ``<prefix>-<year>-<serial>``: the model's prefix (else the process key's initials,
    engine/case_numbers.py), the year in China, a counter per prefix and year taken under a row lock."""
    prefix = prefix or case_numbers.derived(process_key)
    year, name = case_numbers.counter_name(prefix, now)
    # One statement: the counter made or moved, and read, under the row lock it takes (a concurrent
    # start queues on it). The number is the transaction's: if it rolls back, so does the counter.
    value = s.execute(_NEXT_CASE_NO, {"b_name": name}).scalar_one()
    return f"{prefix}-{year}-{value:05d}"


_COUNTER = Counter.__table__
# The counter made at 1 or moved by one, and its new value, in one statement that always ends
# holding the row's lock. Until 2026-12-07 an ``UPDATE … RETURNING`` that found no row (the first
# case of a prefix and year) fell back to an INSERT: a start whose UPDATE ran just before the first
# start's COMMIT and whose head read (queued behind it) ran just after held the new head and then
# asked for the counter row, which a third start held while asking for the head — PostgreSQL's
# deadlock (tests/test_start_deadlock_s27.py). An ``INSERT`` that meets a row another start is
# making waits for that start's end, then moves the row (ON CONFLICT); PostgreSQL and SQLite both
# render this construct (the SQLite dialect's compiler reads the same clause).
_NEXT_CASE_NO = (postgresql.insert(_COUNTER).values(name=sa.bindparam("b_name"), value=1)
                 .on_conflict_do_update(index_elements=[_COUNTER.c.name], set_={"value": _COUNTER.c.value + 1})
                 .returning(_COUNTER.c.value))
_NEXT_CASE_NO_SQL = sqlexec.Sql(_NEXT_CASE_NO)
# A counter a start moved by a prefix its model no longer gives, moved back (the start holds its row)
_GIVE_BACK_SQL = sqlexec.Sql(sa.update(_COUNTER).where(_COUNTER.c.name == sa.bindparam("b_name"))
                             .values(value=_COUNTER.c.value - 1))
_NEXT_CASE_ID = sqlexec.Sql(sa.select(sa.func.nextval(sa.func.pg_get_serial_sequence("case_instance", "id"))))


# -- reads --------------------------------------------------------------------------------------
# The case page's and GET /api/cases/<id>'s statements, rendered once and run on the DBAPI cursor
# (engine/sqlexec.py): the rows come back as named tuples with the tables' columns (``t.due_at``,
# ``i.resolved_at``), not ORM entities — nothing reads them to change them, and building entities
# was most of the read's CPU (2.0 -> 0.3 ms a case with a task and two history events).
# The case, its model's version and the directory counter (for the cached principal) in one read.
_CASE_VIEW = sqlexec.Sql(sa.select(Case.__table__, ProcessModel.version.label("model_version"), version_column())
                         .join(ProcessModel, ProcessModel.id == Case.model_id).where(Case.id == sa.bindparam("id")))
_TASKS, _INCIDENTS, _TIMERS = HumanTask.__table__, Incident.__table__, Timer.__table__
_OPEN_TASKS = sqlexec.Sql(sa.select(_TASKS).where(_TASKS.c.case_id == sa.bindparam("id"), _TASKS.c.state == OPEN)
                          .order_by(_TASKS.c.created_at))
_CASE_INCIDENTS = sqlexec.Sql(sa.select(_INCIDENTS).where(_INCIDENTS.c.case_id == sa.bindparam("id"))
                              .order_by(_INCIDENTS.c.id))
_CASE_TIMERS = sqlexec.Sql(sa.select(_TIMERS).where(_TIMERS.c.case_id == sa.bindparam("id")).order_by(_TIMERS.c.due_at))


def case(engine, case_id: int, username: str | None = None) -> CaseView:
    """A case with its open tasks, data, timers, incidents and history (the audit events)."""
    # snapshot=False: on PostgreSQL, at read committed, a transaction would give each of these reads
    # its own snapshot anyway, so they run without one (no BEGIN and ROLLBACK round trips, psycopg's
    # prepared statements kept); SQLite keeps its read transaction, one snapshot for all five.
    with engine.db.read(snapshot=False) as s:
        conn = s.connection()
        row = sqlexec.first(conn, _CASE_VIEW, {"id": case_id})
        if row is None:
            raise NotFound(f"案件不存在: {case_id}")
        if username is not None:
            p = engine.directory.cached_principal(username, s, row.directory_version or 0)
            engine.policy.check_case_view(s, p, row, row.directory_version or 0)
        key = {"id": case_id}
        return CaseView(id=row.id, case_no=row.case_no, process_key=row.process_key,
                        model_id=row.model_id, model_version=row.model_version, status=row.status, title=row.title,
                        org_code=row.org_code, party=row.party, escalation_level=row.escalation_level,
                        data=dict(row.data or {}), started_by=row.started_by, started_at=row.started_at,
                        updated_at=row.updated_at, ended_at=row.ended_at,
                        tasks=sqlexec.all_rows(conn, _OPEN_TASKS, key),
                        history=audit.history(s, case_id), incidents=sqlexec.all_rows(conn, _CASE_INCIDENTS, key),
                        timers=sqlexec.all_rows(conn, _CASE_TIMERS, key), parent_case_id=row.parent_case_id)


def case_elements(engine, case_id: int) -> dict[str, list[str]]:
    """The model elements a case has been through (for the diagram): completed, active, cancelled."""
    with engine.db.read() as s:
        rows = s.execute(sa.select(TaskRow.spec_name, TaskRow.state).where(TaskRow.case_id == case_id)).all()
    result: dict[str, set[str]] = {"completed": set(), "active": set(), "cancelled": set()}
    for name, state in rows:
        if state == TaskState.COMPLETED:
            result["completed"].add(name)
        elif state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED, TaskState.ERROR):
            result["active"].add(name)
        elif state == TaskState.CANCELLED:
            result["cancelled"].add(name)
    return {k: sorted(v) for k, v in result.items()}


def listing(engine, username: str | None = None, *, status: str | None = None, process_key: str | None = None,
            case_no: str | None = None, party: str | None = None, org: str | None = None,
            limit: int = 50, offset: int = 0) -> list[Case]:
    """Cases newest first, filtered; with ``username`` only those the read policy lets them see."""
    with engine.db.read() as s:
        q = sa.select(Case)
        if username is not None:
            q = q.where(queries.Scope(s, engine.directory.principal(username, s), engine.policy).cases())
        if status:
            q = q.where(Case.status == status)
        if process_key:
            q = q.where(Case.process_key == process_key)
        if case_no:
            q = q.where(Case.case_no.contains(case_no, autoescape=True))  # 「%」「_」 as typed, not wildcards
        if party:
            q = q.where(Case.party == party)
        if org:
            q = q.where(Case.org_code == org)
        return list(s.execute(q.order_by(Case.id.desc()).limit(limit).offset(offset)).scalars())


def can_view(engine, case_id: int, username: str) -> bool:
    with engine.db.read() as s:
        row = s.get(Case, case_id)
        if row is None:
            return False
        try:
            engine.policy.check_case_view(s, engine.directory.principal(username, s), row)
            return True
        except Forbidden:
            return False
