"""One step of a case (一步): the pipeline every change to a running case goes through.

    lock → authorize → validate → load → run → diff-write → project → audit → commit

Written once here and used by completing a task, starting a case, firing timers, cancelling and
retrying incidents (and, through ``Step``, by any other use case that moves a case on). The hot
path speaks SQL Core on the transaction's connection — prepared statements, ``executemany`` for
task rows, one statement per projection, every audit event of a chain in one insert — and never
the ORM unit of work: a completion is about a dozen statements whatever the model.

- **Lock** (``lock_case``): the case row read under its lock (``SELECT … FOR NO KEY UPDATE`` on
  PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite); the version is bumped in the step's last write. A
  second writer blocks on the row and then reads what the first committed: the case no longer
  running, or the task no longer open: ``Conflict``. So a task submitted twice is completed once.
- **Load**: from the engine's in-process cache when the case's version matches, else from rows.
  The cache also remembers the projections' last inputs (open task ids, timer due dates), so an
  unchanged projection costs no statement at all.
- **Run**: what the use case does to the workflow, then the engine steps after it. Whatever the
  model's own code raises becomes ``ProcessFailure``; the caller records an incident.
- **Diff-write** (``state.save``), **project** (``projection``), **audit** (``AuditBuffer``), then
  the case row itself, then commit.
"""
from __future__ import annotations

import contextvars
import json
import logging
import operator
from datetime import datetime
from itertools import compress
from typing import Any, Callable, Literal

import msgspec
import sqlalchemy as sa
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.control import _EndJoin
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from . import assignment, audit, case_facts, conditional_starts, first_forms, model_forms, projection, sqlexec, unstorable, state as wfstate
from .errors import Conflict, EngineError, InvalidData, NotFound
from .join_data import open_case_data
from .schema import Case, Counter, HumanTask, OrgUnit, TaskCandidate, TaskExclusion, User, UserRole
from .scripting import StepRequests
from .task_class import decide_logging
from .timeexpr import TimerExpressionError
from .workflow import DubanWorkflow

log = logging.getLogger("duban.step")

CASE = Case.__table__
TASK = HumanTask.__table__
ACTIVE_CASE = ("running",)
DIRECTORY_COUNTER = "directory"
_STATUS_WORD = {"completed": "办结", "cancelled": "撤销"}


class ProcessFailure(Exception):
    """A script, service, rule or timer expression of the model failed while the engine ran it."""

    def __init__(self, cause: BaseException):
        self.cause = cause
        super().__init__(str(cause))


def run_model_code(fn, *args):
    """Run SpiffWorkflow on the model; whatever the model's own code raises becomes a ProcessFailure."""
    try:
        return fn(*args)
    except (EngineError, ProcessFailure):
        raise
    except sa.exc.SQLAlchemyError:
        raise
    except Exception as exc:
        raise ProcessFailure(exc) from exc


def advance(workflow: BpmnWorkflow) -> None:
    """Run engine tasks until only user tasks and waiting events are left.

    SpiffWorkflow's ``do_engine_steps`` is called when it has something to do besides its timers:
    an engine task READY, or a sub-process (whose parent task it updates every time). Otherwise
    its loop would run nothing and end, and what it does is ``refresh_timers`` (a timer due fires),
    called here alone: the loop's task walks and sub-process lists cost ~7 µs (hot) where the look
    through the task dict costs ~1, in 4 of the 5 completions of bench/models/five_tasks.bpmn (a
    user task completed, the next one READY). Whatever a timer readied is run on the next round.

    ``refresh_timers`` updates the timer tasks among the workflow's waiting events
    (``event_manager.tasks``) and nothing else: with no event waiting (most steps of most models)
    it changes no task, so the look for an engine task just taken still holds and is not taken
    again (one walk of the case's tasks less: 2 → 1 on a middle completion of the 5-task model,
    tests/test_step_hot_paths.py).

    An engine task left READY by two rounds in a row, the case's tasks no more in number, is one
    SpiffWorkflow's walk no longer reaches (it stops 1,000 tasks deep: a loop of script tasks whose
    way out never holds): an incident naming it at once, not 10,000 rounds of nothing (12 s of the
    host's CPU, the writer's lock held) and an English error."""
    left = None  # (the engine task a round left READY, the case's task count then)
    for _ in range(10_000):
        if workflow.subprocesses or _engine_task_ready(workflow):
            workflow.do_engine_steps()
            if getattr(workflow, "rested", False):  # it ended finding nothing to run, nothing waiting
                workflow.rested = False
                ready = None
            else:
                ready = _engine_task_ready(workflow)
            if ready is not None:  # rare: do_engine_steps runs what it finds
                count = sum(len(w.tasks) for w in wfstate.all_workflows(workflow))
                if left is not None and left[0] is ready and left[1] == count:
                    raise ProcessFailure(Unrested(ready))
                left = (ready, count)
        elif workflow.event_manager.tasks:
            workflow.refresh_timers()  # all that do_engine_steps would do (SpiffWorkflow 3.x)
            ready = _engine_task_ready(workflow)
        else:
            ready = False  # no event waits: refresh_timers would change nothing since the look above
        if not ready and workflow.subprocesses and conditional_starts.fire_met(workflow):
            continue  # a conditional event sub-process's condition came true: it runs on the next round
        if not ready and not end_idle_event_subprocesses(workflow):
            return
    raise ProcessFailure(Unrested(None))


class Unrested(Exception):
    """The engine's tasks of one step did not come to rest (a loop with no way out)."""

    def __init__(self, task):
        spec = getattr(task, "task_spec", None)
        name = getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None)
        where = f"（停在「{name}」）" if name else ""
        super().__init__(f"流程在一步之内自动执行的环节过多，未能停在人工任务或等待处{where}：可能是没有出口的循环，"
                         "请检查循环的退出条件（网关的条件、脚本中的计数）后重试")


def _engine_task_ready(workflow: BpmnWorkflow):
    """A READY task that is not a person's (what ``do_engine_steps`` runs), in any workflow of the
    case, or None (a plain loop: a generator under ``any`` resumed once a task cost ~2x)."""
    for w in wfstate.all_workflows(workflow):
        for t in w.tasks.values():
            if t._state == _READY and not t.task_spec.manual:
                return t
    return None


_ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING
_READY = TaskState.READY


def end_idle_event_subprocesses(workflow: BpmnWorkflow) -> bool:
    """An event sub-process (事件子流程) lives only as long as the process or sub-process around it
    (BPMN; Camunda ends the instance). SpiffWorkflow runs one with a timer start event as a branch
    its scope's end waits for, so a case whose flow had ended stayed running until the timer fired
    — and then ran, say, the 超期上报 of a finished case. When a scope's end waits for nothing but
    such event sub-processes whose start event has not fired, they are cancelled and the scope
    ends. True if any was. (One already triggered keeps its scope alive until it is done.)"""
    ended = False
    for wf in list(wfstate.all_workflows(workflow)):
        if not _starts_event_subprocess(wf.spec.start):
            continue  # most scopes: no task scan in every step
        joins = [t for t in wf.tasks.values() if t.state == TaskState.WAITING and isinstance(t.task_spec, _EndJoin)]
        if not joins:
            continue
        others = [t for t in wf.tasks.values() if t._state & _ACTIVE and t not in joins]
        if not others or not all(_untriggered_event_subprocess(workflow, t) for t in others):
            continue
        for task in others:
            task.cancel()
        for join in joins:
            join.task_spec._update(join)
        ended = True
    return ended


def _starts_event_subprocess(start_spec) -> bool:
    """A scope whose start runs an event sub-process beside its flow. Asked afresh every step, not
    cached: SpiffWorkflow links a message- or signal-started event sub-process to its scope's start
    only when it is first triggered (its start task's ``trigger_wf``), on the spec every case of the
    version shares, so a scope's answer turns from no to yes while the process runs (a cached no
    left every later case of that version running after its last task)."""
    return any(isinstance(spec, SubWorkflowTask) for spec in start_spec.outputs)


def _untriggered_event_subprocess(top: BpmnWorkflow, task) -> bool:
    """An event sub-process (started from its scope's start, beside the flow) still waiting for its
    start event, with nothing of it running: a non-interrupting cycle timer's that has run its paths
    so far waits for its next occurrence (its end join waiting for that branch only), which never
    comes once its scope is done (the case stalled there until the last occurrence)."""
    if not isinstance(task.task_spec, SubWorkflowTask) or task.parent is None or \
            task.parent.task_spec is not task.workflow.spec.start:
        return False
    sub = top.subprocesses.get(task.id)
    return sub is not None and all(isinstance(t.task_spec, (StartEvent, _EndJoin)) and t.state == TaskState.WAITING
                                   for t in sub.tasks.values() if t._state & _ACTIVE)


