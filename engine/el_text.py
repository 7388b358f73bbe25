"""Composite EL text (组合表达式文本): a task attribute mixing words and ``${...}``, as JUEL reads it.

Camunda 7, Flowable and Activiti evaluate an assignee such as ``kermit_${loopCounter}`` or
``${dept}_科长`` as one composite expression (JSR 245 §1.2.1.1, "composite expressions"): the literal
parts joined with each ``${...}``'s value coerced to text (§1.18.2: null is "", true "true", a number
as Java writes it). ``composite`` turns such a value into our Python —
``'kermit_' + duban_el_text(loopCounter)`` — each ``${...}`` translated as a whole expression
(engine/expressions.py, so what it refuses is refused here too, named); ``el_text`` is the coercion,
host-safe (pure, on the value alone). A value that is a single ``${...}`` or has none is not
composite (None): engine/expressions.literal_or_expression reads it as before.
"""
from __future__ import annotations

from functools import lru_cache

from .evaluator import host_safe
from .expressions import JUEL, Untranslatable, closing, translate

TEXT = "duban_el_text"


@host_safe
def el_text(value) -> str:
    """JUEL's coercion of a value to text, as a composite expression joins it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(el_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{el_text(k)}={el_text(v)}" for k, v in value.items()) + "}"
    return str(value)


def parts(value: str) -> list[tuple[bool, str]] | None:
    """``(is_expression, text)`` pieces of ``value`` — ``[(False, 'kermit_'), (True, '${loopCounter}')]``
    — or None when it is not composite (no ``${``/``#{``, or the whole value is one expression).
    Raises Untranslatable for an expression left open."""
    text = (value or "").strip()
    pieces: list[tuple[bool, str]] = []
    pos = 0
    while pos < len(text):
        start = min((i for i in (text.find("${", pos), text.find("#{", pos)) if i >= 0), default=-1)
        if start < 0:
            pieces.append((False, text[pos:]))
            break
        end = closing(text, start + 1, "{}")
        if end is None:
            raise Untranslatable(JUEL, text, f"中的「{text[start:start + 20]}」没有配对的右花括号 }}")
        if start > pos:
            pieces.append((False, text[pos:start]))
        pieces.append((True, text[start:end + 1]))
        pos = end + 1
    if not any(is_expr for is_expr, _ in pieces) or (len(pieces) == 1 and pieces[0][0]):
        return None
    return pieces


def composite(value: str) -> str | None:
    """Python for a composite EL text, or None when ``value`` is not one. Raises Untranslatable."""
    pieces = parts(value)
    if pieces is None:
        return None
    python = []
    for is_expr, text in pieces:
        python.append(f"{TEXT}({translate(text)})" if is_expr else repr(text))
    return " + ".join(python)


MISSING = "（未填写）"  # shown in a computed task name where its data is absent or empty


@lru_cache(maxsize=256)
def name_pieces(drawn: str) -> tuple[tuple[bool, str], ...]:
    """A drawn name's pieces, each ``${...}`` as its Python (translated once per drawn name)."""
    try:
        return tuple((is_expr, translate(text) if is_expr else text) for is_expr, text in parts(drawn) or ())
    except Untranslatable:
        return ()


def computed_name(task, python: str, drawn: str, evaluate) -> str:
    """A task name holding ``${...}`` (任务名称表达式: 「检查${unitName}」), computed as the task opens
    from its Python (engine/dialects._computed_name), as Camunda 7 and Flowable name the task. A
    name is a label, not a decision: where the data a part reads is absent or empty (a tired official
    left 复查轮次 out), the case goes on — Camunda and Flowable would stop the task's creation — and
    that part shows 「（未填写）」 between the name's own words (「华东化工第（未填写）轮复查」), never a
    silently shortened name (「第轮复查」) nor the expression itself; a name that is one expression
    and yields nothing is 「待办任务」. At most 256 characters (the task row's name)."""
    pieces = name_pieces(drawn)
    if not pieces:  # one expression (or none we read): its value, else a plain label
        return (_shown(task, evaluate, python) or "待办任务")[:256]
    shown = (_shown(task, evaluate, text) or MISSING if is_expr else text for is_expr, text in pieces)
    return "".join(shown).strip()[:256]


def _shown(task, evaluate, python: str) -> str:
    """One ``${...}`` of a name (as Python) as JUEL joins it; "" when its data is absent or it fails."""
    try:
        return el_text(evaluate(task, python)).strip()
    except Exception:  # noqa: BLE001 — the evaluation is the model's code; its failure only costs the label
        return ""
