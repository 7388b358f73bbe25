"""Stall detection (流程停滞): after every step a running case must wait on something.

A case that is ``running`` but has no open task, no waiting timer, message, signal or other event,
no external task and no call in progress can never move again — a join waiting for a branch that
was never taken, an event gateway without events, SpiffWorkflow state left behind by a model it
could not run. Such a step is not written: it becomes an incident 流程停滞 naming the element where
the case stopped, so nobody waits for a case that will never come.

Checked from the engine's after-step hooks (engine/engine.py), so it runs inside the step's
transaction and the incident machinery rolls the step back like any failing script.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.util.task import TaskState

from .dialects import KIND_NAMES
from .projection import is_human_work
from .service_tasks import DubanServiceTask
from .state import all_workflows


class ProcessStalled(Exception):
    """The case waits on nothing. ``task_spec`` is the element where it stopped (for the incident)."""

    def __init__(self, message: str, task_spec=None):
        self.task_spec = task_spec
        super().__init__(message)


# Only a READY, STARTED or WAITING task can be waited on: tested first on the task's state bits, so
# the predicted and finished tasks (most of a case's live tasks) are passed over at once.
_MAY_WAIT = TaskState.READY | TaskState.STARTED | TaskState.WAITING


def waits(workflow) -> list:
    """The tasks the case waits on: human work, waiting events (timers, messages, signals...),
    external tasks and calls in progress."""
    return list(_waited_on(workflow))


def _waited_on(workflow):
    for wf in all_workflows(workflow):
        for task in wf.tasks.values():
            if not task._state & _MAY_WAIT:
                continue
            spec = task.task_spec
            if is_human_work(task):
                yield task
            elif task.state == TaskState.WAITING and getattr(spec, "event_definition", None) is not None \
                    and not isinstance(spec.event_definition, ConditionalEventDefinition):
                # A condition (条件事件) is tested when the case steps; alone it waits for ever.
                yield task
            elif task.state == TaskState.STARTED and isinstance(spec, DubanServiceTask):
                yield task


def _describe(spec) -> str:
    name = (getattr(spec, "bpmn_name", None) or "").strip()
    bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
    kind = KIND_NAMES.get(type(spec).__name__[0].lower() + type(spec).__name__[1:], "")
    return f"{kind}「{name}」({bpmn_id})" if name else f"{kind or '元素'} {bpmn_id}"


def where_stopped(workflow):
    """The element a stalled case stopped at: a waiting task (a join), else the last one run."""
    for wf in all_workflows(workflow):
        for task in wf.tasks.values():
            if task.state in (TaskState.WAITING, TaskState.STARTED, TaskState.READY) and \
                    not isinstance(task.task_spec, SubWorkflowTask) and getattr(task.task_spec, "bpmn_id", None):
                return task.task_spec
    last = workflow.last_task
    return last.task_spec if last is not None else None


def check(session, case, workflow) -> None:
    """Raise ProcessStalled if the running case waits on nothing (an after-step hook).

    The step sets a completed workflow's case to ``completed`` before its hooks run
    (engine/step.py), so the status alone tells a finished case: no second ``is_completed()``."""
    if case.status != "running":
        return
    if next(_waited_on(workflow), None) is not None:  # one is enough
        return
    spec = where_stopped(workflow)
    where = f"停在{_describe(spec)}" if spec is not None else "没有可继续的步骤"
    if isinstance(getattr(spec, "event_definition", None), ConditionalEventDefinition):
        where += "，等待的条件不成立，也没有任何办理或事件能再改变案件数据"
    from .step import ProcessFailure
    raise ProcessFailure(ProcessStalled(f"流程停滞：案件{where}，没有待办任务、定时器或等待的事件，流程无法继续。"
                                        "请检查该处的连线和网关条件", spec))