_UNFINISHED = TaskState.NOT_FINISHED_MASK


def workflow_completed(workflow) -> bool:
    """``workflow.is_completed()``, its ``completed`` flag set as that sets it, without the walk of
    SpiffWorkflow's generic TaskIterator (a filter object, a list popped from its front and a
    ``children`` list built per task: ~14 µs of a ~1 ms completion on bench/models/five_tasks.bpmn).
    That walk looks through the whole task tree for one unfinished task; the tree's tasks are those
    of ``workflow.tasks`` (SpiffWorkflow enters a task there as it adds it to the tree and takes it
    out as it drops it, and state.prune does both), so the question is asked of the dict.
    tests/test_step_hot_paths.py compares the two at every step of looping, parallel and
    sub-process models. The dict is read newest task first: the tasks SpiffWorkflow added last (the
    predicted end of the process, a loop's new round) are the likeliest to be unfinished, so a
    running case is told after a task or two instead of after its whole finished history."""
    if not workflow.completed and not any(task._state & _UNFINISHED for task in reversed(workflow.tasks.values())):
        workflow.completed = True
    return workflow.completed


def case_data_text(workflow: BpmnWorkflow, completed: bool | None = None) -> str:
    """``case_data`` as the JSON text the case row stores (encoded once: the row takes this text
    as it is, and ``CaseRow.data`` decodes it only if someone reads it). ``completed``: the
    workflow's ``is_completed()``, if the caller knows it already."""
    if completed is None:
        completed = workflow_completed(workflow)
    return encode_data(case_data(workflow, completed), True)


def case_data(workflow: BpmnWorkflow, completed: bool) -> dict:
    """The case data the case row stores: an ended case's last task's data and the workflow's, a
    running case's branches apart merged as at a join (engine/join_data.py)."""
    if completed:
        merged = dict(workflow.last_task.data) if workflow.last_task is not None else {}
        merged.update(workflow.data)
        return merged
    return open_case_data(workflow)


# What ``jsonable`` makes of a value, as text: one encoder for every call (json.dumps with options
# builds a new one each time); whatever JSON has no form for is written as its str().
_json_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
_make_c_encoder = json.encoder.c_make_encoder
_quote = json.encoder.encode_basestring


_finite_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str, allow_nan=False)


def _encode_json(value, finite: bool = False) -> str:
    """``_json_encoder.encode(value)``: its C encoder called directly, as ``iterencode`` makes and calls
    it (a circular-reference check of its own each call), without ``iterencode``'s Python around it
    (~1.5 µs: a float formatter made and not used). The same text, the same errors. ``finite``: an
    infinity or NaN raises ValueError (JSON has no form for them, so no database keeps them)."""
    if isinstance(value, str):
        return _quote(value)
    if _make_c_encoder is None:
        return (_finite_encoder if finite else _json_encoder).encode(value)
    return "".join(_make_c_encoder({}, str, _quote, None, ":", ",", False, False, not finite)(value, 0))


_encode_flat = msgspec.json.Encoder().encode
_FLAT = frozenset({str, int, bool, type(None)})
_TEXT_KEYS = frozenset({str})


def encode_data(value, finite: bool = False) -> str:
    """``value`` as JSON text, as ``_encode_json`` writes it. A dict of text keys and values that are
    text, integers, booleans or None (most case data) is written by msgspec, which writes those
    byte for byte alike (tests/test_jsonable.py) in a fifth of the time: the json module's
    ``encode`` makes its C encoder anew on every call. In-process A/B (thread CPU, 1,000 warm
    completions a side a run, busy machine): case_data_text 16–24 → 11–16 µs (A/A ±0.8), a whole
    completion 2–20 µs less (six runs, both sides). Floats (msgspec writes ``1e16``, json
    ``1e+16``), nested values and anything else: json, as before. ``finite``: as ``_encode_json``'s
    (msgspec is given no float)."""
    if type(value) is dict:
        # the types of the keys and values looked at in C (``map``), not by a Python loop a key: ~8
        # bytecodes a key less (bench/step_ab.py --variant flat_check)
        if not (_FLAT.issuperset(map(type, value.values())) and _TEXT_KEYS.issuperset(map(type, value))):
            return _encode_json(value, finite)
        try:
            return _encode_flat(value).decode()
        except UnicodeEncodeError:  # a lone surrogate, which json writes as it is
            return _encode_json(value, finite)
    return _encode_json(value, finite)


def jsonable(value):
    """``value`` as JSON gives it back (a copy: dates become text, tuples lists, keys text...)."""
    if value is None:
        return None
    copied = _plain_copy(value, 0)
    return copied if copied is not _NOT_PLAIN else json.loads(encode_data(value))


_NOT_PLAIN = object()
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain_copy(value, depth: int):
    """A copy of ``value`` when it holds nothing but text keys, lists and JSON's scalars — JSON
    would give it back equal, so no need to encode and decode it; else ``_NOT_PLAIN``."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if depth > 20:  # deep, or a circular reference: JSON decides
        return _NOT_PLAIN
    if kind is dict:
        if _SCALARS.issuperset(map(type, value.values())) and _TEXT_KEYS.issuperset(map(type, value)):
            return dict(value)  # flat (most case data): its keys and values' types looked at in C
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                return _NOT_PLAIN
            item = _plain_copy(item, depth + 1)
            if item is _NOT_PLAIN:
                return _NOT_PLAIN
            out[key] = item
        return out
    if kind is list:
        items = []
        for item in value:
            item = _plain_copy(item, depth + 1)
            if item is _NOT_PLAIN:
                return _NOT_PLAIN
            items.append(item)
        return items
    return _NOT_PLAIN


# --- the transaction ----------------------------------------------------------------------------
class AuditBuffer:
    """Audit events of one transaction, written in one insert when the step ends: a step adds a few
    on every completion. A case chain's events wait in ``by_case`` (case id -> tuples of
    ``audit.EVENT_FIELDS``), any other chain's in ``events`` (tuples ``(chain, *EVENT_FIELDS)``).

    A case chain's head is on its case row (``case_instance.audit_seq/audit_hash``, revision 0021):
    ``write_case`` links the case's events buffered so far (``link_case``) and sets the head in the
    row's own ``UPDATE``; events of a case chain added after that (a script's ``print``, a spawned
    case, a thrown message, an incident's resolution) are linked at the end from the head this
    transaction left, and the row's head moved by an ``UPDATE`` of its own."""

    def __init__(self):
        self.by_case: dict[int, list[tuple]] = {}
        self.events: list[tuple] = []
        self.rows: list[dict] = []  # events already linked (``link_case``): inserted at the end

    def add(self, chain: str, *, actor: str, action: str, at: datetime, case_id: int | None = None,
            task_id: str | None = None, detail: dict | None = None) -> None:
        if case_id is not None and chain == audit.case_chain(case_id):
            self.case(case_id, actor=actor, action=action, at=at, task_id=task_id, detail=detail)
        else:
            self.events.append((chain, case_id, actor, action, at, task_id, detail))

    def case(self, case_id: int, *, actor: str, action: str, at: datetime, task_id: str | None = None,
             detail: dict | None = None) -> None:
        events = self.by_case.get(case_id)
        if events is None:
            events = self.by_case[case_id] = []
        events.append((case_id, actor, action, at, task_id, detail))

    def mark(self, tx: "Tx") -> tuple:
        """Where the buffer stands, for ``back_to`` (a savepoint about to be taken)."""
        return ({case_id: len(events) for case_id, events in self.by_case.items()}, len(self.events),
                len(self.rows), dict(audit.case_heads(tx.info)))

    def back_to(self, tx: "Tx", mark: tuple) -> None:
        """The savepoint taken at ``mark`` was rolled back: its events go, and so do the case chain
        heads it moved (the rows it wrote hold the heads as they were)."""
        by_case, events, rows, heads = mark
        for case_id in list(self.by_case):
            if case_id in by_case:
                del self.by_case[case_id][by_case[case_id]:]
            else:
                del self.by_case[case_id]
        del self.events[events:]
        del self.rows[rows:]
        kept = audit.case_heads(tx.info)
        kept.clear()
        kept.update(heads)

    def link_case(self, tx: "Tx", case: "CaseRow") -> bool:
        """Link the events of ``case``'s chain buffered so far after its head (as this transaction
        last left it, else as the row was read) and put the new head on ``case``, for ``write_case``
        to set in the row's ``UPDATE``; True if the head moved."""
        heads = audit.case_heads(tx.info)
        head = heads.get(case.id)
        if head is None:
            head = (case.audit_seq or 0, case.audit_hash or audit.GENESIS)
        mine = self.by_case.pop(case.id, None)
        if mine:
            rows, seq, last = audit._linked(audit.case_chain(case.id), mine, *head)
            self.rows.extend(rows)
            head = heads[case.id] = (seq, last)
        moved = head[0] != case.audit_seq
        case.audit_seq, case.audit_hash = head[0], (head[1] if head[0] else None)
        return moved

    def flush(self, tx: "Tx") -> None:
        by_case, events, rows = self.by_case, self.events, self.rows
        if not by_case and not events and not rows:
            return
        self.by_case, self.events, self.rows = {}, [], []
        tx.flush()  # events the ORM path appended in this transaction come first
        moves: list[dict] = []
        by_chain: dict[str, list[tuple]] = {}
        for case_id, mine in by_case.items():
            if not mine:
                continue
            # added after the case row was written (or with no step of the case): its head on
            # the row, moved by a statement of its own
            chain = audit.case_chain(case_id)
            head = audit.case_head(tx.conn, tx.info, case_id, lock=not tx.is_sqlite)
            if head is None:  # no case row: the chain's head is an ``audit_head`` row
                by_chain[chain] = mine
                continue
            linked, seq, last = audit._linked(chain, mine, *head)
            rows.extend(linked)
            audit.case_heads(tx.info)[case_id] = (seq, last)
            moves.append({"b_id": case_id, "audit_seq": seq, "audit_hash": last})
        for event in events:
            by_chain.setdefault(event[0], []).append(event[1:])
        if by_chain:
            self._append_chains(tx, by_chain)
        if rows:
            sqlexec.defer(tx.conn, audit.INSERT_EVENTS, rows, many=True)
        if moves:
            sqlexec.defer(tx.conn, audit.MOVE_CASE_HEAD, moves, many=True)

    def _append_chains(self, tx: "Tx", by_chain: dict[str, list[tuple]]) -> None:
        """Chains whose heads are ``audit_head`` rows (not a case's: the ``system`` and ``auth``
        chains, a case chain whose case row is gone), their heads read (and locked) here."""
        orm_heads = tx.info.get("audit_heads")
        stale = [orm_heads.pop(chain) for chain in by_chain if chain in orm_heads] if orm_heads else []
        audit.append_chains(tx.conn, by_chain, lock=not tx.is_sqlite)
        for head in stale:
            tx.session.expire(head)


