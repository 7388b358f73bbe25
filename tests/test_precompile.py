"""Model code compiled before its first run (engine/precompile.py), and the per-text caches that hold it.

A deploy and ``Engine.warm`` compile and plan a model's scripts, conditions and IO mappings, so a
person's first completion after a deploy or a restart does no RestrictedPython work (it did 1.5–3 ms
of it). The caches are keyed by the code's text alone: what they hold is the same whichever case or
model version runs it, and nothing of one case's data is kept for the next. Public models as Camunda
Modeler draws them (tests/bpmn/interop), on a real SQLite file and a real PostgreSQL.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import Engine, date_calls, evaluator
from engine.clock import ManualClock
from tests.support import START, make_engine

INTEROP = Path(__file__).parent / "bpmn" / "interop"
LIST_MAP = INTEROP / "camunda7_list_map_parameters.bpmn"  # Camunda 7 camunda:list / camunda:map inputs
SHADOWING = INTEROP / "zeebe_io_shadowing.bpmn"  # Camunda 8 inputs shadowing a case variable
_CACHES = (evaluator._compiled, evaluator._plain_script, evaluator._helper_expression, date_calls.plan)


def _forget_compiled_code() -> None:
    """As a fresh process has it: nothing compiled yet."""
    for cache in _CACHES:
        cache.cache_clear()


def _compilations() -> int:
    """Texts compiled or planned so far (a cache miss is a compile)."""
    return sum(cache.cache_info().misses for cache in _CACHES)


def _open_task(engine, case_id: int):
    (task,) = engine.case(case_id).tasks
    return task


def test_first_completion_after_deploy_compiles_nothing(database_url):
    engine = make_engine(database_url)
    _forget_compiled_code()
    engine.deploy(LIST_MAP, by="boss")
    compiled = _compilations()
    assert compiled > 0
    case = engine.start("camunda7_list_map_parameters", by="zhang", org="east",
                        data={"extraItem": "粉尘涉爆", "unitName": "甲公司"})
    engine.complete(_open_task(engine, case.id).id, "zhang", {})
    assert _compilations() == compiled  # the start's pre-script and the completion's post-script were ready
    data = engine.case(case.id).data
    assert data["checklist"] == ["消防通道", "危化品储存", "粉尘涉爆"]
    assert data["unitRecord"] == {"name": "甲公司", "grade": "重点", "contacts": ["安全员", "负责人"]}
    engine.dispose()


def test_first_completion_after_a_restart_and_warm_compiles_nothing(database_url):
    engine = make_engine(database_url)
    engine.deploy(SHADOWING, by="boss")
    case = engine.start("zeebe_io_shadowing", by="boss", org="east", data={"deadline_days": 10})
    engine.dispose()
    _forget_compiled_code()  # a new process
    restarted = Engine(database_url, clock=ManualClock(START))
    restarted.warm()
    compiled = _compilations()
    restarted.complete(_open_task(restarted, case.id).id, "boss", {})
    assert _compilations() == compiled
    data = restarted.case(case.id).data
    assert data["deadline_days"] == 10 and data["extended_days"] == 25 and "review_mode" not in data
    restarted.dispose()


def test_a_cached_mapping_keeps_each_cases_data_its_own(database_url):
    """Two cases run the same compiled mapping in turns: a case without ``deadline_days`` gets none
    of the other's — its input reads as FEEL's null, and the shadowed variable stays absent."""
    engine = make_engine(database_url)
    engine.deploy(SHADOWING, by="boss")
    engine.warm()
    with_days = engine.start("zeebe_io_shadowing", by="boss", org="east", data={"deadline_days": 10})
    without = engine.start("zeebe_io_shadowing", by="boss", org="east", data={})
    engine.complete(_open_task(engine, with_days.id).id, "boss", {})
    engine.complete(_open_task(engine, without.id).id, "boss", {})
    first, second = engine.case(with_days.id).data, engine.case(without.id).data
    assert first["deadline_days"] == 10 and first["extended_days"] == 25
    assert "deadline_days" not in second and second["extended_days"] is None
    assert "review_mode" not in first and "review_mode" not in second
    engine.dispose()


@pytest.mark.parametrize("warm", [False, True])
def test_each_model_version_runs_its_own_compiled_code(database_url, warm):
    """Version 2 differs from version 1 in one word of a mapping (the same length of text): a case of
    version 1 still maps 重点 after version 2 is deployed and compiled, a case of version 2 maps 一般."""
    engine = make_engine(database_url)
    first_text = LIST_MAP.read_text(encoding="utf-8")
    second_text = first_text.replace('key="grade">重点<', 'key="grade">一般<')
    assert second_text != first_text
    engine.deploy(first_text, by="boss", filename="camunda7_list_map_parameters.bpmn")
    old = engine.start("camunda7_list_map_parameters", by="zhang", org="east",
                       data={"extraItem": "有限空间", "unitName": "乙公司"})
    engine.deploy(second_text, by="boss", filename="camunda7_list_map_parameters.bpmn")
    if warm:
        engine.warm()
    new = engine.start("camunda7_list_map_parameters", by="zhang", org="east",
                       data={"extraItem": "有限空间", "unitName": "丙公司"})
    engine.complete(_open_task(engine, new.id).id, "zhang", {})
    engine.complete(_open_task(engine, old.id).id, "zhang", {})
    assert engine.case(old.id).data["unitRecord"] == {"name": "乙公司", "grade": "重点", "contacts": ["安全员", "负责人"]}
    assert engine.case(new.id).data["unitRecord"] == {"name": "丙公司", "grade": "一般", "contacts": ["安全员", "负责人"]}
    engine.dispose()


def test_code_the_check_refuses_is_not_prepared():
    assert evaluator.prepare("__import__('os').system('id')", "eval") is False
    assert evaluator.prepare("x = (", "exec") is False
    assert evaluator.prepare("approved == True", "eval") is True
