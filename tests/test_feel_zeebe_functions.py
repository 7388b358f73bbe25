"""Camunda 8's FEEL where Zeebe answers and we refused or stopped (engine/feel_null.py,
engine/feel_functions.py, engine/dialects._call_python), on a real SQLite file and real PostgreSQL with a
model drawn as Camunda Modeler 5.22 saves it for Camunda 8.5 (tests/bpmn/interop/zeebe_rectify_report.bpmn:
整改报告审查, a report sent after the order's deadline goes to 逾期处理).

The vendor's answers (Camunda 8 docs, FEEL language guide and built-in functions; feel-scala):

- a path to a key the context lacks is null: "If the context a doesn't contain an entry with the key
  b, the expression returns null" (``{a: 1}.b`` null, ``{a: 1}.b.c`` null; feel-scala 1.17, #696).
  ``=enterprise.contact`` raised KeyError (an incident in English); a path over a number stops.
- ``date(from)`` and ``date and time(from)`` of a variable are evaluated when the instance runs
  (``date(reportDay) > date(deadline)``); the deploy refused any date of a variable. Text that is no
  ISO date (「2026年12月1日」 in a text field) is not read as a day by FEEL either: the case stops in
  Chinese naming it, never the default flow silently.
- ``substring(string, start position, length?)``: the first character is 1, negative from the end
  (``substring("foobar", 3)`` "obar", ``substring("foobar", -2, 1)`` "a"); ``min``/``max`` of a list
  or of values, of none null (``max([])`` null); the deploy refused all three.
- ``sum``/``count``/``string length``/``contains``/``upper case`` over null are null; ``sum`` over a
  list with null in it raised TypeError in English: it stops in Chinese naming the item.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import IncidentRaised
from tests.interop_support import user_for
from tests.support import make_engine
from tests.test_expressions_s22 import STOPS, evaluate

KEY = "zeebe_rectify_report"
MODEL = (Path(__file__).parent / "bpmn" / "interop" / f"{KEY}.bpmn").read_text(encoding="utf-8")
FILED = {"enterprise": {"name": "东城化工有限公司"}, "deadline": "2026-11-30"}  # written when the case was opened


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.deploy(MODEL, by="boss", filename=f"{KEY}.bpmn")
    yield eng
    eng.dispose()


def register(engine, form: dict, filed: dict = FILED):
    case = engine.start(KEY, by="zhang", org="east", data=dict(filed))
    (task,) = engine.case(case.id).tasks
    engine.complete(task.id, user_for(engine, task), form)
    return engine.case(case.id)


@pytest.mark.parametrize("form, opened, best", [
    ({"reportDay": "2026-12-01", "scores": [72, 88]}, ["逾期\n处理"], 88),
    ({"reportDay": "2026-11-30", "scores": [90]}, ["安排\n复查"], 90),
    ({"reportDay": "2026-11-20", "scores": []}, ["安排\n复查"], None),   # max([]) is null
])
def test_the_report_day_routes_and_the_outputs_are_zeebes(engine, form, opened, best):
    case = register(engine, form)
    assert [t.name for t in case.tasks] == opened
    assert case.data["contactName"] is None  # enterprise.contact: no such key, null
    assert case.data["unitShort"] == "东城化工"  # substring(enterprise.name, 1, 4)
    assert case.data["bestScore"] == best


def test_a_contact_present_is_mapped(engine):
    filed = {"enterprise": {"name": "东城化工有限公司", "contact": "王五"}, "deadline": "2026-11-30"}
    assert register(engine, {"reportDay": "2026-11-30", "scores": [1]}, filed).data["contactName"] == "王五"


def test_a_day_typed_in_chinese_into_a_text_field_stops_in_chinese(engine):
    case = engine.start(KEY, by="zhang", org="east", data=dict(FILED))
    (task,) = engine.case(case.id).tasks
    with pytest.raises(IncidentRaised) as raised:
        engine.complete(task.id, user_for(engine, task), {"reportDay": "2026年12月1日", "scores": [72]})
    message = raised.value.message
    assert message.startswith("排他网关「是否逾期？」(Gateway_0late) 通往「逾期\n处理」的连线："), message
    assert "FEEL 函数 date(...) 读不出日期「2026年12月1日」：须是 2026-11-01 这样的日期" in message
    assert [t.name for t in engine.case(case.id).tasks] == [task.name]  # nothing lost


# --- each construct through the script engine, translated as a Zeebe model's is -----------------

# evaluate: a FEEL text translated as a Zeebe model's is at deploy (null as Zeebe reads it) and run by
# the script engine; STOPS: what stops, having said why in Chinese (tests/test_expressions_s22.py)


@pytest.mark.parametrize("feel, data, zeebe", [
    ("= order.missing", {"order": {"amount": 1}}, None),
    ("= order.missing = null", {"order": {"amount": 1}}, True),
    ("= order.amount", {"order": {"amount": 1}}, 1),
    ("= order.missing.deeper", {"order": {"amount": 1}}, None),
    ("= order.customer.name", {"order": {"customer": {"name": "王五"}}}, "王五"),
    ("= order.customer.name", {"order": {"customer": None}}, None),
    ("= order.amount.deeper", {"order": {"amount": 1}}, STOPS),   # a number has no entries
    ("= {a: 1}.b", {}, None),
    ("= {a: 1}.a", {}, 1),
    ("= substring(s, 3)", {"s": "foobar"}, "obar"),
    ("= substring(s, 3, 3)", {"s": "foobar"}, "oba"),
    ("= substring(s, -2, 1)", {"s": "foobar"}, "a"),
    ("= substring(s, 2)", {"s": None}, None),
    ("= substring(s, 0)", {"s": "foobar"}, STOPS),
    ("= min(xs)", {"xs": [3, 1, 2]}, 1),
    ("= max(a, b, c)", {"a": 1, "b": 3, "c": 2}, 3),
    ("= max(xs)", {"xs": []}, None),
    ("= max(xs)", {"xs": None}, None),
    ("= max(xs)", {"xs": [1, None]}, STOPS),
    ("= sum(xs)", {"xs": [1, 2, 3]}, 6),
    ("= sum(xs)", {"xs": None}, None),
    ("= sum(xs)", {"xs": [1, None]}, STOPS),
    ("= sum(xs) > 5", {"xs": None}, None),
    ("= count(xs)", {"xs": None}, None),
    ("= string length(s)", {"s": None}, None),
    ("= contains(s, \"化工\")", {"s": None}, None),
    ("= upper case(s)", {"s": None}, None),
    ("= list contains(xs, null)", {"xs": [1, None]}, True),
    ("= date(d) > date(\"2026-11-01\")", {"d": "2026-12-01"}, True),
    ("= date(d) > date(\"2026-11-01\")", {"d": None}, None),
    ("= date(d)", {"d": "2026-02-30"}, STOPS),
    ("= date(d)", {"d": "2026年11月1日"}, STOPS),
    ("= date and time(t) < date and time(\"2026-11-01T09:00:00\")", {"t": "2026-11-01T08:30:00"}, True),
])
def test_each_construct_answers_as_zeebe(feel, data, zeebe):
    assert evaluate(feel, data) == zeebe


def test_a_one_step_path_stays_plain():
    """``order.amount``: the key test is plain Python the host evaluates by itself (no helper call)."""
    from engine import dialects, restricted
    python = dialects._feel_null(dialects._translate_with_feel_calls("= order.amount > 1000"))
    assert restricted.is_plain(python.split("\n", 1)[1]), python
