"""JUEL and FEEL where their vendors run an expression and we refused it, or stopped in English
(session 22), on a real SQLite file and real PostgreSQL with models drawn in the vendors' style
(tests/bpmn/interop/).

JUEL's ``[]`` (EL 2.2 §1.6, which Camunda 7 and Flowable run): ``${orders[1].price <= 100}``,
``${approvers[0]}``, ``${form['amount'] > 5000}`` were refused at deploy. EL: null on either side
null; a List by an index coerced to int (0 the first item, past either end null); a Map by its key
(absent null); a bean's property otherwise — our data has no beans, so text, a number or a yes/no
stops in Chinese naming the path (never a Python attribute). ``a[b].c`` is ``a[b]['c']``. Model:
tests/bpmn/interop/camunda7_list_index_fines.bpmn (较大数额罚款告知听证, 《安全生产违法行为行政处罚办法》
第三十三条、《行政处罚法》第六十三条).

A FEEL path over a list maps over it (DMN 1.3 §10.3.2.2; Zeebe: ``hazards.level`` is the list of each
hazard's level): ``= list contains(hazards.level, "重大")`` stopped with Python's English TypeError
(list indices must be integers). The plain form stays for a map (the host evaluates it without a
helper); where it stops on a list the evaluator runs the expression again with the path as
engine/feel_lists.feel_get (engine/feel_null.projected). Every other FEEL expression Python cannot
compute over the case's data (「五万」 typed where a number is compared, a division by zero) stops in
Chinese naming the expression as written and the element (engine/feel_errors.py), never in
English. Model: tests/bpmn/interop/zeebe_hazard_list_paths.bpmn (重大事故隐患报告, 《安全生产法》第四十一条
第二款; 治理经费, 《安全生产事故隐患排查治理暂行规定》第十五条).

Zeebe's ``duration(x)`` of data (「P3D」), ``uuid()``, ``now()`` and ``today()`` and ``date and time(x)``
of a moment written with a zone (「2026-11-01T09:00:00@Asia/Shanghai」) or of a day and a time were
refused at deploy. ``now()``/``today()`` read the engine's clock (a case's 今天 is the clock's, as its
timers are), not the host's; ``+``/``-`` of a date or a moment and a duration moves it on the calendar
(engine/feel_functions.feel_plus: Python joined the two texts). Model:
tests/bpmn/interop/zeebe_rectify_reminder.bpmn (限期整改提醒; 逾期, 《安全生产法》第一百零二条).

A JUEL input or output mapping dividing by zero (``${fineAmount / installments}`` with 分期期数 0): EL
gives Infinity (NaN for 0/0), which Camunda stores and our database cannot. It stays an incident, now
naming the mapping and saying 除数为零 (engine/juel_operators.stored), not 「变量的值为无穷大或非数」 after
the step. Model: tests/bpmn/interop/camunda7_installment_mapping.bpmn (罚款分期缴纳, 《行政处罚法》第六十六条第二款).

``${rectifyDay > deadline}`` compares two texts, as EL does: right only if both are ISO days. A date
field of a form drawn in the model (Flowable's ``type="date"`` with ``datePattern``, Camunda 7's
``type="date"``; Camunda 8 forms: tests/test_camunda8_forms.py) stores the ISO day whatever a tired
official typed (「2026年10月1日」, 「2026.10.1」, 「2026/10/01」, full-width digits, 「2026年10月1号」) and
refuses an impossible day naming the field (engine/model_forms.py). Model:
tests/bpmn/interop/flowable_rectify_date_pattern.bpmn (整改完成日期核验; 逾期, 《安全生产法》第一百零二条).
"""
from __future__ import annotations

import re
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from engine.errors import IncidentRaised
from tests.interop_support import user_for
from tests.support import make_engine

CORPUS = Path(__file__).parent / "bpmn" / "interop"
MODELS = ("camunda7_list_index_fines", "zeebe_hazard_list_paths", "zeebe_rectify_reminder", "camunda7_installment_mapping",
          "flowable_rectify_date_pattern", "camunda7_report_or_message")


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    for key in MODELS:
        eng.deploy((CORPUS / f"{key}.bpmn").read_text(encoding="utf-8"), by="boss", filename=f"{key}.bpmn")
    yield eng
    eng.dispose()


