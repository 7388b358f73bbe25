"""FEEL's null in translated expressions (engine/feel_null.py): arithmetic and ordering comparisons
with null give null (DMN 1.3, 10.3.2), ``=`` and ``!=`` compare null as FEEL does, and the rewritten
condition stays a plain expression the host evaluates (no worker)."""
from __future__ import annotations

import pytest

from engine import restricted
from engine.expressions import translate
from engine.feel_null import null_propagating


def feel(text: str, **data):
    """A FEEL expression as the engine runs it: translated, with FEEL's null, evaluated over ``data``."""
    return eval(null_propagating(translate(text)), {"__builtins__": {}}, data)  # noqa: S307 — our own text


@pytest.mark.parametrize("text, data, value", [
    ("= 金额 > 5000000", {"金额": None}, None),
    ("= 金额 > 5000000", {"金额": 6000000}, True),
    ("= 金额 + 1", {"金额": None}, None),
    ("= (a + b) * 2 >= c", {"a": 1, "b": None, "c": 3}, None),
    ("= (a + b) * 2 >= c", {"a": 1, "b": 1, "c": 3}, True),
    ("= -a", {"a": None}, None),
    ("= not(approved)", {"approved": None}, None),
    ("= not(approved)", {"approved": False}, True),
    ("= score in [60..100]", {"score": None}, None),
    ("= score in [60..100]", {"score": 75}, True),
    ("= \"编号\" + 名称", {"名称": None}, None),
    ("= null + 1", {}, None),
    ("= 金额 = null", {"金额": None}, True),  # equality is defined on null: null = null is true
    ("= 金额 != 5", {"金额": None}, True),
    ("= if 金额 > 100 then 金额 - 100 else 0", {"金额": None}, 0),  # a null test is not true
    ("= if 金额 > 100 then 金额 - 100 else 0", {"金额": 150}, 50),
    ("= is defined(x) and x > 3", {"x": None}, False),
    ("= list contains([2, 3], x + 1)", {"x": None}, False),
    ("= list contains(hazards, \"动火作业\")", {"hazards": None}, None),  # a null list: null, not an error
    ("= list contains(hazards, \"动火作业\")", {"hazards": ["动火作业"]}, True),
])
def test_null_propagates_through_arithmetic_and_comparison(text, data, value):
    assert feel(text, **data) == value


def test_python_without_feel_is_left_alone():
    assert null_propagating("approved == True and kind in ['a', 'b']") == "approved == True and kind in ['a', 'b']"


def test_a_tree_of_operators_is_checked_once_on_its_values_so_the_text_grows_linearly():
    python = null_propagating(translate("= a + b + c + d + e > f"))
    assert python.replace("(", "").replace(")", "") == (
        "None if a is None or b is None or c is None or d is None or e is None or f is None else a + b + c + d + e > f")


@pytest.mark.parametrize("text", ["= 金额 > 5000000", "= a + b >= c", "= score in [60..100]", "= not(approved)"])
def test_the_null_checks_keep_a_condition_plain_so_the_host_evaluates_it(text):
    """engine/restricted.is_plain: a gateway condition is evaluated in the host, not in a worker
    process (a round trip per condition)."""
    assert restricted.is_plain(translate(text))
    assert restricted.is_plain(null_propagating(translate(text)))
