"""Workflow state in the database: one row per SpiffWorkflow task, written only when it changed.

Two ideas keep a step's cost flat however long a case runs:
- **Diff writes.** After a step every live task is serialized (a few rows) and compared with what
  was loaded; only new or changed rows are written.
- **Pruning.** SpiffWorkflow keeps every finished task in the live tree, and loops make the tree
  deeper on every round, so each step walks more. After a step we cut the finished chain above the
  lowest common ancestor of all unfinished tasks — keeping its two nearest ancestors and, further
  up, the nearest task of each task spec (joins look for those) — and drop finished sub-processes. In
  a process with an unstructured join (``structured_joins``) finished side branches stay. Their rows stay in the database as history
  (``live`` false); they are never loaded again.
"""
from __future__ import annotations

import functools
import json
import operator
from copy import copy as _copy
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import compress
from types import SimpleNamespace
from uuid import UUID
from weakref import WeakKeyDictionary

import msgspec
import sqlalchemy as sa
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.helpers.registry import DefaultRegistry
from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_SERIALIZER_VERSION
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from . import case_rows, sqlexec, triggered_specs
from .branch_trim import nearest_of_each_element
from .parser import DUBAN_CONFIG
from .errors import EngineError
from .schema import TaskRow, WorkflowRow
from .task_class import DubanTask, DubanTaskConverter
from .workflow import DubanSubWorkflow, DubanWorkflow

TOP = "top"
KEEP_ANCESTORS = 2  # finished ancestors kept whole above the frontier; joins look at their parents

def _data_registry() -> DefaultRegistry:
    """SpiffWorkflow's registry of data types (datetime, timedelta, UUID) plus ``date``: a script may
    leave a day in the case data (``整改期限 = date(2026, 12, 1)``, ``date`` is in its environment),
    which SpiffWorkflow's registry cannot store — the step failed with "Object of type date is not
    JSON serializable"."""
    registry = DefaultRegistry()
    registry.register(date, lambda value: {"value": value.isoformat()},
                      lambda dct: date.fromisoformat(dct["value"]), "date")
    return registry


_registry = BpmnWorkflowSerializer.configure(DUBAN_CONFIG, _data_registry())
serializer = BpmnWorkflowSerializer(_registry)

# The format of the saved state, stamped on the top workflow row ("format"). Rows of an older
# format are migrated when a case is loaded (``MIGRATIONS``: from-format -> function over the top
# row's meta and the task rows' dicts, returning the next format); the next save writes them back
# stamped. Bump it — and add a migration — whenever what we store per task or per workflow changes,
# including a SpiffWorkflow upgrade that changes its serialized form (its own version is part of it).
FORMAT_VERSION = f"duban-1/spiff-{SPIFF_SERIALIZER_VERSION}"
LEGACY_FORMAT = "unversioned"


def _from_unversioned(meta: dict, tasks: list[dict]) -> str:
    """State written before formats were stamped is SpiffWorkflow 3.2's form as it is today."""
    return "duban-1/spiff-1.5"


MIGRATIONS = {LEGACY_FORMAT: _from_unversioned}


class StateFormatError(EngineError):
    """Saved workflow state of a format this version cannot read (written by a newer one?)."""


def migrate(meta: dict, tasks: list[dict]) -> tuple[dict, list[dict]]:
    """Bring a case's saved state (top row meta, task dicts) to ``FORMAT_VERSION``."""
    fmt = meta.get("format", LEGACY_FORMAT)
    seen = set()
    while fmt != FORMAT_VERSION:
        step = MIGRATIONS.get(fmt)
        if step is None or fmt in seen:
            raise StateFormatError(f"工作流状态格式无法读取 (saved state format {fmt!r}, this version reads "
                                   f"{FORMAT_VERSION!r})")
        seen.add(fmt)
        fmt = step(meta, tasks)
    meta["format"] = fmt
    return meta, tasks


# One encoder for every row (json.dumps with options builds a new one per call).
_encoder = (serializer._encoder_cls or json.JSONEncoder)(ensure_ascii=False, separators=(",", ":"))
_encode = _encoder.encode
# The standard library's C encoder made once with the options above: JSONEncoder.encode builds one
# per call (``iterencode``). Without a circular-reference check, which the rows need not: they are
# what the serializer's registry just converted (fresh dicts and lists). None without the C module.
_c_encode = json.encoder.c_make_encoder(
    None, _encoder.default, json.encoder.encode_basestring, None, ":", ",", False, False, True,
) if json.encoder.c_make_encoder is not None else None


def to_json(value) -> str:
    """A row's JSON (a dict the serializer's registry converted)."""
    if _c_encode is None:
        return _encode(value)
    return "".join(_c_encode(value, 0))


@dataclass
class LoadedState:
    """A restored workflow plus what its rows looked like, to diff against after a step."""
    workflow: BpmnWorkflow
    task_rows: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # id -> (wf_key, seq, content)
    wf_rows: dict[str, str] = field(default_factory=dict)  # wf_key -> content
    next_seq: int = 0
    # The projections' inputs as last written (None: not known, read them from the tables):
    # open human task id -> (due_at, has separation-of-duty rules); timer id -> due_at.
    open_tasks: dict[str, tuple] | None = None
    timers: dict[str, object] | None = None
    # task id -> the ``_mark`` its saved row was serialized with (tasks with a mark only)
    marks: dict[str, tuple] = field(default_factory=dict)
    # Each live task's id as text, keyed by the Task itself (identity: a task keeps its id for life):
    # ``save`` names every live task on every step, and ``str(UUID)`` is Python code.
    names: dict = field(default_factory=dict)
    # Each live task's children as tasks, keyed by the Task, as ``save`` last looked them up: a task
    # whose mark did not move has the same children ids (they are in the mark), so the same tasks
    # (a task keeps its id for life, and ids are never reused) — looked up again only when it moved
    # (``UUID.__hash__`` is Python code, one call a child a task).
    kids: dict = field(default_factory=dict)
    # wf_key -> ``_meta_mark`` of the workflow row as last written (``save`` skips building and
    # encoding a row whose mark did not move).
    wf_marks: dict[str, tuple] = field(default_factory=dict)
    # The live tasks ``_dirty_plan`` visits only when their fields no longer match their mark, each with
    # its mark (``_QUIET_STATES``, a mark without nested values), and the others (always visited): as
    # the last save left them.
    quiet: dict = field(default_factory=dict)
    loud: set = field(default_factory=set)
    # Restored from rows in this step (``restore``): the projection then recomputes the
    # separation-of-duty exclusions as it did when it read the open tasks itself.
    cold: bool = False


def _wf_key(workflow) -> str:
    return TOP if isinstance(workflow, BpmnWorkflow) else str(workflow.parent_task_id)


def _workflow_meta(workflow) -> dict:
    meta = {
        "format": FORMAT_VERSION,
        "data": _registry.convert(_registry.clean(workflow.data)) if workflow.data else {},
        "correlations": workflow.correlations,
        "last_task": str(workflow.last_task.id) if workflow.last_task is not None
        and workflow.last_task.id in workflow.tasks else None,
        "success": workflow.success,
        "completed": workflow.completed,
        "root": str(workflow.task_tree.id),
    }
    if isinstance(workflow, BpmnWorkflow):
        meta["bpmn_events"] = _registry.convert(workflow.bpmn_events) if workflow.bpmn_events else []
    else:
        meta["parent_task_id"] = str(workflow.parent_task_id)
        meta["spec"] = workflow.spec.name
    return meta


def _meta_mark(workflow) -> tuple | None:
    """What decides a workflow's row (``_workflow_meta``) when it holds no data, correlations or
    events — the usual case while a case runs: the workflow itself (a sub-process's key, spec and
    parent), its last task and whether that task is still live (a sub-process's only: the top
    workflow's row holds none), its root and its two flags. None when it holds any of those (they may
    change in place): the row is then built every time."""
    if workflow.data or workflow.correlations or getattr(workflow, "bpmn_events", None):
        return None
    if isinstance(workflow, BpmnWorkflow):  # its last task is on the case row (``last_task_text``)
        return (workflow, workflow.task_tree, workflow.success, workflow.completed)
    last = workflow.last_task
    return (workflow, last, last is not None and last.id in workflow.tasks, workflow.task_tree,
            workflow.success, workflow.completed)


# The top workflow's last task (SpiffWorkflow's ``last_task``: conditional events read it, and
# data it merges) moves at every completion; held in the top row, it made every step rewrite that
# row (~20 µs and a WAL frame) when nothing else of it had changed. It is kept on the case row
# instead (``case_instance.last_task``, revision 0019), which every step writes anyway
# (engine/step.py ``write_case``): the top row says null, and is written only when its data,
# correlations, events or flags change. Restoring, the case row's value is taken (``restore_rows``'
# ``last_task``); NULL there, the row's own (written before revision 0019, or none). A
# sub-process's row keeps its own last task (it has no case row; sub-processes are rarely stepped).
def last_task_text(workflow, names: dict | None = None) -> str | None:
    """The id of ``workflow``'s last task as text while that task is live, else None. ``names``:
    task -> id as text, as ``save`` holds them (a live task is there)."""
    last = workflow.last_task
    if last is None or last.id not in workflow.tasks:
        return None
    return (names.get(last) if names else None) or str(last.id)


