"""What the script environment's shortcuts keep (engine/evaluator.py, engine/restricted.py).

A plain script run in the host gives the worker's case data whether it kept its inputs as they came
or changed them in place through another name (tests/test_plain_scripts.py's differential). A value that cannot be case data is still named by its whole path though ``encode`` writes the path
only for the value at fault; case data named like one of the environment's functions is still refused
with SpiffWorkflow's message though the check no longer builds a set of every global per script; a
FEEL-translated expression's absent-as-null names are read once per text and still hold per text.
"""
from __future__ import annotations

import datetime as dt
import decimal

import pytest

from engine import ManualClock, restricted
from engine.restricted import NotSerializable
from engine.scripting import DubanScriptEngine
from tests.support import START
from tests.test_plain_scripts import check_both_ways, contexts, outcome
from workflows.functions import FUNCTIONS


@pytest.fixture(scope="module")
def env():
    return DubanScriptEngine(ManualClock(START), dict(FUNCTIONS)).environment


# An input a plain script left as it came is not encoded again (evaluator._run_plain_script ``kept``),
# unless a statement that may change a value in place ran, through whichever name holds it.
KEPT = [
    "y = x\ny[\"k\"] = 1",
    "y = x\ny += [1]",
    "try:\n    y = x\n    y[0] = 1\n    z = 1 / 0\nexcept Exception:\n    pass",
    "x = x\na = x",
    "a = x\nb = len(x)",
    "a = {\"单位\": [1, {2: 3}]}",
]


@pytest.mark.parametrize("script", KEPT)
def test_inputs_a_plain_script_kept_or_changed_reach_the_case_as_the_workers(env, script):
    assert restricted.plain_script(script) is not None
    in_host = sum(check_both_ways(env, script, context) for context in contexts(script, 2000 + KEPT.index(script)))
    assert in_host > 0 or "{2: 3}" in script  # that one is an error both ways (a key that is not text)


@pytest.mark.parametrize("value, path, kind", [
    ({"单位": [1, {2: 3}]}, "登记.单位[1]", "字典，其键「2」不是文字"),  # the dict whose key is no text
    ([["甲"], ["乙", {"期限": object()}]], "登记[1][1].期限", "「object」类型的值"),
    ({"罚款": 10 ** 400}, "登记.罚款", "超出范围的整数（绝对值须在 10 的 300 次方以内）"),
    ((1, 2, {3}), "登记[2]", "集合"),
    ([1, 2, 3, [4, 5, [6, 7, 8, {"a": 1, "b": {9}}]]], "登记[3][2][3].b", "集合"),
])
def test_a_value_that_cannot_be_case_data_is_named_by_its_whole_path(value, path, kind):
    with pytest.raises(NotSerializable) as err:
        restricted.encode(value, "登记")
    assert err.value.path == path
    assert f"变量「{path}」的值是{kind}，不能保存为案件数据" in str(err.value)


