"""Simple JUEL (``${...}``/``#{...}``) and FEEL (``= ...``) expressions translated to Python at deploy.

Camunda 7, Flowable and Activiti models write gateway conditions and task attributes in JUEL
(``${amount > 1000 && approved}``), Camunda 8 models in FEEL (``= amount > 1000``). Our scripts and
conditions are Python, run under the script sandbox (engine/sandbox.py). A deploy translates the
simple cases — names (``a.b`` reads a field of a dict), literals, comparisons (``== != < > <= >=``
and ``eq ne lt gt le ge``), arithmetic, ``and or not && || !``, ``empty`` (null, empty text, list or map) and
JUEL's choice ``a ? b : c`` (``(b if a else c)``) — token by token and refuses anything else (beans such as
``execution``), naming the language. JUEL's values are coerced as EL coerces them (``_juel_coercions``). A JUEL call of one of
Java's String/Collection methods on a variable (``${flag.equals('驳回')}``, ``JUEL_METHODS``) becomes a
call of engine/juel_methods' helper; other methods are refused naming them.
FEEL also has list literals (``[1, 2, 3]``), ``list contains(list, x)`` (``x in list``), ``is defined(x)``
(``(x is not None)``, an absent x reads as null) and
``if a then b else c`` (``(b if a else c)``) and ranges (``x in [1..10]``, ``x in (1..10]``: ``(1 <= x <= 10)``,
``(1 < x <= 10)``), ``x between a and b`` (``(a <= x <= b)``), filters (``votes[item = true]``), indexes
(``opinions[1]`` the first, ``[-1]`` the last: ``duban_feel_item``), contexts (``{unit: name, level: "重大"}``
a dict, ``{a: 1}.a`` its entry), ``some``/``every … satisfies`` and ``for … return`` (``_feel_filter``,
``_feel_context``, ``_feel_iteration``, engine/feel_lists.py); its other functions are refused.

Written here rather than taken from a library: no maintained Python JUEL implementation exists, and
we need a translation that the sandbox can then check, not an evaluator.
"""
from __future__ import annotations

import ast
import keyword
import re

from .excerpt import excerpt
from .restricted import TOO_DEEP

# engine/juel_methods.py: the Java methods a JUEL expression may call, and the helper that runs them
# (not imported from there: that module needs the evaluator, which this one must not)
JUEL_METHODS = {"equals": 1, "equalsIgnoreCase": 1, "contains": 1, "startsWith": 1, "endsWith": 1,
                "length": 0, "size": 0, "isEmpty": 0}  # each with its number of arguments
JUEL_HELPER = "duban_juel_call"
ITEM = "duban_feel_item"  # engine/feel_lists.feel_item: FEEL's index
RANGE = "duban_feel_range"  # engine/feel_lists.feel_range: the whole numbers a for … in 1..3 walks
FEEL_GET = "duban_feel_get"  # engine/feel_lists.feel_get: a FEEL path (over a list, each item's entry)