class Tx:
    """One write transaction: the Core connection, the audit events to append before commit, and
    an ORM session on the same connection made only when something asks for it (hooks, cold
    paths) — a completion on the hot path never makes one."""

    def __init__(self, conn: sa.Connection, is_sqlite: bool):
        self.conn = conn
        self.is_sqlite = is_sqlite
        self.audit = AuditBuffer()
        self.directory_version = 0
        # What the transaction carries (after-commit callbacks, cache entries to put); the
        # session's ``info`` once there is a session.
        self.info: dict = {"after_commit": []}
        self._session: Session | None = None
        self._lazy: LazySession | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            # Joins the transaction as a session made at its start would, even if first asked for
            # inside a savepoint (the timer sweep's per-case savepoints): never ends either.
            session = Session(bind=self.conn, expire_on_commit=False, autoflush=True,
                              join_transaction_mode="rollback_only")
            session.info.update(self.info)
            self.info = session.info
            self._session = session
        return self._session

    @property
    def orm(self) -> "Session":
        """What to hand code that takes a session but may not need one (hooks, cached lookups):
        the session is made when it is first used. One stand-in a transaction."""
        lazy = self._lazy
        if lazy is None:
            lazy = self._lazy = LazySession(self)
        return lazy  # type: ignore[return-value]

    def flush(self) -> None:
        if self._session is not None:
            self._session.flush()


class LazySession:
    """Stands in for a transaction's ORM session until something uses it; ``connection()`` is the
    transaction's own connection either way."""
    __slots__ = ("_tx",)

    def __init__(self, tx: Tx):
        self._tx = tx

    def connection(self, *args, **kwargs) -> sa.Connection:
        return self._tx.conn

    def __getattr__(self, name):
        return getattr(self._tx.session, name)


# An incident's retry (engine/incidents.py ``retry``): called at the start of each transaction the
# retried command opens (the incident locked and checked there); what it returns runs when the
# command's own work is done, before its audit events are written (the resolution recorded).
RETRYING: contextvars.ContextVar[Callable[["Tx"], Callable[[], None] | None] | None] = contextvars.ContextVar(
    "duban_retrying", default=None)


def transaction(engine) -> "_Transaction":
    """A read-write transaction (``BEGIN IMMEDIATE`` on SQLite): commits on success, rolls back on
    any error; after-commit callbacks (engine/database.py) run once it is durable.

    On PostgreSQL the step's last writes, its audit events and the COMMIT go in one round trip
    (engine/sqlexec.py). A transaction that does not commit forgets the workflows it advanced.

    ``with transaction(engine) as tx:`` — in order: the writer's connection (``Database.writer``),
    ``BEGIN``, an incident retry's check (``RETRYING``), the block, then the retry's resolution,
    the audit events, the ORM session's flush, ``COMMIT``, and the after-commit callbacks; on any
    error the ORM session closed, ``ROLLBACK``, advanced workflows forgotten."""
    return _Transaction(engine)


class _Transaction:
    """``transaction``'s context manager: a plain class, not a ``contextlib.contextmanager``
    generator (its helper object, generator and two resumptions were a few µs of every step)."""
    __slots__ = ("engine", "tx", "_writer", "_begun", "_resolve")

    def __init__(self, engine):
        self.engine = engine

    def __enter__(self) -> Tx:
        engine = self.engine
        db = engine.db
        decide_logging()  # the step's state changes log as spiff.task's logger says now
        writer = self._writer = db.take_writer()
        conn = writer[0]
        self._begun = self._resolve = None
        try:
            tx = self.tx = Tx(conn, db.is_sqlite)
            self._begun = db.begin_write(conn)
            retrying = RETRYING.get()
            if retrying is not None:
                self._resolve = retrying(tx)
        except BaseException as exc:
            if not hasattr(self, "tx"):
                db.give_back_writer(writer)
                raise
            self.__exit__(type(exc), exc, exc.__traceback__)
            raise
        return tx

    def __exit__(self, kind, exc, tb) -> Literal[False]:
        tx = self.tx
        # The session's stand-in points back at the transaction: left in place, every transaction
        # would end as a reference cycle (the Tx, its audit buffer, lists and dicts: ~6 objects a
        # completion) for the cyclic collector to find, not freed when the step lets go of it.
        tx._lazy = None
        try:
            try:
                self._end(exc)
            except BaseException:  # the commit (or what goes before it) failed
                self._forget()
                raise
            if exc is not None:
                self._forget()
            else:
                for callback in tx.info["after_commit"]:
                    callback()
        finally:
            self.engine.db.give_back_writer(self._writer)
        return False

    def _end(self, exc: BaseException | None) -> None:
        """Commit (``exc`` None: the block succeeded) or roll back; raises if ending failed."""
        tx, begun = self.tx, self._begun
        if begun is None:  # the BEGIN itself failed
            return
        try:
            try:
                if exc is None:
                    if self._resolve is not None:
                        self._resolve()
                    tx.audit.flush(tx)
                    tx.flush()
            finally:
                if tx._session is not None:
                    tx._session.close()
        except BaseException as failure:
            self.engine.db.end_write(begun, failure)  # rolls back
            raise
        self.engine.db.end_write(begun, exc)  # commits (exc None) or rolls back

    def _forget(self) -> None:
        """The transaction did not commit: the workflows it advanced are forgotten."""
        for case, _loaded in self.tx.info.pop("duban_cache_put", []):
            self.engine._evict(case.id)


# --- lock -----------------------------------------------------------------------------------------
_DIRECTORY_VERSION = (sa.select(Counter.__table__.c.value)
                      .where(Counter.__table__.c.name == DIRECTORY_COUNTER).scalar_subquery())
CASE_PREFIX = "case__"  # the case's columns in the task row of ``select_task``


