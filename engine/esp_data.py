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
what the event brought), and when the path ends, what it changed goes to every unfinished task of the
scope (and of the sub-processes open in it), as a process variable set there would be seen.
"""
from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.bpmn.specs import defaults as bpmn_specs
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from .join_data import open_case_data

_MISSING = object()
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


def _path_start(task):
    """The start event task the path of ``task`` began at, in its (event sub-process) workflow."""
    starts = task.workflow.spec.start.outputs
    node = task.parent
    while node is not None and node.task_spec not in starts:
        node = node.parent
    return node


def _inside(workflow, scope) -> bool:
    while workflow is not None:
        if workflow is scope:
            return True
        workflow = getattr(workflow, "parent_workflow", None)
    return False


def share(end_task) -> None:
    """An end event ``end_task`` of an event sub-process's path completed: what the path changed
    (against the data it started with) goes to the unfinished tasks of the scope and of the
    sub-processes running in it, the event sub-process's own excepted."""
    host = host_of(end_task.workflow)
    if host is None:
        return
    start = _path_start(end_task)
    if start is None:
        return
    base, brought = start.data, set(start._get_internal_data(BROUGHT, ()))
    changed = {k: v for k, v in end_task.data.items() if k in brought or base.get(k, _MISSING) != v}
    if not changed:
        return
    scope, own = host.workflow, end_task.workflow
    top = scope.top_workflow
    for workflow in (top, *top.subprocesses.values()):
        if not _inside(workflow, scope) or _inside(workflow, own):
            continue
        for task in workflow.tasks.values():
            if not task.has_state(TaskState.FINISHED_MASK):
                task.data.update(deepcopy(changed))


class EndEvent(bpmn_specs.EndEvent):
    """SpiffWorkflow's end event; one ending a path of an event sub-process shares what the path
    changed with its scope (``share``). Same class name: stored specs restore to ours."""

    def _on_complete_hook(self, my_task):
        super()._on_complete_hook(my_task)
        share(my_task)
