"""The host fast path for date-helper calls (engine/date_calls.py).

A hostile or merely unusual expression is never taken by the fast path (it goes to the sandbox or
is refused as before); every expression it does take gives the sandbox's own result — the same
value, type and time zone — which a hypothesis property test checks against a real worker.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import ManualClock, date_calls
from engine.evaluator import ModelCodeError
from engine.restricted import ModelCodeRefused
from engine.scripting import DubanScriptEngine
from tests.support import START, deploy, make_engine
from workflows.functions import FUNCTIONS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def env():
    """The script environment the engine uses, with the domain functions of workflows/."""
    return DubanScriptEngine(ManualClock(START), dict(FUNCTIONS)).environment


def both_ways(env, expression: str, context: dict):
    """(fast path's outcome, sandbox's outcome): ("ok", repr of the value) or ("error", type, text)."""
    outcomes = []
    for fast in (True, False):
        env.date_calls = fast
        try:
            value = env.evaluate(expression, dict(context))
        except Exception as exc:  # noqa: BLE001 — the error itself is compared
            outcomes.append(("error", type(exc).__name__, str(exc)))
        else:
            outcomes.append(("ok", type(value).__name__, repr(value)))
    env.date_calls = True
    return outcomes


HOSTILE = [
    "now().__class__",
    "days_after(now().__class__, 1)",
    "deadline_at(report_due.__class__.__mro__)",
    "deadline_at(__import__('os'))",
    "deadline_at(__builtins__)",
    "deadline_at(_private)",
    "deadline_at((lambda: report_due)())",
    "(lambda: now())()",
    "deadline_at([d for d in report_due])",
    "deadline_at({d for d in report_due})",
    "deadline_at({k: 1 for k in report_due})",
    "deadline_at(d for d in report_due)",
    "days_after(now(), 2 ** 10 ** 10)",
    "days_after(now(), 9 ** 9 ** 9)",
    "days_after(now(), 10 ** 100)",
    "days_after(now(), 1" + "0" * 400 + ")",
    "deadline_at('x' * 10 ** 9)",
    "deadline_at('" + "x" * 5000 + "')",
    "deadline_at(*report_due)",
    "deadline_at(**report_due)",
    "deadline_at(report_due[0])",
    "deadline_at(f'{report_due}')",
    "deadline_at(now)",
    "deadline_at(getattr(report_due, 'x'))",
    "getattr(now(), 'year')",
    "open('/etc/passwd')",
    "eval('now()')",
    "start_case('x')",
    "print(report_due)",
    "local_rule('hazard.progress_report_days', report_due)",
    "deadline_at(report_due) if late else deadline_at(other_due)",
    "deadline_at(x := report_due)",
    "deadline_at(report_due, _x=1)",
    "deadline_at(b'2026-01-01')",
    "days_after(now(), 1j)",
    "days_after(now(), -True)",
    "days_after(now(), ...)",
    "deadline_at(report_due).upper()",
    "report_due.deadline_at()",
    "day_start(day_after(day_after(day_after(day_after(report_due, 1), 1), 1), 1))",
]


@pytest.mark.parametrize("expression", HOSTILE)
def test_a_hostile_or_unusual_expression_is_not_taken_by_the_fast_path(env, expression):
    assert date_calls.plan(expression) is None
    before = env.evaluations["date_call"]
    try:
        env.evaluate(expression, {"report_due": "2026-12-01", "other_due": "2026-12-02", "late": True})
    except Exception:  # noqa: BLE001 — refused, or failed in the sandbox: either way not here
        pass
    assert env.evaluations["date_call"] == before


def test_the_fast_path_runs_no_code_of_its_own():
    """Nothing accepted is compiled or eval'd: the plan is plain data the walker reads."""
    accepted = date_calls.plan("reminder_at(rectify_deadline, 3, now())")
    assert accepted == ("call", "reminder_at", (("name", "rectify_deadline"), ("const", 3),
                                                ("call", "now", (), ())), ())
    assert date_calls.plan("days_after(now(), -15)") == \
        ("call", "days_after", (("call", "now", (), ()), ("const", -15)), ())


def test_what_the_sandbox_refuses_is_still_refused(env):
    with pytest.raises(ModelCodeRefused):
        env.evaluate("deadline_at(__import__('os').system('true'))", {})
    with pytest.raises(ModelCodeRefused):
        env.evaluate("deadline_at(_private)", {"_private": "2026-12-01"})


def _model_expressions() -> list[str]:
    """Every timer and dueDate expression of the shipped models that the fast path takes."""
    found = set()
    for path in sorted((ROOT / "bpmn").glob("*.bpmn")):
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r'name="dueDate" value="([^"]+)"', text))
        found.update(re.findall(r"<bpmn:time(?:Date|Duration|Cycle)[^>]*>([^<]+)<", text))
    return sorted(e for e in found if date_calls.plan(e) is not None)


def test_the_models_date_expressions_are_taken_and_agree_with_the_sandbox(env):
    expressions = _model_expressions()
    assert len(expressions) >= 20  # deadline_at(...), reminder_at(..., now()), day_start(day_after(...))...
    for expression in expressions:
        names = {n for n in re.findall(r"[A-Za-z_]\w*", expression) if n not in date_calls.DATE_HELPERS}
        context = {n: "2026-12-15" for n in names}
        before = env.evaluations["date_call"]
        fast, sandbox = both_ways(env, expression, context)
        assert fast == sandbox, expression
        assert fast[0] == "ok" and env.evaluations["date_call"] == before + 1, expression


