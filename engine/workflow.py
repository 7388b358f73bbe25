"""The workflow class a case runs on (工作流): SpiffWorkflow's ``BpmnWorkflow``, asked for its tasks in
one state by a look through its task dict wherever that gives what the walk of its task tree gives.

SpiffWorkflow finds the READY tasks to run (``do_engine_steps``: twice or more a step) and the
WAITING tasks to update (after every task that completes) with a generic iterator over the task
tree: a filter object, a list popped from its front, a ``children`` list built per task — about
14 µs a walk over the ten live tasks of bench/models/five_tasks.bpmn, where a look through
``workflow.tasks`` takes under 1 µs. That dict holds every task of the tree (SpiffWorkflow enters a
task in it as it adds it to the tree and takes it out as it drops it; state.prune does both), so:

- no task in the state: the walk finds none either;
- one task: the walk finds it if it reaches it — every ancestor up to the root lists it as a child
  and is in a state the walk descends from (it does not look below predicted tasks for definite
  ones), and it is far above the walk's depth limit;
- anything else — two or more (the walk's order is the order they are run or updated in), one the
  walk might not reach, a workflow with sub-processes (whose tasks the walk visits too), another
  filter — is answered by SpiffWorkflow's walk.

tests/test_step_hot_paths.py compares both answers at every call over looping, parallel,
inclusive, sub-process and timer models.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from .task_class import adopt

# Ancestors a task found in the dict may have (the walk stops descending at depth 1,000).
_DEEPEST = 500


def _descends_from(state: int) -> int:
    """The lowest state of a task whose children the walk looks at when looking for ``state``
    (as SpiffWorkflow's TaskIterator decides it)."""
    if state & TaskState.PREDICTED_MASK:
        return TaskState.MAYBE
    if state & TaskState.DEFINITE_MASK:
        return TaskState.FUTURE
    return TaskState.COMPLETED


def _reached(workflow, task, lowest: int) -> bool:
    """The walk from ``workflow``'s root gets to ``task``."""
    tasks, root = workflow.tasks, workflow.task_tree
    depth = 0
    while task is not root:
        parent = tasks.get(task._parent) if task._parent is not None else None
        depth += 1
        if parent is None or parent._state < lowest or depth > _DEEPEST or task.id not in parent._children:
            return False
        task = parent
    return True


class DubanWorkflow(BpmnWorkflow):
    """``BpmnWorkflow`` with ``get_tasks(state=...)`` and ``update_waiting_tasks`` answered from the
    task dict when the answer is the walk's (see the module's docstring), and its tasks, its
    sub-processes' too, ``DubanTask``s (engine/task_class.py: no unread log record per state change)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        adopt(self)  # its tasks quiet (engine/task_class.py); a restored one has none yet

    def create_subprocess(self, my_task, spec_name):
        subprocess = super().create_subprocess(my_task, spec_name)
        adopt(subprocess)
        return subprocess

    def get_tasks(self, first_task=None, **kwargs):
        if first_task is None and len(kwargs) == 1 and "state" in kwargs and not self.subprocesses:
            state = kwargs["state"]
            found = None
            for task in self.tasks.values():
                if task._state & state:
                    if found is not None:
                        return super().get_tasks(**kwargs)  # two or more: in the walk's order
                    found = task
            if found is None:
                return []
            if _reached(self, found, _descends_from(state)):
                return [found]
        return super().get_tasks(first_task, **kwargs)

    def update_waiting_tasks(self) -> None:
        if any(task._state & TaskState.WAITING for task in self.tasks.values()):
            super().update_waiting_tasks()  # each in the walk's order (an update may change the next)