def complete_first(engine, key: str, start: dict, form: dict | None = None):
    """The case of ``key`` started with ``start`` once its first task is completed with ``form``."""
    case = engine.start(key, by="zhang", org="east", data=dict(start))
    (task,) = engine.case(case.id).tasks
    engine.complete(task.id, user_for(engine, task), dict(form or {}))
    return engine.case(case.id)


STOPS = "stops"


def said_first(message: str, words: str) -> None:
    """The incident names the element and says why in Chinese first; Python's and SpiffWorkflow's
    English (for the administrator) only after 「 — 」."""
    assert message.startswith(words), message
    assert not re.search(r"[A-Za-z]+(?:Error|Exception)|Traceback", message.split(" — ")[0]), message


def evaluate(text: str, data: dict, condition: bool = False):
    """``text`` translated as a model's is at deploy and evaluated by the script engine; what stops
    must say so in Chinese."""
    from engine import dialects
    from engine.clock import SystemClock
    from engine.juel_methods import said_of
    from engine.scripting import DubanScriptEngine
    python = dialects._translate_with_feel_calls(text, condition=condition)
    if text.lstrip().startswith("="):
        python = dialects._feel_null(python)
    environment = DubanScriptEngine(SystemClock()).environment
    try:
        return environment.evaluate(python, dict(data))
    except Exception as exc:  # noqa: BLE001 — what stops must say so in Chinese
        assert said_of(exc), exc
        return STOPS


# --- JUEL's [] (EL 2.2 §1.6) ------------------------------------------------------------------

FINES = "camunda7_list_index_fines"
REVIEWERS = ["王科长", "李科长"]


@pytest.mark.parametrize("summary, violations, opened", [
    ({"fineTotal": 60000}, [{"item": "未按规定配备安全生产管理人员", "fine": 20000}], ["告知\n听证权利"]),
    ({"fineTotal": "30000"}, [{"item": "特种作业人员未持证上岗", "fine": 60000}], ["告知\n听证权利"]),  # 首项单项
    ({"fineTotal": "30000"}, [{"item": "特种作业人员未持证上岗", "fine": "30000"}], ["送达\n处罚告知书"]),  # text, as EL
    ({}, [{"item": "未如实记录隐患排查治理情况", "fine": 10000}], ["补正\n罚款清单"]),  # no total: null, no branch
    ({"fineTotal": 10000}, [], ["补正\n罚款清单"]),  # violations[0] past the end: null
])
def test_a_fine_routes_by_the_list_and_the_map_as_camunda(engine, summary, violations, opened):
    case = complete_first(engine, FINES, {"summary": summary, "violations": violations, "reviewers": REVIEWERS})
    assert [t.name for t in case.tasks] == opened
    assert case.data["firstReviewer"] == "王科长"  # ${reviewers[0]}: the first item is 0
    assert case.data["firstItem"] == (violations[0]["item"] if violations else None)
    assert case.data["secondFine"] is None  # ${violations[1].fine}: past the end, null
    assert case.data["totalText"] == summary.get("fineTotal")


def test_an_index_over_text_stops_in_chinese_naming_the_path(engine):
    case = engine.start(FINES, by="zhang", org="east",
                        data={"summary": "六万元", "violations": [], "reviewers": REVIEWERS})
    (task,) = engine.case(case.id).tasks
    with pytest.raises(IncidentRaised) as raised:
        engine.complete(task.id, user_for(engine, task), {})
    said_first(raised.value.message, "「审核\n违法事实」出错: JUEL 表达式「summary['fineTotal']」在文字「六万元」上取"
                                     "「fineTotal」，它不是列表或一组数据")
    assert [t.name for t in engine.case(case.id).tasks] == [task.name]  # nothing lost