# Columns the database keeps from the others — generated from ``data`` (hazard_grade…) and the hazard
# facts its trigger writes (engine/case_facts.py): a step neither reads nor writes them (on SQLite a
# generated column is computed from the row's JSON whenever it is read).
_KEPT_BY_DATABASE = frozenset(c.key for c in CASE.c if c.computed is not None) | frozenset(case_facts.COLUMNS)
_CASE_KEYS = tuple(c.key for c in CASE.c if c.key not in _KEPT_BY_DATABASE)
_UNREAD = object()  # CaseRow._data before anyone asked for the dict: the text is all there is
# Columns a step may change besides data (hooks too: a party set by workflows/enterprises); the
# case row's UPDATE sets only those that changed, since SQLite rewrites the index entries of every
# column an UPDATE names, changed or not (five of case_instance's indexes, ~5 pages per commit).
# ``last_task``: the top workflow's (engine/state.py ``last_task_text``), which moves at most steps.
_CHANGING = ("status", "ended_at", "escalation_level", "party", "title", "last_task")


def hooks_for(hooks: list, workflow) -> list | tuple:
    """The after-step hooks (``engine.after_step_hooks``) a step of ``workflow`` calls: all but those
    whose ``applies_to(workflow)`` says the case's model gives them nothing to do — message waits
    (engine/messages.py) without a catching element, external tasks (engine/external_tasks.py)
    without an external service task. Such a hook would write no row for any step of the case (it
    is the only writer of its rows, and a case keeps its model), so skipping it changes nothing.
    A hook without ``applies_to`` (the stall check, those workflows/ adds) is always called.

    Decided once per workflow object (it lives in the engine's cache across the case's steps) and
    kept on it with the list it was decided for: a hook added or removed later is seen at once.
    On a warm completion of bench/models/five_tasks.bpmn this leaves two calls of ~3 µs out."""
    chosen = getattr(workflow, "_duban_hooks", None)
    if chosen is not None and chosen[0] == hooks:
        return chosen[1]
    calls = tuple(h for h in hooks if (getattr(h, "applies_to", None) or _always)(workflow))
    workflow._duban_hooks = (list(hooks), calls)
    return calls


def _always(_workflow) -> bool:
    return True


class CaseRow:
    """A ``case_instance`` row as a step carries it: the attributes of the ORM ``Case`` but those the
    database keeps (``_KEPT_BY_DATABASE``; hooks read and may change the rest, ``write_case`` saves),
    without the ORM's instrumentation — making a mapped ``Case`` was 4% of a completion and nothing on
    the way needs a session's identity for it.

    ``data`` is decoded from the row's JSON text when first read; ``write_case`` compares with
    what the row held (``_stored``: its data text, and the values of ``_CHANGING``) and writes
    only what moved. A row made here (a new case) has nothing stored: everything is written."""
    __slots__ = tuple(k for k in _CASE_KEYS if k != "data") + ("_data", "_text", "_stored_text", "_stored")

    def __init__(self, **values):
        for key in _CASE_KEYS:
            setattr(self, key, values.get(key))
        self._stored_text, self._stored = None, None

    @property
    def data(self):
        value = self._data
        if value is _UNREAD:
            value = self._data = json.loads(self._text) if self._text is not None else None
        return value

    @data.setter
    def data(self, value) -> None:
        self._data, self._text = value, None

    def set_data_text(self, text: str) -> None:
        """The case data as JSON text (``case_data_text``); decoded only if read."""
        self._data, self._text = _UNREAD, text

    def data_text(self) -> str:
        """The case data as the row will store it."""
        if self._data is _UNREAD:
            return self._text
        return encode_data(self._data)  # a dict someone holds (and may have changed): what it says now

    def __repr__(self):
        return f"<CaseRow {self.id} {self.case_no} {self.status} v{self.version}>"


_changing_values = operator.attrgetter(*_CHANGING)  # a CaseRow's values of ``_CHANGING``, a tuple
# prefix -> a function making a CaseRow of a row's columns named after the prefix (``_reader``)
_READERS: dict[str, Callable[[Any], CaseRow]] = {}


def _reader(prefix: str) -> Callable[[Any], CaseRow]:
    """A function that makes a ``CaseRow`` of a row's values of the case's columns but data, each
    column named after ``prefix`` — written out one assignment a column and compiled once, as
    ``collections.namedtuple`` and ``dataclasses`` write their methods: a loop of ``setattr`` over
    an ``attrgetter``'s tuple took ~4 µs of a warm completion for 16 columns, the assignments ~1.5."""
    lines = ["def read(row):", "    case = new(CaseRow)"]
    lines += [f"    case.{key} = row.{prefix}{key}" for key in _CASE_KEYS if key != "data"]
    lines.append("    return case")
    namespace: dict[str, Any] = {"new": CaseRow.__new__, "CaseRow": CaseRow}
    exec(compile("\n".join(lines), f"<step.case_from_row {prefix!r}>", "exec"), namespace)
    return namespace["read"]


def case_from_row(row, prefix: str = "") -> CaseRow:
    """The case's values from a row (its columns, each name after ``prefix``); ``data`` as text
    (``case_columns``) or decoded."""
    read = _READERS.get(prefix)
    if read is None:
        read = _READERS[prefix] = _reader(prefix)
    case = read(row)
    data = getattr(row, prefix + "data")
    if isinstance(data, str):  # the row's text (case data is an object, never a JSON string)
        case.set_data_text(data)
        case._stored_text = data
    else:
        case.data = data
        case._stored_text = None
    case._stored = _changing_values(case)
    return case


def case_columns(prefix: str = "") -> list:
    """The case row's columns for ``case_from_row``, data as its JSON text (not decoded)."""
    return [(sa.cast(CASE.c[key], sa.Text) if key == "data" else CASE.c[key]).label(prefix + key) for key in _CASE_KEYS]


_SELECT_CASE = sqlexec.Sql(sa.select(*case_columns(), _DIRECTORY_VERSION.label("directory_version"))
                           .where(CASE.c.id == sa.bindparam("id")))
# PostgreSQL: the case read under its row lock, as ``_LOCK_CASE_OF_TASK`` takes it for a completion.
_LOCK_CASE = sqlexec.Sql(sa.select(*case_columns(), _DIRECTORY_VERSION.label("directory_version"))
                         .where(CASE.c.id == sa.bindparam("id")).with_for_update(of=CASE, key_share=True))


def lock_case(tx: Tx, case_id: int, known=None) -> CaseRow:
    """Take the case: lock it and read it as it is (else ``NotFound``, or ``Conflict`` when it is no
    longer running); its version is bumped by ``write_case`` at the end of the step, in the
    statement that writes the case anyway.

    ``known``: the case as this transaction already read it (one statement less). On SQLite the
    step's ``BEGIN IMMEDIATE`` took the database's writer lock before any read, so nobody can have
    changed the row since. On PostgreSQL the case is read under its row lock: a ``TakenTask``
    (``take_task``), or here ``SELECT … FOR NO KEY UPDATE`` (``_LOCK_CASE``) — a second writer queues
    on the row and then reads what the first committed; there is no earlier read to be stale, so no
    version to compare (one round trip, where a read then ``UPDATE … WHERE version = ?`` took two).
    A row read before the lock (``known`` from ``select_task``) is taken on SQLite only; on
    PostgreSQL it could be stale and is refused (``EngineError``: no use case passes one there).
    """
    if isinstance(known, TakenTask):
        row, prefix, seen = known.case, "", known.case.version  # read under the lock: current
    elif known is None:
        row, prefix = sqlexec.first(tx.conn, _SELECT_CASE if tx.is_sqlite else _LOCK_CASE, {"id": case_id}), ""
        if row is None:
            raise NotFound(f"案件不存在: {case_id}")
        seen = row.version  # read under the lock (SQLite: the writer lock): current
    else:
        row, prefix = known, CASE_PREFIX
        if not tx.is_sqlite:
            raise EngineError("lock_case: on PostgreSQL a case is read under its row lock (TakenTask), "
                              "not taken from an earlier read")
        seen = getattr(row, prefix + "version")  # not ``_mapping``: a dict of all 38 columns for one
    # Whoever changed the row last also bumped the version, so the rest of what we read is current.
    tx.directory_version = row.directory_version or 0
    case = case_from_row(row, prefix)
    case.version = seen + 1
    if case.status not in ACTIVE_CASE:
        raise Conflict(f"案件已{_STATUS_WORD.get(case.status, case.status)}")
    return case


def lock_case_ahead(tx: Tx, case_id: int) -> "sqlexec.Pending | None":
    """PostgreSQL: the case's lock and read (``_LOCK_CASE``, as ``lock_case`` takes it) queued to go
    with the caller's next read, for a step that knows its case before it has read anything;
    ``case_locked_ahead`` then gives what ``locked_step(known=...)`` takes. SQLite: None (the
    step's ``BEGIN IMMEDIATE`` holds the database; ``lock_case`` reads the row when it is needed)."""
    return None if tx.is_sqlite else sqlexec.defer(tx.conn, _LOCK_CASE, {"id": case_id})


