"""A non-interrupting boundary event's path works on the process's data (非中断边界事件路径与流程共用数据).

BPMN 2.0 §10.5.4 and Camunda 7/8, Flowable, Activiti: the path a non-interrupting boundary event
starts (a 每日催办 timer cycle, a 催办 message) runs in the process's scope while the activity it is
attached to goes on; a variable it sets is the process's from then on — a reminder counter
``reminded = reminded + 1`` on an R3/PT1H cycle reads 1, 2, 3, and 复查 after 企业整改 sees 3.
SpiffWorkflow copies data down the task tree: each occurrence's path started from the boundary
event's copy of the data made when the activity opened, and what the path set stayed on the path —
the counter read 1, 1, 1, and 复查 saw 0 (found by probe 13 with Activiti's
``${reminded + 1}``; data lost without a word).

Here a task on such a path, as it completes, gives what it wrote to every unfinished task of its
case outside its own path (the attached activity, the boundary event still waiting for its next
occurrence, the other paths, the rest of the process) — as ``engine/esp_data.written`` does for an
event sub-process's path, by the same ``esp_data.give``, noting on each task what it was given
(``join_data.SHARED``), so that the task's own completion does not give that value back as its own
write. A waiting boundary event takes its data from its split again each time SpiffWorkflow updates it: what was
given to it is put back then (``keep_given``, engine/repeating_boundary.py), and a re-armed copy
starts with it. Of two writes of one variable the later stands.

The other way too (``reach_paths``): what a task of the process outside every path writes (the main
flow: 企业整改 records rectified=true while the 催办 path's 电话催办 is open) goes, as it completes, to
the open tasks of the paths already running and to the waiting boundary events, noted as given, so
the path's next gateway reads rectified=true — Camunda 7 keeps a variable on the process instance's
scope, visible to every execution below it unless one set a local one of that name (Camunda 7
manual, Process Variables: variable scopes and visibility); Camunda 8 keeps variables on the
process instance, not on the token, so a change one token makes is seen by the concurrent ones
(Camunda 8 docs, Data flow). Before (until 2026-12-07) a path read its copy from when it started.
A path's own write not given yet — one made inside an embedded sub-process the path runs, given
when that sub-process ends — stays the path's (``_own``).

Asked only of workflows whose spec draws a non-interrupting boundary event (``draws_paths``, kept
on the spec); the walk up from a completed task stops at the first boundary split or event.
"""
from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.util.task import TaskState

from .esp_data import BROUGHT, give, written_by
from .join_data import SHARED

_FLAG = "_duban_non_interrupting_paths"
_HOLDS = TaskState.READY | TaskState.WAITING | TaskState.STARTED  # tasks holding data of their own
_COMPLETED = TaskState.COMPLETED
_MISSING = object()


def draws_paths(spec) -> bool:
    """Does the workflow spec draw a non-interrupting boundary event (asked once a spec)?"""
    found = spec.__dict__.get(_FLAG)
    if found is None:
        found = frozenset(ts for ts in spec.task_specs.values()
                          if isinstance(ts, BoundaryEvent) and not ts.cancel_activity)
        setattr(spec, _FLAG, found)
    return bool(found)


def path_event(task):
    """The non-interrupting boundary event task whose path ``task`` is on (itself, if it is one), or
    None: the walk up stops at the first boundary split or boundary event."""
    node = task
    while node is not None:
        spec = node.task_spec
        if isinstance(spec, BoundaryEvent):
            return None if spec.cancel_activity else node
        if isinstance(spec, BoundaryEventSplit):
            return None
        node = node.parent
    return None


def written(task) -> None:
    """``task`` completed: if it is on a non-interrupting boundary event's path, what it wrote goes to
    the unfinished tasks of the case outside the tasks below it (they take it from ``task``); if not,
    to the paths running in its workflow (``reach_paths``)."""
    if getattr(task.task_spec, "bpmn_id", None) is None or _wrote_nothing(task):
        return  # (either way ``written_by`` is empty: nothing to give, the tasks not walked for heads)
    heads = _heads(task.workflow)
    if not heads:
        return  # no path running, no boundary event waiting: nothing on a path
    event = path_event(task)
    if event is None:
        reach_paths(task, heads)
        return
    changed = written_by(task)
    if not changed:
        return
    top = task.workflow.top_workflow
    for workflow in (top, *top.subprocesses.values()):
        for other in workflow.tasks.values():
            if other is task or other.has_state(TaskState.FINISHED_MASK) or _below(other, task):
                continue
            give(other, changed)


