"""What to write instead of a JUEL or FEEL expression a deploy refuses (表达式的改写建议).

A designer who drew the model in Camunda Modeler, Flowable or Camunda 8 writes conditions the way
those engines read them: ``${execution.getVariable("amount") > 10000}``, ``${level.equals("重大")}``,
``${hazards.size() > 0}``, ``${urgent ? 1 : 3}``, ``= count(hazards) > 1``. engine/expressions.py
translates the plain ones and refuses these; the refusal (engine/dialects.py) then says what to
write instead, in the designer's own variables: the Python that means the same (``amount > 10000``,
``level == "重大"``, ``len(hazards) > 0``, ``(1 if urgent else 3)``) where the expression is one of
those common idioms, else the rule with an example.

Where the model's text is read as Python (a flow's condition, a timer, a completion condition) the
advice is that Python, written without ``${ }``. Where a vendor attribute or a mapping is read
(``camunda:dueDate``, ``camunda:inputParameter``: a plain text there is a constant) it is the
``${...}`` that is translated, and only when such a one says the same. A decision table's cell gets
its own Python (``dmn_advice``): a rule's condition is a value or a test of ``?``, the column's input.

Each suggestion is checked before it is offered: the idioms are rewritten, the rest goes through
the same translator as the deploy, and the result must compile.
"""
from __future__ import annotations

import re

from .excerpt import ADVICE, excerpt

from .expressions import FEEL, JUEL, Untranslatable, has_juel, language_of, translate

_NAME = r"[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*"
_PATH = rf"{_NAME}(?:\.{_NAME})*"
_ARG = rf"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|{_PATH})"""

# JUEL idioms rewritten as JUEL the translator reads (a bean's variable is the variable itself)
_JUEL_REWRITES = (
    (re.compile(rf"""\b(?:execution|task)\.getVariable(?:Local|Typed)?\(\s*(['"])({_NAME})\1\s*\)"""), r"\2"),
    (re.compile(rf"\b({_PATH})\.equals\(\s*({_ARG})\s*\)"), r"(\1 == \2)"),
)
# Idioms whose Python is a call (the translator reads no call): kept aside as a placeholder name
_CALLS = (
    (re.compile(rf"\b({_PATH})\.contains\(\s*({_ARG})\s*\)"), lambda m: f"({_py(m[2])} in {_py(m[1])})"),
    (re.compile(rf"\b({_PATH})\.(?:size|length)\(\s*\)"), lambda m: f"len({_py(m[1])})"),
    (re.compile(rf"\b({_PATH})\.isEmpty\(\s*\)"), lambda m: f"len({_py(m[1])}) == 0"),
    (re.compile(r"\bdateTime\(\s*\)\.plus(Days|Weeks)\(\s*(\d+)\s*\)(?:\.toDate\(\s*\))?"),
     lambda m: f"days_after(now(), {int(m[2]) * (7 if m[1] == 'Weeks' else 1)})"),
    (re.compile(r"\b(?:now|dateTime)\(\s*\)(?:\.toDate\(\s*\))?"), lambda m: "now()"),
)
_FEEL_CALLS = (
    (re.compile(rf"\b(?:count|string length)\(\s*({_PATH})\s*\)"), lambda m: f"len({_py(m[1])})"),
    (re.compile(rf"\b(sum|min|max)\(\s*({_PATH})\s*\)"), lambda m: f"{m[1]}({_py(m[2])})"),
    (re.compile(r"\b(now|today)\(\s*\)"), lambda m: f"{m[1]}()"),
)
_PLACEHOLDER = "duban_advice_{}"
# What a variable named like a Python keyword may be called instead (``pass``: 审批通过 in the Chinese
# Activiti tutorials' ${pass == true})
_RENAMES = {"pass": "passed", "from": "source", "return": "returned", "global": "overall", "class": "category"}


def rename_for(name: str) -> str:
    """A variable name to offer for ``name``, a Python keyword."""
    return _RENAMES.get(name, name + "_value")

PYTHON_RULE = ("本系统的条件和定时器直接写 Python 表达式（不带 ${ } 或 =）：流程变量写变量名，"
               "如 amount > 10000 and not urgent、level == \"重大\"、len(hazards) > 0")
