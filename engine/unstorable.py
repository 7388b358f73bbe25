"""Case data no database keeps (无法保存的案件数据), written by a model's script or service.

NUL (U+0000, 空字符): PostgreSQL keeps none in a text or a JSON value, SQLite does. A script writing
one (``"甲\\x00乙"``, a text read from another system) failed the step's COMMIT on PostgreSQL with the
driver's English error (a 500, no incident); on SQLite it was stored. An infinity or NaN
(``1e308 * 10``, ``float("nan")``): JSON has no form for them, and both databases refused the
``Infinity`` Python's json writes (a 500). Now the step is an incident on either database naming the
variables that hold them (``refusal``, ``number_refusal``), and an incident's own text never carries
a NUL (``without_nul``)."""
from __future__ import annotations

import json
import math

from .errors import InvalidData

_ESCAPED = "\\u0000"  # how a JSON encoder writes NUL


class Unstorable(InvalidData):
    """Case data a step would store holds what no database keeps (NUL, an infinity, NaN)."""


def refusal(text: str) -> Unstorable | None:
    """``text``: case data as JSON (a dict). The refusal naming the variables that hold a NUL (in
    their value or their name), or None if none does. The text is searched (well under a µs); only
    on a hit is it decoded and walked (``\\\\u0000`` is a typed backslash and u, no NUL)."""
    if len(text) > MAX_DATA_CHARS:
        return too_large(text)
    if _ESCAPED not in text:
        return None
    data = json.loads(text)
    names = [without_nul(name) or "（空名称）" for name, value in data.items()
             if _nul(name) or _holds(value, _nul)]
    if not names:
        return None
    return Unstorable({name: "含有空字符" for name in names[:5]},
                     f"流程写入的变量{_listed(names)}含有空字符（U+0000），数据库无法保存；请修改写入它的脚本或服务，去掉该字符后重试")


# The most a case's data may hold, in characters of its JSON (案件数据上限). Every step writes the whole
# text and every script of the model is sent what it reads of it; a designer's script adding a few MB
# at each completion (within a step's budget, engine/evaluator.STEP_WRITE_UNITS) made it grow without
# end until 2026-12-07 (tests/test_security_review16_s30.py). The shipped processes' cases hold a few KB.
MAX_DATA_CHARS = 8_000_000


def too_large(text: str) -> Unstorable:
    """The refusal of case data past ``MAX_DATA_CHARS``, naming its largest variables (decoded and
    measured only here, when refused)."""
    data = json.loads(text)
    sizes = sorted(((len(json.dumps(value, ensure_ascii=False)), name) for name, value in data.items()), reverse=True)
    names = [name for _, name in sizes[:3]]
    return Unstorable({without_nul(name)[:40] or "（空名称）": "数据过大" for name in names},
                      f"案件数据过大：共 {len(text):,} 个字符，超过上限 {MAX_DATA_CHARS:,} 个字符（最大的是{'、'.join(f'变量「{without_nul(n)[:40]}」' for n in names)}），"
                      "本步骤未保存，案件保持原状；请检查写入它的脚本、服务或表单后重试")


def _nul(value) -> bool:
    return isinstance(value, str) and "\x00" in value


def _non_finite(value) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def _holds(value, found, depth: int = 0) -> bool:
    """Whether ``found`` holds for ``value`` or a value or key inside it (deeper than 50 levels: not
    looked at)."""
    if isinstance(value, dict):
        return depth <= 50 and any(found(key) or _holds(item, found, depth + 1) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return depth <= 50 and any(_holds(item, found, depth + 1) for item in value)
    return found(value)


def _listed(names: list[str]) -> str:
    """The first five variable names as a refusal lists them, and how many there are past five."""
    return "、".join(f"「{without_nul(name)[:40]}」" for name in names[:5]) + (f"等 {len(names)} 个" if len(names) > 5 else "")


def without_nul(text: str) -> str:
    """``text`` without NUL, for what is stored about a failure (an incident's message and trace)."""
    return text.replace("\x00", "") if "\x00" in text else text


def number_refusal(data: dict, exc: ValueError, workflow=None) -> Unstorable:
    """The refusal of case data its JSON encoder refused (``exc``): naming the variables holding an
    infinity or NaN, and (``workflow``: the step's) the element that wrote the first of them — its
    ``task_spec``, which the incident names (「计算每日罚款」出错: …) and records; else (a value that
    holds itself) saying what the encoder said. The step is rolled back: the case keeps its data."""
    names = [name for name, value in data.items() if _holds(value, _non_finite)]
    if not names:
        return Unstorable({"data": str(exc)}, f"流程写入的数据无法保存为案件数据（{without_nul(str(exc))[:200]}）")
    refused = Unstorable({name: "不是有限的数" for name in names[:5]},
                         f"流程写入的变量{_listed(names)}的值为无穷大或非数，数据库无法保存；"
                         "请检查计算它的脚本（如溢出或除以极小的数）后重试")
    spec = _writer(workflow, names[0]) if workflow is not None else None
    if spec is not None:
        refused.task_spec = spec  # engine/incidents.record reads the failed element from it
    return refused


def _writer(workflow, name: str):
    """The task spec of the element that last wrote ``name`` as an infinity or NaN in ``workflow``
    (its tasks and its sub-processes'), or None: a completed task whose data holds it, the latest."""
    from SpiffWorkflow.util.task import TaskState

    from .state import all_workflows

    found, at = None, None
    for each in all_workflows(workflow):
        for task in each.get_tasks(state=TaskState.COMPLETED):
            held = task.data.get(name) if isinstance(task.data, dict) else None
            if held is not None and _holds(held, _non_finite) and (at is None or task.last_state_change > at):
                found, at = task.task_spec, task.last_state_change
    return found

