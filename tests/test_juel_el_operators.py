"""JUEL's operators where EL stops or answers and Python answered otherwise (engine/juel_operators.py,
engine/expressions._juel_coercions), on a real SQLite file and real PostgreSQL with a model drawn as
Flowable's modeler 6.8 saves it (tests/bpmn/interop/flowable_installment_fine.bpmn: 罚款分期缴纳审批,
《中华人民共和国行政处罚法》第六十六条第二款; 每期超过 2 万元或审批层级 2 报局领导).

The vendor's answers, from EL 2.2 (JSR 245 maintenance release 2) and JUEL's ``BooleanOperations``,
``NumberOperations`` and ``TypeConverterImpl``, which Camunda 7 and Flowable run (Tomcat's
``ELSupport``/``ELArithmetic`` agree):

- §1.8.2 ``A == B``: a Long or a Double on either side coerces both to it, so ``${applyLevel == '2'}``
  holds for the number 2 (Long.valueOf("2")); 「2.0」 against a Long stops (Long.valueOf). Python's
  ``2 == '2'`` was False: the case went to 科室审批. A Boolean on either side coerces both to Boolean
  (Boolean.valueOf: 「同意」 is false).
- §1.7.2 ``A / B`` (``div``): both coerced to Double and divided as Java divides Doubles (JLS
  §15.17.2): 90000 / 0 is Infinity, so 每期超过2万元 holds; Python raised ZeroDivisionError (an incident
  in English). Text through Double.valueOf, blanks around it allowed.
- §1.7.3 ``A % B`` (``mod``): Longs unless a side is a Double or text with ``.``/``e``/``E``; Java's
  remainder keeps the dividend's sign (JLS §15.17.3): ``-7 % 3`` is -1 where Python's is 2; a Long
  modulo 0 stops (ArithmeticException), a Double modulo 0 is NaN.
- §1.7.1 ``+ - *``: text is the number it spells (Long.valueOf: 「 5000」 with a blank and 「5_000」
  stop, Python's int took both); a Boolean is no number (§1.18.3: coercing one stops; Python counted
  true as 1); text that spells none stops (``'张' + '三'``).
- §1.18.5 where a Boolean is wanted (``&&``, ``||``, ``!``, ``?:``): null and "" false, text by
  Boolean.valueOf, a number stops; ``${hardship && installments > 1}`` with hardship 1 sent by an API
  client went down 科室审批 on Python's truth.

Where EL stops, the case stops with an incident in Chinese naming the data, the task left open.
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from engine.errors import IncidentRaised
from tests.interop_support import user_for
from tests.support import make_engine

KEY = "flowable_installment_fine"
MODEL = (Path(__file__).parent / "bpmn" / "interop" / f"{KEY}.bpmn").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.deploy(MODEL, by="boss", filename=f"{KEY}.bpmn")
    yield eng
    eng.dispose()


def register(engine, form: dict, start: dict | None = None):
    """The case once 登记分期申请 is completed with ``form`` (``start``: what the intake system wrote)."""
    case = engine.start(KEY, by="zhang", org="east", data=dict(start or {}))
    (task,) = engine.case(case.id).tasks
    engine.complete(task.id, user_for(engine, task), form)
    return engine.case(case.id)


@pytest.mark.parametrize("form, start, opened", [
    # §1.8.2: the number 2 (a long field) equals the text '2' (Python: 2 != '2', so 科室审批)
    ({"fineAmount": "30000", "installments": 3, "applyLevel": 2}, {"hardship": True}, ["局领导审批"]),
    # §1.7.2: 90000 / 0 is Infinity, more than 20000 (Python: ZeroDivisionError, an incident)
    ({"fineAmount": "90000", "installments": 0, "applyLevel": 1}, {"hardship": False}, ["局领导审批"]),
    # Double.valueOf trims the blank a tired official typed before the amount
    ({"fineAmount": " 60000", "installments": 2, "applyLevel": 1}, {"hardship": False}, ["局领导审批"]),
    ({"fineAmount": "30000", "installments": 3, "applyLevel": 1}, {"hardship": True}, ["科室审批"]),
    ({"fineAmount": "30000", "installments": 3, "applyLevel": 1}, {"hardship": False}, ["告知一次缴纳"]),
    ({"fineAmount": "30000", "installments": 3, "applyLevel": 1}, {"hardship": None}, ["告知一次缴纳"]),  # null && …
])
def test_the_gateway_routes_as_flowable_does(engine, form, start, opened):
    assert [t.name for t in register(engine, form, start).tasks] == opened


@pytest.mark.parametrize("form, start, said", [
    # §1.18.5: a number where && wants a Boolean (Python: 1 is true, 科室审批)
    ({"fineAmount": "30000", "installments": 3, "applyLevel": 1}, {"hardship": 1},
     "案件数据「hardship」的值是数字 1，不是“是/否”"),
    # Double.valueOf refuses the comma of 「60,000」 and 「5,000,000」, typed by a tired official into the
    # text field 罚款金额 (the form layer leaves a text field's text as typed)
    ({"fineAmount": "60,000", "installments": 2, "applyLevel": 1}, {"hardship": False},
     "案件数据「fineAmount」当作数字计算，但它的值「60,000」不是数字（数字中不能有空格或逗号）"),
    ({"fineAmount": "5,000,000", "installments": 2, "applyLevel": 1}, {"hardship": False},
     "案件数据「fineAmount」当作数字计算，但它的值「5,000,000」不是数字（数字中不能有空格或逗号）"),
    # and its full-width digits (FloatingDecimal reads ASCII digits only; Python's float took them)
    ({"fineAmount": "９００００", "installments": 2, "applyLevel": 1}, {"hardship": False},
     "案件数据「fineAmount」当作数字计算，但它的值「９００００」不是数字（须用半角数字 0-9）"),
])
def test_where_flowable_stops_the_case_stops_in_chinese_naming_the_data(engine, form, start, said):
    case = engine.start(KEY, by="zhang", org="east", data=dict(start))
    (task,) = engine.case(case.id).tasks
    with pytest.raises(IncidentRaised) as raised:
        engine.complete(task.id, user_for(engine, task), form)
    message = raised.value.message
    assert message.startswith("排他网关「审批层级」(levelGateway) 通往「"), message
    assert said in message, message
    assert "Error" not in message.split(" — ")[0] and "ZeroDivision" not in message
    assert [t.name for t in engine.case(case.id).tasks] == [task.name]  # nothing lost: the task is still open


@pytest.mark.parametrize("typed, meant", [("１２", 12), ("2", 2), (" 3 ", 3)])
def test_the_form_layer_reads_what_an_official_types_into_a_whole_number_field(engine, typed, meant):
    """分期期数 is a long field: the form layer (engine/typed_input.py) hands the expression the number
    the official meant (full-width digits, blanks), so the gateway divides by it as Flowable would."""
    case = register(engine, {"fineAmount": "90000", "installments": typed, "applyLevel": 1}, {"hardship": False})
    assert case.data["installments"] == meant
    assert [t.name for t in case.tasks] == ["局领导审批" if 90000 / meant > 20000 else "告知一次缴纳"]


@pytest.mark.parametrize("typed", ["1.5", "2期", "两三期"])
def test_the_form_layer_refuses_what_is_no_whole_number_naming_the_field(engine, typed):
    from engine.errors import EngineError
    case = engine.start(KEY, by="zhang", org="east", data={"hardship": False})
    (task,) = engine.case(case.id).tasks
    with pytest.raises(EngineError) as refused:
        engine.complete(task.id, user_for(engine, task), {"fineAmount": "90000", "installments": typed, "applyLevel": 1})
    assert "「分期期数」须为整数" in str(refused.value)
    assert [t.name for t in engine.case(case.id).tasks] == [task.name]


# --- each operator through the script engine, as the engine evaluates a translated expression -------

STOPS = "stops"


def evaluate(juel: str, data: dict):
    from engine.clock import SystemClock
    from engine.expressions import translate
    from engine.scripting import DubanScriptEngine
    environment = DubanScriptEngine(SystemClock()).environment
    try:
        return environment.evaluate(translate(juel), dict(data))
    except Exception as exc:  # noqa: BLE001 — what stops must say so in Chinese
        from engine.juel_methods import said_of
        said = said_of(exc)
        assert said and "JUEL" in said or "案件数据" in said, exc
        return STOPS


@pytest.mark.parametrize("juel, data, vendor", [
    # equality with text written out, §1.8.2
    ("${x == '5'}", {"x": 5}, True),
    ("${x != '5'}", {"x": 5}, False),
    ("${x eq '5'}", {"x": 5.0}, True),            # Double.valueOf("5")
    ("${x == '5.0'}", {"x": 5}, STOPS),           # Long.valueOf("5.0")
    ("${x == '五'}", {"x": 5}, STOPS),
    ("${x == '5'}", {"x": "5"}, True),
    ("${x == '5'}", {"x": None}, False),
    ("${approved == '同意'}", {"approved": False}, True),   # Boolean.valueOf("同意") is false
    ("${approved == '同意'}", {"approved": True}, False),
    ("${x == y}", {"x": 5, "y": "5"}, True),
    ("${x != y}", {"x": 5, "y": "5.0"}, STOPS),
    ("${x == y}", {"x": "a", "y": "a"}, True),
    # a yes/no is no number, §1.18.3
    ("${approved == 1}", {"approved": True}, STOPS),
    ("${approved > 0}", {"approved": True}, STOPS),
    ("${approved + 1}", {"approved": True}, STOPS),
    ("${-approved}", {"approved": True}, STOPS),
    # text as a number: Long.valueOf takes no blank nor _; Double.valueOf trims, ASCII digits only
    ("${amount > 1000}", {"amount": " 5000"}, STOPS),
    ("${amount == 5000}", {"amount": "5_000"}, STOPS),
    ("${amount * 2}", {"amount": " 5000"}, STOPS),
    ("${amount * 0.5}", {"amount": " 5000"}, 2500.0),
    ("${amount > 1000}", {"amount": "５０００"}, True),     # Character.digit reads full-width digits
    ("${amount > 1000.5}", {"amount": "５０００"}, STOPS),  # FloatingDecimal does not
    ("${a + b}", {"a": "3", "b": "4"}, 7),
    ("${a + b}", {"a": "3", "b": "4.5"}, 7.5),
    ("${a + b}", {"a": " 3", "b": "4.5"}, 7.5),             # a Double sum: Double.valueOf(" 3")
    ("${a + b}", {"a": "张", "b": "三"}, STOPS),             # + is no concatenation in EL
    ("${a + 'x'}", {"a": "3"}, STOPS),
    ("${a + '1'}", {"a": "3"}, 4),
    ("${a - b}", {"a": None, "b": None}, 0),
    # division, §1.7.2
    ("${amount / 0}", {"amount": 5}, math.inf),
    ("${amount / days}", {"amount": -5, "days": 0}, -math.inf),
    ("${amount / days > 100}", {"amount": 5, "days": 0}, True),
    ("${amount / 2}", {"amount": 5}, 2.5),
    ("${amount div 2}", {"amount": 4}, 2.0),
    # remainder, §1.7.3
    ("${x % 3}", {"x": -7}, -1),
    ("${x mod 3}", {"x": "-7"}, -1),
    ("${-7 % 3}", {}, -1),
    ("${x % y}", {"x": 7, "y": -3}, 1),
    ("${x % 2.5}", {"x": -7}, -2.0),
    ("${x % 0}", {"x": 5}, STOPS),
    # a Boolean wanted, §1.18.5
    ("${count && flag}", {"count": 3, "flag": True}, STOPS),
    ("${!count}", {"count": 0}, STOPS),
    ("${count ? '有' : '无'}", {"count": 2}, STOPS),
    ("${flag ? '有' : '无'}", {"flag": None}, "无"),
    ("${flag || other}", {"flag": "TRUE", "other": False}, True),
])
def test_each_operator_answers_as_el(juel, data, vendor):
    assert evaluate(juel, data) == vendor


def test_not_a_number_from_zero_by_zero():
    """0 / 0 is NaN in Java (JLS §15.17.2), which is no number equal to itself."""
    assert math.isnan(evaluate("${a / b}", {"a": 0, "b": 0}))


def test_the_common_conditions_stay_plain_for_numbers():
    """A number compared with a number written out, divided by one, or a count of a multi-instance:
    plain Python the host evaluates by itself (the helper is called only for text and yes/no)."""
    from engine import restricted
    from engine.expressions import translate
    for juel in ("${nrOfCompletedInstances/nrOfInstances >= 0.5}", "${amount > 1000}", "${fineAmount * 3 / 100}"):
        python = translate(juel)
        assert restricted.is_plain(python) or restricted.helper_expression(python), python
    assert translate("${nrOfCompletedInstances/nrOfInstances >= 0.5}") == "nrOfCompletedInstances / nrOfInstances >= 0.5"