@pytest.mark.parametrize("juel, data, el", [
    ("${approvers[0]}", {"approvers": ["王", "李"]}, "王"),
    ("${approvers[1]}", {"approvers": ["王", "李"]}, "李"),
    ("${approvers[2]}", {"approvers": ["王", "李"]}, None),       # past the end: null
    ("${approvers[-1]}", {"approvers": ["王", "李"]}, None),      # before the start: null (no Python -1)
    ("${approvers['1']}", {"approvers": ["王", "李"]}, "李"),     # Integer.valueOf
    ("${approvers[1.9]}", {"approvers": ["王", "李"]}, "李"),     # Number.intValue
    ("${approvers[0]}", {"approvers": None}, None),
    ("${approvers[i]}", {"approvers": ["王"], "i": None}, None),
    ("${approvers[i]}", {"approvers": ["王", "李"], "i": 1}, "李"),
    ("${approvers['x']}", {"approvers": ["王"]}, STOPS),
    ("${approvers[true]}", {"approvers": ["王"]}, STOPS),
    ("${orders[1].price <= 100}", {"orders": [{"price": 500}, {"price": 80}]}, True),
    ("${orders[1].price <= 100}", {"orders": [{"price": 500}, {"price": "120"}]}, False),
    ("${orders[1].price <= 100}", {"orders": [{"price": 500}]}, False),  # null compared: false (§1.8.1)
    ("${orders[0].price * 2}", {"orders": [{"price": 50}]}, 100),
    ("${orders[0].price + 1}", {"orders": [{}]}, 1),                     # null in arithmetic is 0
    ("${form['amount'] > 5000}", {"form": {"amount": "6000"}}, True),
    ("${form[\"amount\"] > 5000}", {"form": {"amount": 4000}}, False),
    ("${form['amount'] == 5000}", {"form": {"amount": "5000"}}, True),
    ("${form['missing'] == null}", {"form": {}}, True),
    ("${form[k]}", {"form": {"a": 1}, "k": "a"}, 1),
    ("${form[1]}", {"form": {"1": "x"}}, None),                           # a map's keys are texts: Long 1 is none
    ("${!flags[0]}", {"flags": [False]}, True),
    ("${flags[0] && ok}", {"flags": ["true"], "ok": True}, True),        # Boolean.valueOf
    ("${flags[0] ? '是' : '否'}", {"flags": [3]}, STOPS),                 # a number is no yes/no
    ("${matrix[0][1]}", {"matrix": [[1, 2], [3]]}, 2),
    ("${a[b[0]]}", {"a": ["x", "y"], "b": [1]}, "y"),
    ("${text[0]}", {"text": "王五"}, STOPS),                              # a String is a bean: no property 0
    ("${n.x[0]}", {"n": {"x": 5}}, STOPS),
])
def test_each_index_answers_as_el(juel, data, el):
    assert evaluate(juel, data) == el


@pytest.mark.parametrize("juel, reason", [
    ("${x[0].__globals__}", "以两个下划线开头"),
    ("${x[0].__class__.__mro__}", "以两个下划线开头"),
    ("${x[0].equals('a')}", "方括号取值之后调用了方法"),
    ("${x[]}", "方括号中缺少下标或键"),
    ("${x[0}", "方括号不配对"),
    ("${execution[0]}", "引擎对象"),
    ("${" + "a[" * 300 + "0" + "]" * 300 + "}", "过深"),
])
def test_a_hostile_index_is_refused_at_deploy_in_chinese(juel, reason):
    from engine.expressions import Untranslatable, translate
    with pytest.raises(Untranslatable) as refused:
        translate(juel)
    assert reason in str(refused.value), str(refused.value)


@pytest.mark.parametrize("juel, data", [
    ("${orders['__class__']}", {"orders": {"a": 1}}),                    # a map: its key, none
    ("${orders['__class__']}", {"orders": [1]}),                         # a list: no whole number, stops
    ("${orders[99999999999999999999999999]}", {"orders": [1]}),          # huge: past the end, null
    ("${orders['99999999999999999999']}", {"orders": [1]}),
    ("${text['__len__']}", {"text": "abc"}),
    ("${f['__globals__']}", {"f": {"__globals__": "只是数据"}}),
])
def test_a_hostile_index_reaches_nothing_of_pythons(juel, data):
    """Only ``dict`` lookups and ``list`` indexing: a name of Python's insides is a key like any
    other (absent: null), never an attribute; a huge index is past the end."""
    answer = evaluate(juel, data)
    assert answer in (None, STOPS, "只是数据"), answer


