"""FEEL's null (空值) in translated expressions: arithmetic and comparison with null give null.

DMN 1.3 (section 10.3.2, the semantics of FEEL's arithmetic and comparison) says ``null + 1`` is
null and ``null > 5000000`` is null, not an error; a gateway condition that is null is not true, so
the case takes the default flow. A form field left empty reaches a Camunda 8 condition
(``= 金额 > 5000000``) as null. Translated to Python as it is written (engine/expressions.py),
``None > 5000000`` raised ``TypeError`` and the case stopped with an incident.

``null_propagating`` rewrites the translated Python so that each arithmetic expression (``+ - * /
% **``, unary minus), each ordering comparison (``< <= > >=``, chained as a FEEL range gives them)
and each ``not`` is None when a value it is computed from is None:

    金额 > 5000000            ->  (None if 金额 is None else 金额 > 5000000)
    (a + b) * 2 >= c          ->  (None if a is None or b is None or c is None else (a + b) * 2 >= c)

A tree of such operators is checked once, on the values it is computed from (its leaves: names,
fields, calls, if-expressions…), so the text grows linearly, and the result stays a plain expression
(engine/restricted.is_plain: conditional, ``is``, ``or``) that the host evaluates without a worker.
``x in c`` is null when the container ``c`` is (``list contains(null, x)``; a list written out never is).
A path step on null is null (``unit.name`` with unit null), and so is one to a key the context lacks
(``order.missing``: Camunda's FEEL language guide, "If the context a doesn't contain an entry with the
key b, the expression returns null", feel-scala 1.17 #696; Python raised KeyError, an incident):
``(None if order is None or 'missing' not in order and '{' <= str(order) < '|' else order['missing'])``,
plain; a longer path (``order.customer.name``) is one call of engine/feel_lists.feel_get (a
host-safe helper: still evaluated in the host). A path over a
list (FEEL's projection) is the list of each item's entry: the plain form stops on a list (TypeError)
and the evaluator then runs the expression again with each one-step path a feel_get call
(``projected``); over a number or text it stops in Chinese (feel_get's words: an incident).
``=`` and ``!=`` keep Python's meaning, which is FEEL's: ``null = null`` is true, ``null = 1`` false.
``and``/``or`` are left as Python has them: a null operand is falsy, so a gateway reads it as not true.
"""
from __future__ import annotations

import ast
import functools

from .feel_lists import GET

_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_SIGNS = (ast.USub, ast.UAdd, ast.Not)


def _propagates(node: ast.AST) -> bool:
    """An operator whose result is null when one of its operands is null."""
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, _ARITHMETIC)
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, _SIGNS)
    if isinstance(node, ast.Compare):
        return all(isinstance(op, _ORDERING) for op in node.ops)
    return False


def _operands(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    assert isinstance(node, ast.Compare)
    return [node.left, *node.comparators]


def _membership(node: ast.AST) -> bool:
    """``x in c`` over a container that may be null (FEEL: ``list contains(null, x)`` is null); a
    list or other display written out never is."""
    return (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn))
            and not isinstance(node.comparators[0], (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict)))


def _absent(value: ast.expr, key: str) -> ast.expr:
    """``value is None or key not in value and value is a map`` — the map test ``'{' <= str(value) <
    '|'`` (its text begins with ``{``) only reached when the key is missing: a list or a text without
    the key is indexed as before and stops (TypeError: an incident), never read as null."""
    absent = ast.Compare(left=ast.Constant(key), ops=[ast.NotIn()], comparators=[value])
    a_map = ast.Compare(left=ast.Constant("{"), ops=[ast.LtE(), ast.Lt()],
                        comparators=[ast.Call(func=ast.Name(id="str", ctx=ast.Load()), args=[value], keywords=[]),
                                     ast.Constant("|")])
    return ast.BoolOp(op=ast.Or(), values=[ast.Compare(left=value, ops=[ast.Is()], comparators=[ast.Constant(None)]),
                                           ast.BoolOp(op=ast.And(), values=[absent, a_map])])


def _path_step(node: ast.AST) -> bool:
    """A step of a FEEL path ``unit.name`` as translated (``unit['name']``)."""
    return (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str))


