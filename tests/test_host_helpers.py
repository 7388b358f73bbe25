"""Plain code calling host-safe helpers runs in the host (engine/evaluator.py ``host_safe``, ``_HostCall``;
restricted.helper_script / helper_expression).

``received_at = now().isoformat()``, ``repair_too_early = not is_past(day_start(allowed_from), now())``,
``jurisdiction_rank > level_rank(local_level) or take_over``, the timer ``every_days(local_rule(...))``:
in a worker each helper is a stub that calls the real helper back in the host over the pipe; here the
host calls the same helper on the same values (through the same encoding) without the pipe.
Differential: every such script and expression of the shipped and test models, run both ways on many
inputs (good dates, bad values, missing names), gives the same case data, value and error (类型、中文
信息、行号). Hostile or unusual forms, helpers that are not declared host-safe (start_case,
inspection_draw), helpers shadowed by case data and huge arguments still go to the worker; a helper
with side effects is called exactly once per run. Work is counted (``env.evaluations``), never timed.
"""
from __future__ import annotations

import ast
import datetime as dt
import random
import re
from pathlib import Path

import pytest
from lxml import etree

from engine import ManualClock, dialects, evaluator, restricted
from engine.evaluator import host_safe, is_host_safe
from engine.scripting import DubanScriptEngine
from engine.validation import readable
from tests.support import START, make_engine, open_task_id
from workflows.functions import FUNCTIONS, HOST_SAFE

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def env():
    """The script environment the engine uses, with the domain functions of workflows/."""
    return DubanScriptEngine(ManualClock(START), dict(FUNCTIONS)).environment


def _model_code() -> tuple[list[str], list[str]]:
    """(scripts, expressions) of tests/bpmn/**/*.bpmn and bpmn/*.bpmn, as the engine runs them (after
    the dialect translation), that call helpers and are otherwise plain."""
    scripts, expressions = set(), set()
    for path in sorted([*ROOT.glob("tests/bpmn/**/*.bpmn"), *ROOT.glob("bpmn/*.bpmn")]):
        root = dialects.normalize(etree.fromstring(readable(path.read_bytes()))).root  # as the deploy reads it
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            texts = [el.text or "", *el.attrib.values()]
            if el.tag.rsplit("}", 1)[-1] in ("script", "preScript", "postScript"):
                if restricted.helper_script(el.text or "") is not None:
                    scripts.add(el.text)
                texts = list(el.attrib.values())
            expressions.update(t.strip() for t in texts if t.strip() and restricted.helper_expression(t.strip()))
    return sorted(scripts), sorted(expressions)


MODEL_SCRIPTS, MODEL_EXPRESSIONS = _model_code()

VALUES = ["2026-12-15", "2026-12-04T09:30:00+08:00", "2026-02-30", "区级", "", None, 0, 5, 2, -3, True, False,
          [], [{"score": "7"}, {"score": 3}], {"due_date": "2026-12-20"}, {"k": "v"},
          dt.date(2026, 12, 1), dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
          "一律委托第三方评估", "市级", "道路交通"]


def _names(code: str, mode: str, env) -> list[str]:
    """The case data ``code`` reads: a builtin's name counts as data where the code reads it as a value
    and never calls it (a model's variable ``round`` in ``duban_el_text(round)``, which the case's
    data shadows)."""
    tree = ast.parse(code, mode=mode)
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    # ``except Exception``: the builtin class, never case data (a mapping's shadowed-inputs item that also
    # calls a helper, duban_el_coerce, would otherwise always meet data named Exception and go to the worker)
    caught = {n.type.id for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler) and isinstance(n.type, ast.Name)}
    return sorted(restricted.names_read(code, mode) - (set(restricted.SAFE_BUILTIN_NAMES) & called) - caught
                  - set(restricted.STANDARD_GLOBALS) - set(env.host_functions)) or ["x"]


def contexts(code: str, mode: str, env, seed: int) -> list[dict]:
    """Nothing at all (every name missing), each value for every name, then random mixes."""
    names = _names(code, mode, env)
    rng = random.Random(seed)
    return [{}] + [{n: v for n in names} for v in VALUES] + [{n: rng.choice(VALUES) for n in names} for _ in range(16)]


def _copy(context: dict) -> dict:
    return {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v) for k, v in context.items()}


