"""JUEL conditions on the evaluator's fast path (engine/evaluator.py ``_fast_expression``,
``_run_fast_expression``, ``_fast_helpers``).

A JUEL ``${amount > 1000}`` is translated into Python that may call engine/juel_operators' helpers
(``duban_el_coerce``, ``duban_el_compare``, ``duban_el_arithmetic``: EL's coercions, JUEL spec 1.18).
Over simple values the host evaluates it without encoding the inputs or crossing each call; only
those three functions, by name *and* identity, may be called so. Differential: every expression
gives the same value, or the same error (类型、中文信息), with the fast path on, with it off (the host
helper path) and in the worker. A helper outside the allow-list, a replacement registered under an
allow-listed name, and case data shadowing one never take the fast path.
"""
from __future__ import annotations

import decimal

import pytest

from engine import ManualClock, evaluator, expressions, juel_operators
from engine.evaluator import host_safe
from engine.scripting import DubanScriptEngine
from tests.support import START
from workflows.functions import FUNCTIONS

TEXTS = ["${amount > 1000}", "${approved == true}", "${decision == '同意'}", "${fineAmount * 3 / 100}",
         "${a == b}", "${a != b}", "${a < b}", "${amount % 7 == 1}", "${not approved}", "${a + b > 10}"]
VALUES = [0, 1500, -3, 2.5, "1500", "3.5", "abc", "同意", "true", "", True, False, None, [1], {"k": 1},
          decimal.Decimal("2.5"), 10 ** 7, "x" * 5000]


def _env():
    return DubanScriptEngine(ManualClock(START), dict(FUNCTIONS)).environment


def _answer(env, source: str, context: dict):
    try:
        return "ok", env.evaluate(source, dict(context))
    except Exception as exc:  # noqa: BLE001 — compared as the incident shows it
        return type(exc).__name__, str(exc)


def _context(text: str, value, other) -> dict:
    return {"amount": value, "approved": value, "decision": value, "fineAmount": value, "a": value, "b": other}


@pytest.mark.parametrize("text", TEXTS)
def test_fast_path_answers_as_the_helper_path_and_the_worker(text):
    source = expressions.translate(text, condition=True)
    fast, slow, worker = _env(), _env(), _env()
    worker.host_helpers = False
    saved = evaluator._fast_expression
    for value in VALUES:
        for other in (3, "3", None, 2.5, True):
            context = _context(text, value, other)
            got = _answer(fast, source, context)
            evaluator._fast_expression = lambda s: None  # the path before: the host helper path
            try:
                before = _answer(slow, source, context)
            finally:
                evaluator._fast_expression = saved
            assert got == before == _answer(worker, source, context), (text, value, other)


def test_plain_values_take_the_fast_path_without_calling_a_helper():
    env = _env()
    source = expressions.translate("${amount > 1000}", condition=True)
    assert evaluator._fast_expression(source) is not None
    before = dict(env.evaluations)
    assert env.evaluate(source, {"amount": 1500}) is True
    assert env.evaluations["host_call"] == before["host_call"] + 1
    assert env.evaluations["helper_call"] == before["helper_call"] and env.evaluations["worker"] == before["worker"]


def test_only_the_allow_listed_helpers_by_identity():
    assert evaluator._fast_helpers() == {juel_operators.COERCE_HELPER: juel_operators.coerce,
                                         juel_operators.HELPER: juel_operators.compare,
                                         juel_operators.ARITHMETIC_HELPER: juel_operators.arithmetic,
                                         juel_operators.STORED_HELPER: juel_operators.stored}  # a mapping's quotient
    env = _env()
    # host-safe helpers outside the list (the clock, the domain's) go the usual way
    for name, function in env.host_functions.items():
        if name not in evaluator._fast_helpers() and evaluator.is_host_safe(function):
            assert evaluator._fast_expression(f"{name}(amount) == 1") is None, name
            assert evaluator._fast_expression(f"{juel_operators.HELPER}(a, '==', {name}(a), 'a', '') ") is None, name


def test_a_replacement_under_an_allow_listed_name_is_called_not_the_listed_function():
    env = _env()
    env.host_functions[juel_operators.HELPER] = host_safe(lambda *args: "替换")
    env.globals[juel_operators.HELPER] = env.host_functions[juel_operators.HELPER]
    source = expressions.translate("${a == b}", condition=True)
    assert env.evaluate(source, {"a": 3, "b": 3}) == "替换"


def test_case_data_named_like_a_helper_is_not_the_helper():
    env = _env()
    source = expressions.translate("${a == b}", condition=True)
    before = dict(env.evaluations)
    with pytest.raises(Exception):  # noqa: B017,PT011 — the usual way's answer: data is not callable
        env.evaluate(source, {"a": 3, "b": 3, juel_operators.HELPER: 1})
    assert env.evaluations["host_call"] == before["host_call"]
