"""NUL (U+0000) in what a step stores (数据中的空字符): PostgreSQL keeps no NUL in a text or a JSON
value, SQLite does. A model's script or service that writes one (``"甲\\x00乙"``, a text read from
another system) failed the step's COMMIT on PostgreSQL with the driver's English error (a 500, no
incident); on SQLite it was stored. Now the step is an incident on either database naming the
variables that hold it (``refusal``), and an incident's own text never carries one (``without_nul``)."""
from __future__ import annotations

import json

from .errors import InvalidData

_ESCAPED = "\\u0000"  # how a JSON encoder writes NUL


class NulInData(InvalidData):
    """Case data a step would store holds NUL."""


def refusal(text: str) -> NulInData | None:
    """``text``: case data as JSON (a dict). The refusal naming the variables that hold a NUL (in
    their value or their name), or None if none does. The text is searched (well under a µs); only
    on a hit is it decoded and walked (``\\\\u0000`` is a typed backslash and u, no NUL)."""
    if _ESCAPED not in text:
        return None
    data = json.loads(text)
    names = [without_nul(name) or "（空名称）" for name, value in data.items()
             if "\x00" in name or _holds_nul(value, 0)]
    if not names:
        return None
    listed = "、".join(f"「{name[:40]}」" for name in names[:5]) + (f"等 {len(names)} 个" if len(names) > 5 else "")
    return NulInData({name: "含有空字符" for name in names[:5]},
                     f"流程写入的变量{listed}含有空字符（U+0000），数据库无法保存；请修改写入它的脚本或服务，去掉该字符后重试")


def _holds_nul(value, depth: int) -> bool:
    """Whether a decoded JSON value holds NUL in a text or a key (deeper than 50 levels: not looked at)."""
    if isinstance(value, str):
        return "\x00" in value
    if depth > 50:
        return False
    if isinstance(value, dict):
        return any("\x00" in key or _holds_nul(item, depth + 1) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item, depth + 1) for item in value)
    return False


def without_nul(text: str) -> str:
    """``text`` without NUL, for what is stored about a failure (an incident's message and trace)."""
    return text.replace("\x00", "") if "\x00" in text else text