def outcome(env, code: str, context: dict, host: bool, mode: str):
    """("ok", case data or value) or ("error", type, text, notes), with ``env.host_helpers`` = ``host``."""
    env.host_helpers = host
    data = _copy(context)
    try:
        if mode == "exec":
            env.execute(code, data)
            result = ("ok", repr(sorted(data.items(), key=lambda kv: kv[0])))
        else:
            value = env.evaluate(code, data)
            result = ("ok", type(value).__name__, repr(value))
    except Exception as exc:  # noqa: BLE001 — the error itself is compared
        result = ("error", type(exc).__name__, str(exc), getattr(exc, "__notes__", None))
    finally:
        env.host_helpers = True
    # FEEL's uuid() (engine/feel_functions.feel_uuid) is new on each call, in the host as in the worker
    return tuple(_UUID.sub("<uuid>", part) if isinstance(part, str) else part for part in result)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def both_ways(env, code: str, context: dict, mode: str = "exec"):
    """(host's outcome, worker's outcome, how the host answered: evaluations added)."""
    before = dict(env.evaluations)
    host = outcome(env, code, context, True, mode)
    counted = {k: env.evaluations[k] - before[k] for k in before}
    worker = outcome(env, code, context, False, mode)
    return host, worker, counted


def test_the_models_code_calling_helpers_is_found():
    assert len(MODEL_SCRIPTS) >= 25, MODEL_SCRIPTS  # now().isoformat(), day_after(...), four_nots_reasons(...)
    assert len(MODEL_EXPRESSIONS) >= 5, MODEL_EXPRESSIONS  # level_rank(...), every_days(local_rule(...))
    assert "repair_too_early = not is_past(day_start(repair_allowed_from), now())" in MODEL_SCRIPTS
    assert "every_days(local_rule('hazard.progress_report_days', listed_at))" in MODEL_EXPRESSIONS


@pytest.mark.parametrize("script", MODEL_SCRIPTS)
def test_every_model_script_calling_helpers_gives_the_workers_result(env, script):
    in_host = 0
    for context in contexts(script, "exec", env, seed=len(script)):
        host, worker, counted = both_ways(env, script, context)
        assert host == worker, (script, context)
        in_host += counted["worker"] == 0  # answered in the host (an error the script raises is not counted)
    calls_only_host_safe = all(is_host_safe(env.host_functions[n]) for n in restricted.helper_script(script)[1]
                               if n in env.host_functions)
    if calls_only_host_safe and restricted.helper_script(script)[1] <= set(env.host_functions):
        assert in_host >= 1, script  # answered in the host at least with good inputs
    else:
        assert in_host == 0, script  # start_case, inspection_draw, max(...): the worker's


@pytest.mark.parametrize("expression", MODEL_EXPRESSIONS)
def test_every_model_expression_calling_helpers_gives_the_workers_result(env, expression):
    in_host = 0
    for context in contexts(expression, "eval", env, seed=len(expression)):
        host, worker, counted = both_ways(env, expression, context, "eval")
        assert host == worker, (expression, context)
        in_host += counted["worker"] == 0
    called = restricted.helper_expression(expression)[1]
    if all(n in env.host_functions and is_host_safe(env.host_functions[n]) for n in called):
        assert in_host >= 1, expression
    else:
        assert in_host == 0, expression  # case_value(...): not declared host-safe


