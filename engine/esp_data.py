"""An event sub-process works on its scope's data (事件子流程与所在流程共用案件数据).

BPMN 2.0 §10.3.5 and Camunda 7/8, Flowable: an event sub-process runs inside the process (or
sub-process) it is drawn in, on that scope's variables — 听取陈述申辩 sees the 证据 调查取证 recorded,
and what the 申辩书 message brought and the 采纳 its form set are the case's from then on; a
non-interrupting 催办 timer run three times counts 1, 2, 3. SpiffWorkflow runs an event sub-process as a
workflow of its own whose data is copied once, when the case starts (the scope's data at that moment),
and given back only to the event sub-process's own task when the whole event sub-process ends — which a
non-interrupting one does only with its scope. So the handler saw the case as it was at its start, and
what it did never reached the case: a gateway after it stopped on a missing variable, and the ended
case's data lacked it (data lost without a word).

Here a path of an event sub-process starts on its scope's data as it is when the event comes (with
what the event brought), and what each of its tasks writes goes, as the task completes, to every
unfinished task of the scope (and of the sub-processes open in it, other paths of event sub-processes
too), as a process variable set there would be seen (``written``). Camunda 7/8 and Flowable write an
event sub-process's variables to the scope as its tasks set them (Camunda 8's docs: the event
sub-process is inside the scope and modifies its variables), so of two writes of one variable the
later stands. Given at the path's end instead (until 2026-12-07), what a path wrote went over what
the flow or another path wrote after it: two overlapping runs of one non-interrupting event
sub-process left the value of the run that ended last, not of the write made last
(tests/test_esp_overlap_s26.py). A value given to a path's task from another path is noted on it
(``SHARED``), so that the task's completion does not give it back as its own write.

The other way too (``reach_runs``): what a task of the scope outside every run writes (the flow's
企业整改 records rectified=true while a 催办 run's 电话催办 is open) goes, as it completes, to the
open tasks of the runs already going, noted as given, so the run's next gateway reads it — Camunda
8's docs: the event sub-process is inside the scope and reads its variables; Camunda 7 and Flowable
keep them on the scope's execution, seen by every execution below it. Before (until 2026-12-07) a
run read its copy from when its event came. A run's write not given yet (inside an embedded
sub-process it runs) stays the run's (engine/boundary_data._own). A run not started (its start
event waiting) is given nothing: it takes the scope's data when its event comes (``refresh``).
"""
from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.bpmn.specs import defaults as bpmn_specs
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.util.task import TaskState

from .join_data import SHARED, open_case_data

_MISSING = object()
_HOLDS = TaskState.READY | TaskState.WAITING | TaskState.STARTED  # a task holding data of its own
_STARTED = TaskState.STARTED
BROUGHT = "duban_event_brought"  # the start's internal data: the names of what its event brought


def host_of(workflow):
    """The task of the event sub-process whose workflow ``workflow`` is, or None."""
    parent_id = getattr(workflow, "parent_task_id", None)
    if parent_id is None:
        return None
    host = workflow.top_workflow.get_task_from_id(parent_id)
    # (the spiff package makes an event sub-process a plain sub-process task, hung from its scope's
    # start: engine/conditional_starts.scope_of tells it so too)
    if host is None or host.parent is None or host.parent.task_spec is not host.workflow.spec.start:
        return None
    return host


def refresh(start_task) -> None:
    """The start event ``start_task`` of an event sub-process's path, its event come: its data the
    scope's as it is now, with what the event brought (what it holds that the copy made at the case's
    start did not). Nothing for any other start event."""
    host = host_of(start_task.workflow)
    if host is None:
        return
    brought = {} if isinstance(getattr(start_task.task_spec, "event_definition", None), TimerEventDefinition) else {
        k: v for k, v in start_task.data.items() if host.data.get(k, _MISSING) != v}  # a timer brings nothing
    start_task.data = {**deepcopy(open_case_data(host.workflow, also=host.workflow.last_task)), **brought}
    root = start_task.parent
    if root is not None and root.task_spec is start_task.workflow.spec.start and not brought:
        root.data = deepcopy(start_task.data)  # a cycle's start takes its data from it again at each occurrence
    if brought:  # what the event brought is the path's to share as well (``share``)
        start_task._set_internal_data(**{BROUGHT: sorted(brought)})