class _NullPropagating(ast.NodeTransformer):
    def visit(self, node):
        if _path_step(node) and _path_step(node.value):
            # order.customer.name: one call (feel_lists.feel_get); written out, each step would repeat the
            # path before it four times (4^depth, past the host's bound, engine/restricted.PLAIN_OPERATIONS)
            keys = []
            while _path_step(node):
                keys.append(node.slice)
                node = node.value
            label = ast.Constant(node.id if isinstance(node, ast.Name) else "")  # for the error
            return ast.Call(func=ast.Name(id=GET, ctx=ast.Load()), args=[self.visit(node), label, *reversed(keys)],
                            keywords=[])
        if _path_step(node):  # a path on null is null (unit.name with unit null), not Python's TypeError
            node = self.generic_visit(node)
            key = node.slice.value
            if isinstance(node.value, ast.Dict):  # {a: 1}.b: the context written out has the key or not
                written = [k.value for k in node.value.keys if isinstance(k, ast.Constant)]
                return node if key in written or len(written) != len(node.value.keys) else ast.Constant(None)
            return ast.IfExp(test=_absent(node.value, key), body=ast.Constant(None), orelse=node)
        if _membership(node):
            node = self.generic_visit(node)
            container = node.comparators[0]
            return ast.IfExp(test=ast.Compare(left=container, ops=[ast.Is()], comparators=[ast.Constant(None)]),
                             body=ast.Constant(None), orelse=node)
        if not _propagates(node):
            return self.generic_visit(node)
        leaves: dict[str, ast.expr] = {}
        self._collect(node, leaves)
        if not leaves:
            return node
        test = [ast.Compare(left=leaf, ops=[ast.Is()], comparators=[ast.Constant(None)]) for leaf in leaves.values()]
        return ast.IfExp(test=test[0] if len(test) == 1 else ast.BoolOp(op=ast.Or(), values=test),
                         body=ast.Constant(None), orelse=node)

    def _collect(self, node: ast.AST, leaves: dict[str, ast.expr]) -> None:
        """The values the operator tree ``node`` is computed from, each rewritten in place on its own
        (an if-expression inside a sum gets its own checks); constants other than null are left out."""
        for i, operand in enumerate(_operands(node)):
            if _propagates(operand):
                self._collect(operand, leaves)
                continue
            if isinstance(operand, ast.Constant) and operand.value is not None:
                continue
            rewritten = self.visit(operand) if _path_step(operand) else self.generic_visit(operand)
            _replace(node, i, rewritten)
            leaves.setdefault(ast.dump(rewritten), rewritten)


def _replace(node: ast.AST, index: int, new: ast.AST) -> None:
    if isinstance(node, ast.BinOp):
        if index == 0:
            node.left = new
        else:
            node.right = new
    elif isinstance(node, ast.UnaryOp):
        node.operand = new
    elif isinstance(node, ast.Compare):
        if index == 0:
            node.left = new
        else:
            node.comparators[index - 1] = new


def _plain_step(node: ast.AST):
    """(value, key) of a one-step path as ``_NullPropagating`` writes it plain, else None."""
    if not (isinstance(node, ast.IfExp) and isinstance(node.body, ast.Constant) and node.body.value is None
            and _path_step(node.orelse) and isinstance(node.test, ast.BoolOp) and isinstance(node.test.op, ast.Or)):
        return None
    value, key = node.orelse.value, node.orelse.slice.value
    return (value, key) if ast.dump(node.test) == ast.dump(_absent(value, key)) else None


class _Projecting(ast.NodeTransformer):
    def visit_IfExp(self, node):
        node = self.generic_visit(node)
        step = _plain_step(node)
        if step is None:
            return node
        value, key = step
        label = ast.Constant(value.id if isinstance(value, ast.Name) else "")
        return ast.Call(func=ast.Name(id=GET, ctx=ast.Load()), args=[value, label, ast.Constant(key)], keywords=[])


@functools.lru_cache(maxsize=1024)
def projected(source: str, mode: str = "eval") -> str | None:
    """``source`` (a translated FEEL expression, or a script of FEEL mappings) with each one-step path
    written plain (``unit.name``: a map's entry, Python's index) as a call of engine/feel_lists.feel_get,
    which maps a path over a list (``orders.price``, FEEL's projection) and says in Chinese why a path
    over a number or a text stops; None when it has no such path. The plain form is what runs (it is
    the common case, a map, and the host evaluates it without a helper); engine/evaluator runs this
    one only after the plain form stopped (Python's TypeError on a list)."""
    try:
        tree = ast.parse(source, mode=mode)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if not any(_plain_step(n) for n in ast.walk(tree)):
        return None
    python = ast.unparse(ast.fix_missing_locations(_Projecting().visit(tree)))
    comments = []  # the leading lines that say how to run it (absent-as-null, the FEEL as written)
    for line in source.split("\n"):
        if not line.startswith("#"):
            break
        comments.append(line)
    return "\n".join([*comments, python])


def null_propagating(python: str) -> str:
    """``python`` (an expression translated from FEEL) with FEEL's null rules; unchanged when it has
    no arithmetic, ordering comparison or ``not``."""
    tree = ast.parse(python, mode="eval")
    if not any(_propagates(n) or _membership(n) or _path_step(n) for n in ast.walk(tree)):
        return python
    return f"({ast.unparse(ast.fix_missing_locations(_NullPropagating().visit(tree)))})"