TRICKY = [
    "d = day_after(a, n)\ne = d + '日'",
    "d = now().isoformat()\nw = workday_after(d, n)",
    "t = today()\nn2 = days_between(a, t)",
    "try:\n    d = workday_after(a, n)\nexcept Exception:\n    d = '无'",
    "try:\n    d = day_after(a, n)\n    e = 1 / 0\nexcept Exception:\n    e = None",
    "try:\n    d = every_days(a)\nexcept Exception:\n    pass",
    "if is_past(a, now()):\n    late = True\nelse:\n    late = False",
    "if level_rank(a) > 1:\n    r = listing_org_level(n)",
    "d = months_after(a, n)\nprint('到期', d)",
    "x = review_total_of(a)\ng = review_grade_of(x)",
    "x = four_nots_reasons(a, None, a)",
    "x = four_nots_reasons(direct_cause=a, measures=n)",
    "x = day_after(a)",
    "x = day_after(a, n, n)",
    "x = day_after(a, days=n)",
    "x = day_after(start=a, days=n)",
    "x = day_after(a, n).isoformat()",
    "x = parse_datetime(a).isoformat()",
    "x = iso_day(a)\ndel a",
    "x = str(now())",
    "x = [now(), today()]",
    "x = {'at': now(), 'on': day_after(a, 1)}",
    "x = local_rule('hazard.plan_due_days', a) * 2",
    "x = local_rule('no.such_rule', a)",
    "x = tally(a, n)",
    "x = late_penalty_for(n, a, a)",
    "x = supplement_in_window(a, '火灾', now())",
    "x = day_after(未定义, 1)",
    "try:\n    x = day_after(未定义, 1)\nexcept Exception:\n    x = 0",
    "x = hours_after(a, 1.5)",
]
TRICKY_EXPRESSIONS = [
    "day_after(a, n)",
    "'2999-12-31T00:00:00+08:00' if n else deadline_at(a)",
    "deadline_at(a['due_date'])",
    "n > level_rank(a) or n",
    "every_days(local_rule('hazard.progress_report_days', a))",
    "now().isoformat()",
    "day_after(a, n) + 'x'",
    "review_total_of(a) * 2",
    "is_past(day_start(a), now())",
    "day_after(a, 1) if is_past(a, now()) else None",
]


@pytest.mark.parametrize("script", TRICKY)
def test_tricky_scripts_give_the_workers_result(env, script):
    in_host = 0
    for context in contexts(script, "exec", env, seed=len(script)):
        host, worker, counted = both_ways(env, script, context)
        assert host == worker, (script, context)
        in_host += counted["worker"] == 0  # answered in the host (an error the script raises is not counted)
    assert in_host >= 1, script


@pytest.mark.parametrize("expression", TRICKY_EXPRESSIONS)
def test_tricky_expressions_give_the_workers_result(env, expression):
    in_host = 0
    for context in contexts(expression, "eval", env, seed=len(expression)):
        host, worker, counted = both_ways(env, expression, context, "eval")
        assert host == worker, (expression, context)
        in_host += counted["worker"] == 0
    assert in_host >= 1, expression


def test_a_helpers_error_is_the_workers_also_inside_try(env):
    """A helper that raises: the worker's HostFunctionError (type, Chinese or Python text, line), and a
    ``try/except Exception`` around it runs its handler — answered in the host."""
    script = "a = 1\nd = workday_after(start, 5)"
    host, worker, counted = both_ways(env, script, {"start": "不是日期"})
    assert host == worker and host[0] == "error" and host[1] == "ModelCodeError" and counted["worker"] == 0
    assert counted["helper_call"] == 1
    assert host[2].startswith("HostFunctionError: ValueError") and "第 2 行" in host[2]
    script = "try:\n    d = workday_after(start, 5)\nexcept Exception:\n    d = '待定'"
    host, worker, counted = both_ways(env, script, {"start": "不是日期"})
    assert host == worker and "'待定'" in host[1] and counted["host_script"] == 1
    host, worker, counted = both_ways(env, "deadline_at(a) if n else reward_x", {"a": "不是日期", "n": 1}, "eval")
    assert host == worker and host[0] == "error" and counted["host_call"] == 1 and counted["worker"] == 0
    host, worker, counted = both_ways(env, "tipoff_reward('瞒报谎报事故', n)", {"n": 1}, "eval")
    assert host == worker and "瞒报谎报事故的奖励须确定事故等级" in host[2] and counted["host_call"] == 1


HOSTILE = [
    "x = now().__class__",
    "x = now().year",
    "x = now().isoformat(' ')",
    "x = now().astimezone()",
    "x = a.isoformat()",
    "x = str(a).isoformat()",
    "x = day_after.__name__",
    "x = now",
    "x = str(now)",
    "x = [now][0]()",
    "x = (lambda: now())()",
    "x = [now() for i in a]",
    "x = day_after(*a)",
    "x = day_after(**a)",
    "x = day_after(a, _n=1)",
    "x = max(a, now())",
    "x = range(3)",
    "x = datetime(2026, 1, 1)",
    "x = getattr(now(), 'year')",
    "x = start_case('tipoff_12350')",
    "x = day_after(a, 1)\ny = start_case('tipoff_12350')",
    "x = inspection_draw(a, a, a, a, a)",
    "x = case_value('a')",
    "x = day_after(a, 1)\nfor i in a:\n    pass",
    "x = day_after(a, 1).upper()",
    "x = now().isoformat().upper()",
    "x = _day(a)",
    "x = print(a)",
    "x = Exception(a)",
]