def _workflow_text(workflow, names: dict) -> str:
    """The workflow's row: ``to_json(_workflow_meta(workflow))``, but ``last_task`` null for the top
    workflow (the case row keeps it: ``last_task_text``); written directly for a workflow without
    correlations or events whose data is empty or JSON's own (``_flat_plain``: the registry would give it
    back as it is — a workflow holding data objects; before ``_ENDED_TOP_ROW``, every case's last step,
    whose end leaves the case data in the top workflow: in-process A/B on zeebe_fine_threshold, a
    one-completion model, 21 µs less a completion, A/A 0.1). ``names``:
    task -> id as text, as ``save`` holds them (its root and live last task are there)."""
    top = isinstance(workflow, BpmnWorkflow)
    data = workflow.data
    if _c_encode is None or (data and not _flat_plain(data)) or workflow.correlations \
            or getattr(workflow, "bpmn_events", None):
        meta = _workflow_meta(workflow)
        if top:
            meta["last_task"] = None
        return to_json(meta)
    last = None if top else last_task_text(workflow, names)
    last_text = '"' + last + '"' if last is not None else "null"
    root = workflow.task_tree
    head = "".join(('{"format":', _FORMAT_TEXT, ',"data":', to_json(data) if data else "{}",
                    ',"correlations":{},"last_task":', last_text,
                    ',"success":', _scalar(workflow.success), ',"completed":', _scalar(workflow.completed),
                    ',"root":"', names.get(root) or str(root.id), '"'))
    if top:
        return head + ',"bpmn_events":[]}'
    return "".join((head, ',"parent_task_id":"', str(workflow.parent_task_id), '","spec":',
                    _quoted(workflow.spec.name), "}"))


_FLAT_PLAIN = frozenset({str, int, float, bool, type(None)})
_PLAIN_DEPTH = 20  # deeper (or circular) data is left to the registry's walk


def _flat_plain(data: dict, depth: int = 0) -> bool:
    """``data`` has text keys and values of JSON's own types only — text, numbers, booleans, null, and
    lists and dicts (text keys) of those, nested up to ``_PLAIN_DEPTH``: SpiffWorkflow's registry
    (``_registry.convert(_registry.clean(data))``) gives it back as it is — it converts registered
    types (dates, UUIDs), nested dicts and lists item by item, and cleans callables and modules out of
    every dict — so its row text is ``to_json(data)``. The top workflow holds the case's data once the
    case has ended (SpiffWorkflow's end copies it there): the last step's row, built through the
    registry's walk, was ~20 µs of that step with flat data, and with a form's tables of rows (our
    案卷评查, bpmn/case_file_review.bpmn) ~4,800 bytecodes, a seventh of its ending completion's."""
    for key, value in data.items():
        if type(key) is not str:
            return False
        kind = type(value)
        if kind in _FLAT_PLAIN:
            continue
        if depth >= _PLAIN_DEPTH or not (kind is dict and _flat_plain(value, depth + 1)
                                         or kind is list and _plain_items(value, depth + 1)):
            return False
    return True


def _plain_items(items: list, depth: int) -> bool:
    for value in items:
        kind = type(value)
        if kind in _FLAT_PLAIN:
            continue
        if depth >= _PLAIN_DEPTH or not (kind is dict and _flat_plain(value, depth + 1)
                                         or kind is list and _plain_items(value, depth + 1)):
            return False
    return True


def _walk(workflow):
    """Tasks of one workflow, parents before children (pre-order from the root; ``save`` walks so too)."""
    stack = [workflow.task_tree]
    while stack:
        task = stack.pop()
        yield task
        stack.extend(reversed(task.children))


def all_workflows(top: BpmnWorkflow) -> tuple:
    """The top workflow and its sub-processes (a tuple: a step asks for them ~16 times, and a
    generator's making and resuming cost more than the tuple when there is no sub-process)."""
    subs = top.subprocesses
    return (top, *subs.values()) if subs else (top,)


# --- restore ------------------------------------------------------------------------------------
_T = TaskRow.__table__


def restore(session: Session, case_id: int, spec, subprocess_specs, script_engine) -> LoadedState:
    """A case's workflow from its rows, with what its projections last wrote (open human tasks,
    timers, event waits, external tasks): all read in one statement (engine/case_rows.py), so the
    step's projections and after-step hooks read nothing more. ``session``: anything with
    ``connection()`` (a step's ``Tx.orm`` makes no ORM session for it)."""
    stored = case_rows.read_case(session.connection(), case_id)
    state = restore_rows(stored.workflows, stored.tasks, spec, subprocess_specs, script_engine, stored.last_task)
    state.open_tasks, state.timers, state.cold = stored.open_tasks, stored.timers, True
    workflow = state.workflow
    # The rows messages.project_waits and external_tasks.project_external last wrote, which they
    # compare with (only they write those tables; their ids are the waiting tasks' ids).
    workflow._duban_waits_stored = stored.waits
    workflow._duban_external = stored.external
    return state


_LIVE_WORKFLOWS = (sa.select(WorkflowRow.case_id, WorkflowRow.wf_key, WorkflowRow.content)
                   .where(WorkflowRow.case_id.in_(sa.bindparam("ids", expanding=True)), WorkflowRow.live.is_(True)))
_LIVE_TASKS = (sa.select(TaskRow.case_id, TaskRow.id, TaskRow.wf_key, TaskRow.seq, TaskRow.content)
               .where(TaskRow.case_id.in_(sa.bindparam("ids", expanding=True)), TaskRow.live.is_(True))
               .order_by(TaskRow.case_id, TaskRow.seq))


def read_many(conn, case_ids: list[int]) -> dict[int, tuple[dict, list]]:
    """The live rows of many cases in two statements: case id -> (wf_key -> content, task rows by seq),
    for ``restore_rows`` (the timer sweep loads a whole batch of cases at once)."""
    found: dict[int, tuple[dict, list]] = {c: ({}, []) for c in case_ids}
    for row in conn.execute(_LIVE_WORKFLOWS, {"ids": case_ids}):
        found[row.case_id][0][row.wf_key] = row.content
    for row in conn.execute(_LIVE_TASKS, {"ids": case_ids}):
        found[row.case_id][1].append(row)
    return found


def restore_rows(wf_rows: dict[str, str], task_rows: list, spec, subprocess_specs, script_engine,
                 last_task: str | None = None) -> LoadedState:
    """A case's workflow from its live rows: workflow row contents by wf_key, task rows
    (id, wf_key, seq, content) in seq order; ``last_task``: the case row's (``last_task_text``),
    else the top row's own is taken."""
    decoded = _decoded([wf_rows[TOP], *[row.content for row in task_rows]])
    top_meta = decoded[0]
    if last_task is not None:
        top_meta["last_task"] = last_task
    dcts = decoded[1:]
    current = top_meta.get("format") == FORMAT_VERSION
    if not current:  # rows of an older format are migrated here and all written again, stamped
        top_meta, _ = migrate(top_meta, dcts)
    if len(wf_rows) == 1:  # no sub-process (the usual): every row is the top workflow's
        by_wf: dict[str, list] = {TOP: dcts}
    else:
        by_wf = {}
        for row, dct in zip(task_rows, dcts):
            by_wf.setdefault(row.wf_key, []).append(dct)
    state = None
    if _DIRECT_TASKS:
        try:
            state = _restore_direct(wf_rows, top_meta, by_wf, spec, subprocess_specs, script_engine, current,
                                    _ids_of(dcts))
        except _UnusualId:
            state = None
    if state is None:
        state = _restore_by_registry(wf_rows, top_meta, by_wf, spec, subprocess_specs, script_engine, current)
    triggered_specs.relink(state.workflow)
    state.wf_rows = dict(wf_rows)
    state.task_rows = dict(zip(map(_id_of, task_rows), map(_kept_of, task_rows)))  # id -> (wf_key, seq, content)
    state.next_seq = max(map(_seq_of, task_rows), default=0) + 1
    return state


_seq_of = operator.attrgetter("seq")
_id_of = operator.attrgetter("id")
_kept_of = operator.attrgetter("wf_key", "seq", "content")
_to_uuids = functools.partial(msgspec.convert, type=list[UUID])


