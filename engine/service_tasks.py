"""Service tasks (服务任务): named Python handlers, external workers, or a person.

A service task is one of three kinds, decided by the model (engine/dialects.py maps Camunda's
``camunda:class``/``delegateExpression``/``expression`` and ``camunda:type="external"`` here):

- a **handler**: ``spiffworkflow:serviceTaskOperator id="issue_notice"`` (or ``camunda:class=
  "...IssueNotice"``) names a Python function registered with ``Engine.register_service`` by the
  ``workflows`` layer; it is called with the case data and the operator's parameters, in the step.
  What it returns is merged into the case data (a dict) or stored in the result variable. An
  exception is an incident with the handler's message;
- an **external task** (``externalTopic`` property): the task waits until a worker of another
  system fetches and completes it (engine/external_tasks.py);
- **no handler known**: the task waits in the lane's queue as a manual task — a person does the
  work and marks it done — so a model drawn elsewhere never stops without saying why.
"""
from __future__ import annotations

from SpiffWorkflow.spiff.specs.defaults import ServiceTask


def service_kind(spec) -> str:
    """handler | external | manual, for a DubanServiceTask as the engine runs it now."""
    props = (getattr(spec, "extensions", None) or {}).get("properties", {}) or {}
    if props.get("externalTopic"):
        return "external"
    return "handler" if spec.operation_name else "manual"


class ServiceFailed(Exception):
    """A handler raised: the incident names the service task and carries the handler's message."""

    def __init__(self, spec, cause: BaseException):
        self.task_spec = spec
        name = f"「{spec.bpmn_name}」" if spec.bpmn_name else ""
        super().__init__(f"服务任务{name}({spec.bpmn_id}) 执行失败：{cause}")


class DubanServiceTask(ServiceTask):
    """A service task that calls a registered handler, or waits (STARTED) for a worker or a person."""

    def _execute(self, task):
        kind = service_kind(self)
        handlers = getattr(task.workflow.script_engine, "service_handlers", None) or {}
        if kind != "handler" or self.operation_name not in handlers:
            return None  # STARTED: an external worker or a person completes it
        params = {name: value["value"] for name, value in self.evaluate_params(task).items()}
        try:
            result = handlers[self.operation_name](dict(task.data), **params)
        except Exception as exc:
            raise ServiceFailed(self, exc) from exc
        if isinstance(result, dict):
            task.data.update(result)
        elif result is not None:
            task.data[self.result_variable] = result
        return True


def waiting_service_tasks(top) -> list:
    """Service tasks that wait (STARTED) for a worker or a person, in every (sub)workflow."""
    from SpiffWorkflow.util.task import TaskState
    from .state import all_workflows
    return [t for w in all_workflows(top) for t in w.tasks.values()
            if t.state == TaskState.STARTED and isinstance(t.task_spec, DubanServiceTask)]