@pytest.mark.parametrize("script", HOSTILE)
def test_a_hostile_or_unusual_script_goes_to_the_worker(env, script):
    before = dict(env.evaluations)
    try:
        env.execute(script, {"a": "2026-12-15"})
    except Exception:  # noqa: BLE001 — refused, or the worker's error: either way not the host's
        pass
    assert env.evaluations["host_script"] == before["host_script"], script
    assert env.evaluations["helper_call"] == before["helper_call"], script


@pytest.mark.parametrize("expression", [s.partition(" = ")[2] for s in HOSTILE if "\n" not in s])
def test_a_hostile_or_unusual_expression_is_not_answered_by_calling_helpers(env, expression):
    before = dict(env.evaluations)
    try:
        env.evaluate(expression, {"a": "2026-12-15"})
    except Exception:  # noqa: BLE001
        pass
    assert env.evaluations["host_call"] == before["host_call"], expression
    assert env.evaluations["helper_call"] == before["helper_call"], expression


def test_a_helper_shadowed_by_case_data_or_given_a_huge_value_goes_to_the_worker(env):
    host, worker, counted = both_ways(env, "day_after(a, 1)", {"a": "2026-12-15", "day_after": 3}, "eval")
    assert host == worker and host[0] == "error" and counted["worker"] == 1 and counted["helper_call"] == 0
    host, worker, counted = both_ways(env, "level_rank(a)", {"a": "市级", "level_rank": 3}, "eval")
    assert host == worker and host[0] == "error" and counted["worker"] == 1 and counted["helper_call"] == 0
    host, worker, counted = both_ways(env, "level_rank(a)", {"a": "市级"}, "eval")
    assert host == worker and counted["worker"] == 0 and counted["helper_call"] == 1
    huge = ["2026-12-15"] * 40_000  # past date_calls.MAX_VALUE_BYTES of JSON: not passed by the host
    host, worker, counted = both_ways(env, "x = review_total_of(a)\ny = 1", {"a": huge})
    assert host == worker and counted["worker"] == 1 and counted["host_script"] == 0
    host, worker, counted = both_ways(env, "review_total_of(a)", {"a": huge}, "eval")
    assert host == worker and counted["worker"] == 1 and counted["host_call"] == 0


def test_a_run_passing_helpers_too_much_goes_to_the_worker(env):
    """All calls of a run together may pass helpers at most ``HELPER_BYTES`` and make ``HELPER_CALLS``
    calls: ``f(a, a, a, ...)`` would otherwise hold a decoded copy of ``a`` per argument at once."""
    rows = [{"score": 1}] * 15_000  # ~180 KB of JSON: within one value's bound, not six times
    script = "x = " + " + ".join(["review_total_of(a)"] * 6)
    host, worker, counted = both_ways(env, script, {"a": rows})
    assert host == worker and "90000" in host[1] and counted["worker"] == 1 and counted["host_script"] == 0
    assert counted["helper_call"] <= 5  # stopped at the budget, not after the statement
    host, worker, counted = both_ways(env, "x = review_total_of(a) + review_total_of(a)", {"a": rows[:500]})
    assert host == worker and counted["host_script"] == 1 and counted["helper_call"] == 2
    script = "\n".join([f"x{i} = level_rank(a)" for i in range(evaluator.HELPER_CALLS + 1)])
    host, worker, counted = both_ways(env, script, {"a": "市级"})
    assert host == worker and counted["worker"] == 1 and counted["host_script"] == 0
    assert counted["helper_call"] == evaluator.HELPER_CALLS
    # one statement of more calls than restricted.PLAIN_OPERATIONS is the worker's before any call
    script = "x = [" + ", ".join(["level_rank(a)"] * (evaluator.HELPER_CALLS + 1)) + "]"
    host, worker, counted = both_ways(env, script, {"a": "市级"})
    assert host == worker and counted["worker"] == 1 and counted["host_script"] == 0
    assert counted["helper_call"] == 0
    host, worker, counted = both_ways(env, "level_rank(a, " + ", ".join(["a"] * 100) + ")", {"a": rows}, "eval")
    assert host == worker and host[0] == "error" and counted["worker"] == 1 and counted["helper_call"] == 0