def _ids_of(dcts: list) -> dict[str, UUID]:
    """The rows' own ids (text -> UUID), parsed in one call of msgspec's C code — ``_uuid`` parses
    each in Python, ~70 bytecodes an id, the largest part of a cold load's ids. Only when every id is
    written as ``str(UUID)`` writes it (36 characters, lower case: msgspec also takes upper case and
    32 hex digits, and refuses the rest); else none, and ``_uuid`` parses them one by one (and
    refuses what ``str`` would write otherwise). Ids named in a row but of no live row (none, as
    ``prune`` relinks) are parsed by ``_uuid`` when met."""
    try:
        texts = [dct["id"] for dct in dcts]
        joined = "".join(texts)
        if len(joined) != 36 * len(texts) or joined != joined.lower():
            return {}
        return dict(zip(texts, _to_uuids(texts)))
    except (KeyError, TypeError, msgspec.ValidationError):
        return {}


_decode_row = msgspec.json.Decoder().decode


def _decoded(texts: list[str]) -> list:
    """Each row's JSON as ``json.loads`` reads it. By msgspec's decoder (in under half the time: a
    fifth of a cold load went to ``json.loads``), which reads JSON as the standard library does
    wherever it reads it at all — floats correctly rounded, integers of any size, the last of
    repeated keys; what it refuses (NaN and Infinity, which the row encoder writes for such
    floats, numbers beyond a double, lone surrogates) the standard library reads, every row again."""
    try:
        return [_decode_row(text) for text in texts]
    except msgspec.DecodeError:
        return [json.loads(text) for text in texts]


def _restore_by_registry(wf_rows, top_meta, by_wf, spec, subprocess_specs, script_engine, current) -> LoadedState:
    """SpiffWorkflow's own restore of each task (the registry's TaskConverter), then the marks of
    what was restored: the reference ``_restore_direct`` is compared with
    (tests/test_state_restore.py), and the way for rows it does not take."""
    top = DubanWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)

    older: set[str] = set()  # data-less tasks' rows of the older form (_DATALESS): no mark

    def fill(workflow, meta, dcts):
        workflow.tasks = {}
        for dct in dcts:  # ordered by seq: a parent is always restored before its children
            task = _registry.restore(dct, workflow=workflow)
            workflow.tasks[task.id] = task
            if dct.get("delta") and task.parent is not None:
                older.add(str(task.id))
        _fill_fields(workflow, meta, UUID)

    fill(top, top_meta, by_wf.get(TOP, ()))
    top.bpmn_events = _registry.restore(top_meta.get("bpmn_events", []))
    _attach_subprocesses(top, top, wf_rows, by_wf, fill, lambda task: str(task.id))
    state = LoadedState(top)
    if current:
        state.marks = marks_of(top, older)
    return state


def _restore_direct(wf_rows, top_meta, by_wf, spec, subprocess_specs, script_engine, current,
                    ids: dict[str, UUID]) -> LoadedState:
    """``_restore_by_registry``'s workflow with each task built by ``_task_from_row``, its mark
    taken as it is built and its id text kept for ``save``. Raises ``_UnusualId`` for an id
    not written the way ``str(UUID)`` writes it (the marks and names are keyed by that text).
    ``ids``: id texts already parsed (``_ids_of``); each other one is parsed once, when met."""
    top = DubanWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
    state = LoadedState(top)
    names = state.names
    marks = state.marks if current else None
    thread_id = DubanTask.thread_id_pool  # what Task.__init__ gives every DubanTask it makes

    def fill(workflow, meta, dcts):
        workflow.tasks = {}
        built: dict[str, Task] = {}  # id text -> task, for its children's rows
        for dct in dcts:  # ordered by seq: a parent is always restored before its children
            if dct.get("typename") == _TASK_TYPENAME:
                tid = dct["id"]
                task, parent = _task_from_row(dct, workflow, ids, built, thread_id)
            else:
                task = _registry.restore(dct, workflow=workflow)
                workflow.tasks[task.id] = task
                tid, parent = str(task.id), task.parent
            built[tid] = task
            names[task] = tid
            if marks is None:
                continue
            if not task.data and not task.internal_data and _MARKS_VALID:
                # ``_mark``'s first kind (no data: its row names none of its parent's), from what is at
                # hand; not a data-less task's row of the older form (_DATALESS)
                if parent is None or not dct.get("delta"):
                    state_ = task._state
                    mark = marks[tid] = (state_, task.last_state_change, task._parent, tuple(task._children),
                                         task.triggered, parent is not None)
                    if state_ & _QUIET_STATES:  # quiet or loud, as ``save`` sorts them (_COLD_PLAN)
                        quiet[task] = mark
                        continue
                loud.add(task)
            else:  # as ``marks_of`` takes them once all are restored (nothing moves them)
                mark = _mark(task, parent)  # (the second kind, or none)
                if mark is not None:
                    marks[tid] = mark
                    # quiet or loud, as ``save`` sorts them after writing the rows (_COLD_PLAN)
                    if task._state & _QUIET_STATES and not mark[7]:
                        quiet[task] = mark
                        continue
                loud.add(task)
        _fill_fields(workflow, meta, lambda text: _uuid(ids, text))

    quiet, loud = state.quiet, state.loud
    fill(top, top_meta, by_wf.get(TOP, ()))
    events = top_meta.get("bpmn_events")
    top.bpmn_events = _registry.restore(events) if events else []
    if len(wf_rows) > 1:  # sub-processes
        _attach_subprocesses(top, top, wf_rows, by_wf, fill, names.__getitem__)
    elif marks is not None:
        top._duban_tree_kept = True  # (_COLD_PLAN) till a task is made or taken out (engine/task_class.py)
    return state


# _COLD_PLAN: a case restored from its rows is saved after its step as a case kept in the cache is:
# visiting only the tasks the step may have changed (``save``'s plan, ``_dirty_plan``), not walking
# and comparing every live task. The restore leaves what the save that wrote those rows would have
# left: each live task's mark (what decides its row), the quiet ones (predicted or finished, a mark
# without nested values) apart from the loud ones (the rest, and every task without a mark: a row
# of the older data-less form, written again), and the tree taken as kept — the rows are the tasks.
# Not for a case with a sub-process, nor rows of an older format (no marks), which are walked as
# before. The five-task model's cold completion: 1,770 bytecodes less (bench/step_ab.py --cache-size
# 0 --bytecodes); tests/test_state_cold_plan_s31.py.


def _fill_fields(workflow, meta: dict, uuid_of) -> None:
    """A workflow's own fields from its row (its tasks restored); ``uuid_of``: id text -> UUID."""
    workflow.task_tree = workflow.tasks[uuid_of(meta["root"])]
    workflow.success = meta["success"]
    workflow.completed = meta.get("completed", False)
    workflow.correlations = meta.get("correlations", {})
    last = meta.get("last_task")
    workflow.last_task = workflow.tasks.get(uuid_of(last)) if last else None
    workflow.data = _restored(meta.get("data", {}))


def _attach_subprocesses(top, workflow, wf_rows: dict, by_wf: dict, fill, name_of) -> None:
    """The sub-processes of ``workflow``'s tasks that have a row, restored by ``fill``, and theirs."""
    for task in list(workflow.tasks.values()):
        if isinstance(task.task_spec, SubWorkflowTask):
            key = name_of(task)
            if key in wf_rows:
                sub = DubanSubWorkflow(top.subprocess_specs.get(task.task_spec.spec), task.id, top,
                                      deserializing=True)
                fill(sub, json.loads(wf_rows[key]), by_wf.get(key, ()))
                top.subprocesses[task.id] = sub
                sub.completed_event.connect(task.task_spec._on_subworkflow_completed, task)
                _attach_subprocesses(top, sub, wf_rows, by_wf, fill, name_of)


# A cold load (a timer fired by a worker that did not run the case before, a step on a case another
# process stepped last) restores every live task of the case from its row. SpiffWorkflow's registry
# does that one task at a time through generic machinery: a copy of each task dict to drop its type
# name, a walk of every value looking for typed objects, each id parsed from text again wherever it
# appears (as the task's own id, as its children's parent, in its parent's children), and
# Task.__init__'s work for a new task (a fresh id, the clock, a look for the parent) that the row then
# overwrites. ``_task_from_row`` builds the same Task from the same row directly: its attributes set
# at once, each id text parsed once per case, values walked only where there are any, the parent
# found by its id text. tests/test_state_restore.py compares it with the registry's restore on every
# task of many models (fields, data, shared nested values, waiting events, marks), and cases
# restored cold and fired with the same cases fired warm from the cache. Only while the converter
# configured for tasks is SpiffWorkflow's own (the one whose form this reads); any other restores
# through the registry.
_DIRECT_TASKS = DUBAN_CONFIG.get(Task) is TaskConverter
_TASK_TYPENAME = _registry.typenames.get(Task, "Task")
_new = object.__new__
_set = object.__setattr__
_UUID_SAFETY = UUID(int=0).is_safe  # what UUID(text) says of a UUID it parses
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})  # what the registry leaves as it is
_MUTABLE = (dict, list, set)  # the values DeepMerge copies (shallow) into a child's data
_WAITING = TaskState.WAITING


