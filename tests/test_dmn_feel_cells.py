"""FEEL in decision table cells as Camunda Modeler users type them, in tables typed into the interop
corpus (tests/bpmn/interop/camunda7_hazard_deadline.dmn, zeebe_permit_review.dmn) and run through the
engine from a business rule task (``camunda:decisionRef``, ``zeebe:calledDecision``): ranges
``[1..10]`` ``]10..100[``, ``>= 100``, lists ``"危险化学品","烟花爆竹"``, ``not("矿山")``, dates,
``-`` and empty cells, ``true``, ``null``, Chinese strings, paths ``企业.从业人数``, output literals,
names and paths; FEEL functions ``count``, ``contains``, ``starts with``, ``string length``,
``date and time`` translated at deploy. Expected answers are FEEL's (DMN 1.3, 10.3). SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from engine import dialects
from tests.interop_support import CORPUS, corpus_engine, drive  # noqa: F401 (corpus_engine: the module fixture)


def deadline(engine, **data) -> tuple:
    out = drive(engine, "camunda7_hazard_deadline", data=data)
    assert out.status == "completed", out.message
    found = engine.case(out.case_id).data
    return found["handling"], found["days"], found["note"]


LAW = "《安全生产事故隐患排查治理暂行规定》第十五条"


@pytest.mark.parametrize("data, expected", [
    ({"level": "重大"}, ("挂牌督办", 30, LAW)),  # only the level is tested: the rest may be missing
    ({"level": "一般", "suspended": True}, ("停产整改", 60, None)),  # true; an output null
    ({"level": "一般", "suspended": "是", "企业": {"从业人数": 5}}, ("停产整改", 60, None)),  # 是 in a boolean column
    ({"level": "一般", "企业": {"从业人数": 150, "行业": "烟花爆竹"}}, ("限期整改", 15, "烟花爆竹")),  # any of; path output
    ({"level": "一般", "企业": {"从业人数": "1,200", "行业": "危险化学品"}}, ("限期整改", 15, "危险化学品")),  # typed count
    ({"level": "一般", "企业": {"从业人数": 150, "行业": "冶金"}}, ("限期整改", 20, None)),  # falls through; empty output
    ({"level": "一般", "企业": {"从业人数": 10, "行业": "冶金"}, "found_on": "2026-10-31"}, ("立即整改", 3, "小微企业")),
    ({"level": "一般", "企业": {"从业人数": 10, "行业": "冶金"}, "found_on": "2026年10月8日"}, ("立即整改", 3, "小微企业")),
    ({"level": "一般", "企业": {"从业人数": 1, "行业": "矿山"}, "found_on": "2026-10-31"}, ("限期整改", 20, None)),  # not("矿山")
    ({"level": "一般", "企业": {"从业人数": 10, "行业": "冶金"}, "found_on": "2026-11-01"}, ("限期整改", 20, None)),  # < date: not
    ({"level": "一般", "企业": {"从业人数": 11}, "found_on": "2026-11-01"}, ("限期整改", 10, "一般")),  # ]10..100[, date range
    ({"level": "一般", "企业": {"从业人数": 100}, "found_on": "2026-11-01"}, ("限期整改", 20, None)),  # 100 outside ]10..100[
    ({"level": "一般", "企业": {"从业人数": 50}, "found_on": "2027-01-01"}, ("限期整改", 20, None)),  # outside the year
    ({"企业": {"从业人数": 50}}, ("待核实", None, "隐患等级未填写")),  # null matches a missing level
    ({"level": None}, ("待核实", None, "隐患等级未填写")),
])
def test_a_camunda7_table_with_feel_cells_decides_as_feel_means(engine, data, expected):
    assert deadline(engine, **data) == expected


def review(engine, **data) -> list:
    out = drive(engine, "zeebe_permit_review", data=data)
    assert out.status == "completed", out.message
    return engine.case(out.case_id).data["review"]


@pytest.mark.parametrize("data, expected", [
    ({"hazards": ["动火作业", "有限空间"], "企业名称": "示范机械厂"}, ["专家会审"]),
    ({"hazards": [], "企业名称": "东城区示范化工有限公司"}, ["化工专项审查", "名称核对"]),
    ({"hazards": ["动火作业"], "企业名称": "示范市某某某某某某某某某某某某某某机械制造有限公司"}, ["名称核对"]),
    ({"hazards": [], "企业名称": "示范机械厂", "applied_at": "2026-12-03T10:00:00"}, ["年末集中审查"]),
    ({"hazards": [], "企业名称": "示范机械厂", "applied_at": "2026年11月30日 17:30"}, []),
    ({"hazards": [], "企业名称": "示范机械厂", "applied_at": "2026/12/1 9:00"}, ["年末集中审查"]),
    ({"hazards": [], "企业名称": "示范机械厂", "capital": "5,000,001"}, ["财务审查"]),
    ({"hazards": [], "企业名称": "示范机械厂", "capital": "500万"}, []),  # not more than 5000000
    ({"hazards": [], "企业名称": "示范机械厂", "capital": 5000000}, []),
    ({"企业名称": None}, []),  # count(null), contains(null, …), string length(null): null, no rule hit
])
def test_feel_functions_in_a_camunda8_collect_table_are_translated_and_decide_as_feel_means(engine, data, expected):
    """``count(hazards)`` as an input expression, ``contains(?, "化工")``, ``starts with(?, "东城") or
    string length(?) > 20`` and ``>= date and time("2026-12-01T00:00:00")`` as rule tests; the
    amount typed as ``5,000,001`` or ``500万`` in a number column. Before: refused at deploy."""
    assert review(engine, **data) == expected


@pytest.mark.parametrize("kind, feel, python", [
    ("inputExpression", "count(hazards)", "(None if (hazards) is None else len(hazards))"),  # count(null) is null
    ("inputEntry", "contains(?, \"化工\")", '(None if (?) is None else (("化工") in (?)))'),
    ("inputEntry", ">= date and time(\"2026-12-01T00:00:00\")", ">= '2026-12-01T00:00:00'"),
    ("inputEntry", "[date(\"2026-01-01\")..date(\"2026-12-31\")]", "'2026-01-01' <= ? <= '2026-12-31'"),
    ("inputEntry", "date(2026, 11, 1)", "'2026-11-01'"),
    ("outputEntry", "sum(a, b, 3)", "duban_feel_sum(a, b, 3)"),  # engine/feel_functions.py
    ("inputEntry", "< date(found_on)", "< duban_feel_date(found_on)"),  # read when the case runs
    ("outputEntry", "upper case(code)", "(None if (code) is None else (code).upper())"),
    ("inputExpression", "contains(企业.名称, \"化工\")", "(None if (企业['名称']) is None else ((\"化工\") in (企业['名称'])))"),
    ("inputEntry", "\"count(x)\"", "\"count(x)\""),  # a string, not a call
])
def test_feel_functions_with_an_exact_python_are_translated(kind, feel, python):
    assert dialects._dmn_cell(kind, feel) == python


@pytest.mark.parametrize("feel, reason", [
    ("date(\"2026年11月1日\")", "调用的函数「date(...)」须写成具体的日期"),
    ("floor(score)", "调用了函数「floor(...)」"),
    ("count(a, b)", "调用的函数「count(...)」须有 1 个参数"),
])
def test_feel_functions_without_an_exact_python_are_still_refused(feel, reason):
    with pytest.raises(dialects.Untranslatable) as err:
        dialects._dmn_cell("inputEntry", feel)
    assert reason in str(err.value)


@pytest.mark.parametrize("value, type_ref, expected", [
    ("5,000,000", "number", 5000000), ("１２，０００．５０", "double", 12000.5), ("500万", "feel:number", 5000000),
    ("30人", "integer", 30), ("-3", "xsd:int", -3), ("是", "feel:boolean", True), ("2026年1月2日", "feel:date", "2026-01-02"),
    ("1e999999999", "number", "1e999999999"), ("Infinity", "number", "Infinity"), ("nan", "double", "nan"),
    ("9" * 400, "integer", "9" * 400),
])
def test_a_typed_value_is_read_as_its_column_type_and_an_unbounded_one_is_left_as_typed(value, type_ref, expected):
    """Numbers as officials type them become numbers (engine/typed_input); a type written with a
    prefix (Trisotech's ``feel:number``, ``xsd:int``) is the same type. An exponent or a run of 400
    digits is left as typed, never turned into a number: ``1e999999999`` made into an int held the
    host (a cell then cannot compare the text and the incident names the value)."""
    from engine.dmn import typed

    assert typed(value, type_ref) == expected