def test_only_declared_helpers_are_host_safe(env):
    assert not is_host_safe(FUNCTIONS["inspection_draw"]) and not is_host_safe(env.host_functions["start_case"])
    assert not is_host_safe(env.host_functions["require_roles"]) and not is_host_safe(env.host_functions["case_value"])
    assert "inspection_draw" not in HOST_SAFE
    assert all(is_host_safe(env.host_functions[n]) for n in ("now", "today", "workdays_after", "days_after",
                                                             "local_rule", "day_after", "level_rank"))


def test_a_side_effecting_helper_is_called_once_per_run_and_a_pure_one_may_be_called_again():
    calls = {"pure": 0, "effect": 0}

    def pure(value):
        calls["pure"] += 1
        return str(value) + "日"

    def effect(value):
        calls["effect"] += 1
        return value

    functions = {"pure": host_safe(pure), "effect": effect}
    env = DubanScriptEngine(ManualClock(START), functions).environment
    data: dict = {"a": 1}
    env.execute("x = pure(a)\ny = effect(x)", data)  # effect is not host-safe: the worker runs it all
    assert calls == {"pure": 1, "effect": 1} and data["y"] == "1日" and env.evaluations["host_script"] == 0
    env.execute("x = pure(a)\ny = pure(x)", data)
    assert calls["pure"] == 3 and env.evaluations["host_script"] == 1 and env.evaluations["worker"] == 1
    assert env.evaluations["helper_call"] == 2 and data["y"] == "1日日"
    # past the bound after a helper's call: the host gives up, the worker runs the script again
    env.execute("x = pure(a)\ny = [x] * 600000\nz = y + y", data)
    assert calls["pure"] == 5 and env.evaluations["worker"] == 2 and env.evaluations["host_script"] == 1
    assert calls["effect"] == 1


def test_a_helper_marked_after_the_fact_or_replaced_is_judged_by_its_mark():
    """The mark is on the function: a replacement under the same name is not host-safe unless marked."""
    env = DubanScriptEngine(ManualClock(START), dict(FUNCTIONS)).environment
    env.host_functions["day_after"] = lambda start, days: "替换"
    data: dict = {"a": "2026-12-15"}
    env.execute("x = day_after(a, 1)", data)
    assert data["x"] == "替换" and env.evaluations["worker"] == 1 and env.evaluations["host_script"] == 0
    env.host_functions["day_after"] = host_safe(lambda start, days: "替换")
    env.execute("y = day_after(a, 1)", data)
    assert data["y"] == "替换" and env.evaluations["worker"] == 1 and env.evaluations["host_script"] == 1


def test_a_process_calling_helpers_needs_no_worker(database_url, tmp_path):
    """Through the engine (SQLite and PostgreSQL): a script task and a timer that call helpers are answered
    in the host, with the values the worker gives."""
    bpmn = tmp_path / "helpers.bpmn"
    bpmn.write_text(_PROCESS, encoding="utf-8")
    results = []
    for host in (True, False):
        e = make_engine(database_url if host else f"sqlite:///{tmp_path}/worker.sqlite", functions=dict(FUNCTIONS))
        environment = e.script_engine.environment
        environment.host_helpers = host
        e.deploy(bpmn, by="boss")
        before = dict(environment.evaluations)
        case = e.start("helpers_in_host", by="zhang", org="east", data={"a": "2026-12-15", "n": 2})
        e.complete(open_task_id(e, case.id), "zhang", {})
        view = e.case(case.id)
        results.append({k: view.data.get(k) for k in ("received_at", "due", "late", "rank", "missing")})
        counted = {k: environment.evaluations[k] - before[k] for k in before}
        if host:
            assert counted["worker"] == 0 and counted["host_script"] >= 1, counted
        else:
            assert counted["host_script"] == 0 and counted["worker"] >= 1, counted
        e.dispose()
    assert results[0] == results[1] and results[0]["due"] == "2026-12-17"


_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="helpers_in_host" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute"/>
    <bpmn:scriptTask id="compute" name="计算期限">
      <bpmn:script>received_at = now().isoformat()
due = day_after(a, n)
late = not is_past(day_start(due), now())
rank = level_rank('市级') + n
try:
    missing = workday_after(not_there, 5)
except Exception:
    missing = '无'</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="review"/>
    <bpmn:userTask id="review" name="审核"/>
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