ATTRIBUTE_RULE = "此处只支持整个值是一个简单的 ${...} 表达式：流程变量写变量名，比较和 and/or/not，如 ${amount > 10000}"


def advice(exc: Untranslatable, python_read: bool = True) -> str:
    """What to write instead of the refused expression ``exc.text`` (a sentence to follow its reason):
    the equivalent where one is known, else the rule. ``python_read``: the place reads Python as it
    is (a condition, a timer); else only a translated ``${...}`` (a vendor attribute, a mapping)."""
    if exc.reserved:
        return f"请把变量「{exc.reserved}」和填写它的表单字段改用别的名字（如「{rename_for(exc.reserved)}」），并在条件中使用新名字"
    python = equivalent(exc.text, exc.language)
    if python_read:
        if python is not None:
            bare = "不带 ${ }" if exc.language == JUEL else "不带开头的 ="
            return f"请改写为 Python 表达式（{bare}）：{excerpt(python, ADVICE)}"
        return "请改写为 Python 表达式。" + PYTHON_RULE
    if exc.language == FEEL:  # a FEEL mapping or attribute is told FEEL, never ${...}
        return _feel_attribute_advice(exc.text)
    juel = _juel_equivalent(exc.text)
    if juel is not None:
        return f"请改写为：{excerpt(juel, ADVICE)}"
    return "请改写为流程变量名或简单表达式。" + ATTRIBUTE_RULE


FEEL_ATTRIBUTE_RULE = ("此处只支持整个值是一个以 = 开头的简单 FEEL 表达式：流程变量写变量名，比较和 and/or/not，"
                       "如 =amount > 10000、=level = \"重大\"")
# Camunda 8's ``fromAi(value, description, type)``: an AI agent's tool parameter, which is ``value``
_FROM_AI = re.compile(r"=\s*fromAi\s*\(\s*([A-Za-z_\u4e00-\u9fff][\w.\u4e00-\u9fff]*)\s*[,)]")


def _feel_attribute_advice(text: str) -> str:
    """What a FEEL mapping or attribute refused should say instead, in FEEL."""
    from_ai = _FROM_AI.match(text.strip())
    if from_ai:
        return (f"fromAi(...) 是 Camunda 8 供 AI 智能体填写工具参数的写法，本系统不运行 AI 智能体，它的值就是第一个参数；"
                f"请改写为 FEEL：={from_ai.group(1)}")
    return "请改写为流程变量名或简单的 FEEL 表达式。" + FEEL_ATTRIBUTE_RULE


# A decision table's cells are Python, read as SpiffWorkflow reads them: an input expression and a
# result as expressions; a rule's condition as the value the column's input equals, or a test of it
# with ? standing for that input (``>= 100`` is ``? >= 100``).
DMN_RULE = ("决策表的单元格直接写 Python：输入表达式和结果写表达式，如 len(hazards)、\"A类\"；"
            "规则条件写本列输入要等于的值，或写比较，用 ? 代表本列的输入值，如 \"重大\"、>= 100、len(?) > 2")
_DMN_INPUT = "duban_dmn_input"


def dmn_advice(kind: str, text: str) -> str:
    """What to write in a decision table's cell (``kind``: inputExpression, inputEntry, outputEntry)
    instead of the FEEL ``text`` a deploy refuses: that cell's Python where the FEEL is an idiom known
    here (``count(hazards)`` → ``len(hazards)``; a rule's ``>= count(limits)`` → ``? >= len(limits)``;
    ``if count(hazards) > 1 then "重大" else "一般"`` → ``("重大" if len(hazards) > 1 else "一般")``),
    else the rule with examples. The bare 「请改写为 Python 表达式」 said neither."""
    python = _dmn_equivalent(kind, (text or "").strip().removeprefix("="))
    if python is not None:
        return f"请在该单元格改写为 Python：{excerpt(python, ADVICE)}"
    return "请改写为 Python 表达式。" + DMN_RULE


