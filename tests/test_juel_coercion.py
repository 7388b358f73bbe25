"""JUEL's comparisons and arithmetic over text, null and the empty text coerce as EL does (EL 2.2
§1.7.1, §1.8.1; Camunda 7's and Flowable's JUEL: ``BooleanOperations``, ``NumberOperations``,
``TypeConverterImpl``), and ``a ? b : c`` is JUEL's choice (engine/expressions._juel_coercions,
engine/juel_operators.py), on a real SQLite file and real PostgreSQL with a model drawn as Camunda
Modeler 5 saves it (tests/bpmn/interop/camunda7_fine_text_amount.bpmn: a 罚款金额 form field of type
string, 5万元以上 is a 较大数额罚款 whose 听证 right is told, 《安全生产违法行为行政处罚办法》第三十三条).

Before: ``${fineAmount lt 50000}`` over null raised Python's TypeError (an incident) where EL is
false and the gateway takes its default; over the empty text float('') raised where EL reads 0;
``${fineAmount * 3 / 100}`` over the text 「5000」 was 「500050005000」/100 (TypeError) where EL
gives 150.0; ``a ? b : c`` was refused at deploy.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import IncidentRaised
from tests.interop_support import user_for
from tests.support import make_engine

MODEL = (Path(__file__).parent / "bpmn" / "interop" / "camunda7_fine_text_amount.bpmn").read_text(encoding="utf-8")
KEY = "camunda7_fine_text_amount"


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.deploy(MODEL, by="boss", filename=f"{KEY}.bpmn")
    yield eng
    eng.dispose()


def draft(engine, amount):
    case = engine.start(KEY, by="zhang", org="east", data={})
    (task,) = engine.case(case.id).tasks
    engine.complete(task.id, user_for(engine, task), {"fineAmount": amount})
    return engine.case(case.id)


@pytest.mark.parametrize("amount, opened, kind, fee", [
    ("60000", ["告知\n听证权利"], "听证权利告知", 1800.0),   # text read as the Long it spells
    ("50000", ["告知\n听证权利"], "听证权利告知", 1500.0),
    ("5000", ["送达\n处罚告知书"], "一般告知", 150.0),
    (5000.5, ["送达\n处罚告知书"], "一般告知", 150.015),   # a number compares as a Double
    (None, ["补正\n罚款金额"], "一般告知", 0.0),            # null: both conditions false, the default flow
    ("", ["送达\n处罚告知书"], "一般告知", 0.0),            # EL reads the empty text as 0
])
def test_a_fine_typed_as_text_takes_the_branch_camunda_takes(engine, amount, opened, kind, fee):
    case = draft(engine, amount)
    assert [t.name for t in case.tasks] == opened
    assert (case.data["noticeKind"], case.data["dailyLateFee"]) == (kind, fee)


@pytest.mark.parametrize("amount, said", [
    ("五万", "不是数字"),
    ("50000.5", "不是整数"),   # against a whole number EL reads text with Long.valueOf: it stops too
])
def test_text_that_is_no_whole_number_stops_in_chinese_naming_the_data(engine, amount, said):
    case = engine.start(KEY, by="zhang", org="east", data={})
    (task,) = engine.case(case.id).tasks
    with pytest.raises(IncidentRaised) as raised:
        engine.complete(task.id, user_for(engine, task), {"fineAmount": amount})
    message = raised.value.message
    assert "fineAmount" in message and amount in message and said in message, message
    said_first = message.split(" — ")[0]  # what the page shows; the technical text follows for the designer
    assert "Error" not in said_first and "invalid literal" not in said_first
    assert [t.name for t in engine.case(case.id).tasks] == [task.name]  # nothing lost


# --- the inline translation against engine/juel_operators.compare, EL's rules written out ----------

VALUES = [None, "", "5000", "999", "-3", "+12", "5000.5", "1e3", "abc", "5,000", 5000, 999, 0, -2, 999.5, 1000.0,
          " 5000", "5_000", "５０００", "５０００.５", True, False]


def _run(python: str, value):
    from engine.juel_methods import JuelMethodError
    from engine.juel_operators import coerce
    try:
        return eval(python, {"__builtins__": {"int": int, "float": float, "str": str}, "duban_el_coerce": coerce},  # noqa: S307
                    {"x": value})
    except (ValueError, TypeError, JuelMethodError):
        return "stops"


def _reference(value, operator, literal):
    from engine.juel_methods import JuelMethodError
    from engine.juel_operators import compare
    try:
        return compare(value, operator, literal)
    except JuelMethodError:
        return "stops"


@pytest.mark.parametrize("operator, word", [("<", "lt"), (">", "gt"), ("<=", "le"), (">=", "ge")])
@pytest.mark.parametrize("literal", [1000, 1.5, -5])
def test_a_comparison_with_a_number_written_out_answers_as_el(operator, word, literal):
    from engine.expressions import translate
    for spelled in (f"${{x {operator} {literal}}}", f"${{x {word} {literal}}}"):
        python = translate(spelled)
        for value in VALUES:
            assert _run(python, value) == _reference(value, operator, literal), (spelled, value)
    mirrored = translate(f"${{{literal} {operator} x}}")
    flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}[operator]
    for value in VALUES:
        assert _run(mirrored, value) == _reference(value, flipped, literal), (mirrored, value)


@pytest.mark.parametrize("left, operator, right, value", [
    ("5000", ">", 1000, True),        # text against a Long: as Longs
    ("900", ">", "1000", True),       # text against text: character by character, as EL
    (900, ">", "1000", False),
    (None, ">", 5, False),            # null: false
    (None, ">=", None, True),         # the same value: <= and >= true
    (None, "<", None, False),
    ("", "<", 1, True),               # the empty text is 0
    ("1.5", ">", 1, "stops"),         # Long.valueOf("1.5") stops
    ("1.5", ">", 1.0, True),          # against a Double: Double.valueOf
    (" 2.5 ", ">", 1.0, True),        # Double.valueOf trims
    ("abc", ">", 1, "stops"),
    (True, ">", 0, "stops"),          # a yes/no is no number to EL
    (False, "<", True, True),         # two yes/no: false before true
    ([1], ">", 0, "stops"),
    ("9" * 19 + "0", ">", 1, "stops"),   # past Long's range: Long.valueOf stops
    ("9" * 19 + "0", ">", 1.5, True),    # a Double takes it
    ("1" * 5_000, ">", 1.5, True),       # Infinity, as Double.valueOf gives it
])
def test_the_reference_coerces_as_el(left, operator, right, value):
    assert _reference(left, operator, right) == value


@pytest.mark.parametrize("value, other", [("1" * 20_000 + "x", 1), ("1" * 20_000 + "x", 1.5), ("1" * 5_000, 1),
                                          ("." + "1" * 20_000 + "x", 1.5), ("1" * 20_000 + "e", 1.5)])
def test_long_text_is_refused_at_once_in_chinese(value, other):
    """Text a client sends as a number, too long to be one: the regular expressions must not backtrack
    (``\\d+\\.?\\d*`` took 27 s on 20,000 digits and an x) and int() must not raise Python's
    "Exceeds the limit" in English."""
    import time

    from engine.juel_methods import JuelMethodError
    from engine.juel_operators import compare
    started = time.perf_counter()
    with pytest.raises(JuelMethodError):
        compare(value, ">", other)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("juel, data, value", [
    ("${amount > limit}", {"amount": "5000", "limit": 1000}, True),
    ("${amount > limit}", {"amount": None, "limit": 1000}, False),
    ("${amount gt limit}", {"amount": "900", "limit": "1000"}, True),
    ("${fine + 1000}", {"fine": None}, 1000),
    ("${fine + 1000}", {"fine": "2000"}, 3000),
    ("${fine + 1000}", {"fine": "2000.5"}, 3000.5),
    ("${-fine}", {"fine": "20"}, -20),
    ("${rectified ? '已整改' : '未整改'}", {"rectified": "true"}, "已整改"),
    ("${rectified ? '已整改' : '未整改'}", {"rectified": None}, "未整改"),
    ("${days > 15 ? (urgent ? 1 : 2) : 3}", {"days": "20", "urgent": False}, 2),
    ("${level == 'major' ? 'x:y' : 'z'}", {"level": "major"}, "x:y"),
])
def test_the_translation_answers_as_juel_through_the_script_engine(juel, data, value):
    from engine.clock import SystemClock
    from engine.expressions import translate
    from engine.scripting import DubanScriptEngine
    environment = DubanScriptEngine(SystemClock()).environment
    assert environment.evaluate(translate(juel), dict(data)) == value


def test_a_comparison_of_two_reads_over_text_that_is_no_number_stops_in_chinese():
    from engine.clock import SystemClock
    from engine.expressions import translate
    from engine.scripting import DubanScriptEngine
    environment = DubanScriptEngine(SystemClock()).environment
    with pytest.raises(Exception) as raised:
        environment.evaluate(translate("${amount > limit}"), {"amount": "五千", "limit": 1000})
    assert "案件数据「amount」当作数字比较，但它的值「五千」不是数字" in str(raised.value)


@pytest.mark.parametrize("juel, reason", [
    ("${a ? : 2}", "「? :」写法不完整"),
    ("${a ? 1}", "不支持的写法"),
])
def test_an_incomplete_choice_is_refused_naming_it(juel, reason):
    from engine.expressions import Untranslatable, translate
    with pytest.raises(Untranslatable) as refused:
        translate(juel)
    assert reason in str(refused.value)


def test_a_model_without_these_keeps_its_translation():
    """The common conditions translate as before (nothing on the completion path for them)."""
    from engine.expressions import translate
    assert translate("${approved == true}") == (
        "(approved in ('true', 'True', 'TRUE') if str(approved) == approved else approved if approved is True or "
        "approved is False or approved is None else duban_el_coerce(approved, 'boolean', 'approved')) == True")
    assert translate("${assignee}") == "assignee"
    assert translate("${nrOfCompletedInstances/nrOfInstances >= 0.5}") == "nrOfCompletedInstances / nrOfInstances >= 0.5"


ARITHMETIC_ONLY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    id="Defs_late_fee" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.20.0">
  <bpmn:process id="camunda7_late_fee_only" name="加处罚款核算" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Task_fine" name="登记罚款">
      <bpmn:extensionElements>
        <camunda:formData><camunda:formField id="fineAmount" label="罚款金额（元）" type="string" /></camunda:formData>
        <camunda:inputOutput>
          <camunda:outputParameter name="dailyLateFee">${fineAmount * 3 / 100}</camunda:outputParameter>
        </camunda:inputOutput>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="Task_serve" name="送达"><bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="End_1"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_fine" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_fine" targetRef="Task_serve" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_serve" targetRef="End_1" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize("amount", ["三千元", "5,000", "基准测试"])
def test_arithmetic_over_text_that_spells_no_number_stops_in_chinese_naming_the_data(engine, amount):
    """``${fineAmount * 3 / 100}`` in an output mapping alone (no comparison before it) over text that
    spells no number: EL stops (Long.valueOf); the incident says so naming the data, not Python's
    「invalid literal for int() with base 10」 first (found: probe 5 over probe 3's io model)."""
    engine.deploy(ARITHMETIC_ONLY, by="boss", filename="camunda7_late_fee_only.bpmn")
    case = engine.start("camunda7_late_fee_only", by="zhang", org="east", data={})
    (task,) = engine.case(case.id).tasks
    with pytest.raises(IncidentRaised) as raised:
        engine.complete(task.id, user_for(engine, task), {"fineAmount": amount})
    said_first = raised.value.message.split(" — ")[0]
    assert "「fineAmount」" in said_first and amount in said_first and "当作数字计算" in said_first, said_first
    assert "invalid literal" not in said_first and "Error" not in said_first
    assert [t.name for t in engine.case(case.id).tasks] == [task.name]  # nothing lost