def case_locked_ahead(ahead: "sqlexec.Pending | None") -> "TakenTask | None":
    row = ahead.first() if ahead is not None else None
    return None if row is None else TakenTask(None, row)


class _EncodedJSON(sa.types.TypeDecorator):
    """A JSON column's value already encoded (``CaseRow.data_text``): sent as it is (PostgreSQL
    still gets its ``::JSON`` cast), not encoded a second time by the column's type."""
    impl = sa.JSON
    cache_ok = True

    def bind_processor(self, dialect):
        return None


def _case_update(columns: tuple[str, ...]) -> sqlexec.Sql:
    values = {key: sa.bindparam(key) for key in columns}
    if "data" in values:
        values["data"] = sa.bindparam("data", type_=_EncodedJSON())
    return sqlexec.Sql(sa.update(CASE).where(CASE.c.id == sa.bindparam("b_id")).values(
        updated_at=sa.bindparam("updated_at"), version=sa.bindparam("version"), **values))


# The case chain's audit head (revision 0021), set with the row when the step's events moved it.
_AUDIT_HEAD = ("audit_seq", "audit_hash")
# Every column a step writes (a timer batch's rows all go in one executemany of this statement,
# engine/batch_writes.py); a single step sends the variant naming only what changed.
_WRITE_CASE = _case_update(("data",) + _CHANGING + _AUDIT_HEAD)
_CASE_UPDATES: dict[tuple[str, ...], sqlexec.Sql] = {("data",) + _CHANGING + _AUDIT_HEAD: _WRITE_CASE}


def write_case(tx: Tx, case: CaseRow) -> None:
    """The case row as the step leaves it, with the version ``lock_case`` took (bumped here on SQLite);
    on PostgreSQL sent with the step's next round trip (``sqlexec.defer``). Only the columns that
    differ from the row as read are set (data compared as text), except in a timer batch."""
    text = case.data_text()
    params = {"b_id": case.id, "updated_at": case.updated_at, "version": case.version}
    head_moved = tx.audit.link_case(tx, case)  # the case chain's events so far: their head goes in this row
    changing = _changing_values(case)
    if getattr(tx.conn, "duban_defer", None) is not None or case._stored is None:
        columns = ("data",) + _CHANGING + _AUDIT_HEAD
    else:
        # most steps change none of ``_CHANGING`` but the last task: compared in C (``map(operator.ne, …)``)
        columns = () if changing == case._stored else tuple(compress(_CHANGING, map(operator.ne, changing, case._stored)))
        if text != case._stored_text:
            columns = ("data",) + columns
        if head_moved:
            columns += _AUDIT_HEAD
    new = tx.info.get("duban_new_cases")
    if new is None or case.id not in new or not new[case.id].rebind(_case_values(case)):
        # (else the case's INSERT, still queued, takes the row as it is now)
        for key in columns:
            params[key] = text if key == "data" else getattr(case, key)
        statement = _CASE_UPDATES.get(columns)
        if statement is None:
            statement = _CASE_UPDATES[columns] = _case_update(columns)
        sqlexec.defer(tx.conn, statement, params)
    case._stored_text, case._stored = text, changing


# The case-row UPDATEs whose first preparation on a SQLite connection compiles the hazard-facts
# program (engine/case_facts.py: every statement naming ``data``, ``status`` or ``ended_at`` carries it,
# whatever the case's process; ~1.2 ms each since revision 0023): a completion that changes the data,
# one that ends the case, one that does both (the columns in ``write_case``'s order), and the timer
# batch's (``_WRITE_CASE``).
_PREPARED_AHEAD = (("data", "last_task") + _AUDIT_HEAD, ("status", "ended_at", "last_task") + _AUDIT_HEAD,
                   ("data", "status", "ended_at", "last_task") + _AUDIT_HEAD, ("data",) + _CHANGING + _AUDIT_HEAD)


def _completion_statements() -> list[tuple[sqlexec.Sql, dict]]:
    """The statements a completion sends that can run matching no row (every one but the INSERTs),
    each with parameters that match none: the case-row UPDATEs above, the task read with its case,
    the task completed, a task row and a workflow row rewritten."""
    out = []
    for columns in _PREPARED_AHEAD:
        statement = _CASE_UPDATES.get(columns)
        if statement is None:
            statement = _CASE_UPDATES[columns] = _case_update(columns)
        out.append((statement, dict.fromkeys(("b_id", "updated_at", "version") + columns)))
    return out + [(_SELECT_TASK, {"id": None, "user": None}),
                  (projection._COMPLETE_TASK, {"b_id": None, "at": None, "by": None}),
                  (wfstate._UPDATE_TASKS, {"b_case": None, "b_id": None, "state": None, "content": None}),
                  (wfstate._UPDATE_WF, {"b_case": None, "b_key": None, "content": None})]


def prepare_case_writes(db) -> int:
    """SQLite: the statements a completion sends (``_completion_statements``) prepared on the writer
    connection the next write transaction takes (``Database.writer``), so that a serving process's
    first completion does not prepare them — above all the case-row UPDATEs that compile the
    hazard-facts program, the first completion that ends a case or changes its data (``Engine.warm``).
    Each is run once, matching no row (``id = NULL``), in a write transaction rolled back: sqlite3
    keeps a connection's prepared statements by their text. Returns how many (0 on PostgreSQL, which
    prepares a statement on its fifth execution anyway)."""
    if not db.is_sqlite:
        return 0
    statements = _completion_statements()
    with db.writer() as conn:
        begun = db.begin_write(conn)
        try:
            for statement, params in statements:
                sqlexec.execute(conn, statement, params)
        finally:
            db.end_write(begun, _PREPARED_ONLY)
    return len(statements)


class _PreparedOnly(Exception):
    """What ``prepare_case_writes`` gives ``Database.end_write``: roll back."""


_PREPARED_ONLY = _PreparedOnly()


def build_readers() -> None:
    """The ``CaseRow`` makers of the two rows a step reads its case from (a completion's task row,
    ``CASE_PREFIX``; the case's own) written and compiled now (``_reader``: ~0.16–0.19 ms each), not
    by a serving process's first step (``Engine.warm``)."""
    for prefix in ("", CASE_PREFIX):
        if prefix not in _READERS:
            _READERS[prefix] = _reader(prefix)


# A case started on PostgreSQL, its id taken beforehand (``start_in``): every column but the ones
# the database keeps itself (``_KEPT_BY_DATABASE``), data as its text.
_INSERTED_KEYS = _CASE_KEYS
_INSERT_CASE = sqlexec.Sql(sa.insert(CASE).values(data=sa.bindparam("data", type_=_EncodedJSON())),
                           keys=_INSERTED_KEYS)


def _case_values(case: CaseRow) -> dict:
    values = {key: getattr(case, key) for key in _INSERTED_KEYS if key != "data"}
    values["data"] = case.data_text()
    return values


# --- the task being completed -----------------------------------------------------------------------
# What completing a task reads of its row (tasks.complete, policy.check_task): not its dates, draft
# and rules, whose values a step would only parse (dates from text on SQLite) to leave unread.
COMPLETING_COLUMNS = ("id", "case_id", "spec_id", "name", "lane", "role_code", "org_code", "party", "assignee",
                      "state", "form_key")


def _task_select(for_update: bool):
    excl = TaskExclusion.__table__
    cand = TaskCandidate.__table__
    columns = [
        *(TASK.c[key] for key in COMPLETING_COLUMNS),
        sa.select(excl.c.reason).where(excl.c.task_id == TASK.c.id, excl.c.username == sa.bindparam("user"))
        .scalar_subquery().label("exclusion"),
        sa.exists().where(cand.c.task_id == TASK.c.id, cand.c.username == sa.bindparam("user")).label("candidate"),
    ]
    if for_update:  # PostgreSQL's second read, under the case lock: the task row alone
        return sa.select(*columns).where(TASK.c.id == sa.bindparam("id")).with_for_update(of=TASK)
    columns += case_columns(CASE_PREFIX)
    columns.append(_DIRECTORY_VERSION.label("directory_version"))
    return (sa.select(*columns).select_from(TASK.join(CASE, CASE.c.id == TASK.c.case_id))
            .where(TASK.c.id == sa.bindparam("id")))