def _dmn_equivalent(kind: str, body: str) -> str | None:
    if kind != "inputEntry":
        return equivalent("=" + body, FEEL)
    body = body.replace("?", _DMN_INPUT)
    if re.match(r"\s*(<=|>=|!=|<|>)", body):  # a comparison: the column's input is its left side
        body = f"{_DMN_INPUT} {body}"
    python = equivalent("=" + body, FEEL)
    return python.replace(_DMN_INPUT, "?") if python is not None else None


def equivalent(text: str, language: str = JUEL) -> str | None:
    """The Python a designer writes for ``text`` (a JUEL or FEEL expression, or a text with ``${...}``
    in it), or None when it is no idiom known here."""
    t = (text or "").strip()
    try:
        if language_of(t) is None and has_juel(t):
            return _text_with_values(t)
        if language_of(t) == JUEL:
            body = t[2:-1]
            if has_juel(body):
                return None
            return _strip_outer(_ternary(body, JUEL) or _python(body, JUEL))
        if language_of(t) == FEEL or language == FEEL:
            return _python(t[1:] if t.startswith("=") else t, FEEL)
    except (Untranslatable, SyntaxError, ValueError):
        return None
    return None


def _python(body: str, language: str) -> str:
    """``body`` with the idioms rewritten, translated; raises when any of it is still untranslatable."""
    calls: dict[str, str] = {}
    if language == JUEL:
        for pattern, replacement in _JUEL_REWRITES:
            body = pattern.sub(replacement, body)

    def keep(python):
        def put(m):
            name = _PLACEHOLDER.format(len(calls))
            calls[name] = python(m)
            return name
        return put

    for pattern, python in (_CALLS if language == JUEL else _FEEL_CALLS):
        body = pattern.sub(keep(python), body)
    out = translate(("${" + body + "}") if language == JUEL else ("=" + body), coerce=False)
    for name, python_call in calls.items():
        out = re.sub(rf"\b{name}\b", lambda _m, p=python_call: p, out)
    out = _strip_outer(out)
    compile(out, "<advice>", "eval")
    return out


def _py(juel_operand: str) -> str:
    """A name path or literal inside an idiom, as Python (``a.b`` reads a field: ``a['b']``)."""
    return translate("${" + juel_operand + "}", coerce=False)


def _ternary(body: str, language: str) -> str | None:
    """``c ? a : b`` (one, at the top) as ``(a if c else b)``."""
    parts = _split_outside_strings(body, "?")
    if len(parts) != 2:
        return None
    branches = _split_outside_strings(parts[1], ":")
    if len(branches) != 2:
        return None
    cond, then, other = (_python(p.strip(), language) for p in (parts[0], *branches))
    return f"({then} if {cond} else {other})"


def _text_with_values(text: str) -> str | None:
    """``第${amount}元`` as ``"第" + str(amount) + "元"``."""
    pieces, pos = [], 0
    for m in re.finditer(r"[$#]\{([^{}]*)\}", text):
        if m.start() > pos:
            pieces.append(repr(text[pos:m.start()]))
        pieces.append(f"str({_python(m[1], JUEL)})")
        pos = m.end()
    if pos < len(text):
        pieces.append(repr(text[pos:]))
    if has_juel("".join(p for p in pieces if not p.startswith("str("))):
        return None
    out = " + ".join(pieces)
    compile(out, "<advice>", "eval")
    return out


def _juel_equivalent(text: str) -> str | None:
    """For a place that reads a ``${...}``: the JUEL rewritten (a bean's variable as the variable)
    when the translator then reads it."""
    t = (text or "").strip()
    if language_of(t) != JUEL:
        return None
    body = t[2:-1]
    for pattern, replacement in _JUEL_REWRITES:
        body = pattern.sub(replacement, body)
    rewritten = "${" + _strip_outer(body.strip()) + "}"
    try:
        translate(rewritten)
    except Untranslatable:
        return None
    return rewritten if rewritten != t else None


def _split_outside_strings(text: str, mark: str) -> list[str]:
    parts, start, quote = [], 0, None
    for i, ch in enumerate(text):
        if quote:
            quote = None if ch == quote and text[i - 1] != "\\" else quote
        elif ch in "'\"":
            quote = ch
        elif ch == mark:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _strip_outer(text: str) -> str:
    """``(a == b)`` -> ``a == b`` when the brackets enclose the whole of it."""
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text
