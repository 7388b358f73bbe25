"""What the weakest public models pay that is their own (模型自身的开销), made cheaper without changing
what they compute: session 23's work on tests/bpmn/interop's mappings and forms.

* A JUEL input/output mapping (输入输出参数) that calls only engine/juel_operators' helpers
  (``${fineAmount / installments}`` is ``duban_el_stored(duban_el_arith(...))``, Camunda 7's
  camunda7_installment_mapping) runs in the host with each helper called as the fast path of JUEL
  conditions calls it (engine/evaluator.py ``_fast_calls``, ``_FastCall``), not crossed to JSON and
  back per argument: the case gets the same values, the same errors (by zero: 分期金额 stopped naming
  the mapping), with the fast calls, without them and in the worker.
"""
from __future__ import annotations

import decimal
from pathlib import Path

import pytest
from lxml import etree

from engine import ManualClock, dialects, evaluator, juel_operators
from engine.evaluator import host_safe
from engine.scripting import DubanScriptEngine
from engine.validation import readable
from tests.support import START
from workflows.functions import FUNCTIONS

INTEROP = Path(__file__).parent / "bpmn" / "interop"


def _env():
    return DubanScriptEngine(ManualClock(START), dict(FUNCTIONS)).environment


def _post_scripts(model: str) -> list[str]:
    """The post-scripts engine/dialects.py writes for a model's mappings, as a deploy stores them."""
    root = dialects.normalize(etree.fromstring(readable((INTEROP / model).read_bytes()))).root
    return [el.text for el in root.iter(f"{dialects.S}postScript") if el.text]


def _run(env, script: str, context: dict):
    data = dict(context)
    try:
        env.execute(script, data)
    except Exception as exc:  # noqa: BLE001 — compared as the incident shows it
        return type(exc).__name__, str(exc)
    return "ok", data


# Mapping scripts as dialects.py writes them for JUEL parameters drawn in Camunda Modeler
SCRIPTS = [
    *_post_scripts("camunda7_installment_mapping.bpmn"),
    *_post_scripts("camunda7_fine_text_amount.bpmn"),
    "perInstallment = duban_el_stored(duban_el_arith(fineAmount, '%', installments, 'fineAmount', 'installments'), "
    "'perInstallment', '输出参数', '${fineAmount % installments}')",
    "late = duban_el_arith(fineAmount, '*', 3, 'fineAmount', '')\n"
    "try:\n    big = duban_el_compare(fineAmount, '>', installments, 'fineAmount', 'installments')\n"
    "except Exception:\n    big = None",
]
VALUES = [0, 300000, -3, 2.5, "300000", "3.5", "三十万", "", True, None, [1], {"k": 1},
          decimal.Decimal("2.5"), 10 ** 7, "x" * 5000]


def test_the_models_mappings_call_only_the_allow_listed_helpers():
    env = _env()
    for script in SCRIPTS[:2]:
        plan = evaluator._plain_script(script)
        assert plan is not None and plan[1], script
        _code, names, _plain = evaluator.compiled(script, "exec")
        _data, functions = env._inputs(names, {"fineAmount": 1, "installments": 1, "perInstallment": 1}, None)
        assert env._fast_calls(plan[1], functions) is not None, script


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_juel_mapping_gives_the_same_with_fast_calls_without_and_in_the_worker(script, monkeypatch):
    fast, slow, worker = _env(), _env(), _env()
    worker.host_helpers = False
    for value in VALUES:
        for other in (6, "6", 0, None, 2.5, "abc"):
            context = {"fineAmount": value, "installments": other, "perInstallment": None, "case_no": "AJ-1"}
            got = _run(fast, script, context)
            with monkeypatch.context() as m:
                m.setattr(slow, "_fast_calls", lambda called, functions: None)  # the path before
                before = _run(slow, script, context)
            assert got == before == _run(worker, script, context), (script, value, other)


def test_plain_numbers_run_in_the_host_once_no_worker():
    env = _env()
    script = SCRIPTS[0]
    before = dict(env.evaluations)
    data = {"fineAmount": 300000, "installments": 6}
    env.execute(script, data)
    assert data["perInstallment"] == 50000
    assert env.evaluations["host_script"] == before["host_script"] + 1
    assert env.evaluations["worker"] == before["worker"]