JUEL = "JUEL"
FEEL = "FEEL"

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<range>[\[\]\(][^\[\]()]+?\.\.[^\[\]()]+?[\]\[\)])
    | (?P<number>\d+(?:\.\d+)?)
    | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<name>[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*(?:\.[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*)*)
    | (?P<op>==|!=|<=|>=|&&|\|\||[<>!+\-*/%()=,\[\]])
    )""", re.VERBOSE)

_WORD_OPS = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "and": "and", "or": "or",
             "not": "not", "div": "/", "mod": "%"}
_LITERALS = {"true": "True", "false": "False", "null": "None"}
_BEANS = {"execution", "task", "authenticatedUserId", "variables", "System", "Math"}
# Ends a sequence flow's condition translated from JUEL or FEEL (engine/dialects.py): its gateway
# wants yes or no of it, as Camunda, Flowable and Zeebe do (engine/gateways._holds); a condition
# written in Python keeps Python's truth (``statement_text``: there is a statement).
YES_OR_NO = "# yes-or-no"


class Untranslatable(ValueError):
    """The expression is more than a simple comparison; ``language`` says which it is written in."""

    def __init__(self, language: str, text: str, reason: str, reserved: str | None = None):
        self.language, self.text, self.reason = language, text, reason
        self.reserved = reserved  # a variable named like a Python keyword (``pass``): to be renamed
        super().__init__(f"{language} 表达式「{excerpt(text)}」{reason}")


def language_of(text: str) -> str | None:
    """JUEL, FEEL, or None for plain Python."""
    t = (text or "").strip()
    if (t.startswith("${") or t.startswith("#{")) and t.endswith("}"):
        return JUEL
    if t.startswith("=") and not t.startswith("=="):
        return FEEL
    return None


def has_juel(text: str) -> bool:
    return "${" in (text or "") or "#{" in (text or "")


def translate(text: str, coerce: bool = True, condition: bool = False) -> str:
    """Python for a JUEL or FEEL expression; plain text is returned unchanged. Raises Untranslatable.
    ``coerce``: JUEL's comparisons of text with yes/no and numbers as JUEL makes them (what a model
    runs; not for advice on the Python to write, engine/expression_advice.py). ``condition``: the
    expression is a condition (a sequence flow's, a completion condition, a conditional event's),
    so a JUEL one that only reads a value (``${deptLeaderPass}``) reads text as a yes/no too."""
    t = (text or "").strip()
    lang = language_of(t)
    if lang is None:
        if has_juel(t):
            raise Untranslatable(JUEL, t, "夹杂在文字中，只支持整个值是一个 ${...} 表达式")
        return text
    body = t[2:-1] if lang == JUEL else t[1:]
    if lang == JUEL and has_juel(body):
        raise Untranslatable(lang, t, "嵌套了表达式")
    if len(_NESTING.findall(body)) > _MOST_NESTED:  # each is a recursion of the translator (and its cost)
        raise Untranslatable(lang, t, f"无法翻译为 Python 表达式：{TOO_DEEP}")
    try:
        python = _translate_body(body, lang, t)
        return _juel_coercions(python, condition) if lang == JUEL and coerce else python
    except (RecursionError, MemoryError, SyntaxError):  # a backstop: the host goes on, the model is refused
        raise Untranslatable(lang, t, f"无法翻译为 Python 表达式：{TOO_DEEP}") from None


# What opens a nested part the translator recurses into (a choice, a context, an if, a quantifier, a
# bracket), and how many one expression may have: 1,500 nested ifs took 8 s and then Python's
# RecursionError, which no refusal caught.
_NESTING = re.compile(r"[?{\[(]|\b(?:if|some|every|for)\b")
_MOST_NESTED = 200


_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod)
_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}
_ENGINE_NUMBERS = frozenset({"nrOfInstances", "nrOfCompletedInstances", "nrOfActiveInstances", "loopCounter"})
# engine/juel_operators.py: an ordering comparison whose sides' kinds are known only when the case runs
EL_COMPARE = "duban_el_compare"
EL_COERCE = "duban_el_coerce"  # a value as EL coerces it to a Long, a Double, a number or a yes/no
EL_ARITHMETIC = "duban_el_arith"  # EL's / and %: Double division, Java's remainder
EL_STORED = "duban_el_stored"  # a JUEL mapping's quotient as stored: Infinity or NaN (a division by zero) stops
EL_INDEX = "duban_el_index"  # EL's [] (a list's item from 0, a map's entry; past the end null)
_JUEL_TRUE = ("true", "True", "TRUE")  # the texts Boolean.valueOf reads as yes (it ignores case)
_NUMERIC_COMPARISONS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _juel_coercions(python: str, condition: bool = False) -> str:
    """JUEL's coercions where a comparison's Python differs (EL 3.0 §1.8.2, §1.8.1):

    - a Boolean compared with a String compares as Booleans, so ``${approved == 'true'}`` holds when
      approved is the yes of a yes/no field as well as the text 'true' (Activiti's vacation request,
      the 请假流程 demos after it); Python's ``True == 'true'`` is False, so the gateway found no branch
      or took its default. Written ``(approved is True or approved == 'true')`` (``is False`` for
      'false'), ``!=`` its negation.
    - a Number compared with a String compares as numbers, so ``${days > 3}`` holds when days is the
      text ``5`` of a form property drawn without a type (Flowable's and Activiti's leave demos); in
      Python ``'5' > 3`` raised TypeError (an incident) and ``'3' == 3`` was False. The data read is
      written ``(duban_el_coerce(days, 'long', 'days') if days is True or days is False or
      str(days) == days else days)``: a number is read as it is (no call), text and a yes/no by
      engine/juel_operators.coerce — against a whole number text as ``Long.valueOf`` reads it (「3.5」,
      「 3」 and 「3_0」 stop, as in JUEL; Python's ``int`` took the last two), against 1.5 as
      ``Double.valueOf``, the empty text as 0, a yes/no stops (EL 2.2 §1.18.3). An ordering comparison
      (``< > <= >=``) with null is false, not Python's TypeError: ``False if days is None else …``
      (§1.8.1).
    - an ordering comparison whose sides are not a read and a number written out (``${amount >
      limit}``: both read, text against text compares as text, text against a number as numbers) is
      a call of engine/juel_operators.compare, which coerces as EL by the kinds the case holds; so is
      an equality (``==``, ``!=``) of a read with text written out or with another read when a side
      is not text (``${level == '2'}`` holds for the number 2, §1.8.2; ``${approved == '同意'}`` over
      a yes/no reads 同意 by Boolean.valueOf): text against text and null stay Python's ``==``.
    - arithmetic (``+ - * / %``, unary ``-``) reads null and the empty text as 0 and text as the number
      it spells (a Double if it has ``.``, ``e`` or ``E``, else a Long; §1.7.1): ``${amount * 2}`` over
      the text 「5000」 is 10000 where Python gave 「50005000」, ``${fine + 1000}`` over null 1000.
      Text that spells no number and a yes/no stop, as in JUEL (Python concatenated ``'张' + '三'``
      and counted true as 1). Two values the case decides (``${a + b}``), ``%`` (Java's remainder keeps
      the dividend's sign: ``-7 % 3`` is -1) and ``/`` by anything but a number written out other
      than 0 (EL divides Doubles: by zero Infinity, not Python's ZeroDivisionError) are calls of
      engine/juel_operators.arithmetic; ``/`` by such a number reads its dividend by Double.valueOf.
    - text read where JUEL wants a Boolean is read as ``Boolean.valueOf`` reads it (§1.23.2): the
      operand of ``!``/``not``, ``&&``/``||``, the test of ``?:``, the other side of ``== true`` /
      ``!= false``, and (``condition``) a condition that is only a read. An Activiti/Flowable enum
      form property 同意/不同意 with values ``true``/``false`` (the 请假流程 demos) holds the text:
      in Python ``not 'false'`` is False and ``'false'`` is true, so ``${!deptLeaderPass}`` and
      ``${deptLeaderPass}`` sent 不同意 down the 同意 branch, and ``'true' == True`` is False (no
      branch). The read is written ``(x in ('true', 'True', 'TRUE') if str(x) == x else x if x is
      True or x is False or x is None else duban_el_coerce(x, 'boolean', 'x'))``: text other than
      true is no; yes/no values and null are as before; a number (or a list, a map) stops, as in EL
      (§1.18.5; Python read 0 as no and 5 as yes). (For a condition that is only a read of text,
      Camunda 7 and Flowable stop with "condition expression returns non-Boolean"; we take the branch
      the text says rather than the one Python's truth would.)

    Other comparisons are left as translated. A read that calls engine/juel_operators' helper is
    evaluated in the host as an expression calling a host-safe helper (engine/evaluator.py), a few
    µs more than a plain one even when the value is a number and the helper is not called."""
    if not (condition or re.search(r"['\"](?i:true|false)['\"]|[<>=]=?\s*-?\d|\d\s*[<>!=]|[!=]="
                                    r"|[<>+\-*/%]|\b(?:not|and|or|if|True|False)\b", python)):
        return python
    tree = ast.parse(python, mode="eval")
    changed = []

    def number(node):
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            node = node.operand
        return isinstance(node, ast.Constant) and type(node.value) in (int, float)

    def indexed(node):
        """A step of EL's ``[]`` (``duban_el_index(orders, 1, 'orders[1]')``): read once, coerced by
        engine/juel_operators' helpers (written out inline it would be computed again for each test)."""
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == EL_INDEX

    def read(node):
        return isinstance(node, (ast.Name, ast.Subscript, ast.Attribute)) or indexed(node)

    def is_text(node):
        return ast.Compare(ast.Call(ast.Name("str", ast.Load()), [node], []), [ast.Eq()], [node])

    def call(name, *args):
        return ast.Call(ast.Name(name, ast.Load()), list(args), [])

    def coerced(node, kind, test):
        """``node`` as it is while ``test`` is false (a number: the common case, plain Python the host
        evaluates by itself), else as engine/juel_operators.coerce makes it ``kind`` (stopping where EL does)."""
        helper = call(EL_COERCE, node, ast.Constant(kind), ast.Constant(said(node)))
        return ast.IfExp(test, helper, node)

    def text_or_flag(node):
        return ast.BoolOp(ast.Or(), [ast.Compare(node, [ast.Is()], [ast.Constant(True)]),
                                     ast.Compare(node, [ast.Is()], [ast.Constant(False)]), is_text(node)])

    def as_number(node, literal):
        """The read compared with the number ``literal``: text as EL coerces it to the literal's kind
        (a whole number: Long.valueOf, 「5000.5」 and 「 5000」 stop; else Double.valueOf), the empty
        text 0, a yes/no stops."""
        changed.append(node)
        value = literal.operand.value if isinstance(literal, ast.UnaryOp) else literal.value
        return coerced(node, "long" if type(value) is int else "double", text_or_flag(node))

    def operand_read(node):
        """An operand of arithmetic whose kind the case decides: a read of case data, or text written out."""
        return (read(node) and not (isinstance(node, ast.Name) and node.id in _ENGINE_NUMBERS)
                or isinstance(node, ast.Constant) and isinstance(node.value, str))

    def as_operand(node, kind="number"):
        """A read in arithmetic (EL 2.2 §1.7): null and the empty text 0, a yes/no stops; text as a
        number of ``kind`` — ``number``: with ``.``, ``e`` or ``E`` a Double, other text a Long (text
        that spells no number, 「 5000」 too, stops as in EL), ``double``: Double.valueOf (beside a
        Double, and in a division). The counts a multi-instance keeps (``nrOfInstances``,
        ``loopCounter``) are numbers: read as they are."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):  # ${a + '1'}: '1' is 1, 'x' stops
            changed.append(node)
            return call(EL_COERCE, node, ast.Constant(kind), ast.Constant(""))
        if not operand_read(node):
            return node
        changed.append(node)
        if indexed(node):
            return call(EL_COERCE, node, ast.Constant(kind), ast.Constant(said(node)))
        return ast.IfExp(ast.Compare(node, [ast.Is()], [ast.Constant(None)]), ast.Constant(0),
                         coerced(node, kind, text_or_flag(node)))

    def floating(node):
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            node = node.operand
        return isinstance(node, ast.Constant) and type(node.value) is float

    def plain_divisor(node):
        """A divisor Python's ``/`` divides by as EL does: a number written out other than 0, or a
        multi-instance's count."""
        return (number(node) and (node.operand if isinstance(node, ast.UnaryOp) else node).value != 0) or (
            isinstance(node, ast.Name) and node.id in _ENGINE_NUMBERS)

    def not_null(node, compared):
        """EL: an ordering comparison with null is false (not Python's TypeError)."""
        return ast.IfExp(ast.Compare(node, [ast.Is()], [ast.Constant(None)]), ast.Constant(False), compared)

    def surely_number(node):
        """A value that is a number whatever the case holds: a literal, arithmetic (its reads coerced),
        a call (a JUEL method's length or size)."""
        return number(node) or isinstance(node, ast.BinOp) or isinstance(node, ast.Call) and not indexed(node) or (
            isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub))

    def said(node):
        if isinstance(node, ast.Constant):  # a value written out is said by its value alone
            return ""
        if indexed(node):  # the path as the model wrote it
            return node.args[2].value
        return re.sub(r"\['([^'\\]*)'\]", r".\1", ast.unparse(node))

    def as_bool(node):
        if not read(node):
            return node
        changed.append(node)
        if indexed(node):
            return call(EL_COERCE, node, ast.Constant("boolean"), ast.Constant(said(node)))
        yes = ast.Compare(node, [ast.In()], [ast.Tuple([ast.Constant(t) for t in _JUEL_TRUE], ast.Load())])
        flag_or_null = ast.BoolOp(ast.Or(), [ast.Compare(node, [ast.Is()], [ast.Constant(c)]) for c in (True, False, None)])
        # a number (or a list, a map) where EL wants a yes/no stops (§1.18.5): engine/juel_operators.as_boolean
        return ast.IfExp(is_text(node), yes, ast.IfExp(flag_or_null, node, call(EL_COERCE, node, ast.Constant("boolean"),
                                                                                 ast.Constant(said(node)))))

    def is_flag(node):
        return isinstance(node, ast.Constant) and type(node.value) is bool

    class Coerce(ast.NodeTransformer):
        def visit_UnaryOp(self, node):
            self.generic_visit(node)
            if isinstance(node.op, ast.Not):
                node.operand = as_bool(node.operand)
            elif isinstance(node.op, ast.USub):
                node.operand = as_operand(node.operand)
            return node

        def visit_BinOp(self, node):
            self.generic_visit(node)
            if not isinstance(node.op, _ARITHMETIC):
                return node
            left, right = node.left, node.right
            if (isinstance(node.op, ast.Mod) or isinstance(node.op, ast.Div) and not plain_divisor(right)
                    or operand_read(left) and operand_read(right)):
                # Java's remainder keeps the dividend's sign; EL divides Doubles (by zero: Infinity); two
                # values the case decides are Longs or Doubles by both (engine/juel_operators.arithmetic)
                changed.append(node)
                return call(EL_ARITHMETIC, left, ast.Constant(_SYMBOLS[type(node.op)]), right,
                            ast.Constant(said(left)), ast.Constant(said(right)))
            if isinstance(node.op, ast.Div):  # by a number written out: Doubles, as Python's / of them
                node.left, node.right = as_operand(left, "double"), as_operand(right, "double")
            else:  # beside a Double written out, Double.valueOf reads the text
                node.left = as_operand(left, "double" if floating(right) else "number")
                node.right = as_operand(right, "double" if floating(left) else "number")
            return node

        def visit_BoolOp(self, node):
            self.generic_visit(node)
            node.values = [as_bool(v) for v in node.values]
            return node

        def visit_IfExp(self, node):
            self.generic_visit(node)
            node.test = as_bool(node.test)
            return node

        def visit_Compare(self, node):
            self.generic_visit(node)
            if len(node.ops) != 1 or not isinstance(node.ops[0], _NUMERIC_COMPARISONS):
                return node
            left, right = node.left, node.comparators[0]
            ordering = not isinstance(node.ops[0], (ast.Eq, ast.NotEq))
            if indexed(left) or indexed(right):  # ${orders[1].price <= 100}: EL's comparison, the item read once
                changed.append(node)
                operator = {ast.Lt: "<", ast.Gt: ">", ast.LtE: "<=", ast.GtE: ">=", ast.Eq: "==",
                            ast.NotEq: "!="}[type(node.ops[0])]
                return call(EL_COMPARE, left, ast.Constant(operator), right,
                            ast.Constant(said(left)), ast.Constant(said(right)))
            if number(right) and read(left):
                compared = ast.Compare(as_number(left, right), node.ops, [right])
                return not_null(left, compared) if ordering else compared
            if number(left) and read(right):
                compared = ast.Compare(left, node.ops, [as_number(right, left)])
                return not_null(right, compared) if ordering else compared
            if ordering:
                if surely_number(left) and surely_number(right):
                    return node
                changed.append(node)  # kinds known only when the case runs: engine/juel_operators.py
                operator = {ast.Lt: "<", ast.Gt: ">", ast.LtE: "<=", ast.GtE: ">="}[type(node.ops[0])]
                return call(EL_COMPARE, left, ast.Constant(operator), right,
                            ast.Constant(said(left)), ast.Constant(said(right)))
            if is_flag(right) and read(left):
                return ast.Compare(as_bool(left), node.ops, [right])
            if is_flag(left) and read(right):
                return ast.Compare(left, node.ops, [as_bool(right)])
            for text, other in ((right, left), (left, right)):
                if (isinstance(text, ast.Constant) and isinstance(text.value, str)
                        and text.value.lower() in ("true", "false") and not isinstance(other, ast.Constant)):
                    changed.append(node)
                    flag = ast.Constant(text.value.lower() == "true")
                    same = ast.BoolOp(ast.Or(), [ast.Compare(other, [ast.Is()], [flag]),
                                                 ast.Compare(other, [ast.Eq()], [text])])
                    return same if isinstance(node.ops[0], ast.Eq) else ast.UnaryOp(ast.Not(), same)
            for text, other in ((right, left), (left, right)):
                if isinstance(text, ast.Constant) and isinstance(text.value, str) and read(other):
                    # ${x == '5'} with x the number 5: EL compares as numbers (a yes/no as yes/no); text
                    # and null as Python does (engine/juel_operators.compare otherwise)
                    changed.append(node)
                    as_python = ast.BoolOp(ast.Or(), [ast.Compare(other, [ast.Is()], [ast.Constant(None)]), is_text(other)])
                    operator = "==" if isinstance(node.ops[0], ast.Eq) else "!="
                    return ast.IfExp(as_python, node, call(EL_COMPARE, left, ast.Constant(operator), right,
                                                           ast.Constant(said(left)), ast.Constant(said(right))))
            if read(left) and read(right) and not (isinstance(left, ast.Name) and left.id in _ENGINE_NUMBERS
                                                   or isinstance(right, ast.Name) and right.id in _ENGINE_NUMBERS):
                # ${a == b} over 5 and '5': EL compares as numbers; two texts (or null) as Python does
                changed.append(node)
                as_python = ast.BoolOp(ast.And(), [ast.BoolOp(ast.Or(), [ast.Compare(side, [ast.Is()], [ast.Constant(None)]),
                                                                         is_text(side)]) for side in (left, right)])
                operator = "==" if isinstance(node.ops[0], ast.Eq) else "!="
                return ast.IfExp(as_python, node, call(EL_COMPARE, left, ast.Constant(operator), right,
                                                       ast.Constant(said(left)), ast.Constant(said(right))))
            return node

    tree = Coerce().visit(tree)
    if condition:
        tree.body = as_bool(tree.body)
    return ast.unparse(ast.fix_missing_locations(tree)) if changed else python


def _tokens(body: str, pos: int):
    """(kind, value, start, end) of each token of ``body`` from ``pos``, up to the first that is none."""
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if not m or m.end() == pos:
            return
        yield m.lastgroup, m.group(m.lastgroup), m.start(m.lastgroup), m.end()
        pos = m.end()


def _feel_parts(body: str, pos: int, lang: str, original: str, words: tuple[str, ...], what: str):
    """Split the FEEL text from ``pos`` at ``words`` (``then``/``else`` of an ``if``, or ``,``
    between arguments) found outside brackets and nested ``if``s. Returns (the parts' texts, where
    the last part ends): at a closing bracket or comma of the enclosing text, or the end."""
    parts, start, depth, nested = [], pos, 0, 0
    for kind, value, begin, end in _tokens(body, pos):
        if kind == "op" and value in "([":
            depth += 1
        elif kind == "op" and value in ")]":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and kind == "name" and value == "if":
            nested += 1
        elif depth == 0 and nested and kind == "name" and value == "else":
            nested -= 1
        elif depth == 0 and len(parts) < len(words) - 1 and value == words[len(parts)]:
            parts.append(body[start:begin])
            start = end
        elif depth == 0 and kind == "op" and value == ",":
            break
        pos = end
    else:
        pos = len(body)
    parts.append(body[start:pos])
    if len(parts) != len(words) or not all(p.strip() for p in parts):
        raise Untranslatable(lang, original, f"「{excerpt(what)}」写法不完整")
    return parts, pos


def _choice(text: str) -> tuple[int, int] | None:
    """Where JUEL's ``a ? b : c`` in ``text`` splits: its ``?`` and the ``:`` that goes with it,
    outside quotes and brackets (a ``?`` after the first is a choice nested in ``b`` or ``c``; EL
    groups ``a ? b : c ? d : e`` as ``a ? b : (c ? d : e)``); None without one."""
    question, nested = None, 0
    for i in _top_level(text, "?:"):
        if text[i] == "?":
            if question is None:
                question = i
            else:
                nested += 1
        elif question is not None:
            if not nested:
                return question, i
            nested -= 1
    return None


def _translate_body(body: str, lang: str, original: str) -> str:
    out: list[str] = []
    read_at: tuple[int, int] | None = None  # the last variable read: its place in ``out`` and in ``body``
    pos = 0
    body = body.strip()
    if not body:
        raise Untranslatable(lang, original, "为空")
    if lang == JUEL and "?" in body:  # a ? b : c (EL 2.2 §1.11): b if a (as a yes/no) else c
        split = _choice(body)
        if split is not None:
            question, colon = split
            test, then, other = body[:question], body[question + 1:colon], body[colon + 1:]
            if not (test.strip() and then.strip() and other.strip()):
                raise Untranslatable(lang, original, "「? :」写法不完整：须写成 条件 ? 值1 : 值2")
            test, then, other = (_translate_body(p, lang, original) for p in (test, then, other))
            return _compiled(f"({then} if {test} else {other})", lang, original)
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if not m or m.end() == pos:
            rest = body[pos:].strip()
            if not rest:
                break
            if lang == FEEL and rest.startswith("{"):
                python, pos = _feel_context(body, body.index("{", pos), original)
                out.append(python)
                continue
            if lang == FEEL and out and out[-1] == ")" and (prop := _PROPERTY.match(body, pos)):
                out[_opening(out):] = [f"{FEEL_PROPERTY}({_join(out[_opening(out):])}, {prop.group(1)!r})"]
                pos = prop.end()  # (today() - date(orderedOn)).days: a property of the value in brackets
                continue
            raise Untranslatable(lang, original, f"含有不支持的写法「{rest[:20]}」")
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if lang == FEEL and kind == "name" and value == "if":  # if a then b else c
            (cond, then, other), pos = _feel_parts(body, pos, lang, original, ("then", "else", ""), "if … then … else")
            cond, then, other = (_translate_body(p, lang, original) for p in (cond, then, other))
            out.append(f"({then} if {cond} else {other})")
            continue
        if lang == FEEL and kind == "name" and value in _QUANTIFIERS:  # some/every … satisfies, for … return
            python, pos = _feel_iteration(body, pos, value, original)
            out.append(python)
            continue
        if lang == FEEL and kind == "name" and value == "list" and re.match(r"\s*contains\s*\(", body[pos:]):
            pos = body.index("(", pos) + 1  # list contains(list, element)
            (items, item), pos = _feel_parts(body, pos, lang, original, (",", ","), "list contains")
            if not body[pos:pos + 1] == ")":
                raise Untranslatable(lang, original, "「list contains」须有两个参数")
            pos += 1
            out.append(f"({_translate_body(item, lang, original)} in {_translate_body(items, lang, original)})")
            continue
        if lang == FEEL and kind == "name" and value == "is" and re.match(r"\s*defined\s*\(", body[pos:]):
            pos = body.index("(", pos) + 1  # is defined(x): the case has x (FEEL reads an absent x as null)
            (item,), pos = _feel_parts(body, pos, lang, original, ("",), "is defined")
            if not body[pos:pos + 1] == ")":
                raise Untranslatable(lang, original, "「is defined」须有一个参数")
            pos += 1
            out.append(f"({_translate_body(item, lang, original)} is not None)")
            continue
        if lang == FEEL and kind == "name" and value == "between":  # x between a and b: (a <= x <= b)
            pos = _between(body, pos, out, original)
            continue
        if kind == "range":  # FEEL: x in [1..10], x in (1..10]
            if lang != FEEL or not out or out[-1] != "in":
                raise Untranslatable(lang, original, f"含有不支持的写法「{excerpt(value)}」（范围只能写在 in 之后）")
            out.pop()
            _range_test(value, out, lang, original)
            continue
        if kind == "number":
            out.append(value)
        elif kind == "string":
            out.append(value)
        elif kind == "name":
            lower = value.lower()
            if value in _LITERALS:
                out.append(_LITERALS[value])
            elif lower in _WORD_OPS and "." not in value:
                out.append(_WORD_OPS[lower])
            elif value == "empty":
                operand, pos = _empty_operand(body, pos, lang, original)
                out.append(f"({operand} in {_EMPTY})")
            else:
                head = value.split(".")[0]
                if any(part.startswith("__") for part in value.split(".")):  # x.__class__: never Python's insides
                    raise Untranslatable(lang, original, f"用到的名称「{excerpt(value)}」含以两个下划线开头的部分，本系统不支持")
                if lang == JUEL and keyword.iskeyword(head):  # ${pass == false}: JUEL reads it, Python cannot
                    raise Untranslatable(lang, original, f"用到的变量「{head}」与 Python 的保留字同名，本系统无法读取它",
                                         reserved=head)
                if head in _BEANS:
                    raise Untranslatable(lang, original, f"使用了引擎对象「{excerpt(head)}」，请改写为流程变量")
                nxt = _TOKEN.match(body, pos)
                if nxt and nxt.lastgroup == "op" and nxt.group("op") == "(":
                    if lang == JUEL and "." in value and value.rsplit(".", 1)[1] in JUEL_METHODS:
                        call, pos = _juel_method(body, value, nxt.start("op"), original)
                        out.append(call)
                        continue
                    if lang == FEEL:
                        words = value  # a name of several words (day of week, week of year): all of them
                        while out and out[-1].isidentifier() and not keyword.iskeyword(out[-1]) and \
                                re.search(rf"(?<![\w.]){re.escape(out[-1])}\s+{re.escape(words)}\s*$", body[:nxt.start("op")]):
                            words = f"{out.pop()} {words}"
                        raise Untranslatable(lang, original, f"调用了函数「{excerpt(words)}(...)」（本系统支持的 FEEL 函数：list contains、is defined、count、"
                                             "sum、min、max、string、string length、string join、substring、upper case、lower case、contains、starts with、"
                                             "ends with、date、date and time、duration、years and months duration、now、today、day of week、"
                                             "month of year、distinct values、append、concatenate、index of、sublist、reverse、"
                                             "flatten、union、remove、insert before、mean、product、all、any、context put、context merge、"
                                             "get value、get entries）")
                    end = closing(body, nxt.start("op"))
                    if "." in value and re.search(r"\b(execution|task)\b", body[nxt.start("op"):end]):
                        # RuoYi/BladeX: ${wfCustomUserHandler.userList(execution, '参数')} — a bean of the
                        # application the model was drawn for, handed the engine's execution
                        raise Untranslatable(lang, original, f"调用了原系统程序中的 Java 对象（Spring bean）「{excerpt(head)}」的"
                                             f"方法「{excerpt(value.rsplit('.', 1)[1])}」，并把引擎对象传给它；本系统不运行原系统的 "
                                             "Java 代码，请在此前的环节把它算出的值（如审批人、人员列表、是否通过）填入流程变量，"
                                             "此处改用该变量")
                    raise Untranslatable(lang, original, f"调用了方法「{excerpt(value)}(...)」（本系统只支持 Java 的 "
                                         f"{'、'.join(JUEL_METHODS)}，写在流程变量之后，如 flag.equals('驳回')）")
                parts = value.split(".")
                out.append(parts[0] + "".join(f"[{p!r}]" for p in parts[1:]))
                read_at = (len(out) - 1, m.start("name"))
        else:
            if value == "&&":
                out.append("and")
            elif value == "||":
                out.append("or")
            elif value == "!":
                out.append("not")
            elif value == "=":
                if lang != FEEL:
                    raise Untranslatable(lang, original, "含有赋值「=」，比较请写 == 或 eq")
                out.append("==")
            elif value == "(" and lang == JUEL and _choice(body[pos:]) is not None \
                    and (end := closing(body, m.start("op"))) is not None and _choice(body[pos:end]) is not None:
                out.append(f"({_translate_body(body[pos:end], lang, original)})")  # (a ? b : c) within
                pos = end + 1
            elif value == "[" and lang == JUEL and read_at is not None and read_at[0] == len(out) - 1:
                pos = _juel_index(body, m.start("op"), out, read_at[1], original)  # EL's [] (§1.6)
            elif value in ("[", "]", ",") and lang != FEEL:  # FEEL: a list literal [1, 2, 3]
                raise Untranslatable(lang, original, f"含有不支持的写法「{excerpt(value)}」")
            elif value == "[" and out and _is_operand(out[-1]):
                # FEEL's votes[1] is the first item and votes[item = true] a filter; Python's votes[1] is
                # the second item and votes[item == True] an index: translated as written, the case read
                # the wrong vote (or none). A filter is translated (``_feel_filter``), an index refused.
                pos = _feel_filter(body, m.start("op"), out, original)
            else:
                out.append(value)
    return _compiled(_join(out), lang, original)


FEEL_PROPERTY = "duban_feel_property"  # engine/feel_functions.feel_property
_PROPERTY = re.compile(r"\s*\.\s*([A-Za-z_]\w*)")


def _opening(out: list[str]) -> int:
    """Where in ``out`` the bracket its last token ``)`` closes was opened."""
    depth = 0
    for i in range(len(out) - 1, -1, -1):
        depth += out[i] == ")"
        depth -= out[i] == "("
        if depth == 0:
            return i
    return 0


def _juel_index(body: str, opening: int, out: list[str], start: int, original: str) -> int:
    """EL's ``[]`` (§1.6) after the variable read last in ``out`` (which began at ``start`` in
    ``body``): ``orders[1].price``, ``approvers[0]``, ``form['amount']``, each step (a bracket, or a
    ``.name`` after one) a call of engine/juel_operators.index with the path as written so far; where
    it ends. The key is any JUEL expression, translated on its own."""
    python, pos = out[-1], opening
    while True:
        if body.startswith("[", pos):
            end = closing(body, pos, "[]")
            if end is None:
                raise Untranslatable(JUEL, original, "方括号不配对")
            if not body[pos + 1:end].strip():
                raise Untranslatable(JUEL, original, "方括号中缺少下标或键")
            key = _translate_body(body[pos + 1:end], JUEL, original)
            pos = end + 1
        elif (step := _PATH_STEP.match(body, pos)) is not None:
            name = step.group(1)
            if name.startswith("__"):
                raise Untranslatable(JUEL, original, f"用到的名称「{excerpt(name)}」以两个下划线开头，本系统不支持")
            if body[step.end():].lstrip().startswith("("):
                raise Untranslatable(JUEL, original, f"方括号取值之后调用了方法「{excerpt(name)}(...)」（本系统只支持对流程变量直接调用方法）")
            key, pos = repr(name), step.end()
        else:
            break
        python = f"{EL_INDEX}({python}, {key}, {body[start:pos].strip()!r})"
        next_char = body[pos:].lstrip()[:1]
        if next_char not in ("[", "."):
            break
        pos = len(body) - len(body[pos:].lstrip())
    out[-1] = python
    return pos


def _compiled(python: str, lang: str, original: str) -> str:
    """``python`` if it compiles, else Untranslatable (too deep: CPython's parser gives up)."""
    try:
        compile(python, "<expression>", "eval")
    except SyntaxError:
        raise Untranslatable(lang, original, "无法翻译为 Python 表达式") from None
    except (MemoryError, RecursionError):  # CPython's parser on ~1,000 unclosed [ or (: the host goes on
        raise Untranslatable(lang, original, f"无法翻译为 Python 表达式：{TOO_DEEP}") from None
    return python


def _juel_method(body: str, value: str, opening: int, original: str) -> tuple[str, int]:
    """``flag.equals('驳回')`` (a method of ``JUEL_METHODS`` on a variable or a field of one) as a call
    of engine/juel_methods' helper, and where it ends: the value, the method's name, the variable as
    written and the arguments, each translated on its own. Java's methods run there, on the values
    alone (nothing reaches a Python attribute)."""
    end = closing(body, opening)
    if end is None:
        raise Untranslatable(JUEL, original, f"「{excerpt(value)}(」缺少右括号")
    receiver, method = value.rsplit(".", 1)
    if body[end + 1:].lstrip().startswith(("(", ".", "[")):  # ${a.contains('x')()}: Python would call the yes/no
        raise Untranslatable(JUEL, original, f"方法「{method}」的结果之后又接了调用或取值（本系统只支持对流程变量直接调用方法）")
    head = receiver.split(".")[0]
    if head in _BEANS:
        raise Untranslatable(JUEL, original, f"使用了引擎对象「{excerpt(head)}」，请改写为流程变量")
    arguments = [_translate_body(a, JUEL, original) for a in _arguments(body[opening + 1:end], original)]
    if len(arguments) != JUEL_METHODS[method]:
        raise Untranslatable(JUEL, original, f"方法「{method}」须有 {JUEL_METHODS[method]} 个参数，写了 {len(arguments)} 个")
    parts = receiver.split(".")
    python = parts[0] + "".join(f"[{p!r}]" for p in parts[1:])
    if keyword.iskeyword(head):
        raise Untranslatable(JUEL, original, f"用到的变量「{head}」与 Python 的保留字同名，本系统无法读取它", reserved=head)
    return f"{JUEL_HELPER}({', '.join([python, repr(method), repr(receiver), *arguments])})", end + 1


def _arguments(text: str, original: str) -> list[str]:
    """The texts of a call's arguments, split at the commas outside quotes and brackets."""
    if not text.strip():
        return []
    parts = split_top_level(text)
    if not all(p.strip() for p in parts):
        raise Untranslatable(JUEL, original, "方法的参数为空")
    return parts


_QUANTIFIERS = {"some": "satisfies", "every": "satisfies", "for": "return"}
_NAME = re.compile(r"\s*([A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*)\s+in\s")


def _as_list(python: str) -> str:
    """FEEL iterates a value that is not a list as the list of it (engine/feel_lists.py)."""
    return f"duban_feel_list({python})"


def _feel_iteration(body: str, pos: int, word: str, original: str) -> tuple[str, int]:
    """FEEL's ``some x in list satisfies c`` / ``every …`` (DMN 1.3 §10.3.2.8) and ``for x in list
    return e`` (§10.3.2.7) from ``pos`` (after the word) as Python, and where they end. A list that is
    null gives null; ``some`` is true when a ``c`` is true, false when every one is false, else null
    (``every`` the other way round); ``for`` gives the list of each ``e``. A bare range (``for i in 1..3``)
    is walked number by number; several lists (``some x in a, y in b``) and a range in brackets are
    refused as unsupported writing."""
    then = _QUANTIFIERS[word]
    m = _NAME.match(body, pos)
    if not m or keyword.iskeyword(m.group(1)) or m.group(1) in _WORD_OPS or m.group(1) in _LITERALS:
        raise Untranslatable(FEEL, original, f"「{word} … in … {then}」写法不完整：{word} 之后须是一个名称和 in")
    name, pos = m.group(1), m.end()
    _refuse_several_lists(body, pos, word, name, original)
    ranged = _iterated_range(body, pos, then, original)
    if ranged is not None:  # for i in 1..3 return i (DMN 1.3 §10.3.2.7; Zeebe's multi-instance examples)
        items_python, pos = ranged
        (each,), pos = _feel_parts(body, pos, FEEL, original, ("",), f"{word} … in … {then}")
        each_python = _translate_body(each, FEEL, original)
        source = items_python
    else:
        _refuse_range_iterated(body, pos, word, name, original)
        (items, each), pos = _feel_parts(body, pos, FEEL, original, (then, ""), f"{word} … in … {then}")
        items_python, each_python = _translate_body(items, FEEL, original), _translate_body(each, FEEL, original)
        source = _as_list(items_python)
    if word == "for":
        python = f"[{each_python} for {name} in {source}]"
    else:  # some: true if one is true, false if every one is false; every: the other way round; else null
        sure, other = ("True", "False") if word == "some" else ("False", "True")
        python = (f"({sure} if any(({each_python}) is {sure} for {name} in {source}) else "
                  f"{other} if all(({each_python}) is {other} for {name} in {source}) else None)")
    return f"(None if {items_python} is None else {python})", pos


def _iterated_range(body: str, pos: int, then: str, original: str) -> tuple[str, int] | None:
    """The range an iteration walks, written bare (``for i in 1..3``, ``for i in 1..count``): the
    Python of its items (``duban_feel_range``, engine/feel_lists.py: each whole number from the first
    end to the second, either way, as DMN 1.3 §10.3.2.7 counts them) and where its ``then`` word ends;
    None when the iteration walks no bare range."""
    m = re.match(rf"(.*?)\s{then}\b", body[pos:], re.S)
    if m is None or '"' in m.group(1):
        return None
    source = m.group(1)
    ends = source.split("..")
    if len(ends) != 2 or not all(e.strip() for e in ends) or source.strip()[0] in "[(]":
        return None  # a range literal ([1..3]) is a test's, not a list's
    first, last = (_translate_body(e.strip(), FEEL, original) for e in ends)
    return f"{RANGE}({first}, {last})", pos + m.end()


def _refuse_range_iterated(body: str, pos: int, word: str, name: str, original: str) -> None:
    """``for i in [1..3] return i``: a range in brackets is a range literal, read only as a test (``x
    in [1..3]``), not walked item by item (a bare ``1..3`` is, ``_iterated_range``); refused naming the
    range and what to write instead: the list itself, or a list in the case's data."""
    then = _QUANTIFIERS[word]
    m = re.match(rf"(.*?)\s{then}\b", body[pos:], re.S)
    if m is None or ".." not in m.group(1) or '"' in m.group(1):
        return
    source = m.group(1).strip()
    ends = re.fullmatch(r"\[?\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*\]?", source)
    if ends and 0 <= int(ends.group(2)) - int(ends.group(1)) < 20:
        listed = "[" + ", ".join(str(n) for n in range(int(ends.group(1)), int(ends.group(2)) + 1)) + "]"
        each = body[pos + m.end():].strip()
        written = f"={listed}" if word == "for" and each == name else f"{word} {name} in {listed} {then} …"
        instead = f"直接写出列表，如「{written}」，或把列表放在流程数据中"
    else:
        instead = "把要逐一处理的值作为列表放在流程数据中"
    raise Untranslatable(FEEL, original, f"不支持对范围「{excerpt(source)}」逐一取值（「{word} … in … {then}」只能逐一取"
                         f"一个列表中的值；范围只能用来判断，如 x in [1..3]）。请{instead}"
                         "（如多实例的输入集合写成保存列表的流程变量名 =items，由表单或上一步填入）")


_SECOND_LIST = re.compile(r",\s*([A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*)\s+in\s")


def _refuse_several_lists(body: str, pos: int, word: str, name: str, original: str) -> None:
    """``some x in a, y in b satisfies x > y``: complete FEEL, but several lists in one ``some``,
    ``every`` or ``for`` are not supported here; refused saying so, with the nested writing that
    means the same for ``some``/``every`` (``for`` over several lists gives one flat list, which
    nesting does not)."""
    then = _QUANTIFIERS[word]
    m = re.match(rf"(.*?)\s{then}\b", body[pos:], re.S)
    if m is None:
        return
    source = m.group(1)
    for second in _SECOND_LIST.finditer(source):
        before = source[:second.start()]
        if before.count("(") == before.count(")") and before.count("[") == before.count("]") \
                and before.count('"') % 2 == 0:
            other = second.group(1)
            if word == "for":
                instead = "请由脚本任务把要逐一处理的组合算成一个列表存入流程变量，再对它写 for"
            else:
                instead = (f"请改写为嵌套：{word} {name} in {excerpt(before.strip())} {then} "
                           f"({word} {other} in {excerpt(source[second.end():].strip())} {then} …)")
            raise Untranslatable(FEEL, original, f"不支持在一个「{word} … in … {then}」中同时逐一取多个列表"
                                 f"（「{name} in …, {other} in …」）。{instead}")


def _feel_filter(body: str, opening: int, out: list[str], original: str) -> int:
    """FEEL's filter ``votes[item = true]``, ``hazards[level = "重大"]`` (DMN 1.3 §10.3.2.5) in place of
    the list read last in ``out``, and where it ends: the items for which the condition is true, in
    the condition ``item`` being the item and a name the item's field of that name when the item is a
    context that has it (else the case's variable); a list that is null gives null, a value that is no
    list is filtered as the list of it. An index written as a number (``votes[1]``, FEEL's first,
    Python's second; ``votes[-1]`` the last) is ``duban_feel_item`` (engine/feel_lists.py); a lone
    name (``votes[n]``: an index if n is a number, a filter if a yes/no) is refused."""
    end = closing(body, opening, "[]")
    if end is None:
        raise Untranslatable(FEEL, original, "方括号不配对")
    content = body[opening + 1:end].strip()
    operand = out[-1]
    if re.fullmatch(r"-?\s*\d+", content) and operand not in (")", "]"):
        # an index: FEEL's first item is 1, -1 the last, past either end null (engine/feel_lists.py)
        out[-1] = f"{ITEM}({operand}, {int(content.replace(' ', ''))})"
        return _feel_path_after(body, end + 1, out, original)
    if not _READ.fullmatch(operand):
        raise Untranslatable(FEEL, original, "只支持对流程变量的列表筛选（如 votes[item = true]）")
    if re.fullmatch(r"[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*", content) and content != "item":
        raise Untranslatable(FEEL, original, f"方括号中只有名称「{content}」：FEEL 按它的值是数字还是是/否决定取下标还是筛选，"
                             f"本系统无法事先判断；请写成比较，如 {excerpt(body[:opening].split()[-1] if body[:opening].split() else 'list')}"
                             f"[{content} = true]")
    condition = ast.parse(_translate_body(content, FEEL, original), mode="eval")

    class FieldOrVariable(ast.NodeTransformer):
        def visit_Name(self, node):
            if node.id == "item" or node.id.startswith("duban_") or not isinstance(node.ctx, ast.Load):
                return node
            return ast.Call(ast.Name("duban_feel_field", ast.Load()),  # engine/feel_lists.py
                            [ast.Name("item", ast.Load()), ast.Constant(node.id), node], [])

        def visit_Call(self, node):  # a call's own name (len) is no field
            node.args = [self.visit(a) for a in node.args]
            return node

    test = ast.unparse(ast.fix_missing_locations(FieldOrVariable().visit(condition)))
    out[-1] = f"(None if {operand} is None else [item for item in {_as_list(operand)} if ({test}) is True])"
    return _feel_path_after(body, end + 1, out, original)


def _feel_path_after(body: str, pos: int, out: list[str], original: str) -> int:
    """A path after a filter or an index (``orders[price > 100].id``, ``votes[1].name``): the value
    last in ``out`` read by engine/feel_lists.feel_get (over a list, each item's entry); where it ends."""
    keys = []
    while (m := _PATH_STEP.match(body, pos)):
        if m.group(1).startswith("__"):
            raise Untranslatable(FEEL, original, f"用到的名称「{excerpt(m.group(1))}」以两个下划线开头，本系统不支持")
        keys.append(repr(m.group(1)))
        pos = m.end()
    if keys:
        out[-1] = f"{FEEL_GET}({out[-1]}, '', {', '.join(keys)})"
    return pos


_READ = re.compile(r"[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*(?:\['[^'\\]*'\])*")


# What JUEL's ``empty`` holds for (EL 3.0 §1.10): null, the empty text, an empty list or map. Not
# ``not``: 0 and false are not empty, and text is not read as a yes/no here.
_EMPTY = "(None, '', [], {})"


def _empty_operand(body: str, pos: int, lang: str, original: str) -> tuple[str, int]:
    """The Python of ``empty``'s operand — the name, or the bracketed expression, right after it — and
    where it ends. ``empty`` binds as tightly as ``!``: ``${not empty comment and x}`` tests only
    ``comment``."""
    m = _TOKEN.match(body, pos)
    if m and m.lastgroup == "name" and m.group("name").lower() not in _WORD_OPS and m.group("name") not in _LITERALS:
        nxt = _TOKEN.match(body, m.end())
        if not (nxt and nxt.lastgroup == "op" and nxt.group("op") == "("):
            return _translate_body(m.group("name"), lang, original), m.end()
    if m and m.lastgroup == "op" and m.group("op") == "(":
        end = closing(body, m.start("op"))
        if end is not None:
            return f"({_translate_body(body[m.end():end], lang, original)})", end + 1
    raise Untranslatable(lang, original, "「empty」之后须是一个变量名或括号中的表达式")


def closing(text: str, opening: int, pair: str = "()") -> int | None:
    """The index of the bracket closing the one at ``opening`` (``pair``: "()" or "[]"; quotes skipped)."""
    depth, quote = 0, ""
    for i in range(opening, len(text)):
        ch = text[i]
        if quote:
            quote = "" if ch == quote and text[i - 1] != "\\" else quote
        elif ch in "\"'":
            quote = ch
        elif ch == pair[0]:
            depth += 1
        elif ch == pair[1]:
            depth -= 1
            if depth == 0:
                return i
    return None


def _top_level(text: str, separators: str):
    """The positions of any of ``separators`` in ``text`` outside quotes and brackets, first to last."""
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote and text[i - 1] != "\\" else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and ch in separators:
            yield i


def split_top_level(text: str) -> list[str]:
    """``text`` split at the commas outside quotes and brackets (a call's arguments, a FEEL input
    entry's alternatives)."""
    parts, start = [], 0
    for i in _top_level(text, ","):
        parts.append(text[start:i])
        start = i + 1
    return [*parts, text[start:]]


_NOT_OPERANDS = frozenset({"and", "or", "not", "in", "if", "then", "else", "(", "[", ","})


def _is_operand(token: str) -> bool:
    """Whether a translated token ends an operand (a name, a literal, a bracket closed), so that a
    ``[`` after it indexes or filters it rather than opening a list."""
    return token not in _NOT_OPERANDS and (token[-1].isalnum() or token[-1] in "_)]'\"" or not token[-1].isascii())


# A FEEL range (a token): ``[1..10]``, ``(1..10]``, ``]1..10[`` (a bracket facing away is open).
_FEEL_RANGE = re.compile(r"([\[\]\(])(.+?)\.\.(.+)([\]\[\)])", re.S)
# What ends the operand on the left of ``in``, going back through the translated tokens.
_OPERAND_START = ("and", "or", "not", "(", "[", ",")


def _operand_start(out: list[str]) -> int:
    """Where the operand before ``in`` or ``between`` begins in ``out``: after the last
    ``and``/``or``/``not``/bracket/comma outside brackets."""
    start, depth = 0, 0
    for i in range(len(out) - 1, -1, -1):
        if out[i] in (")", "]"):
            depth += 1
        elif out[i] in ("(", "[") and depth:
            depth -= 1
        elif out[i] in _OPERAND_START and not depth:
            start = i + 1
            break
    return start


def _range_test(text: str, out: list[str], lang: str, original: str) -> None:
    """``x in [a..b]`` as ``(a <= x <= b)`` (``<`` at an open end), in place of its operand: what
    was translated since the last ``and``/``or``/``not``/bracket/comma."""
    m = _FEEL_RANGE.fullmatch(text)
    assert m is not None
    start = _operand_start(out)
    operand = _join(out[start:])
    if not operand:
        raise Untranslatable(lang, original, "「in」前缺少要比较的值")
    low = _translate_body(m.group(2), lang, original)
    high = _translate_body(m.group(3), lang, original)
    first = "<=" if m.group(1) == "[" else "<"
    last = "<=" if m.group(4) == "]" else "<"
    del out[start:]
    out.append(f"({low} {first} {operand} {last} {high})")


# What ends the upper bound of ``between … and …`` (outside brackets): FEEL's words after a comparison.
_BETWEEN_ENDS = frozenset({"and", "or", "then", "else", "satisfies", "return"})


def _between(body: str, pos: int, out: list[str], original: str) -> int:
    """FEEL's ``x between a and b`` (DMN 1.3 §10.3.2.2: ``a <= x and x <= b``; feel-scala: null if
    a value is null, engine/feel_null.py) as ``(a <= x <= b)`` in place of its operand, and where it
    ends: ``a`` up to the ``and`` after ``between``, ``b`` up to the next ``and``/``or``/``then``/
    ``else``, comma or closing bracket outside brackets."""
    start = _operand_start(out)
    operand = _join(out[start:])
    if not operand:
        raise Untranslatable(FEEL, original, "「between」前缺少要比较的值")
    low_end = high_start = None
    depth = 0
    for kind, value, begin, end in _tokens(body, pos):
        if kind == "op" and value in "([":
            depth += 1
        elif kind == "op" and value in ")]":
            if depth == 0:
                if high_start is not None:
                    return _between_done(body, pos, low_end, high_start, begin, out, start, operand, original)
                break
            depth -= 1
        elif depth == 0 and kind == "op" and value == ",":
            if high_start is not None:
                return _between_done(body, pos, low_end, high_start, begin, out, start, operand, original)
            break
        elif depth == 0 and kind == "name" and value in _BETWEEN_ENDS:
            if high_start is None and value == "and":
                low_end, high_start = begin, end
            elif high_start is not None:
                return _between_done(body, pos, low_end, high_start, begin, out, start, operand, original)
    if high_start is None:
        raise Untranslatable(FEEL, original, "「between … and …」写法不完整：须写成 x between 下限 and 上限")
    return _between_done(body, pos, low_end, high_start, len(body), out, start, operand, original)


def _between_done(body, pos, low_end, high_start, high_end, out, start, operand, original) -> int:
    low, high = body[pos:low_end], body[high_start:high_end]
    if not (low.strip() and high.strip()):
        raise Untranslatable(FEEL, original, "「between … and …」写法不完整：须写成 x between 下限 and 上限")
    low, high = _translate_body(low, FEEL, original), _translate_body(high, FEEL, original)
    del out[start:]
    out.append(f"({low} <= {operand} <= {high})")
    return high_end


_CONTEXT_KEY = re.compile(r"([A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff ]*)|(\"(?:[^\"\\]|\\.)*\")")  # of the stripped text
_PATH_STEP = re.compile(r"\s*\.\s*([A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*)")


def _feel_context(body: str, opening: int, original: str) -> tuple[str, int]:
    """FEEL's context ``{name: unit.name, level: "重大"}`` (DMN 1.3 §10.3.2.6; Zeebe's output
    mappings build a variable so) as a Python dict of the translated values, and a path after it
    (``{a: 1}.a``) as its subscripts; where it ends. A key is a name (spaces inside kept, as FEEL
    reads them) or a quoted text. A value that reads an earlier key of the same context reads that
    entry's value, as FEEL does (``{a: 2, b: a * 2}`` is ``{'a': 2, 'b': 2 * 2}``; translated as
    written it would read the case's variable a); inside a filter or a loop it is refused naming it."""
    end = closing(body, opening, "{}")
    if end is None:
        raise Untranslatable(FEEL, original, "花括号不配对")
    inner = body[opening + 1:end]
    entries: list[str] = []
    values: dict[str, str] = {}  # each key's Python so far
    place: dict[str, int] = {}  # each key's place among them, to name the first one read
    for entry in split_top_level(inner) if inner.strip() else []:
        colon = _top_level_colon(entry)
        if colon is None:
            raise Untranslatable(FEEL, original, f"上下文的一项「{excerpt(entry.strip())}」缺少「:」（须写成 名称: 值）")
        m = _CONTEXT_KEY.fullmatch(entry[:colon].strip())
        if m is None:
            raise Untranslatable(FEEL, original, f"上下文的键「{excerpt(entry[:colon].strip())}」须是名称或带引号的文字")
        key = m.group(1) if m.group(1) is not None else ast.literal_eval(m.group(2))
        if key.startswith("__"):
            raise Untranslatable(FEEL, original, f"上下文的键「{excerpt(key)}」以两个下划线开头，本系统不支持")
        python = _translate_body(entry[colon + 1:], FEEL, original)
        tree = ast.parse(python, mode="eval")
        read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        earlier = sorted((k for k in read if k in values), key=place.__getitem__)  # the entry's reads, not
        # every earlier key: a context of 20,000 entries was quadratic (4.5 s at deploy)
        if earlier:  # {a: 2, b: a * 2}: the entry's value, as FEEL reads it (not the case's variable a)
            if any(isinstance(n, (ast.comprehension, ast.Lambda)) for n in ast.walk(tree)):
                raise Untranslatable(FEEL, original, f"上下文中「{excerpt(key)}」的值在筛选或循环中引用了前面的项"
                                     f"「{earlier[0]}」，本系统不支持；请直接写出它的值")
            grown = len(python) + sum(len(values[n.id]) for n in ast.walk(tree)
                                      if isinstance(n, ast.Name) and n.id in values)
            if grown > _LONGEST_ENTRY:  # {a0: x, a1: a0 + a0, a2: a1 + a1, …} doubles with each entry
                raise Untranslatable(FEEL, original, f"上下文中「{excerpt(key)}」的值写出前面的项后过长，"
                                     "请把前面的项先存为流程变量再引用")
            python = ast.unparse(_EntryValues(values).visit(tree))
        values[key] = python
        place.setdefault(key, len(place))
        entries.append(f"{key!r}: {python}")
    python = "{" + ", ".join(entries) + "}"
    pos = end + 1
    while (m := _PATH_STEP.match(body, pos)):
        if m.group(1).startswith("__"):
            raise Untranslatable(FEEL, original, f"用到的名称「{excerpt(m.group(1))}」以两个下划线开头，本系统不支持")
        python += f"[{m.group(1)!r}]"
        pos = m.end()
    return python, pos


_LONGEST_ENTRY = 4_000  # characters of an entry's Python with the earlier entries it reads written in


class _EntryValues(ast.NodeTransformer):
    """A context entry's value with each earlier entry it reads written out (pure expressions: the
    same value computed again)."""

    def __init__(self, values: dict[str, str]):
        self.values = values

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.values:
            return ast.parse(f"({self.values[node.id]})", mode="eval").body
        return node


def _top_level_colon(text: str) -> int | None:
    return next(_top_level(text, ":"), None)


def _join(tokens: list[str]) -> str:
    text = ""
    for tok in tokens:
        if not text or text.endswith(("(", "[")) or tok in (")", "]", ","):
            text += tok
        else:
            text += " " + tok
    return text


def literal_or_expression(value: str) -> str:
    """A Camunda attribute value as one of our expressions: ``${x}`` translated, a plain value quoted."""
    value = (value or "").strip()
    if language_of(value) is not None or has_juel(value):
        return translate(value)
    return repr(value)