# --- FEEL: a path over a list, and FEEL's other failures in Chinese ---------------------------------

HAZARDS = "zeebe_hazard_list_paths"


@pytest.mark.parametrize("hazards, funds, opened, total", [
    ([{"name": "配电箱未接地", "level": "一般", "cost": 2000}, {"name": "罐区无泄漏报警", "level": "重大", "cost": 80000}],
     100000, ["报告\n重大事故隐患"], 82000),
    ([{"name": "配电箱未接地", "level": "一般", "cost": 2000}, {"name": "安全出口堵塞", "level": "一般", "cost": 500}],
     1000, ["督促落实\n整改资金"], 2500),
    ([{"name": "配电箱未接地", "level": "一般", "cost": 2000}], 5000, ["安排\n复查"], 2000),
    ([{"name": "消防通道占用", "level": "一般"}], 5000, ["安排\n复查"], None),  # no cost: sum over null stops? no: below
])
def test_a_path_over_the_hazard_list_routes_as_zeebe(engine, hazards, funds, opened, total):
    if total is None:  # sum([null]) stops in Chinese naming the item (engine/feel_functions.py)
        case = engine.start(HAZARDS, by="zhang", org="east", data={"hazards": hazards})
        (task,) = engine.case(case.id).tasks
        with pytest.raises(IncidentRaised) as raised:
            engine.complete(task.id, user_for(engine, task), {"funds": funds})
        assert "FEEL 函数 sum(...) 的第 1 项空值不是数字" in raised.value.message, raised.value.message
        return
    case = complete_first(engine, HAZARDS, {"hazards": hazards}, {"funds": funds})
    assert [t.name for t in case.tasks] == opened
    assert case.data["hazardNames"] == [h["name"] for h in hazards]  # =hazards.name: each hazard's name
    assert case.data["totalCost"] == total


def test_funds_typed_as_words_stop_in_chinese_naming_the_expression_and_the_flow(engine):
    hazards = [{"name": "配电箱未接地", "level": "一般", "cost": 2000}]
    case = engine.start(HAZARDS, by="zhang", org="east", data={"hazards": hazards})
    (task,) = engine.case(case.id).tasks
    with pytest.raises(IncidentRaised) as raised:
        engine.complete(task.id, user_for(engine, task), {"funds": "五万"})
    said_first(raised.value.message, "排他网关「隐患等级与资金」(Gateway_0major) 通往「督促落实\n整改资金」的连线：FEEL 表达式"
                                     "「=sum(hazards.cost) > funds」无法计算：数字与文字不能比较大小")
    assert [t.name for t in engine.case(case.id).tasks] == [task.name]  # nothing lost


def test_a_hazard_list_that_is_text_stops_in_chinese(engine):
    case = engine.start(HAZARDS, by="zhang", org="east", data={"hazards": "罐区无泄漏报警"})
    (task,) = engine.case(case.id).tasks
    with pytest.raises(IncidentRaised) as raised:
        engine.complete(task.id, user_for(engine, task), {"funds": 1000})
    said_first(raised.value.message, "「复核\n隐患清单」出错: ")
    assert "取到「name」之前的值是文字，不是上下文（键值对）" in raised.value.message.split(" — ")[0], raised.value.message