def test_a_value_not_simple_runs_the_usual_way_with_the_same_answer():
    env = _env()
    data = {"fineAmount": 12 * 10 ** 6, "installments": 6}  # past date_calls.MAX_NUMBER: not simple
    env.execute(SCRIPTS[0], data)
    assert data["perInstallment"] == 2 * 10 ** 6
    assert env.evaluations["worker"] == 0 and env.evaluations["host_script"] == 1


def test_a_replacement_under_an_allow_listed_name_is_called_not_the_listed_function():
    env = _env()
    env.host_functions[juel_operators.ARITHMETIC_HELPER] = host_safe(lambda *args: "替换")
    env.globals[juel_operators.ARITHMETIC_HELPER] = env.host_functions[juel_operators.ARITHMETIC_HELPER]
    called, functions = evaluator._plain_script(SCRIPTS[3])[1], {
        name: env.host_functions[name] for name in evaluator._plain_script(SCRIPTS[3])[1]}
    assert env._fast_calls(called, functions) is None
    data = {"fineAmount": 5, "installments": 1}
    env.execute(SCRIPTS[3], data)
    assert data["late"] == "替换"


def test_case_data_named_like_a_helper_is_not_the_helper():
    env = _env()
    data = {"fineAmount": 5, "installments": 1, juel_operators.ARITHMETIC_HELPER: 1}
    assert _run(env, SCRIPTS[3], data)[0] != "ok"
    assert env.evaluations["helper_call"] == 0


# * A mapping that sets a variable to a list or dict as the task holds it (camunda7_list_map_parameters'
#   output ``checklist = checkItems``; a Zeebe ``target`` of a list) is sent back in the encoded form
#   the script received it in, not encoded again (it is still walked against the host's bound: past
#   it the worker answers, tests/test_script_environment_costs.py). Once a statement may change a list
#   or dict in place, every value is encoded as before.
ALIASES = [
    *_post_scripts("camunda7_list_map_parameters.bpmn"),
    "checklist, unitRecord = (checkItems, inspectedUnit)",
    "a = x\nb = a",
    "a, b = (x, x)",
    "a = x\nx = 1",
    "a = x\na['k'] = 2",
    "x['k'] = 1\na = x",
    "a = x\nx += [3]",
    "a = x\ndel x",
    "try:\n    a = x\n    b = 未定义\nexcept Exception:\n    b = x",
]


@pytest.mark.parametrize("script", ALIASES)
def test_a_list_or_dict_mapped_as_it_came_gives_the_workers_data(script):
    from tests.test_plain_scripts import check_both_ways, contexts

    env = _env()
    assert evaluator._plain_script(script) is not None, script
    in_host = 0
    for i, context in enumerate(contexts(script, 23)):
        for extra in ({}, {"checkItems": ["消防通道", "危化品储存", "二"], "inspectedUnit": {"name": "华东化工", "contacts": ["安全员"]},
                          "x": {"k": [1, {"m": "二"}]}}):
            in_host += check_both_ways(env, script, {**context, **extra})
    assert in_host > 0, script


def test_a_list_mapped_as_it_came_is_sent_back_as_received_not_encoded_again():
    env = _env()
    script = ALIASES[0]  # camunda7_list_map_parameters' post-script
    _code, names, _plain = evaluator.compiled(script, "exec")
    context = {"checkItems": ["消防通道", "危化品储存", "二"], "inspectedUnit": {"name": "华东化工", "contacts": ["安全员"]}}
    data, _functions = env._inputs(names, context, None)
    reply = env._run_plain_script(evaluator._plain_script(script)[0], data)
    assert reply["set"]["checklist"] is data["checkItems"] and reply["set"]["unitRecord"] is data["inspectedUnit"]
    assert sorted(reply["del"]) == ["checkItems", "inspectedUnit"]
    changed = env._run_plain_script(evaluator._plain_script("a = x\na['k'] = 2")[0], {"x": {"k": 1}})
    assert changed["set"] == {"a": {"k": 2}, "x": {"k": 2}}  # changed in place: encoded afresh
    data = dict(context)
    env.execute(script, data)
    assert data == {"checklist": context["checkItems"], "unitRecord": context["inspectedUnit"]}
    assert data["checklist"] is not context["checkItems"]  # the case's own copy, as from the worker
