"""Event sub-processes started by their event, linked again in a restored case (事件子流程的连接).

SpiffWorkflow keeps an event sub-process a message, signal, error or escalation starts as a trigger
spec of its scope's start (``BpmnStartTask.trigger_specs``), not linked to anything; when its event
first comes, ``trigger_wf`` links it — the scope's start before it, the scope's end after it — on
the spec the case runs on. A case restored on specs read afresh from its bundle (the engine
restarted, or the spec cache dropped) had the event sub-process's task but not those links: when
its handler ended, SpiffWorkflow's readiness check failed in English (「… No input task connected」,
an incident) and the case could not go on past the 撤回登记 it had already done. ``relink`` gives
such a restored case's specs the links its started event sub-processes had when they started.
"""
from __future__ import annotations


def relink(top) -> None:
    """Link, as ``trigger_wf`` does, each event sub-process of the case's scopes that has a task
    (it was started) and whose spec is not linked to its scope's start."""
    for workflow in (top, *top.subprocesses.values()):
        start = workflow.spec.start
        names = getattr(start, "trigger_specs", None)
        if not names:
            continue
        for task in workflow.tasks.values():
            spec = task.task_spec
            if spec.name in names and start not in spec.inputs:
                start.connect(spec)
                spec.connect(workflow.spec.end)