class _UnusualId(ValueError):
    """A task id in a row not in the form ``str(UUID)`` writes (the registry's restore takes it)."""


def _uuid(ids: dict, text: str) -> UUID:
    """The UUID of an id text (parsed once a case, as ``UUID(text)`` parses it)."""
    found = ids.get(text)
    if found is None:
        hexits = text.replace("-", "")
        try:
            value = int(hexits, 16)
        except ValueError:
            raise _UnusualId(text) from None
        if (len(text) != 36 or text[8] != "-" or text[13] != "-" or text[18] != "-" or text[23] != "-"
                or "%032x" % value != hexits):
            raise _UnusualId(text)
        found = _new(UUID)
        _set(found, "int", value)
        _set(found, "is_safe", _UUID_SAFETY)
        ids[text] = found
    return found


def _restored(value):
    """Stored values as objects (dates, decimals... the registry knows them); plain JSON as it is:
    a dict of scalars just parsed is returned itself (nothing else holds it)."""
    if not value:
        return value
    if type(value) is dict and "typename" not in value:
        for item in value.values():
            if type(item) not in _JSON_SCALARS:
                return _registry.restore(value)
        return value
    return _registry.restore(value)


# The attributes Task.__init__ gives a task, in its order ("thread_id" from the class's pool): a
# task from a row (a DubanTask, engine/task_class.py) gets them all at once. Checked against a task
# Task.__init__ makes, so a SpiffWorkflow that sets others is not given tasks short of them (it
# builds them itself).
_TASK_FIELDS = ("id", "workflow", "_parent", "_children", "_state", "triggered", "task_spec", "thread_id", "data",
                "internal_data", "last_state_change")
_DIRECT_INIT = tuple(vars(DubanTask(SimpleNamespace(tasks={}, spec=None), object()))) == _TASK_FIELDS  # type: ignore[arg-type]


def _task_from_row(dct: dict, workflow, ids: dict, built: dict, thread_id: int) -> tuple[Task, Task | None]:
    """The DubanTask a row of the current format describes, as the registry's TaskConverter makes it, in
    ``workflow.tasks``, and its parent. ``built``: the tasks of ``workflow`` built so far, by id
    text (its parent is one); ``thread_id``: ``DubanTask.thread_id_pool``."""
    tid = dct["id"]
    uid = ids.get(tid) or _uuid(ids, tid)
    parent_text = dct["parent"]
    if parent_text is None:
        parent_id = parent = None
    else:
        parent_id = ids.get(parent_text) or _uuid(ids, parent_text)
        parent = built.get(parent_text)
        if parent is None:
            parent = workflow.tasks.get(parent_id)
    children = dct["children"]
    if children:
        children = [ids.get(child) or _uuid(ids, child) for child in children]
    spec = workflow.spec.task_specs.get(dct["task_spec"])
    state = dct["state"]
    internal = dct["internal_data"]
    if internal:
        internal = _restored(internal)
    delta = dct.get("delta")
    if delta and parent is not None:  # the row keeps what differs from the parent's data
        data = _inherited(parent.data, delta)
    else:
        data = _restored(dct["data"])
    if spec is not None and _DIRECT_INIT:
        task = _new(DubanTask)
        task.__dict__ = {"id": uid, "workflow": workflow, "_parent": parent_id, "_children": children,
                         "_state": state, "triggered": dct["triggered"], "task_spec": spec, "thread_id": thread_id,
                         "data": data, "internal_data": internal, "last_state_change": dct["last_state_change"]}
    else:
        task = DubanTask(workflow, spec, state=state, id=uid)
        task._parent = parent_id
        task._children = children
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = internal
        task.data = data
    workflow.tasks[uid] = task
    if state & _WAITING and isinstance(spec, CatchingEvent):
        workflow.top_workflow.event_manager.add_task(task)
    return task, parent


def _inherited(above: dict, delta: dict) -> dict:
    """A task's data from its parent's and its row's delta, as TaskConverter makes it (DeepMerge of
    the parent's data into an empty dict — a shallow copy of each dict, list or set value —, the
    updates, then the deletions), without copying the keys the delta deletes: most live tasks
    are predicted ones, whose delta deletes all of their parent's data."""
    deletions = delta.get("deletions")
    if not above:
        data = {}
    elif deletions:
        gone = set(deletions)
        data = {} if gone.issuperset(above) else {
            key: _copy(value) if isinstance(value, _MUTABLE) else value for key, value in above.items() if key not in gone}
    else:
        data = {key: _copy(value) if isinstance(value, _MUTABLE) else value for key, value in above.items()}
    updates = delta.get("updates")
    if updates:
        data.update(_restored(updates))
    if deletions and data:
        for key in deletions:
            data.pop(key, None)
    return data


# _DATALESS: a task without data of its own under a parent (a predicted task: most live tasks of a
# case) is written with an empty delta, ``"data":{},"delta":{}``, where SpiffWorkflow's TaskConverter
# writes ``"delta":{"updates":{},"deletions":[every key of its parent's data]}``. Both read back as
# a task with no data, by SpiffWorkflow's own ``from_dict`` (an empty delta: the row's ``data``) and by
# ``_task_from_row``; but the older form names its parent's keys, so that such a row changed whenever
# its parent's data gained a key: the predicted task under a task that opened was written again at
# every completion (one row of three on bench/models/five_tasks.bpmn), and its mark carried a tuple of
# its parent's keys. Rows of the older form stay readable; a data-less task restored from one gets no
# mark (``_restore_direct``, ``marks_of``), so the next save writes it in this form. The format
# (``FORMAT_VERSION``) stays: this engine, the ones before it and SpiffWorkflow read both forms alike
# (an older engine keeps such a row while its task's mark holds, and writes its own form after).
# Such a row is written as large as the task's row will be when it opens with its parent's data
# (``"delta":{"updates":{},"deletions":[]}``): its empty delta padded with spaces, which every JSON
# reader skips. Rows grow in place when their task opens; a case's rows, written at its start, fill
# their pages to the brim, and 28 bytes more a completion made SQLite rebalance the page with its
# siblings — bench/wal_pages.py: wf_task 1.0 -> 1.8 WAL frames a completion with the empty delta
# unpadded (a task completed still grows its row by what it was given).
_DATALESS_TAIL = ',"data":{},"delta":{' + " " * (len('{"updates":{},"deletions":[]}') - 2) + "}"
_quoted = json.encoder.encode_basestring  # a JSON string as the row encoder writes it (no ASCII escaping)
_FORMAT_TEXT = _quoted(FORMAT_VERSION)
_TYPENAME_TAIL = ',"typename":' + _quoted(_TASK_TYPENAME) + "}"
_NO_DELTA_TAIL = ',"data":{},"delta":{"updates":{},"deletions":[]}'
# Value types for which data equal to the parent's (``==`` of the two dicts, which takes a value as
# equal to itself) also means no value ``!=`` its parent's (what the delta's comprehension asks): not
# float, whose NaN is unequal to itself (it would be an update), nor any type that could be so. A
# task's data equal to its parent's is the usual for the engine tasks a step runs after a user task
# (the end event, the end join, the end: SpiffWorkflow copies the parent's data down), and its delta
# was still worked out key by key — with our 案卷评查's forms ~50 keys a task, five tasks at its end.
_EQUAL_UNLESS_DIFFERENT = frozenset({str, int, bool, type(None), list, dict})