_SELECT_TASK = sqlexec.Sql(_task_select(False))
_SELECT_TASK_LOCKED = sqlexec.Sql(_task_select(True))


# PostgreSQL: the case of a task, locked as an UPDATE of it would lock it (``FOR NO KEY UPDATE``: a
# second writer queues here, foreign-key checks of rows inserted for the case do not); what it
# returns is read under the lock. The version is bumped by ``write_case`` at the end of the step, as
# on SQLite: one UPDATE of the case row per step, not two — PostgreSQL re-checks every foreign key
# of a row updated a second time in one transaction (locking its process_model, spec_bundle and
# org_unit rows: 6.6 WAL records and ~110 µs of server time for the case row's write, measured
# with pg_stat_statements on bench/throughput.py's model).
_LOCK_CASE_OF_TASK = sqlexec.Sql(
    sa.select(*case_columns(), _DIRECTORY_VERSION.label("directory_version"))
    .select_from(CASE.join(TASK, CASE.c.id == TASK.c.case_id)).where(TASK.c.id == sa.bindparam("id"))
    .with_for_update(of=CASE, key_share=True))


class TakenTask:
    """A task row read under its case's lock (PostgreSQL), with the case row as the lock left it."""
    __slots__ = ("task", "case")

    def __init__(self, task, case):
        self.task, self.case = task, case


def take_task(tx: Tx, task_id: str, username: str):
    """The task to complete and what ``locked_step(known=...)`` takes for its case.

    SQLite: one read of the task with its case (``BEGIN IMMEDIATE`` already holds the writer lock).
    PostgreSQL: lock the case first (``SELECT … FOR NO KEY UPDATE``: a second writer queues here;
    ``write_case`` bumps the version), then read the task row ``FOR UPDATE`` — a statement of its own, so it sees
    whatever the writer before us committed — both sent in one round trip. Reading after the lock,
    there is no earlier read to be stale: no version to compare, and two people completing two
    parallel tasks of one case simply take turns. Returns (task row, known) or (None, None).
    """
    if tx.is_sqlite:
        row = select_task(tx, task_id, username)
        return row, row
    locked = sqlexec.defer(tx.conn, _LOCK_CASE_OF_TASK, {"id": task_id})
    row = select_task(tx, task_id, username, lock=True)
    case = locked.first()
    if row is None or case is None:
        return None, None
    return row, TakenTask(row, case)


def select_task(tx: Tx, task_id: str, username: str, lock: bool = False):
    """The human-task row (``COMPLETING_COLUMNS``) with, for ``username``, the separation-of-duty
    exclusion and candidacy; unlocked, also its case's row (``CASE_PREFIX``), which
    ``locked_step(known=...)`` then takes."""
    return sqlexec.first(tx.conn, _SELECT_TASK_LOCKED if lock and not tx.is_sqlite else _SELECT_TASK,
                         {"id": task_id, "user": username})


# --- the step ------------------------------------------------------------------------------------
class Step:
    """The run → diff-write → project → audit part of the pipeline for one locked case."""

    def __init__(self, engine, tx: Tx, case: CaseRow, loaded: wfstate.LoadedState, actor: str):
        self.engine, self.tx, self.case, self.loaded, self.actor = engine, tx, case, loaded, actor

    def audit(self, action: str, task_id: str | None = None, detail: dict | None = None,
              actor: str | None = None, at: datetime | None = None) -> None:
        self.tx.audit.case(self.case.id, actor=actor or self.actor, action=action,
                           at=at or self.engine.clock.now(), task_id=task_id, detail=detail)

    def write(self, completed: tuple[str, str] | None = None, requests: StepRequests | None = None,
              advance_first: bool = True, worker: str | None = None) -> list:
        """Advance, then write the step; returns the timers that fired in it."""
        engine, tx, case, loaded = self.engine, self.tx, self.case, self.loaded
        workflow = loaded.workflow
        if advance_first:
            run_model_code(advance, workflow)
        thrown = workflow.get_events()  # thrown and not caught here: for other cases (engine/messages.py)
        now = engine.clock.now()
        trimmed = workflow.trimmed_in_step()  # cut while a loop of engine tasks ran (engine/workflow.py)
        fired = projection.fired_timers(workflow, loaded.task_rows, trimmed)
        self._record_fired(fired, now, worker)
        pruned = wfstate.prune(workflow)
        if trimmed:
            pruned = {**trimmed, **pruned}
        wfstate.save(tx.conn, case.id, loaded, pruned)
        case.last_task = wfstate.last_task_text(workflow, loaded.names)  # the top row holds none

        def evaluate(task, expression):  # dueDate, assignee...: model code too, so failures are incidents
            return run_model_code(engine.script_engine.evaluate, task, expression)

        def role_for_lane(lane):
            return engine.directory.role_for_lane(tx.orm, lane, tx.directory_version)

        pending = projection.waiting_timers(workflow)
        try:
            opened, cancelled = projection.project_human_tasks(tx, case, loaded, now, role_for_lane, evaluate,
                                                               completed, pending)
        except (TimerExpressionError, assignment.CandidatesNotFound) as exc:  # a due date that is no date, candidates nobody is: the model's
            raise ProcessFailure(exc) from exc
        projection.project_timers(tx.conn, case, loaded, pending)
        for row in opened:
            detail = {"task": row["name"], "element": row["spec_id"], "role": row["role_code"],
                      "due_at": row["due_at"].isoformat() if row["due_at"] else None}
            if "note" in row:  # an assignee or candidates nobody is (engine/assignment.dropped_note): said on the page
                detail["message"] = row["note"]
            self.audit("task_opened", task_id=row["id"], actor="engine", at=now, detail=detail)
        for tid in cancelled:
            self.audit("task_cancelled", task_id=tid, actor="engine", at=now, detail={})
        completed_now = workflow_completed(workflow)
        try:
            data_text = case_data_text(workflow, completed_now)
        except ValueError as exc:  # an infinity or NaN a script computed: the model's, as below
            raise ProcessFailure(unstorable.number_refusal(case_data(workflow, completed_now), exc, workflow)) from exc
        refused = unstorable.refusal(data_text)  # PostgreSQL holds no NUL: the model's, on either database
        if refused is not None:
            raise ProcessFailure(refused)
        case.set_data_text(data_text)
        case.updated_at = now
        if completed_now and case.status == "running":
            case.status, case.ended_at = "completed", now
            self.audit("case_completed", at=now, detail={})
        orm = tx.orm
        for hook in hooks_for(engine.after_step_hooks, workflow):
            hook(orm, case, workflow)
        if requests is not None:
            for kind, args in requests.items:
                if kind == "require_roles":
                    check_required_roles(tx.conn, case, args)
        write_case(tx, case)
        if requests is not None:
            for kind, args in requests.items:
                if kind == "log":  # print() in a script (engine/case_log.py)
                    self.audit("script_output", actor="engine", at=now, detail=args)
                elif kind == "start_case":
                    child = start_in(engine, tx, args["process_key"], None, check_spawn_org(engine, tx, case, args),
                                     args["data"], args.get("title") or "",
                                     args["party"] if "party" in args else case.party,
                                     parent_case_id=case.id, actor="engine", parent_title=case.title)
                    self.audit("case_spawned", actor="engine", at=now,
                               detail={"case_no": child.case_no, "process": args["process_key"]})
        if thrown:
            from .messages import deliver_thrown
            deliver_thrown(engine, tx, case, thrown, workflow, self.actor)
        return fired

    def _record_fired(self, fired: list, now: datetime, worker: str | None) -> None:
        """Audit each timer that fired in this step; deadlines raise the escalation level (督办级别)."""
        reminded: dict[str, int] = {}
        for f in fired:
            for _ in range(f.occurrences):
                detail = {"timer": f.element_id, "name": f.name, "kind": f.kind}
                if worker:
                    detail["worker"] = worker
                if f.escalates:
                    self.case.escalation_level += 1
                    detail["escalation_level"] = self.case.escalation_level
                    action, task_id = "escalated", f.attached_to
                elif f.kind == "reminder" and f.attached_to:
                    reminded[f.attached_to] = reminded.get(f.attached_to, 0) + 1
                    action, task_id = "reminded", f.attached_to
                else:
                    action, task_id = "timer_fired", f.task_id
                self.audit(action, task_id=task_id, actor="timer", at=now, detail=detail)
        if reminded:
            sqlexec.defer(self.tx.conn, _REMINDED, [{"b_id": tid, "n": n, "at": now} for tid, n in reminded.items()],
                          many=True)