@pytest.mark.parametrize("feel, data, zeebe", [
    ("= orders.price", {"orders": [{"price": 1}, {"price": 2}]}, [1, 2]),
    ("= orders.price", {"orders": [{"price": 1}, {}, None, 5]}, [1, None, None, None]),
    ("= orders.price", {"orders": []}, []),
    ("= orders.price", {"orders": {"price": 3}}, 3),                     # a context: its entry, as before
    ("= orders.price", {"orders": {"x": 3}}, None),
    ("= orders.price", {"orders": None}, None),
    ("= orders.price", {"orders": ["price"]}, [None]),                   # a text item is no context
    ("= orders.customer.name", {"orders": [{"customer": {"name": "王五"}}, {"customer": None}]}, ["王五", None]),
    ("= sum(orders.price)", {"orders": [{"price": 1}, {"price": 2}]}, 3),
    ("= count(orders.price)", {"orders": [{"price": 1}, {"price": 2}]}, 2),
    ("= max(orders.price) > 1", {"orders": [{"price": 1}, {"price": 2}]}, True),
    ("= list contains(orders.level, \"重大\")", {"orders": [{"level": "一般"}, {"level": "重大"}]}, True),
    ("= orders.price[1]", {"orders": [{"price": 7}, {"price": 8}]}, 7),
    ("= orders[price > 1].price", {"orders": [{"price": 1}, {"price": 2}]}, [2]),
    ("= orders.price", {"orders": "text"}, STOPS),
    ("= orders.price", {"orders": 5}, STOPS),
    ("= amount > 5000", {"amount": "五千"}, STOPS),
    ("= amount / n", {"amount": 5, "n": 0}, STOPS),
    ("= amount + 1", {"amount": "五千"}, STOPS),
    ("= -amount", {"amount": "五千"}, STOPS),
    ("= list contains(items, 1)", {"items": 5}, STOPS),
])
def test_each_path_answers_as_zeebe_and_the_rest_stops_in_chinese(feel, data, zeebe):
    assert evaluate(feel, data) == zeebe


@pytest.mark.parametrize("feel, data, words", [
    ("= amount > 5000", {"amount": "五千"}, "条件把案件数据「amount」当作数字比较，但它的值「五千」不是数字（是文字）"),
    ("= 5000 < amount", {"amount": "五千"}, "条件把案件数据「amount」当作数字比较，但它的值「五千」不是数字（是文字）"),
    ("= amount > limit", {"amount": 6000, "limit": "五千"},
     "条件把案件数据「limit」当作数字比较，但它的值「五千」不是数字（是文字）"),
    ("= amount > 5000", {"amount": [5000]}, "列表与数字不能比较大小"),
    ("= amount / n", {"amount": 5, "n": 0}, "除数为零"),
    ("= amount + 1", {"amount": "五千"}, "文字与数字不能相加"),
    ("= -amount", {"amount": "五千"}, "文字不能取负"),
    ("= list contains(items, 1)", {"items": 5}, "在数字中查找（它不是列表或文字）"),
])
def test_feels_other_failures_are_said_in_chinese(feel, data, words):
    from engine import dialects, feel_errors
    from engine.clock import SystemClock
    from engine.juel_methods import said_of
    from engine.scripting import DubanScriptEngine
    python = feel_errors.with_source(dialects._feel_null(dialects._translate_with_feel_calls(feel)), feel)
    with pytest.raises(Exception) as raised:
        DubanScriptEngine(SystemClock()).environment.evaluate(python, dict(data))
    said = said_of(raised.value)
    assert said == (f"FEEL 表达式「{feel}」无法计算：{words}；请补正该数据后重试，或请流程设计员检查该表达式和"
                    "填写这些数据的表单字段的类型"), said


def test_a_plain_path_over_a_map_stays_plain():
    """``order.amount`` over a map: the translation is still the plain form the host evaluates by
    itself; only where it stops is the helper's form run."""
    from engine import dialects, restricted
    python = dialects._feel_null(dialects._translate_with_feel_calls("= order.amount > 1000"))
    assert restricted.is_plain(python.split("\n", 1)[1]), python


@pytest.mark.parametrize("feel", ['= "a\nimport os"', "= x.y # comment", "= '\\'' + x"])
def test_the_feel_kept_as_written_is_never_code(feel):
    """The source line is a ``repr`` in a comment: whatever the FEEL holds, it is one comment line."""
    import ast
    from engine import feel_errors
    python = feel_errors.with_source("(x)", feel)
    tree = ast.parse(python, mode="eval")
    assert ast.unparse(tree) == "x"
    assert feel_errors.source_of(python) == feel


# --- FEEL: duration(x), uuid(), now(), today(), date and time(x) ------------------------------------

REMINDER = "zeebe_rectify_reminder"