def _scalar(value) -> str:
    """A float, int or bool field as the row encoder writes it (a finite float: its repr)."""
    kind = type(value)
    if kind is float and value - value == 0.0:  # finite
        return repr(value)
    if kind is int:
        return int.__repr__(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    return to_json(value)


def _task_text(task, tid: str, parent=None, parent_tid: str | None = None,
               child_tids: list[str] | None = None) -> str:
    """``to_json(_registry.convert(task))`` for a task of the current format, written directly:
    the JSON of what SpiffWorkflow's TaskConverter.to_dict gives (its delta against the parent's
    data included), with the registry's type name last. The fixed fields (ids, state, spec name,
    flags) are written as text without building the task's dict; only the data, the delta and
    the internal data go through the row encoder. Only while ``_DIRECT_TASKS`` (and the C
    encoder); tests/test_state_writes.py and tests/test_step_pipeline.py compare every live row
    with the registry's conversion, byte for byte. ``save`` passes the task's parent, its id as
    text and its children's ids as text when it holds them (else they are looked up)."""
    if parent_tid is None:
        parent_id = task._parent
        parent = task.workflow.tasks.get(parent_id) if parent_id is not None else None
        if parent is not None:
            parent_tid = str(parent_id)
    data = task.data
    if parent is None:
        head = '{"id":"' + tid + '","parent":null,'
        tail = ',"data":' + (to_json(data) if data else "{}") + ',"delta":{}'
    elif not data:  # no data of its own: written as such, not as its parent's keys deleted (_DATALESS)
        head = '{"id":"' + tid + '","parent":"' + parent_tid + '",'
        tail = _DATALESS_TAIL
    else:
        above = parent.data
        head = '{"id":"' + tid + '","parent":"' + parent_tid + '",'
        if data == above and _EQUAL_UNLESS_DIFFERENT.issuperset(map(type, data.values())):
            tail = _NO_DELTA_TAIL  # the parent's data as it is (an end event's, an end join's, the end's)
        else:
            updates = {key: value for key, value in data.items() if key not in above or value != above[key]}
            deletions = [key for key in above if key not in data]
            tail = (',"data":{},"delta":{"updates":' + (to_json(updates) if updates else "{}")
                    + ',"deletions":' + (to_json(deletions) if deletions else "[]") + "}")
    if child_tids is None:
        children = task._children
        child_tids = [str(child) for child in children] if children else []
    internal = task.internal_data
    internal_text = to_json(_registry.convert(internal)) if internal else "{}"
    changed, state, triggered = task.last_state_change, task._state, task.triggered
    if type(changed) is float and 1e-4 <= changed < 1e16 and type(state) is int and type(triggered) is bool:
        # The fixed fields by one call of msgspec's encoder (``_Fixed``), which writes them as the row
        # encoder does: text (no ASCII escaping, the same escapes: checked for every code point), an
        # int, a bool, and a float in this range (its repr; beyond it repr writes e+16 and e-05 where
        # msgspec writes e16 and e-5). Text with a lone surrogate (UTF-8 cannot carry it) is refused.
        try:
            fixed = _encode_fixed(_Fixed(child_tids, changed, state, task.task_spec.name, triggered))
        except UnicodeEncodeError:
            pass
        else:
            return "".join((head, fixed[1:-1].decode(), ',"internal_data":', internal_text, tail, _TYPENAME_TAIL))
    return "".join((head, '"children":[', '"' + '","'.join(child_tids) + '"' if child_tids else "",
                    '],"last_state_change":', _scalar(changed), ',"state":', _scalar(state),
                    ',"task_spec":', _quoted(task.task_spec.name), ',"triggered":', _scalar(triggered),
                    ',"internal_data":', internal_text, tail, _TYPENAME_TAIL))


class _Fixed(msgspec.Struct):
    """A task row's fields from its children to its triggered flag, in the row's order."""
    children: list
    last_state_change: float
    state: int
    task_spec: str
    triggered: bool


_encode_fixed = msgspec.json.Encoder().encode


_DIRECT_TEXT = _DIRECT_TASKS and _c_encode is not None and DUBAN_CONFIG.get(DubanTask) is DubanTaskConverter
# The classes whose rows ``_task_text`` writes: a case's own tasks (engine/task_class.py) and SpiffWorkflow's,
# stored alike (the same converter, under the type name "Task").
_TEXT_CLASSES = (DubanTask, Task)


def _task_json(task, tid: str, parent=None, parent_tid: str | None = None,
               child_tids: list[str] | None = None) -> str:
    """A task's row content, as ``to_json(_registry.convert(task))`` gives it (the other arguments:
    see ``_task_text``)."""
    if _DIRECT_TEXT and type(task) in _TEXT_CLASSES:
        return _task_text(task, tid, parent, parent_tid, child_tids)
    return to_json(converted(task))


def reference_text(task) -> str:
    """``_task_json``'s row of ``task`` as the registry writes it (``converted``), a data-less task's
    empty delta padded as ``_task_text`` pads it (``_DATALESS_TAIL``): what tests compare rows with."""
    text = to_json(converted(task))
    if _DIRECT_TEXT and type(task) in _TEXT_CLASSES and not task.data and task.parent is not None:
        at = text.rindex(',"data":{},"delta":{}')
        text = text[:at] + _DATALESS_TAIL + text[at + len(',"data":{},"delta":{}'):]
    return text


def converted(task) -> dict:
    """A task's row as a dict: SpiffWorkflow's conversion (the registry's ``TaskConverter``), but a
    task without data of its own under a parent written with an empty delta (``_DATALESS``)."""
    dct = _registry.convert(task)
    if _MARKS_VALID and not task.data and dct.get("delta"):
        dct["delta"] = {}
    return dct


# --- prune ----------------------------------------------------------------------------------------
_NOT_FINISHED = TaskState.NOT_FINISHED_MASK


def prune(top: BpmnWorkflow) -> dict[str, object]:
    """Cut finished history out of the live trees; returns the tasks taken out, by id."""
    removed: dict[str, object] = {}
    for sp_id, sub in list(top.subprocesses.items()):
        parent = top.get_task_from_id(sp_id) if _has_task(top, sp_id) else None
        if sub.completed and (parent is None or parent.has_state(TaskState.FINISHED_MASK)):
            removed.update({str(t.id): t for t in sub.tasks.values()})
            del top.subprocesses[sp_id]
    for workflow in all_workflows(top):
        removed.update(_prune_tree(workflow))
    return removed


def _has_task(top, task_id) -> bool:
    if task_id in top.tasks:
        return True
    return any(task_id in sp.tasks for sp in top.subprocesses.values())


def _frontier(tasks: dict) -> list:
    """The unfinished tasks whose parent is finished (or gone): every unfinished task is one of
    them or below one, so their lowest common ancestor is that of all unfinished tasks — found
    from one or two paths instead of one per predicted task."""
    found = []
    for task in tasks.values():
        if task._state & _NOT_FINISHED:
            parent = tasks.get(task._parent) if task._parent is not None else None
            if parent is None or not parent._state & _NOT_FINISHED:
                found.append(task)
    return found


def _prune_tree(workflow) -> dict[str, object]:
    tasks = workflow.tasks
    unfinished = _frontier(tasks)
    if not unfinished:
        return {}
    # Lowest common ancestor of the unfinished tasks.
    common: list | None = None
    for task in unfinished:
        path = []
        node = task
        while node is not None:
            path.append(node)
            node = tasks.get(node._parent) if node._parent is not None else None
        path.reverse()
        if common is None:
            common = path
        else:
            n = 0
            while n < len(common) and n < len(path) and common[n] is path[n]:
                n += 1
            common = common[:n]
    chain = common  # root .. lca
    cut_to = len(chain) - 1 - KEEP_ANCESTORS  # index of the oldest ancestor kept whole
    keep_sides = not structured_joins(workflow.spec)
    if keep_sides:  # the cut drops what hangs off the chain above chain[cut_to]: stop at a fork
        cut_to = next((j for j in range(max(cut_to, 0)) if len(chain[j]._children) > 1), cut_to)
    removed: dict[str, object] = {}
    if cut_to >= 2:
        # Of the finished chain above, keep the nearest task of each element not kept already.
        keep_mid = nearest_of_each_element(chain, cut_to)
        kept = [chain[0]] + keep_mid + [chain[cut_to]]
        if len(kept) < cut_to + 1:  # something to cut
            for other in list(chain[0].children):  # finished branches beside the chain (rare)
                if other is not None and other is not chain[1]:
                    _drop_subtree(workflow, other, removed)
            spare = {t.id for t in keep_mid}
            stack = [chain[1]]
            while stack:
                t = stack.pop()
                if t is chain[cut_to]:
                    continue
                stack.extend(c for c in t.children if c is not None)
                if t.id not in spare:
                    tasks.pop(t.id, None)
                    removed[str(t.id)] = t
            for parent, child in zip(kept, kept[1:]):
                child._parent = parent.id
                parent._children = [child.id]
    # Finished side branches hanging off the chain above the frontier (none kept by a join, when
    # every join is structured: ``structured_joins``).
    for i in range(max(cut_to, 0), len(chain) - 1 if not keep_sides else 0):
        node, on_path = chain[i], chain[i + 1]
        if node.id not in tasks or len(node._children) < 2:
            continue
        for child in list(node.children):
            if child is not on_path and child is not None and not _has_unfinished(child):
                node._children.remove(child.id)
                _drop_subtree(workflow, child, removed)
    if workflow.last_task is not None and workflow.last_task.id not in tasks:
        workflow.last_task = None
    return removed


_structured: WeakKeyDictionary = WeakKeyDictionary()


def structured_joins(spec) -> bool:
    """Whether every parallel or inclusive join (汇合) of ``spec`` is structured: its immediate
    dominator D is a fork, and each of D's outgoing paths (not passing D or the join again) reaches
    at most one of the join's incoming flows. Then the join's waiting and finished tasks of one
    round sit under one D task, each incoming branch under a child of its own, and D stays at or
    below the unfinished tasks' common ancestor while the join waits — so dropping finished side
    branches above that ancestor never drops one the join still counts. Otherwise (Camunda's
    ``testUnstructuredConcurrencyTwoJoins``: a branch skips the first join and meets the second
    one, which also collects the first join's three outputs) the join looks for a finished branch
    that hangs off a fork above the frontier: ``_prune_tree`` keeps side branches. Worked out once
    per spec."""
    known = _structured.get(spec)
    if known is None:
        known = _structured[spec] = _all_joins_structured(spec)
    return known


def _all_joins_structured(spec) -> bool:
    nodes = list(spec.task_specs.values())
    start = spec.start
    dom = _dominators(nodes, start)
    for join in nodes:
        if not isinstance(join, (ParallelGateway, InclusiveGateway)) or len(join.inputs) < 2:
            continue
        above = dom.get(join)
        if not above:
            return False  # unreachable from the start (an event sub-process's?): keep to be safe
        # A loop's way back into the join (an input the join dominates) is found among the join's
        # own ancestors and descendants, which pruning keeps: only the inputs from before count.
        inputs = {i for i in join.inputs if i in dom and join not in dom[i]}
        if len(inputs) < 2:
            continue
        fork = max(above - {join}, key=lambda d: len(dom[d]), default=None)  # immediate dominator
        if fork is None or len(fork.outputs) < 2:
            return False
        for out in fork.outputs:
            reached = {fork} if out is join else set()
            seen, stack = {fork, join}, [out] if out is not join else []
            while stack:
                node = stack.pop()
                if node in seen:
                    continue
                seen.add(node)
                for nxt in node.outputs:
                    if nxt is join:
                        reached.add(node)
                    elif nxt not in seen:
                        stack.append(nxt)
            if len(reached & inputs) > 1:
                return False
    return True


def _dominators(nodes, start) -> dict:
    """Each task spec reachable from ``start`` -> the set of specs on every path to it (itself too)."""
    order, seen, stack = [], {start}, [start]
    while stack:
        node = stack.pop()
        order.append(node)
        for nxt in node.outputs:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    everything = frozenset(order)
    dom = {node: everything for node in order}
    dom[start] = frozenset({start})
    changed = True
    while changed:
        changed = False
        for node in order[1:]:
            preds = [dom[p] for p in node.inputs if p in dom]
            new = frozenset.intersection(*preds) | {node} if preds else frozenset({node})
            if new != dom[node]:
                dom[node] = new
                changed = True
    return dom


def _has_unfinished(task) -> bool:
    stack = [task]
    while stack:
        t = stack.pop()
        if t.has_state(TaskState.NOT_FINISHED_MASK):
            return True
        stack.extend(t.children)
    return False


def _drop_subtree(workflow, task, removed: dict[str, object]) -> None:
    stack = [task]
    while stack:
        t = stack.pop()
        workflow.tasks.pop(t.id, None)
        removed[str(t.id)] = t
        stack.extend(c for c in t.children if c is not None)


# --- save -----------------------------------------------------------------------------------------
# SpiffWorkflow's TaskConverter writes a task as a function of its own fields (state, last state
# change, parent, children, triggered, internal data, data) and of its parent's data (the ``delta``
# names what differs from it). ``save`` re-serializes a task only when a cheap mark of those inputs
# moved since its row was written: converting and JSON-encoding every live task was most of a
# step's Python time (issue 15). Two kinds of task get a mark:
# - a task that carries no data of its own (a predicted task: FUTURE, LIKELY, MAYBE — most live
#   tasks of a case): its fields and whether it has a parent (its row names none of its parent's
#   data: ``_DATALESS``);
# - a finished task (COMPLETED, CANCELLED, ERROR) under a finished parent: its fields, a shallow
#   copy of its data and internal data, and the JSON text of the lists and dicts among their values.
#   That text is needed: SpiffWorkflow's DeepMerge shares nested lists and dicts between a task
#   and its parent and later merges into them in place (a join does), so a finished task's nested
#   data does change under it — its row must follow, as a full re-serialization would. The JSON
#   of a few values is a fraction of converting the task (no registry walk, no task dict). Data
#   holding anything but plain values, lists and dicts gets no mark. The parent's data is covered by
#   the parent's own mark (a parent comes before its children in the walk): the child's row is kept
#   only if its parent's data, too, is as it was when the row was written.
# Only with the converter whose output this was read from; another (a SpiffWorkflow upgrade)
# serializes every task.
_MARKS_VALID = DUBAN_CONFIG.get(Task) is TaskConverter
_FINISHED = TaskState.FINISHED_MASK
_PLAIN = frozenset({str, int, float, bool, type(None), datetime, date, timedelta, Decimal})
_NESTED = (dict, list)
_nested_json = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":"),
                                default=repr).encode