_REMINDED = sqlexec.Sql(sa.update(TASK).where(TASK.c.id == sa.bindparam("b_id"))
                        .values(reminders=TASK.c.reminders + sa.bindparam("n"), last_reminded_at=sa.bindparam("at")))


# --- use cases on the pipeline ----------------------------------------------------------------------
def load(engine, tx: Tx, case: CaseRow) -> wfstate.LoadedState:
    loaded = engine._cache_take(case.id, case.version - 1)
    if loaded is None:
        # (the case chain's audit head came with the case row, read under its lock: nothing to guess)
        # No ORM session made for the load: the specs come from the models' cache (a bundle is read
        # only the first time) and every row of the case in one statement (state.restore).
        spec, subprocess_specs = engine.models.specs(tx.orm, case.bundle_hash)
        loaded = wfstate.restore(tx.orm, case.id, spec, subprocess_specs, engine.script_engine)
    return loaded


def locked_step(engine, tx: Tx, case_id: int, actor: str, known=None) -> "_LockedStep":
    """Lock and load a case for a step; the restored workflow goes back to the cache only if the
    step succeeds (a failed step may have changed it half-way). ``known``: see ``lock_case``."""
    return _LockedStep(engine, tx, case_id, actor, known)


class _LockedStep:
    """``locked_step``'s context manager (a plain class: a generator's cost a few µs a step more)."""
    __slots__ = ("engine", "tx", "case_id", "actor", "known", "step")

    def __init__(self, engine, tx: Tx, case_id: int, actor: str, known):
        self.engine, self.tx, self.case_id, self.actor, self.known = engine, tx, case_id, actor, known

    def __enter__(self) -> Step:
        tx = self.tx
        case = lock_case(tx, self.case_id, self.known)
        self.step = Step(self.engine, tx, case, load(self.engine, tx, case), self.actor)
        return self.step

    def __exit__(self, kind, _exc, _tb) -> Literal[False]:
        if kind is not None:
            self.engine._evict(self.case_id)
            return False
        st = self.step
        self.tx.info.setdefault("duban_cache_put", []).append((st.case, st.loaded))
        return False


def commit_cache(engine, tx: Tx) -> None:
    """The workflows of the transaction's steps, committed, kept for their cases' next steps; that of
    a case the step ended (completed, withdrawn: no step follows) goes first in line to leave the
    least-recently-used cache (``WorkflowCache.put(ended=True)``), not last: kept last, it pushed a
    running case out once the cache was full (a harness that starts more cases than it holds before
    completing any: each end pushed out a running case, whose next step restored it from its rows,
    and so on). It is still kept until room is needed, as before: let go at once, its tasks and rows
    were freed inside the completion that ended it, which the cache does later, when it falls out
    (the five-task bench's ending round got dearer while the cache had room). In-process A/B, 700
    cases started a side then each completed (its completion ends it), alternated, thread CPU, gc
    off: zeebe_is_defined −121.5 µs a completion, flowable_review −135.5 (A/A +2.0); all cached
    either way: no change (docs/engine.md "Speed")."""
    cache = engine.workflow_cache
    for case, loaded in tx.info.pop("duban_cache_put", []):
        cache.put(case.id, case.version, loaded, ended=case.status != "running")


def start_in(engine, tx: Tx, process_key: str, principal, org: str, data: dict, title: str,
             party: str | None, parent_case_id: int | None = None, actor: str | None = None,
             models_stamp: tuple | None = None, org_checked: bool = False, new_case=None,
             parent_title: str | None = None, by_event: bool = False,
             start_at: Callable[[BpmnWorkflow], dict | None] | None = None,
             on_first_wait: Callable[["Step"], None] | None = None) -> CaseRow:
    """A new case in ``tx``. ``models_stamp``: the models' stamp the caller read in this
    transaction (``models.stamp_columns``: the model and its bundle from the last start that read
    it; else read here, with the case number); ``org_checked``: the caller has seen the org unit
    exists at this transaction's directory (else checked here, from the directory's cache at the
    counter this transaction read); ``new_case``: the case number and id the caller asked for
    (``cases.NewCase``); ``parent_title``: the title of the case ``parent_case_id``, if known;
    ``by_event``: a message or signal starts it (engine/messages.py): the form drawn on a none start
    event is not its form, and the caller has checked the data against the event's start event's
    (``model_forms.event_start_form``); ``start_at``: called with the new
    workflow before its first engine steps (engine/messages.py ``start_at_event``: the event's start
    event, not the none start beside it); what it returns goes into the ``started`` audit detail;
    ``on_first_wait``: called with the new case's step once its workflow has run to its first wait,
    before the step is written (engine/messages.py: a case an event starts catches that event there,
    and the start and the catch are written once — before, a second step of the new case in the same
    transaction wrote its task rows, projections and case row again: bpmnio_two_pools_message_flow's
    completion that throws 整改指令书 paid for two writes of the enterprise's new case).

    On PostgreSQL the case row is inserted with its id taken beforehand, queued with the step's
    writes, and ``write_case`` gives the queued INSERT the row as the step leaves it: one statement,
    not an INSERT and an UPDATE of the same row."""
    from .cases import NewCase
    actor = actor or principal.username
    now = engine.clock.now()
    if new_case is None:
        new_case = NewCase(tx, process_key, now, models_stamp=models_stamp is None,
                           prefix=engine.models.case_prefix(process_key))
        models_stamp = models_stamp or new_case.models_stamp()
    if not org_checked:
        try:
            engine.directory.cached_org_path(tx.orm, org, tx.directory_version)
        except NotFound:
            raise InvalidData({"org": f"组织机构不存在: {org}"}) from None
    model, bundle = engine.models.bundle_for_start(tx.orm, process_key, models_stamp)
    spec, subprocess_specs = engine.models.specs(tx.orm, bundle)
    drawn = {} if by_event else model_forms.start_form(spec)
    try:
        refuse_function_names(engine, data, lambda: model_forms.field_ids(drawn))
        if drawn:  # a start form drawn in the model: checked and read as a task's drawn form is
            data = model_forms.check(drawn, data)
        if data and not by_event:  # what else it brings, as its first tasks' forms read it (engine/first_forms.py)
            data = first_forms.check(engine.forms, spec, None, data, skip=model_forms.field_ids(drawn))
    except InvalidData:
        new_case.discard()
        raise
    if not title and parent_case_id is not None:  # a derived case is named after the case it came from
        if parent_title is None:
            parent = tx.session.get(Case, parent_case_id)
            parent_title = parent.title if parent is not None else None
        if parent_title is not None:
            title = f"{parent_title}·{model.name or process_key}"
    values: dict[str, Any] = dict(
        case_no=new_case.case_no(model), process_key=process_key, model_id=model.id,
        bundle_hash=bundle, org_code=org, party=party, title=title or model.name or process_key, status="running",
        escalation_level=0, version=0, data={}, started_by=actor, started_at=now, updated_at=now, ended_at=None,
        parent_case_id=parent_case_id, audit_seq=0, audit_hash=None)
    tx.flush()
    case = CaseRow(id=new_case.case_id(), **values)
    case.set_data_text("{}")
    if case.id is None:
        # SQLite: inserted now (the step's task rows name it), its id given by the database (NULL for
        # an INTEGER PRIMARY KEY: the next rowid, as an INSERT without the column), by the statement
        # rendered once (``_INSERT_CASE``), not a Core ``insert().values(...)`` built, cache-keyed and
        # compiled at every start (~0.1 ms). The row as inserted is what ``write_case`` compares
        # with: the step's UPDATE names only what the step changed (data, last task, audit head),
        # not every column (SQLite rewrites the index entries of every column an UPDATE names).
        inserted = sqlexec.defer(tx.conn, _INSERT_CASE, _case_values(case))
        case.id = inserted.cursor.lastrowid
        case._stored_text, case._stored = "{}", _changing_values(case)
    else:
        tx.info.setdefault("duban_new_cases", {})[case.id] = sqlexec.defer(tx.conn, _INSERT_CASE, _case_values(case))
    new_case.anchor(case)  # an event in its counter's chain: a case gone with its whole chain is seen
    workflow = DubanWorkflow(spec, subprocess_specs, script_engine=engine.script_engine)
    # A new case has no rows in event_wait and external_task: the after-step projections need not read them.
    workflow._duban_waits, workflow._duban_external = {}, set()
    initial = dict(data)
    # always present, so scripts may read them, and always the case row's: data given at the start
    # (a page, the REST API, a message, a parent's start_case seed) cannot name another unit or
    # enterprise for the scripts and services that read them (penalty_decisions, lookup_enterprise)
    initial.update(case_no=case.case_no, org_code=org, party=party)
    for name in initiator_variables(spec, subprocess_specs):  # Camunda/Flowable: the starter
        initial.setdefault(name, actor)
    workflow.task_tree.data.update(initial)
    detail = {"process": process_key, "version": model.version, "org": org, "data": jsonable(data)}
    if start_at is not None:
        detail.update(start_at(workflow) or {})
    loaded = wfstate.LoadedState(workflow, open_tasks={}, timers={})
    step = Step(engine, tx, case, loaded, actor)
    step.audit("started", at=now, detail=detail)
    try:
        with StepRequests() as requests:
            if on_first_wait is not None:
                run_model_code(advance, workflow)
                on_first_wait(step)
            step.write(requests=requests)  # (on from what it caught)
    except ProcessFailure as failure:
        # a start form's field left blank that the first gateway or task reads (a 是/否): refused
        # naming the field, as a completion is (engine/tasks.py), not an incident; nothing started
        refusal = model_forms.blank_refusal(drawn, data, failure.cause) if drawn else None
        if refusal is not None:
            raise refusal from None
        raise
    tx.info.setdefault("duban_cache_put", []).append((case, loaded))
    return case