@pytest.mark.parametrize("deadline, opened", [("2026-11-30", ["企业\n整改"]), ("2026-11-20", ["逾期\n处理"])])
def test_a_reminder_is_computed_on_the_engines_clock(engine, deadline, opened):
    """The engine's clock says 2026-11-23 (tests/support.START), whatever day the host is on."""
    case = complete_first(engine, REMINDER, {}, {"deadline": deadline, "reminder": "P3D",
                                                 "inspectedAt": "2026-11-01T09:00:00@Asia/Shanghai"})
    assert [t.name for t in case.tasks] == opened
    data = case.data
    assert data["registeredOn"] == "2026-11-23"  # today() on the engine's clock
    assert data["remindOn"] == ("2026-11-27" if deadline == "2026-11-30" else "2026-11-17")  # date - duration
    assert data["inspectedMoment"] == "2026-11-01T09:00:00+08:00"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", data["noticeNo"])
    if opened == ["企业\n整改"]:  # due: the deadline's day at 17:00 Beijing time
        (task,) = case.tasks
        assert task.due_at.astimezone(timezone(timedelta(hours=8))).isoformat() == f"{deadline}T17:00:00+08:00"


def test_a_reminder_typed_in_words_stops_in_chinese(engine):
    case = engine.start(REMINDER, by="zhang", org="east", data={})
    (task,) = engine.case(case.id).tasks
    with pytest.raises(IncidentRaised) as raised:
        engine.complete(task.id, user_for(engine, task), {"deadline": "2026-11-30", "reminder": "三天",
                                                          "inspectedAt": "2026-11-01T09:00:00"})
    said_first(raised.value.message, "「登记\n整改期限」出错: FEEL 函数 duration(...) 读不出期间「三天」：须是 P3D（3 天）")
    assert [t.name for t in engine.case(case.id).tasks] == [task.name]  # nothing lost


@pytest.mark.parametrize("feel, data, zeebe", [
    ("= duration(r)", {"r": "P3D"}, "P3D"),
    ("= duration(r)", {"r": "pt2h30m"}, "PT2H30M"),
    ("= duration(r)", {"r": None}, None),
    ("= duration(r)", {"r": "三天"}, STOPS),
    ("= duration(r)", {"r": "P"}, STOPS),
    ("= duration(\"P1D\")", {}, "P1D"),
    ("= date(d) + duration(\"P3D\")", {"d": "2026-01-30"}, "2026-02-02"),
    ("= date(d) + duration(\"P1M\")", {"d": "2026-01-31"}, "2026-02-28"),   # a calendar month
    ("= date(d) - duration(r)", {"d": "2026-03-01", "r": "P1D"}, "2026-02-28"),
    ("= date(d) + duration(r)", {"d": "2026-03-01", "r": None}, None),
    ("= date and time(t) + duration(\"PT2H\")", {"t": "2026-11-01T23:00:00"}, "2026-11-02T01:00:00"),
    ("= date and time(t)", {"t": "2026-11-01T09:00:00@Asia/Shanghai"}, "2026-11-01T09:00:00+08:00"),
    ("= date and time(t)", {"t": "2026-11-01T09:00:00Z"}, "2026-11-01T09:00:00+00:00"),
    ("= date and time(t)", {"t": "2026-11-01T09:00:00@Mars/Olympus"}, STOPS),
    ("= date and time(t)", {"t": "2026年11月1日9时"}, STOPS),
    ("= date and time(date(d), \"09:30:00\")", {"d": "2026-11-01"}, "2026-11-01T09:30:00"),
    ("= x + duration(\"P1D\")", {"x": "已整改"}, STOPS),                    # no text nobody meant
    ("= duration(\"P1D\") - date(d)", {"d": "2026-11-01"}, STOPS),
])
def test_each_date_function_answers_as_zeebe(feel, data, zeebe):
    assert evaluate(feel, data) == zeebe