# ``_nested_json``'s C encoder made once, as ``to_json``'s: ``JSONEncoder.encode`` goes through
# ``iterencode``, which makes the C encoder (and a float formatter it does not use) anew on every
# call — ~1.5 µs, most of a mark's text for a small list. The same text: the same C encoder with the
# same options (no circular-reference check, so it keeps no state between calls).
_nested_c = json.encoder.c_make_encoder(
    None, repr, json.encoder.encode_basestring, None, ":", ",", False, False, True,
) if json.encoder.c_make_encoder is not None else None


def _nested_text(value: list) -> str:
    """``value`` (a list: a task's nested data values and internal ones) as ``_nested_json`` writes it."""
    if _nested_c is None:
        return _nested_json(value)
    return "".join(_nested_c(value, 0))


def _nested_of(values) -> list | None:
    """The list and dict values among ``values``; None if any value is neither those nor plain. The
    values' types looked at and the nested ones picked out in C (``map``, ``compress``), not one by
    one in Python: a task of bpmn/hazard_supervision.bpmn holds ~60 values, and a save builds the
    marks of ~24 such tasks (~12,000 bytecodes a completion: bench/step_ab.py --variant flat_check)."""
    kinds = set(map(type, values))
    if _PLAIN.issuperset(kinds):
        return []  # all plain
    if not _PLAIN_OR_NESTED.issuperset(kinds):
        return None
    return list(compress(values, map(_NESTED_KINDS.__contains__, map(type, values))))


_NESTED_KINDS = frozenset({dict, list})
_PLAIN_OR_NESTED = _PLAIN | _NESTED_KINDS


def _mark(task, parent=None, old: tuple | None = None, kept_only: bool = False) -> tuple | None:
    """What decides ``task``'s row, cheaply compared; None: serialize it every time. ``parent``:
    the task's parent if the caller holds it (``save`` walks from it), else looked up. ``old``:
    the task's mark as last taken, if any: returned itself when the mark is what it was and holds
    no nested values (a finished task's data unchanged: the usual), without copying the data.
    ``kept_only``: for the last save of a workflow that has ended, a task finished since its last save
    gets no mark (None: it is serialized, as it would be anyway, its mark having moved) — the ending
    completion of zeebe_linked_form built four such marks (a shallow copy of each task's data and
    internal data, the JSON of their nested values) that nothing would read. A task finished before
    keeps being compared by its mark."""
    if not _MARKS_VALID:
        return None
    if parent is None:
        parent = task.parent
    data, internal = task.data, task.internal_data
    state = task._state
    if not data and not internal:  # its row does not depend on its parent's data (``_task_text``)
        if (old is not None and len(old) == 6 and old[0] == state and old[1] == task.last_state_change
                and old[2] is task._parent and old[4] == task.triggered and old[5] is (parent is not None)
                and _same_ids(old[3], task._children)):
            return old  # what the tuple below would hold, not built (the usual: a predicted task unchanged)
        return (state, task.last_state_change, task._parent, tuple(task._children), task.triggered,
                parent is not None)
    if kept_only and (old is None or len(old) != 8):
        return None  # finished in this last save (no finished task's mark to compare with), or not finished
    if not state & _FINISHED or (parent is not None and not parent._state & _FINISHED):
        return None
    if (old is not None and len(old) == 8 and not old[7] and old[0] == state
            and old[1] == task.last_state_change and old[2] is task._parent and old[4] == task.triggered
            and _same_ids(old[3], task._children) and old[6] == data and old[5] == internal
            and _PLAIN.issuperset(map(type, data.values()))
            and (not internal or _PLAIN.issuperset(map(type, internal.values())))):
        return old  # the mark below would be equal to it: the same fields, plain values only ("" text)
    nested = _nested_of(data.values())
    nested_internal = _nested_of(internal.values()) if internal else []
    if nested is None or nested_internal is None:
        return None
    try:
        text = _nested_text([nested, nested_internal]) if nested or nested_internal else ""
    except (TypeError, ValueError):  # keys JSON cannot name: serialize the task every time
        return None
    return (state, task.last_state_change, task._parent, tuple(task._children), task.triggered,
            dict(internal), dict(data), text)


def _same_ids(kept: tuple, ids: list) -> bool:
    """The ids a mark kept are the very objects ``ids`` holds (a task's children, unchanged since
    the mark was taken: the usual). False also when they are equal but other objects (a task
    restored from rows): the caller then builds its mark, which compares them by value. Not
    ``kept == tuple(ids)``: a tuple built, and UUID's ``__eq__`` is Python code, called for every
    pair that is not the same object."""
    n = len(ids)
    if len(kept) != n:
        return False
    if n == 1:
        return kept[0] is ids[0]
    for a, b in zip(kept, ids):
        if a is not b:
            return False
    return True


