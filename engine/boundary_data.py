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
starts with it. Of two writes of one variable the later stands. The main flow's writes do not reach
a path already running (as for event sub-processes).

Asked only of workflows whose spec draws a non-interrupting boundary event (``draws_paths``, kept
on the spec); the walk up from a completed task stops at the first boundary split or event.
"""
from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from .esp_data import give, written_by
from .join_data import SHARED

_FLAG = "_duban_non_interrupting_paths"


def draws_paths(spec) -> bool:
    """Does the workflow spec draw a non-interrupting boundary event (asked once a spec)?"""
    found = spec.__dict__.get(_FLAG)
    if found is None:
        found = any(isinstance(ts, BoundaryEvent) and not ts.cancel_activity for ts in spec.task_specs.values())
        setattr(spec, _FLAG, found)
    return found


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
    the unfinished tasks of the case outside the tasks below it (they take it from ``task``)."""
    if getattr(task.task_spec, "bpmn_id", None) is None:
        return
    event = path_event(task)
    if event is None:
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