def test_now_and_today_read_the_engines_clock_not_the_hosts():
    from datetime import datetime, timezone as tz

    from engine import dialects
    from engine.clock import ManualClock
    from engine.scripting import DubanScriptEngine
    env = DubanScriptEngine(ManualClock(datetime(2031, 1, 1, 16, 30, tzinfo=tz.utc))).environment
    for feel, answer in [("= today()", "2031-01-02"), ("= now()", "2031-01-02T00:30:00+08:00"),
                         ("= now() + duration(\"P1D\")", "2031-01-03T00:30:00+08:00"),
                         ("= today() > date(\"2031-01-01\")", True)]:
        python = dialects._feel_null(dialects._translate_with_feel_calls(feel))
        assert env.evaluate(python, {}) == answer, feel


def test_uuid_differs_each_time():
    assert evaluate("= uuid()", {}) != evaluate("= uuid()", {})


@pytest.mark.parametrize("feel", ["= now(1)", "= uuid(x)", "= duration()", "= duration(a, b)"])
def test_a_date_function_with_the_wrong_arguments_is_refused_in_chinese(feel):
    from engine import dialects
    from engine.expressions import Untranslatable
    with pytest.raises(Untranslatable) as refused:
        dialects._translate_with_feel_calls(feel)
    assert "参数" in str(refused.value), str(refused.value)


# --- JUEL: a mapping dividing by zero -------------------------------------------------------------

INSTALLMENTS = "camunda7_installment_mapping"


@pytest.mark.parametrize("form, opened, each", [
    ({"fineAmount": 60000, "installments": 3}, ["科室负责人\n审批"], 20000.0),
    ({"fineAmount": 30000, "installments": "3"}, ["执法人员\n审批"], 10000.0),   # text: Double.valueOf, as EL
])
def test_an_installment_is_computed_as_el(engine, form, opened, each):
    case = complete_first(engine, INSTALLMENTS, {}, form)
    assert [t.name for t in case.tasks] == opened
    assert case.data["perInstallment"] == each


@pytest.mark.parametrize("form, kind", [({"fineAmount": 60000, "installments": 0}, "无穷大"),
                                        ({"fineAmount": 0, "installments": 0}, "非数（NaN）")])
def test_a_mapping_dividing_by_zero_is_an_incident_naming_it(engine, form, kind):
    case = engine.start(INSTALLMENTS, by="zhang", org="east", data={})
    (task,) = engine.case(case.id).tasks
    with pytest.raises(IncidentRaised) as raised:
        engine.complete(task.id, user_for(engine, task), form)
    said_first(raised.value.message, "「登记\n分期申请」出错: 输出参数「perInstallment」的 JUEL 表达式「${fineAmount / installments}」"
                                     f"除数为零，计算得{kind}：Camunda 会存入 Infinity 或 NaN，本系统无法保存")
    assert [t.name for t in engine.case(case.id).tasks] == [task.name]  # nothing lost


def test_an_installment_count_left_blank_is_refused_naming_the_field(engine):
    """Left blank (null: 0 in EL's arithmetic), the drawn field the step reads is refused by the form, naming it."""
    from engine.errors import InvalidData
    case = engine.start(INSTALLMENTS, by="zhang", org="east", data={})
    (task,) = engine.case(case.id).tasks
    with pytest.raises(InvalidData) as refused:
        engine.complete(task.id, user_for(engine, task), {"fineAmount": 60000})
    assert "分期期数" in str(refused.value)


def test_only_a_mapping_dividing_by_case_data_is_checked():
    """A division by a number written out other than 0 (``${fineAmount * 3 / 100}``) cannot give
    Infinity: its mapping is left as it was (plain, no helper)."""
    from lxml import etree

    from engine import dialects
    fine = etree.parse(str(CORPUS / "camunda7_fine_text_amount.bpmn")).getroot()
    scripts = [e.text for e in dialects.normalize(fine).root.iter() if isinstance(e.tag, str) and e.text and "dailyLateFee" in e.text]
    assert scripts and not any("duban_el_stored" in t for t in scripts), scripts
    mine = etree.parse(str(CORPUS / f"{INSTALLMENTS}.bpmn")).getroot()
    scripts = [e.text for e in dialects.normalize(mine).root.iter() if isinstance(e.tag, str) and e.text and "perInstallment =" in e.text]
    assert any("duban_el_stored(duban_el_arith(fineAmount, '/', installments" in t for t in scripts), scripts