def _same_data(old_mark: tuple | None, mark: tuple | None) -> bool:
    """A finished task's data is what it was when its children's rows were last compared."""
    return (old_mark is not None and mark is not None and len(mark) == 8 and len(old_mark) == 8
            and old_mark[6] == mark[6] and old_mark[7] == mark[7])


def _kept_as_written(task, old_mark: tuple | None) -> bool:
    """A task pruned out of the tree (its parent link is cut, so ``_mark`` no longer applies) whose
    state and data are as its row says: the row is history, read for its state only."""
    if old_mark is None or old_mark[:2] != (task.state, task.last_state_change):
        return False
    if len(old_mark) == 6:
        return not task.data and not task.internal_data
    mark = _mark(task)
    return mark is not None and mark[5:] == old_mark[5:]


def marks_of(top: BpmnWorkflow, older: set[str] | frozenset[str] = frozenset()) -> dict[str, tuple]:
    """The marks of a workflow just restored from its rows (they are what those rows say).
    ``older``: ids of tasks whose row has a delta though it may be of a data-less task (the older
    form, ``_DATALESS``): such a task gets no mark (its row is written again at the next save)."""
    marks = {}
    for workflow in all_workflows(top):
        for task in workflow.tasks.values():
            mark = _mark(task)
            if mark is not None:
                tid = str(task.id)
                if len(mark) != 6 or not mark[5] or tid not in older:
                    marks[tid] = mark
    return marks


@dataclass
class WriteStats:
    inserted: int = 0
    updated: int = 0
    archived: int = 0
    deleted: int = 0
    serialized: int = 0  # tasks converted and JSON-encoded afresh (the rest kept their row as it was)


_TASK_COLUMNS = ("id", "case_id", "wf_key", "seq", "spec_name", "state", "live", "content")
_INSERT_TASKS = sqlexec.Sql(sa.insert(_T), keys=_TASK_COLUMNS)
# A row keeps its seq for life, and an UPDATE that names an indexed column rewrites its index entry
# even unchanged on SQLite (seq is in ix_wf_task_live: one page more per commit), so it is not named.
_UPDATE_TASKS = sqlexec.Sql(sa.update(_T).where(_T.c.case_id == sa.bindparam("b_case"), _T.c.id == sa.bindparam("b_id"))
                            .values(state=sa.bindparam("state"), content=sa.bindparam("content")))
_ARCHIVE_TASKS = sqlexec.Sql(sa.update(_T).where(_T.c.case_id == sa.bindparam("b_case"), _T.c.id == sa.bindparam("b_id"))
                             .values(live=False, state=sa.bindparam("state"), content=sa.bindparam("content")))
# Predicted tasks SpiffWorkflow dropped (the branches an exclusive gateway did not take): one row a
# statement, deferred (an expanding ``IN`` goes through SQLAlchemy and waits for its own round trip).
_DELETE_TASKS = sqlexec.Sql(sa.delete(_T).where(_T.c.case_id == sa.bindparam("b_case"), _T.c.id == sa.bindparam("b_id")))
_WF = WorkflowRow.__table__
_UPDATE_WF = sqlexec.Sql(sa.update(_WF).where(_WF.c.case_id == sa.bindparam("b_case"),
                                              _WF.c.wf_key == sa.bindparam("b_key"))
                         .values(content=sa.bindparam("content")))

# A finished sub-process's row: history from now on (one row a statement, deferred).
_RETIRE_WF = sqlexec.Sql(sa.update(_WF).where(_WF.c.case_id == sa.bindparam("b_case"), _WF.c.wf_key == sa.bindparam("b_key"))
                         .values(live=False))
_INSERT_WF = sqlexec.Sql(sa.insert(_WF), keys=("case_id", "wf_key", "seq", "live", "content"))
_FIND_WF = sqlexec.Sql(sa.select(_WF.c.wf_key).where(_WF.c.case_id == sa.bindparam("b_case"),
                                                     _WF.c.wf_key == sa.bindparam("b_key")))
_REVIVE_WF = sqlexec.Sql(sa.update(_WF).where(_WF.c.case_id == sa.bindparam("b_case"), _WF.c.wf_key == sa.bindparam("b_key"))
                         .values(live=True, content=sa.bindparam("content")))