def test_a_failing_helper_gives_the_sandboxs_error(env):
    """The fast path never answers with an error of its own: a helper that raises goes to the worker."""
    fast, sandbox = both_ways(env, "deadline_at(report_due)", {"report_due": "not a day"})
    assert fast == sandbox and fast[0] == "error" and fast[1] == ModelCodeError.__name__
    fast, sandbox = both_ways(env, "deadline_at(missing)", {})
    assert fast == sandbox and fast[0] == "error"  # NameError, from the worker


def test_a_helper_shadowed_by_case_data_is_not_called(env):
    fast, sandbox = both_ways(env, "deadline_at(report_due)", {"deadline_at": "2026-01-01", "report_due": "2026-12-01"})
    assert fast == sandbox and fast[0] == "error"


# --- the property: every accepted form gives the sandbox's result ----------------------------------

_zones = st.sampled_from([timezone.utc, ZoneInfo("Asia/Shanghai"), timezone(timedelta(hours=-5))])
_moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31), timezones=_zones)
_days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
_moment_like = st.one_of(_moments, _days, _moments.map(lambda m: m.isoformat()), _days.map(lambda d: d.isoformat()))
_odd = st.sampled_from(["", "明天", "2026-02-30", None, True, 3, [1], {"k": "v"}])
_CONTEXT = ("a", "b", "n")  # a, b: moments or days (sometimes odd values); n: a count
# What each helper takes: "m" a moment or day, "n" a count, "x" anything.
_SIGNATURES = {"now": "", "today": "", "days_after": "mn", "workdays_after": "mn", "workdays_before": "mn",
               "workdays_between": "mm", "parse_datetime": "m", "deadline_at": "m", "day_start": "m", "day_after": "mn",
               "workday_after": "mn", "reminder_at": "mnm", "hours_after": "mn", "months_after": "mn",
               "days_between": "mm", "iso_day": "m", "is_past": "mm", "every_days": "n"}
_MOMENT_HELPERS = sorted(h for h in _SIGNATURES if h not in ("workdays_between", "days_between", "is_past", "every_days"))
assert set(_SIGNATURES) == date_calls.DATE_HELPERS


def _moment_argument(depth: int):
    leaves = st.one_of(st.sampled_from(["a", "b", "now()", "today()"]), _days.map(lambda d: repr(d.isoformat())),
                       _moments.map(lambda m: repr(m.isoformat())))
    return leaves if depth == 0 else st.one_of(leaves, _typed_call(depth - 1, _MOMENT_HELPERS))


def _count_argument():
    return st.one_of(st.just("n"), st.integers(-40, 40).map(str))


def _typed_call(depth: int, helpers=None):
    def arguments(helper):
        kinds = [_moment_argument(depth) if k == "m" else _count_argument() for k in _SIGNATURES[helper]]
        return st.tuples(*kinds).map(lambda args: f"{helper}({', '.join(args)})")
    return st.sampled_from(helpers or sorted(_SIGNATURES)).flatmap(arguments)


def _any_call(depth: int):
    """Any helper on any arguments: wrong counts and types too (the errors must agree as well)."""
    leaves = st.one_of(st.sampled_from(_CONTEXT + ("now()", "today()")), st.integers(-40, 40).map(str),
                       _days.map(lambda d: repr(d.isoformat())))
    argument = leaves if depth == 0 else st.one_of(leaves, _any_call(depth - 1))
    return st.tuples(st.sampled_from(sorted(_SIGNATURES)), st.lists(argument, max_size=3)) \
        .map(lambda h: f"{h[0]}({', '.join(h[1])})")


_contexts = st.fixed_dictionaries({"a": _moment_like, "b": st.one_of(_moment_like, _odd), "n": st.integers(-40, 40)})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=_typed_call(2), context=_contexts)
def test_every_accepted_form_gives_the_sandboxs_result(env, expression, context):
    assert date_calls.plan(expression) is not None
    fast, sandbox = both_ways(env, expression, context)
    assert fast == sandbox


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=_any_call(2), context=_contexts)
def test_ill_formed_calls_give_the_sandboxs_result_or_error(env, expression, context):
    assert date_calls.plan(expression) is not None
    fast, sandbox = both_ways(env, expression, context)
    assert fast == sandbox


def test_the_property_exercises_the_fast_path(env):
    """Most well-formed examples are answered in the host (else the property would prove little)."""
    answered = []

    @settings(max_examples=60, deadline=None, database=None)
    @given(expression=_typed_call(1), context=_contexts)
    def run(expression, context):
        before = env.evaluations["date_call"]
        try:
            env.evaluate(expression, context)
        except Exception:  # noqa: BLE001
            pass
        answered.append(env.evaluations["date_call"] > before)

    run()
    assert sum(answered) >= len(answered) // 2


def test_the_bench_models_due_date_needs_no_worker(sqlite_url):
    """``days_after(now(), 15)`` — the dueDate of the timer bench's model — is answered in the host,
    and the task's deadline is what the sandbox gave before: 15 days after the timer fired."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    deploy(e, "timers_misc.bpmn")
    case = e.start("wait_then_work", by="zhang", org="east")
    fired_at = START + timedelta(days=2, seconds=1)
    e.clock.set(fired_at)
    counts = e.script_engine.environment.evaluations
    before = dict(counts)
    assert e.run_due_timers() == 1
    assert counts["worker"] == before["worker"] and counts["date_call"] == before["date_call"] + 1
    [task] = e.case(case.id).tasks
    assert task.due_at == fired_at + timedelta(days=15)
    e.dispose()