def _wrote_nothing(task) -> bool:
    """Is ``written_by(task)`` sure to be empty — a task neither brought data by its event nor given
    any by a path, whose data is its parent's (a gateway, an event, a task whose form changed
    nothing)? One comparison of two dicts in C, where ``_heads`` walks every task of the workflow
    (~40 of bpmn/hazard_supervision.bpmn's, twice or three times a completion)."""
    internal = task.internal_data
    if BROUGHT in internal or internal.get(SHARED):
        return False
    parent = task.parent
    return parent is None or task.data == parent.data


def _heads(workflow) -> list:
    """The workflow's non-interrupting boundary event tasks waiting or fired (a path's head)."""
    specs = workflow.spec.__dict__.get(_FLAG)
    return [t for t in workflow.tasks.values() if t.task_spec in specs and t._state & (_COMPLETED | _HOLDS)]


def reach_paths(task, heads: list) -> None:
    """``task`` (of the process, on no path) completed: what it wrote goes to the open tasks of the
    paths below ``heads`` (the fired boundary events) and to the waiting boundary events among them,
    noted as given — but a value a path wrote itself and has not given yet (``_own``)."""
    changed = written_by(task)
    if not changed:
        return
    subs = task.workflow.top_workflow.subprocesses
    stack = list(heads)
    while stack:
        other = stack.pop()
        state = other._state
        if state & _HOLDS:
            give(other, changed)
            sub = subs.get(other.id) if state == TaskState.STARTED else None
            if sub is not None and not isinstance(other.task_spec, CallActivity):
                reach_inside(sub, changed, subs)  # an embedded sub-process on the path
        elif state == _COMPLETED:
            stack.extend(child for child in other.children if child is not task)


def reach_inside(workflow, changed: dict, subs: dict, own_writes: bool = True) -> None:
    """``changed`` to the open tasks of ``workflow`` (an embedded sub-process a path runs, a run of an
    event sub-process) and of the embedded sub-processes they run — not to a start event still waiting
    for its event; ``own_writes``: but the values ``workflow`` wrote itself and has not given (``_own``:
    an embedded sub-process gives them when it ends; a run gives each as its task completes)."""
    root = workflow.task_tree
    for other in workflow.tasks.values():
        state = other._state
        if not state & _HOLDS or (state != TaskState.STARTED and isinstance(other.task_spec, StartEvent)):
            continue
        theirs = {k: v for k, v in changed.items() if not _own(other, root, k)} if own_writes else changed
        if theirs:
            give(other, theirs)
        inner = subs.get(other.id) if state == TaskState.STARTED else None
        if inner is not None and theirs and not isinstance(other.task_spec, CallActivity):
            reach_inside(inner, theirs, subs)


def _own(task, root, key) -> bool:
    """Does ``task`` (of a sub-process whose first task is ``root``) hold a value of ``key`` the
    sub-process wrote itself (other than what it started with, other than what it was given)?"""
    value = task.data.get(key, _MISSING)
    if value is _MISSING or value == root.data.get(key, _MISSING):
        return False
    given = task._get_internal_data(SHARED, None) or {}
    return key not in given or given[key] != value


def keep_given(my_task) -> None:
    """Put back in ``my_task`` (a waiting non-interrupting boundary event, its data just taken from
    its split again) what paths gave it (``written``)."""
    given = my_task._get_internal_data(SHARED, None)
    if given:
        my_task.data.update(deepcopy(given))


def hand_on(my_task, fresh) -> None:
    """A re-armed copy ``fresh`` of the boundary event ``my_task`` starts with what was given to it."""
    given = my_task._get_internal_data(SHARED, None)
    if given:
        give(fresh, given)


def _below(other, task) -> bool:
    """Is ``task`` an ancestor of ``other``? (SpiffWorkflow's ``is_descendant_of`` recurses, and a
    loop's tree may be thousands of tasks deep.)"""
    node = other.parent
    while node is not None:
        if node is task:
            return True
        node = node.parent
    return False