# _ENDED_TOP_ROW: the save that ends a case leaves its top workflow row (wf_workflow, wf_key 'top') as
# the case's last running step wrote it. SpiffWorkflow's end copies the case data into the top
# workflow and sets its ``completed``, so that row grew by the whole case data at every case's end
# (2.6 of 15.4 WAL frames of camunda7_list_map_parameters' one completion: the row's page rebalanced
# with its neighbours) for no reader: a workflow is restored only to step a running case
# (``step.lock_case`` and the timer sweep take running cases only, a task only while its case runs),
# and what the row would say is stored anyway — the data in the case row (``case_instance.data``, the
# case page, the API, exports) and in the end task's row (its delta), the end in the case's status
# and in the task rows' states (the diagram: ``cases.case_elements``), its time in ``ended_at`` and
# the audit chain's ``case_completed``. A sub-process's row is written or retired as before.
# tests/test_ended_case_rows.py.
def save(conn: sa.Connection, case_id: int, state: LoadedState, pruned: dict[str, object]) -> WriteStats:
    """Write what changed since ``state`` was loaded (or last saved) and update ``state``.

    ``state``'s rows, marks, names and children are brought up to date in place (a step that fails
    drops its whole state: engine/step.py evicts it), only where a task moved; a save that leaves
    every live task in its row, the usual, builds none of them afresh. After a warm step of a case
    without sub-processes, the one that ends it too, only the tasks the step may have changed are
    visited (``_dirty_plan``)."""
    stats = WriteStats()
    top = state.workflow
    rows, marks, names, kids_of = state.task_rows, state.marks, state.names, state.kids
    quiet, loud = state.quiet, state.loud
    inserts, updates = [], []
    # A workflow that has ended is saved for the last time (``step.lock_case`` takes running cases
    # only): a task finished in this step gets no mark, since a mark is what the next save compares
    # with; its row is written from the task as always (``_mark(kept_only=True)``).
    ended = top.completed
    # A plan (``_dirty_plan``) when no task was made or taken out since the last save and the case has
    # no sub-process — also for the save that ends it: the tasks finished before its last step keep
    # their rows (the end event, end join and end were predicted; they, the last task and whatever
    # the step moved are visited): five_tasks' end visits 4 of its 10 tasks, where it walked them all.
    plan = None
    if not pruned and getattr(top, "_duban_tree_kept", False) and not top.subprocesses \
            and len(loud) < len(quiet):
        plan = _dirty_plan(top, quiet, loud)
    top._duban_tree_kept = False  # (set again once this save is done)
    walked = 0
    todo: set = set()
    live: dict = {}  # a walk of every live task: each with its id as text, in ``_walk``'s order (``_gone``)
    while True:
        dirty = plan is not None
        if not dirty:
            quiet.clear()
            loud.clear()
            live = {}
        for workflow in (top,) if dirty else all_workflows(top):
            key = _wf_key(workflow)
            tasks = workflow.tasks
            # Parents before children (as ``_walk``), each task with its parent and whether the
            # parent's data is as when its children's rows were last compared (a root's: it is); with a
            # plan, from the tasks to visit whose parent is not one, down to the others only.
            if dirty:
                stack, todo = plan
            else:
                stack = [(workflow.task_tree, None, True)]
            pop, push = stack.pop, stack.append
            while stack:
                task, parent, parent_stable = pop()
                walked += 1
                tid = names.get(task)
                if tid is None:
                    tid = names[task] = str(task.id)
                live[task] = tid
                old_mark = marks.get(tid)
                mark = _mark(task, parent, old_mark, ended)
                unchanged = False
                if mark is not None:
                    if mark is old_mark or old_mark == mark:
                        # The last save's tuple is kept and the new one freed at once: what the step
                        # leaves for the cycle collector to scan (it holds no cycle) does not grow with
                        # every task.
                        mark = old_mark
                        unchanged = True
                    else:
                        marks[tid] = mark
                elif old_mark is not None:
                    del marks[tid]
                if not ended:  # (its last save: no next one to plan)
                    if mark is not None and task._state & _QUIET_STATES and (len(mark) == 6 or not mark[7]):
                        quiet[task] = mark
                        if dirty:
                            loud.discard(task)
                    else:
                        loud.add(task)
                        if dirty:
                            quiet.pop(task, None)
                children = task._children
                if children:
                    # A task whose mark did not move has the children it had (they are in its mark).
                    kids = kids_of.get(task) if unchanged else None
                    if kids is None:
                        kids = kids_of[task] = [tasks.get(c) for c in children]
                else:
                    kids = None  # (an entry left in ``kids_of`` is read only while a mark with children holds)
                old = rows.get(tid)
                if old is not None and unchanged and (len(mark) == 6 or parent_stable):
                    # unchanged: the same mark serializes to the same row
                    if old[0] != key:
                        rows[tid] = (key, old[1], old[2])
                else:
                    # The ids as text this save and the last one made (``str(UUID)`` is Python code).
                    content = _task_json(task, tid, parent, names[parent] if parent is not None else None,
                                         [names.get(kid) or str(kid.id) for kid in kids] if kids else [])
                    stats.serialized += 1
                    if old is None:
                        seq = state.next_seq
                        state.next_seq += 1
                        inserts.append({"id": tid, "case_id": case_id, "wf_key": key, "seq": seq,
                                        "spec_name": task.task_spec.name, "state": task._state, "live": True,
                                        "content": content})
                        rows[tid] = (key, seq, content)
                    elif old[2] != content:
                        updates.append({"b_case": case_id, "b_id": tid, "state": task._state, "content": content})
                        rows[tid] = (key, old[1], content)
                    elif old[0] != key:
                        rows[tid] = (key, old[1], content)
                if kids:
                    # the task's data is as when its children's rows were last compared (``_same_data``)
                    stable = len(mark) == 8 if unchanged else _same_data(old_mark, mark)
                    if dirty:  # the children to visit, and the quiet finished ones under data that moved
                        kids = [kid for kid in kids if kid in todo or not stable and len(quiet.get(kid, ())) == 8]
                    if len(kids) == 1:
                        push((kids[0], task, stable))
                    elif kids:
                        stack.extend([(kid, task, stable) for kid in reversed(kids)])
        if not dirty:
            break
        if len(rows) == len(top.tasks):
            walked = -1  # (no task gone: a task taken out ends the plans till the next save, engine/workflow.py)
            break
        plan = None  # a task made or dropped other than by ``_add_child``/``_remove_task``: walk them all
        walked = 0
    new_wf_rows: dict[str, str] = {}
    wf_marks: dict[str, tuple] = {}
    for workflow in all_workflows(top):
        key = _wf_key(workflow)
        old_content = state.wf_rows.get(key)
        if ended and old_content is not None and workflow is top:
            # The top row of a case that has ended is kept as its last running step wrote it
            # (``_ENDED_TOP_ROW``): nothing restores an ended case, and what the end would put in it
            # (the case data, ``completed``) is in the case row and the end task's row.
            new_wf_rows[key] = old_content
            continue
        mark = _meta_mark(workflow)
        if mark is not None and old_content is not None and state.wf_marks.get(key) == mark:
            new_wf_rows[key] = old_content  # the same mark builds the same row
        else:
            new_wf_rows[key] = _workflow_text(workflow, names)
        if mark is not None:
            wf_marks[key] = mark

    # Tasks born and pruned in this same step still belong to the history.
    for tid, task in pruned.items():
        if tid not in rows:
            inserts.append({"id": tid, "case_id": case_id, "wf_key": _wf_key(task.workflow), "seq": state.next_seq,
                            "spec_name": task.task_spec.name, "state": task.state, "live": False,
                            "content": _task_json(task, tid)})
            state.next_seq += 1
    # Every walked task has its row in ``rows`` now; a row more is of a task that is gone.
    gone = _gone(state, rows, live, kids_of) if walked >= 0 and len(rows) != walked else []
    archive = [tid for tid in gone if tid in pruned]
    delete = [tid for tid in gone if tid not in pruned]  # predicted tasks SpiffWorkflow dropped
    sqlexec.defer(conn, _INSERT_TASKS, inserts, many=True)  # nothing is sent for no rows
    sqlexec.defer(conn, _UPDATE_TASKS, updates, many=True)
    if archive:
        # History keeps each task's final state (it may have changed in the very step that pruned it).
        final = []
        for tid in archive:
            task = pruned[tid]
            if _kept_as_written(task, marks.get(tid)):
                content = rows[tid][2]
            else:
                content = _task_json(task, tid)
            final.append({"b_case": case_id, "b_id": tid, "state": task.state, "content": content})
        sqlexec.defer(conn, _ARCHIVE_TASKS, final, many=True)
    sqlexec.defer(conn, _DELETE_TASKS, [{"b_case": case_id, "b_id": tid} for tid in delete], many=True)
    for tid in gone:
        del rows[tid]
        marks.pop(tid, None)
    wf_updates = []
    # No workflow row loaded or saved yet: a case this step starts (a saved case always has its top
    # row), which has no rows to find.
    new_case = not state.wf_rows
    for key, content in new_wf_rows.items():
        old = state.wf_rows.get(key)
        if old is None:
            # A sub-process key seen before (dropped, then re-entered) comes back to life. Both
            # statements built once (``_FIND_WF``): a sub-process entered built and compiled its
            # SELECT anew, ~100 µs a sub-process on SQLite.
            exists = not new_case and sqlexec.first(conn, _FIND_WF, {"b_case": case_id, "b_key": key})
            if exists:
                sqlexec.defer(conn, _REVIVE_WF, {"b_case": case_id, "b_key": key, "content": content})
            else:
                sqlexec.defer(conn, _INSERT_WF, {"case_id": case_id, "wf_key": key, "seq": len(state.wf_rows),
                                                 "live": True, "content": content})
        elif old != content:
            wf_updates.append({"b_case": case_id, "b_key": key, "content": content})
    sqlexec.defer(conn, _UPDATE_WF, wf_updates, many=True)
    sqlexec.defer(conn, _RETIRE_WF, [{"b_case": case_id, "b_key": k} for k in state.wf_rows if k not in new_wf_rows],
                  many=True)
    stats.inserted, stats.updated, stats.archived, stats.deleted = len(inserts), len(updates), len(archive), len(delete)
    state.wf_rows = new_wf_rows
    state.wf_marks = wf_marks
    if not ended and not top.subprocesses:
        top._duban_tree_kept = True  # till a task is made or taken out (engine/task_class.py, workflow.py)
    return stats


# A live task that is predicted (MAYBE, LIKELY, FUTURE) or finished and carries a mark without
# nested values is *quiet*: while no task is made or taken out (``_duban_tree_kept``), its row changes
# only if its state, last state change, parent, number of children, triggered flag, data or internal
# data no longer match its mark — compared without building one (``_dirty_plan``), as a dict's ``==``
# for a finished task's plain data. Any other live task (open, waiting, running; data with nested
# values, which SpiffWorkflow's DeepMerge may change in place under it) is visited at every save.
_QUIET_STATES = TaskState.PREDICTED_MASK | TaskState.FUTURE | TaskState.FINISHED_MASK


def _dirty_plan(top, quiet: dict, loud: set) -> tuple[list, set] | None:
    """The tasks of the top workflow a step may have changed, for ``save`` to visit: the ones always
    visited (``loud``) and the quiet ones whose fields no longer match their mark; as ``save``'s stack
    of the ones whose parent is not one of them (each with its parent and whether that parent's data
    is as when its children's rows were last compared: a quiet parent's is, if it has data of its
    own), and them all as a set (``save`` goes down from those to the others). None when one hangs
    from a task the last save did not leave live: ``save`` then walks the whole tree. The rest keep
    their rows (their marks hold); ``save`` adds the quiet finished children of a task whose data
    moved (their rows hold their delta against it)."""
    todo = set(loud)
    for task, mark in quiet.items():
        # the mark's first five fields against the task's, as one comparison of two tuples in C (~20
        # bytecodes a quiet task less than five comparisons in Python; the children's ids by value,
        # each the same object unless they changed: bench/step_ab.py --variant plan_tuple)
        if mark[:5] != (task._state, task.last_state_change, task._parent, tuple(task._children), task.triggered):
            todo.add(task)
        elif len(mark) == 6:
            if task.data or task.internal_data:
                todo.add(task)
        elif task.data != mark[6] or task.internal_data != mark[5]:
            todo.add(task)
    tasks = top.tasks
    stack = []
    for task in todo:
        pid = task._parent
        if pid is None:
            stack.append((task, None, True))
            continue
        parent = tasks.get(pid)
        if parent not in todo:
            mark = quiet.get(parent)
            if mark is None:
                return None  # not a live task the last save left
            stack.append((task, parent, len(mark) == 8))
    return stack, todo


def _gone(state: LoadedState, rows: dict, live: dict, kids_of: dict) -> list[str]:
    """The ids of the rows in ``rows`` whose task ``save`` did not walk (pruned, or dropped by
    SpiffWorkflow); ``state``'s names and children are left with the live tasks' only. ``live``: the
    tasks ``save``'s walk of them all visited, with their ids as text, in the order of ``_walk`` over
    ``all_workflows`` (pre-order, children in order) — the walk is not made a second time here."""
    state.names = live
    state.kids = {task: kids for task, kids in kids_of.items() if task in live and task._children}
    ids = set(live.values())
    return [tid for tid in rows if tid not in ids]
