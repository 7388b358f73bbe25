"""Model code compiled before its first run (模型代码预编译).

A script, a condition or an IO mapping (输入输出参数) is compiled by RestrictedPython and, when it
is plain, planned for the host (engine/evaluator.py ``prepare``) the first time it runs in a
process; the answers are kept per text, so every later run costs a dictionary look-up. That first
run was a case's completion: 1.5–3 ms of RestrictedPython and ``ast`` work on a model with
mappings (bench/model_sweep.py's ``engine_first_cpu_ms``), paid by whoever completed the first task
after a deploy or a restart. Here the same work is done when the specs are at hand anyway — at
deploy (the specs the deploy check builds, engine/models.py) and in ``Engine.warm`` (the latest
version of every model, parsed as a start parses it) — so the person's completion finds it done.

Only the text is compiled: nothing runs, no case data is read, and what the caches hold is the same
code object and plan whichever model, version or case the text comes from (a text is its own key:
two versions differing in one character are two entries). Code the check refused never reaches
here (a deploy refuses it first); a text this walk misses (a DMN cell, a text the engine builds at
run time) is compiled at its first run as before.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from . import el_text, evaluator


# Task properties the engine evaluates when it opens a task (engine/assignment.py, engine/projection.py).
PROPERTIES = ("assignee", "candidateUsers", "candidateGroupsExpression", "dueDate", "followUpDate", "orgLevel",
              "itemLabel", "nameExpression", "priorityExpression")


def code_of(spec) -> Iterator[tuple[str, str]]:
    """(source, mode) of each text the script engine runs for a task spec as it is stored: its
    pre- and post-script (IO mappings), a script task's script, a gateway's flow conditions, a
    multi-instance's cardinality and completion condition, a timer's or a conditional event's expression,
    the task properties the engine evaluates (``PROPERTIES``: 办理人, 期限...), a call activity's
    input and output mappings."""
    for name in ("prescript", "postscript", "script"):
        source = getattr(spec, name, None)
        if isinstance(source, str) and source.strip():
            yield source, "exec"
    for condition, _target in getattr(spec, "cond_task_specs", None) or ():
        source = _text(condition)
        if source:
            yield source, "eval"
    for name in ("cardinality", "condition"):
        source = getattr(spec, name, None)
        if isinstance(source, str) and source.strip():
            yield source, "eval"
    source = getattr(getattr(spec, "event_definition", None), "expression", None)
    if isinstance(source, str) and source.strip():
        yield source, "eval"
    extensions = getattr(spec, "extensions", None) or {}
    mapping = extensions.get("variableMapping") or {}  # a call activity's (engine/call_activity.py)
    for _target, source in [*(mapping.get("in") or ()), *(mapping.get("out") or ())]:
        if isinstance(source, str) and source.strip() and not source.isidentifier():
            yield source, "eval"
    properties = extensions.get("properties") or {}
    for name in PROPERTIES:
        source = properties.get(name)
        if isinstance(source, str) and source.strip():
            yield source, "eval"
    if properties.get("nameExpression") and getattr(spec, "bpmn_name", None):  # its parts, each on its own
        for is_expr, source in el_text.name_pieces(spec.bpmn_name):  # (engine/el_text.computed_name)
            if is_expr:
                yield source, "eval"


def warm_specs(specs: Iterable) -> int:
    """Compile and plan the code of every task spec of ``specs`` (process specs, as a parser or a
    stored bundle gives them); how many texts were prepared."""
    done = 0
    for process in specs:
        for task_spec in list(getattr(process, "task_specs", {}).values()):
            try:
                found = list(code_of(task_spec))
            except Exception:  # noqa: BLE001 — a spec of a shape not met here: compiled at its first run
                continue
            for source, mode in found:
                done += evaluator.prepare(source, mode)
    return done


def warm_bundle(spec, subprocess_specs: dict | None) -> int:
    """``warm_specs`` of a process spec and the specs of the processes it runs (called and embedded)."""
    return warm_specs([spec, *(subprocess_specs or {}).values()])


def _text(condition) -> str | None:
    """A flow's condition as the script engine gets it: SpiffWorkflow keeps the text as the first
    argument of a condition object (``_BpmnCondition``), or it is the text itself."""
    if not isinstance(condition, str):
        args = getattr(condition, "args", None)
        condition = args[0] if isinstance(args, (list, tuple)) and args else None
    return condition if isinstance(condition, str) and condition.strip() else None
