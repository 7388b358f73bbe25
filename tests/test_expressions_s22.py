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
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.errors import IncidentRaised
from tests.interop_support import user_for
from tests.support import make_engine

CORPUS = Path(__file__).parent / "bpmn" / "interop"
MODELS = ("camunda7_list_index_fines",)


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