# --- a date field stores the ISO day whatever was typed ------------------------------------------

DATED = "flowable_rectify_date_pattern"


@pytest.mark.parametrize("typed", ["2026年10月1日", "2026.10.1", "2026/10/01", "２０２６年１０月１日", "2026年10月1号",
                                   " 2026 年 10 月 1 日 ", "2026-10-1", "2026-10-01"])
@pytest.mark.parametrize("deadline, opened", [("2026-09-30", ["逾期处理"]), ("2026-11-01", ["安排复查"])])
def test_a_flowable_date_field_stores_the_iso_day_and_routes_as_el_compares_text(engine, typed, deadline, opened):
    case = complete_first(engine, DATED, {"deadline": deadline}, {"rectifyDay": typed})
    assert case.data["rectifyDay"] == "2026-10-01"
    assert [t.name for t in case.tasks] == opened  # 「2026年10月1日」 > 「2026-09-30」 as text sent it the wrong way


@pytest.mark.parametrize("typed", ["2026年2月30日", "2026-13-01", "10月1日", "十月一日", "2026年10月"])
def test_an_impossible_day_is_refused_naming_the_field(engine, typed):
    from engine.errors import InvalidData
    case = engine.start(DATED, by="zhang", org="east", data={"deadline": "2026-11-01"})
    (task,) = engine.case(case.id).tasks
    with pytest.raises(InvalidData) as refused:
        engine.complete(task.id, user_for(engine, task), {"rectifyDay": typed})
    assert "整改完成日期" in str(refused.value), str(refused.value)
    assert [t.name for t in engine.case(case.id).tasks] == [task.name]  # nothing lost


@pytest.mark.parametrize("typed", ["2026年10月1日", "2026.10.1", "２０２６／１０／０１", "01/10/2026"])
def test_a_camunda7_date_field_stores_the_iso_day(engine, typed):
    """camunda7_report_or_message's start form: 发现日期 (type="date"; 01/10/2026 is Camunda's dd/MM/yyyy)."""
    case = engine.start("camunda7_report_or_message", by="zhang", org="east", data={"site": "一号车间", "found_on": typed})
    assert engine.case(case.id).data["found_on"] == "2026-10-01"


def test_a_camunda7_date_field_refuses_an_impossible_day_naming_it(engine):
    from engine.errors import InvalidData
    with pytest.raises(InvalidData) as refused:
        engine.start("camunda7_report_or_message", by="zhang", org="east", data={"site": "一号车间", "found_on": "2026年2月30日"})
    assert "发现日期" in str(refused.value), str(refused.value)


@pytest.mark.parametrize("feel, data", [
    ("= date and time(t)", {"t": "2026-11-01T09:00:00@../../etc/passwd"}),       # a zone id is never a path
    ("= date and time(t)", {"t": "2026-11-01T09:00:00@" + "A" * 5000}),
    ("= date and time(t)", {"t": "2026-11-01T09:00:00@__class__"}),
    ("= date(d) + duration(r)", {"d": "2026-11-01", "r": "P999999999Y"}),          # past the calendar: stops
    ("= duration(r)", {"r": "P" + "9" * 5000 + "D"}),
    ("= duration(r)", {"r": {"__class__": "P1D"}}),
    ("= orders.__class__", {"orders": [{}]}),
    ("= " + ".".join(["a"] * 150), {"a": {"a": {}}}),                             # a deep path: one call, null
    ("= orders.price", {"orders": [{"price": 1}] * 20000}),                        # a long list: each item's entry
])
def test_a_hostile_feel_value_reaches_nothing_of_pythons(feel, data):
    """What the new FEEL functions and paths read is the data alone: a zone id never names a file, a
    name with underscores is refused at deploy, a year past the calendar or a huge text stops in Chinese."""
    from engine.expressions import Untranslatable
    try:
        answer = evaluate(feel, data)
    except Untranslatable as refused:
        assert "两个下划线" in str(refused), str(refused)
        return
    assert answer in (STOPS, None) or answer == [1] * 20000, answer
