"""The task class a case's workflow runs with (任务实例): SpiffWorkflow's ``Task``, quiet unless asked.

SpiffWorkflow 3.2 makes a log record's text and extras on every change of a task's state — an
f-string, ``TaskState.get_name``, and ``collect_log_extras``' dict of nine entries (with the
workflow's, the spec's and the parent's names looked up) — before it hands them to
``logger.info``, which then drops them unless the ``spiff.task`` logger is enabled for INFO. That is
about 8 µs a change, three changes a completion of bench/models/five_tasks.bpmn: 3–4% of a step
spent on a record nobody reads. ``DubanTask`` changes the state as ``Task._set_state`` does (the
same ``last_state_change``, the same ``_state``) and builds the record only when the logger would
emit it (``duban serve --verbose`` sets INFO: every change is logged as before).

A workflow's tasks are made by SpiffWorkflow in three places: the root in ``Workflow.__init__``
with the tasks it predicts, every other task in ``Task._add_child``, and our own restore
(engine/state.py). ``DubanTask._add_child`` keeps its children DubanTasks; ``adopt`` turns the
tasks a new workflow or sub-process starts with into DubanTasks (their class changes, nothing
else: ``DubanTask`` adds no attribute, so the objects are laid out alike). (A new sub-process's root is readied inside
SpiffWorkflow's constructor, before ``adopt``: that one change still builds its record.) A task made otherwise
(an older row restored through SpiffWorkflow's registry) stays a plain ``Task``: it logs as before.

Saved, a DubanTask is a ``Task`` (``TaskConverter`` under the type name "Task",
engine/parser.py's DUBAN_CONFIG): rows written before and after read alike, and read back as
DubanTasks.
"""
from __future__ import annotations

import logging
import time
from copy import copy as _copy

from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.task import Task
from SpiffWorkflow.task import logger as _spiff_log
from SpiffWorkflow.util.task import TaskState

_INFO, _DEBUG = logging.INFO, logging.DEBUG
_MUTABLE = (dict, list, set)  # the values DeepMerge copies (shallow) into an empty dict


# Whether ``spiff.task`` emits INFO records: asked of the logger once a step (``decide_logging``, as
# each write transaction begins: engine/step.py), not at each change of a task's state (~13
# bytecodes a change, 6-8 changes a completion). A level set between two steps (``--verbose``, a
# test's caplog) holds from the next step on; inside a step, from the next one.
_info_on = _spiff_log.isEnabledFor(_INFO)


def decide_logging() -> None:
    """Ask ``spiff.task``'s logger now whether it emits INFO (for the state changes of the step
    about to run; through the logging module's public ``isEnabledFor`` only)."""
    global _info_on
    _info_on = _spiff_log.isEnabledFor(_INFO)


class DubanTask(Task):
    """``Task`` without the unread log record of each state change."""

    def _set_state(self, value: int) -> None:
        if value != self._state:
            if _info_on:
                super()._set_state(value)
                return
            self.last_state_change = time.time()
            self._state = value
        elif _spiff_log.isEnabledFor(_DEBUG):
            super()._set_state(value)

    def _inherit_data(self) -> None:
        """SpiffWorkflow's ``Task._inherit_data`` (its parent's data merged into its own by
        ``DeepMerge.merge``) for the usual task, whose data is still empty — a predicted task that
        becomes READY, each task of the chain that ends a case: the same dict, given the parent's keys
        in the parent's order, a dict, list or set value shallow-copied and any other value as it is
        (what DeepMerge does into an empty dict: ``_MUTABLE``), by one comprehension instead of
        DeepMerge's membership test, two lookups and ``isinstance`` per key. A task with data of its
        own, or not under a parent holding a plain dict, is merged by DeepMerge as before."""
        data = self.data
        if data or type(data) is not dict or self._parent is None:
            return super()._inherit_data()
        parent = self.workflow.tasks.get(self._parent)
        above = parent.data if parent is not None else None
        if type(above) is not dict:
            return super()._inherit_data()
        data.update({key: _copy(value) if isinstance(value, _MUTABLE) else value for key, value in above.items()})

    def _add_child(self, task_spec, state: int = TaskState.MAYBE) -> Task:
        child = super()._add_child(task_spec, state)
        child.__class__ = DubanTask
        self.workflow._duban_tree_kept = False  # a task made: the next save walks the tree (engine/state.py)
        return child


def adopt(workflow) -> None:
    """Make the tasks ``workflow`` holds DubanTasks (a workflow or sub-process SpiffWorkflow has just
    made: its root and the tasks it predicted)."""
    for task in workflow.tasks.values():
        if task.__class__ is Task:
            task.__class__ = DubanTask


class DubanTaskConverter(TaskConverter):
    """SpiffWorkflow's task converter for ``DubanTask`` under the stored type name ``Task``."""

    def __init__(self, target_class, registry, typename=None):
        super().__init__(target_class, registry, typename=typename or "Task")