def _inside(workflow, scope) -> bool:
    while workflow is not None:
        if workflow is scope:
            return True
        workflow = getattr(workflow, "parent_workflow", None)
    return False


def written(task) -> None:
    """``task``, of a path of an event sub-process, completed: what it wrote (``written_by``) goes to
    the unfinished tasks of the scope and of the sub-processes running in it, its own path's excepted
    (they take it from ``task`` as it runs on). Nothing for a task of any other workflow."""
    if getattr(task.task_spec, "bpmn_id", None) is None:
        return  # the path's workflow's own start, end join and end: they merge its paths, they write nothing
    host = host_of(task.workflow)
    if host is None:
        return
    changed = written_by(task)
    if not changed:
        return
    scope, own = host.workflow, task.workflow
    top = scope.top_workflow
    for workflow in (top, *top.subprocesses.values()):
        if not _inside(workflow, scope) or _inside(workflow, own):
            continue
        path = host_of(workflow) is not None  # another path: its tasks note what came from here
        for other in workflow.tasks.values():
            if not other.has_state(TaskState.FINISHED_MASK):
                give(other, changed, note=path)


def runs_of(top) -> list:
    """The case's runs of event sub-processes (the sub-processes ``host_of`` finds a host for)."""
    found = []
    for sub in top.subprocesses.values():
        event_path = getattr(sub, "_event_path", False)
        if event_path is None:
            event_path = sub._event_path = host_of(sub) is not None
        if event_path:
            found.append(sub)
    return found


def reach_runs(task, runs: list) -> None:
    """``task`` (of no run) completed: what it wrote goes to the open tasks of the ``runs`` whose
    scope is its workflow or inside it, noted as given; a start event waiting for its event is left
    out (``refresh`` gives it the scope's data when the event comes)."""
    from .boundary_data import reach_inside  # (boundary_data imports this module)

    own = task.workflow
    if any(_inside(own, run) for run in runs):
        return  # inside a run (an embedded sub-process of it): the run's, given when that ends
    changed = None
    for run in runs:
        if not any(t._state & _HOLDS and (t._state == _STARTED or not isinstance(t.task_spec, StartEvent))
                   for t in run.tasks.values()):
            continue  # its start still waits (it takes the scope's data when its event comes), or it ended
        host = host_of(run)
        if host is None or not _inside(host.workflow, own):
            continue
        if changed is None:
            changed = written_by(task)
            if not changed:
                return
        reach_inside(run, changed, task.workflow.top_workflow.subprocesses, own_writes=False)


def give(task, changed: dict, note: bool = True) -> None:
    """``changed`` written into ``task``'s data; ``note``: noted as given (``SHARED``), so that
    ``task``'s completion does not give it back as its own write (``written_by``)."""
    task.data.update(deepcopy(changed))
    if note:
        noted = dict(task._get_internal_data(SHARED, None) or {})
        noted.update(deepcopy(changed))
        task._set_internal_data(**{SHARED: noted})


def written_by(task) -> dict:
    """What ``task`` wrote: a path's start, what its event brought; another task, what differs from the
    data it began with (its parent's), but a value another path gave it meanwhile (``SHARED``) —
    a value it was given and changed is its write, even back to what it began with (the flow gave
    电话催办 rectified=true, its form records false again)."""
    brought = task._get_internal_data(BROUGHT, None)
    if brought is not None:
        return {k: task.data[k] for k in brought if k in task.data}
    parent = task.parent
    if parent is None:
        return {}
    base = parent.data
    given = task._get_internal_data(SHARED, None) or {}
    if not given:
        return {k: v for k, v in task.data.items() if base.get(k, _MISSING) != v}
    return {k: v for k, v in task.data.items()
            if (given[k] != v if k in given else base.get(k, _MISSING) != v)}


class EndEvent(bpmn_specs.EndEvent):
    """SpiffWorkflow's end event. It gave what a path of an event sub-process had changed to the path's
    scope when the path ended; each task of the path now gives what it writes as it completes
    (``written``, from engine/workflow.py), the end event as well. Kept for the stored specs that
    name this class."""
