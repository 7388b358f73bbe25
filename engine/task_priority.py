"""A task's initial priority (初始优先级) written as an expression: ``camunda:priority="${taskPriority}"``.

Camunda 7 (TaskPriorityExtensionsTest.testPriorityExtension) and Flowable evaluate the attribute as
the task opens: the case started with taskPriority 25 gives the task priority 25. Until 2026-12 a
priority that was not a whole number in the file was dropped at deploy with a note, and every such
task opened at 0. engine/dialects.py now writes an expression as the task's ``priorityExpression``
property (translated like the other task attributes); engine/projection.py asks ``initial`` for the
number when the task's row is written.

A priority orders a queue; it decides nothing. Where the data is absent, the code fails or the value
is no whole number (a 25.0 or a typed 「25」 is one), the task opens at 0, as one drawn without a
priority does, and the case goes on (Camunda would refuse to open the task).
"""
from __future__ import annotations

PROPERTY = "priorityExpression"
_BOUND = 2**31 - 1  # the column is an INTEGER on PostgreSQL


def initial(task, props: dict, evaluate) -> int:
    """The priority a task opens with: its literal ``priority`` property, else its expression's value."""
    python = props.get(PROPERTY)
    if not python:
        return int(props.get("priority", 0) or 0)
    try:
        value = evaluate(task, python)
    except Exception:  # noqa: BLE001 — the model's code; its failure only costs the ordering
        return 0
    return whole_number(value)


def whole_number(value) -> int:
    """``value`` as a priority: a whole number (or its text), bounded to the column; anything else 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        return 0
    return max(-_BOUND, min(_BOUND, value))