def test_what_can_be_case_data_is_encoded_as_before():
    stamp = dt.datetime(2026, 12, 6, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    value = {"清单": ("消防通道", 2, 2.5, None, True), "$duban": 1, "日期": dt.date(2026, 12, 1), "时刻": stamp,
             "期限": dt.timedelta(days=15), "罚款": decimal.Decimal("1.50")}
    encoded = restricted.encode(value, "登记")
    assert encoded == {"$duban": "dict", "v": {
        "清单": ["消防通道", 2, 2.5, None, True], "$duban": 1, "日期": {"$duban": "date", "v": "2026-12-01"},
        "时刻": {"$duban": "datetime", "v": "2026-12-06T09:30:00+08:00"},
        "期限": {"$duban": "timedelta", "v": [15, 0, 0]}, "罚款": {"$duban": "decimal", "v": "1.50"}}}
    assert restricted.decode(encoded) == {**value, "清单": list(value["清单"])}


def test_case_data_named_like_a_function_of_the_environment_is_the_scripts_variable(env):
    """As a variable shadows a global in Python, and as a Camunda form's field 「date」 is read by
    ${date}: the script runs (SpiffWorkflow refused every script of such a case); data handed in under
    such a name is refused where it comes in (tests/test_function_named_data_s23.py)."""
    data = {"now": "上午", "结论": 0}
    assert env.execute("结论 = now", data) is True and data["结论"] == "上午"
    assert env.execute("结论 = 1", data) is True and data["结论"] == 1
    with pytest.raises(ValueError, match="检查日"):
        env.execute("结论 = 1", {"检查日": "周一"}, {"检查日": "周二"})
    data = {"结论": 0, "备注": "无"}
    assert env.execute("结论 = 1", data, {"另一个": 1}) is True and data == {"结论": 1, "备注": "无"}


def test_absent_as_null_names_hold_per_text(env):
    """Two FEEL-translated expressions that differ only in the names their first line reads as null:
    each reads its own (a cache keyed on less than the text would give one the other's)."""
    first = "# absent-as-null: 期限\n(None if 期限 is None else 期限 > 30)"
    second = "# absent-as-null: 天数\n(None if 期限 is None else 期限 > 30)"
    assert env.evaluate(first, {}) is None
    with pytest.raises(NameError):
        env.evaluate(second, {})
    assert env.evaluate(first, {"期限": 31}) is True


READS = ['passed  # yes-or-no', 'approver', '"A类（重点监管）"', "'一般'", '30', '2.5', 'True', 'None', '缺失的变量',
         'date', 'now', 'int', 'str', 'loopCounter', '# absent-as-null: approved\napproved',
         '# absent-as-null: approved\n"固定"', '(passed)', 'x', '10000000000000000000000']
CONTEXTS = [{}, {"passed": True, "approver": "li", "x": [1, {"k": "v"}]}, {"passed": "true", "x": (1, 2)},
            {"date": "2026-12-01", "int": 5, "str": "文字", "now": "上午"}, {"approved": None, "x": None}]


def _answer(env, expression, context, external):
    try:
        return "ok", env.evaluate(expression, context, external)
    except Exception as exc:  # noqa: BLE001 — the error itself is compared
        return "error", f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("expression", READS)
def test_a_literal_or_a_name_is_read_as_eval_reads_it(env, expression):
    """``_literal_or_name``: the same value — the very object for a variable — or the same error as the
    evaluation it skips, with and without an external context (a DMN cell's, a loop's counter)."""
    for context in CONTEXTS:
        for external in (None, {}, {"loopCounter": 2, "approver": "wang"}):
            env.read_shortcut = True
            fast = _answer(env, expression, context, external)
            env.read_shortcut = False
            slow = _answer(env, expression, context, external)
            env.read_shortcut = True
            assert fast == slow, (expression, context, external)
            assert type(fast[1]) is type(slow[1])
            if fast[0] == "ok" and isinstance(fast[1], (list, tuple, dict)):
                assert fast[1] is slow[1]  # the case's own value, as eval gives it


def test_what_is_read_without_eval():
    from engine.evaluator import _literal_or_name
    assert _literal_or_name('passed  # yes-or-no') == (None, "passed")
    assert _literal_or_name('"A类（重点监管）"') == ("A类（重点监管）", None)
    assert _literal_or_name("30") == (30, None) and _literal_or_name("None") == (None, None)
    for other in ("-1", "x.y", "int", "x == 1", "b'x'", "[1]", "x[0]"):
        assert _literal_or_name(other) is None, other


# Scripts of assignments only, run without exec (evaluator._assignments): what the worker gives, and
# what the usual host run gives, whatever the case holds (every value of tests/test_plain_scripts).
ASSIGNMENTS = ["category = category", "# absent-as-null: approved\nextension_approved = approved",
               "conclusion = \"合格\"", "a = x\nb = a\nx = 1", "x = x\ny = x", "a = 缺失", "a = date",
               "datetime = x", "now = x", "a = None\nb = True\nc = 2.5\nd = 10000000000000000000000",
               "x = 1\nx = x", "a = x\na = \"空\"", "a = loopCounter"]


@pytest.mark.parametrize("script", ASSIGNMENTS)
def test_a_script_of_assignments_gives_the_workers_case_data(env, script):
    from engine.evaluator import _assignments
    assert restricted.plain_script(script) is not None and _assignments(script) is not None
    for context in contexts(script, 3000 + ASSIGNMENTS.index(script)):
        for external in (None, {"loopCounter": 1}):
            check_both_ways(env, script, context, external)
            env.assign_shortcut = False
            slow = outcome(env, script, context, True, external)[0]
            env.assign_shortcut = True
            assert outcome(env, script, context, True, external)[0] == slow, (script, context, external)


def test_a_mapping_of_a_large_value_goes_the_usual_way_past_the_bound(env):
    big = ["隐患"] * (restricted.PLAIN_SCRIPT_STEPS + 10)
    before = env.evaluations["worker"]
    data = {"清单": big}
    env.execute("副本 = 清单", data)
    assert data["副本"] == big and env.evaluations["worker"] == before + 1
