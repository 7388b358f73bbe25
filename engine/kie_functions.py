"""jBPM's ``KieFunctions`` in a flow's Java condition, read as the JUEL that means the same.

jBPM 7's process designer (Business Central, the Stunner editor) writes a condition drawn in its
condition editor as a call of ``org.kie.api.runtime.process.KieFunctions``:
``return KieFunctions.greaterOrEqualThan(fineAmount, "50000");``, ``return KieFunctions.isTrue(approved);``,
``return KieFunctions.equalsTo(level, "重大") && KieFunctions.isFalse(rectified);``. Each function is
null-safe there (a variable without a value makes it false, ``isNull`` aside), so each becomes JUEL
with the same guard: ``(fineAmount != null && fineAmount >= 50000)``. A call of a function not listed,
or with arguments other than a variable and string or number literals, is left as written (the
deploy then refuses it naming the flow: engine/dialects.py).
"""
from __future__ import annotations

import re

_ARG = r'\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*'
_CALL = re.compile(r"KieFunctions\.(\w+)\(" + _ARG + r"(?:," + _ARG + r")?(?:," + _ARG + r")?\)")
_NUMBER = re.compile(r'^"\s*(-?\d+(?:\.\d+)?)\s*"$')


def _number(literal: str) -> str:
    """A number given as text (``"50000"``: KieFunctions takes the value as a String) as the number."""
    found = _NUMBER.match(literal)
    return found.group(1) if found else literal


def _juel(name: str, args: list[str]) -> str | None:
    """The JUEL for ``KieFunctions.name(args)``, or None when it is not one of its functions."""
    first, rest = args[0], args[1:]
    guard = f"{first} != null && "
    compare = {"greaterThan": ">", "greaterOrEqualThan": ">=", "lessThan": "<", "lessOrEqualThan": "<="}
    if name in compare and len(rest) == 1:
        return f"({guard}{first} {compare[name]} {_number(rest[0])})"
    if name in ("between", "betweenOrEqualTo") and len(rest) == 2:
        low, high = (">", "<") if name == "between" else (">=", "<=")
        return f"({guard}{first} {low} {_number(rest[0])} && {first} {high} {_number(rest[1])})"
    if name == "equalsTo" and len(rest) == 1:
        return f"({first} == {rest[0]})"
    if name == "equalsToIgnoreCase" and len(rest) == 1:
        return f"({guard}{first}.equalsIgnoreCase({rest[0]}))"
    if name in ("contains", "startsWith", "endsWith") and len(rest) == 1:
        return f"({guard}{first}.{name}({rest[0]}))"
    if not rest:
        return {"isTrue": f"({guard}{first} == true)", "isFalse": f"({guard}{first} == false)",
                "isNull": f"({first} == null)", "isEmpty": f"(empty {first})"}.get(name)
    return None


def as_juel(java: str) -> str | None:
    """``java`` (the expression a jBPM condition returns) with its KieFunctions calls as JUEL; None
    when it calls none, or one this cannot say."""
    if "KieFunctions." not in java:
        return None
    failed = False

    def one(m: re.Match) -> str:
        nonlocal failed
        said = _juel(m.group(1), [a for a in m.groups()[1:] if a is not None])
        if said is None:
            failed = True
            return m.group(0)
        return said

    text = _CALL.sub(one, java)
    return None if failed or "KieFunctions." in text else text