# The case's 案号, 办理单位 and 企业 as its data mirrors them for model code (engine/assignment.py keeps
# the set): set from the case row at the start (``start_in``), never from data a person or another
# case hands in (``without_system_keys``).
SYSTEM_KEYS = assignment.SYSTEM_KEYS


def without_system_keys(data: dict) -> dict:
    """``data`` without the keys the engine sets from the case row (``SYSTEM_KEYS``): a completion's
    or a message's data merged into a case cannot move it to another unit or enterprise in the eyes
    of its scripts and services."""
    if SYSTEM_KEYS.isdisjoint(data):
        return data
    return {k: v for k, v in data.items() if k not in SYSTEM_KEYS}


def refuse_function_names(engine, data: dict, declared: Callable[[], set[str]] | None = None) -> None:
    """Data a person, a client or a sender hands in may not be named like a function model code
    calls (now, today, date, start_case…: the script engine's globals) unless a form drawn in the
    model declares the name (``declared()``, asked only then: a Camunda form's field 「date」 is the model's own
    variable, its code reads it so): a script calling ``now()`` would get the value (case data
    shadows a function: engine/evaluator ``check_for_overwrite``) and the case stop there.
    Refused naming the field, before anything is kept."""
    names = engine.script_engine.environment.globals
    if not data or names.keys().isdisjoint(data):
        return
    ours = declared() if declared is not None else set()
    taken = sorted(k for k in names.keys() & data.keys() if k not in ours)
    if taken:
        raise InvalidData({name: f"「{name}」是系统函数的名称，不能用作数据项的名称，请改用别的名称" for name in taken})


def initiator_variables(spec, subprocess_specs) -> frozenset[str]:
    """Variables naming the case starter: a start event's ``initiator`` (Camunda/Flowable), or
    ``initiator`` when a task's assignee expression reads it. Found once per deployed spec (the
    models' cache keeps one spec and one dict of its sub-process specs per bundle) and kept on it:
    every start asked it of every task spec (~450 bytecodes a start of the five-task model)."""
    found = getattr(spec, "_duban_initiators", None)
    if found is not None and found[0] is subprocess_specs:
        return found[1]
    names = _initiator_variables(spec, subprocess_specs)
    spec._duban_initiators = (subprocess_specs, names)
    return names


def _initiator_variables(spec, subprocess_specs) -> frozenset[str]:
    names = set()
    for process in [spec, *subprocess_specs.values()]:
        for ts in process.task_specs.values():
            props = (getattr(ts, "extensions", None) or {}).get("properties") or {}
            if props.get("initiatorVariable"):
                names.add(props["initiatorVariable"])
            elif "initiator" in (props.get("assignee") or "") + (props.get("candidateUsers") or ""):
                names.add("initiator")
    return frozenset(names)


def directory_bump(session: Session) -> None:
    """Every directory change bumps this counter: cached principals and lane roles are re-read."""
    table = Counter.__table__
    done = session.execute(sa.update(table).where(table.c.name == DIRECTORY_COUNTER)
                           .values(value=table.c.value + 1)).rowcount
    if not done:
        session.execute(sa.insert(table).values(name=DIRECTORY_COUNTER, value=1))


Hook = Callable[[Session, "CaseRow", BpmnWorkflow], None]


class SpawnRefused(Exception):
    """A model's ``start_case`` asked for a unit outside the case's own reach."""


def check_spawn_org(engine, tx: Tx, case: CaseRow, args: dict) -> str:
    """The org unit a model's ``start_case`` opens its case in.

    ``org=...`` names it: taken if it is the case's own unit, a unit below it, or within the reach of
    the unit that owns the case's process (``ModelStore.owner``: our own models are the top unit's, so a
    12350 tip-off is handed over to the competent district); never elsewhere (docs/designer.md,
    部署权限): a district's model opens no case in another district. Else the step rolls back with an
    incident naming the element and the unit asked for. A named unit is not held to the enterprise's
    registration: 《中华人民共和国行政处罚法》第二十二条 gives the place of the violation (违法行为发生地), which the
    registry does not know, and a 12350 举报's 分类交办 names the unit where the reported site lies
    (``handling_org``, 《安全生产领域举报奖励办法》) by the deciding official's judgement.

    Without ``org``, a case about an enterprise (``start_case(party=...)``) that the case's unit has no
    territory over (``Policy.outside_territory``; the registry's unit, ``engine.party_unit``) opens in
    the enterprise's own unit — the competent one (移送有管辖权的机关: a town's 联合检查执法 finding a hazard
    at the district's enterprise opens the hazard case in the district; 东城区's at 西城区's in 西城区) — if
    that unit is within the same reach; else the step rolls back as above. The case's own enterprise
    stays with the case's unit (the unit that opened it keeps its follow-up cases, an enterprise moved
    since included). A party the registry does not know is not checked (a case against an enterprise
    not yet registered, as ``start`` allows)."""
    org = args.get("org")
    if org:  # named: the model's (or its deciding official's) choice, within reach — see the docstring
        if org != case.org_code:
            _check_spawn_reach(engine, tx, case, args, str(org), None)
        return str(org)
    party = args["party"] if "party" in args else case.party
    if not party or party == case.party:
        return case.org_code
    outside = engine.policy.outside_territory(tx.orm, case.org_code, str(party), tx.directory_version)
    if outside is None:
        return case.org_code
    unit, name = outside
    _check_spawn_reach(engine, tx, case, args, unit, name)
    return unit


def _check_spawn_reach(engine, tx: Tx, case: CaseRow, args: dict, org: str, party: str | None) -> None:
    directory, version = engine.directory, tx.directory_version
    try:
        path = directory.cached_org_path(tx.orm, org, version)
    except NotFound:
        return  # no such unit: ``start_in`` says so, as before
    if path.startswith(directory.cached_org_path(tx.orm, case.org_code, version)):
        return
    owner = engine.models.owner_path(tx.orm, case.process_key, version)
    if owner is None or path.startswith(owner):
        return
    unit = tx.orm.get(OrgUnit, org)
    name = unit.name if unit is not None else org
    element = args.get("element") or "模型代码"
    if party is not None:
        raise ProcessFailure(SpawnRefused(f"{element}要求对「{party}」（属于{name}）开启新案件，但该企业不在本案件办理单位"
                                          f"或本流程所属单位的管辖范围内，模型代码不能对其他单位的企业开启案件"))
    raise ProcessFailure(SpawnRefused(f"{element}要求在「{name}」开启新案件，但该单位不在本案件办理单位或本流程所属单位的管辖范围内，"
                                      f"模型代码不能在其他单位开启案件"))


def check_required_roles(conn, case: CaseRow, args: dict) -> None:
    """A model's ``require_roles(users, roles, message)``: every user holds one of the roles in the
    case's own org unit, or the step is refused (rolled back, nothing written) with the model's message."""
    held = set(conn.execute(sa.select(UserRole.username).join(User, User.username == UserRole.username).where(
        UserRole.username.in_(args["users"]), UserRole.role_code.in_(args["roles"]),
        User.org_code == case.org_code, User.active.is_(True))).scalars())
    missing = [u for u in args["users"] if u not in held]
    if missing:
        names = dict(conn.execute(sa.select(User.username, User.name).where(User.username.in_(missing))).all())
        who = "、".join(names.get(u) or u for u in missing)
        raise InvalidData({args.get("field") or "data": f"{args['message']}：{who}"})
