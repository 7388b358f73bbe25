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

from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.task import Task
from SpiffWorkflow.task import logger as _spiff_log
from SpiffWorkflow.util.task import TaskState

_INFO, _DEBUG = logging.INFO, logging.DEBUG


class DubanTask(Task):
    """``Task`` without the unread log record of each state change."""

    def _set_state(self, value: int) -> None:
        if value != self._state:
            if _spiff_log.isEnabledFor(_INFO):
                super()._set_state(value)
                return
            self.last_state_change = time.time()
            self._state = value
        elif _spiff_log.isEnabledFor(_DEBUG):
            super()._set_state(value)

    def _add_child(self, task_spec, state: int = TaskState.MAYBE) -> Task:
        child = super()._add_child(task_spec, state)
        child.__class__ = DubanTask
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
