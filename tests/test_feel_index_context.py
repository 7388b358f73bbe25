"""FEEL's list index, context and ``between`` evaluate as Zeebe's FEEL (feel-scala; Camunda's FEEL
language guide) does, or are refused naming the element (engine/expressions.py ``_feel_filter``,
``_feel_context``, ``_between``; engine/feel_lists.feel_item), on a real SQLite file and real
PostgreSQL, with a model drawn as Camunda Modeler 5 saves a Camunda 8 model
(tests/bpmn/interop/zeebe_notice_context_index.bpmn: 执法人员不得少于两人, 《行政处罚法》第四十二条;
罚款在十万元以下的法定幅度内, 《安全生产法》第一百零一条; 5万元以上告知听证权利,
《安全生产违法行为行政处罚办法》第三十三条).

- ``inspectors[1]`` is the first item, ``inspectors[-1]`` the last, past either end null (Python's
  ``[1]`` is the second item: before, the deploy refused every index).
- ``{主办人: inspectors[1], …}`` is a context (a dict), ``{a: 1}.a`` its entry, ``{a: 2, b: a * 2}``
  reads the earlier entry (before: refused).
- ``fine between 0 and 100000`` is ``0 <= fine <= 100000``, null when fine is null (before: refused).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.interop_support import CORPUS, user_for
from tests.support import make_engine

KEY = "zeebe_notice_context_index"
MODEL = (CORPUS / f"{KEY}.bpmn").read_text(encoding="utf-8")
INDEX_MODEL = (CORPUS / "zeebe_feel_list_index.bpmn").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.deploy(MODEL, by="boss", filename=f"{KEY}.bpmn")
    eng.deploy(INDEX_MODEL, by="boss", filename="zeebe_feel_list_index.bpmn")
    yield eng
    eng.dispose()


def draft(engine, key, data, started=None):
    case = engine.start(key, by="zhang", org="east", data=started or {})
    (task,) = engine.case(case.id).tasks
    engine.complete(task.id, user_for(engine, task), data)
    return engine.case(case.id)


@pytest.mark.parametrize("inspectors, fine, opened, notice", [
    (["张三", "李四"], 30000, "送达告知书", {"主办人": "张三", "协办人": "李四", "告知方式": "一般告知"}),
    (["张三", "王五", "李四"], 60000, "送达告知书", {"主办人": "张三", "协办人": "李四", "告知方式": "听证权利告知"}),
    (["张三", "李四"], 150000, "退回补正", {"主办人": "张三", "协办人": "李四", "告知方式": "听证权利告知"}),  # past 十万元
    (["张三"], 30000, "退回补正", {"主办人": "张三", "协办人": "张三", "告知方式": "一般告知"}),        # one inspector
    ([], 30000, "退回补正", {"主办人": None, "协办人": None, "告知方式": "一般告知"}),                 # [1] of [] is null
    (["张三", "李四"], None, "退回补正", {"主办人": "张三", "协办人": "李四", "告知方式": "一般告知"}),  # null between: not true
])
def test_the_notice_is_built_and_routed_as_zeebe_does(engine, inspectors, fine, opened, notice):
    # the case brings them (a task with output mappings passes on only those, as Zeebe does)
    case = draft(engine, KEY, {}, started={"inspectors": inspectors, "fine": fine})
    assert [t.name for t in case.tasks] == [opened]
    assert case.data["notice"] == notice
    assert case.data["hearing_right"] == (None if fine is None else 50000 <= fine <= 100000)


@pytest.mark.parametrize("opinions, opened", [
    (["同意", "不同意"], "签发"),       # FEEL's [1] is the first: 主审 同意
    (["不同意", "同意"], "重新审查"),   # Python's [1] would have read 同意
    ([], "重新审查"),                   # null = "同意" is false: the default flow
])
def test_the_first_opinion_is_the_first_item(engine, opinions, opened):
    assert [t.name for t in draft(engine, "zeebe_feel_list_index", {"opinions": opinions}).tasks] == [opened]


@pytest.mark.parametrize("feel, data, value", [
    ("= opinions[1]", {"opinions": ["a", "b", "c"]}, "a"),
    ("= opinions[-1]", {"opinions": ["a", "b", "c"]}, "c"),
    ("= opinions[-3]", {"opinions": ["a", "b", "c"]}, "a"),
    ("= opinions[4]", {"opinions": ["a", "b", "c"]}, None),
    ("= opinions[0]", {"opinions": ["a", "b", "c"]}, None),
    ("= opinions[-4]", {"opinions": ["a", "b", "c"]}, None),
    ("= opinions[1]", {"opinions": None}, None),
    ("= opinions[1]", {"opinions": "同意"}, "同意"),            # a value that is no list: the list of it
    ("= unit.contacts[2]", {"unit": {"contacts": ["甲", "乙"]}}, "乙"),
    ("= votes[item = true][1]", {"votes": [False, True]}, True),
    ("= {a: 1, b: x}.b", {"x": 2}, 2),
    ("= {\"full name\": x, 等级: \"重大\"}", {"x": "东城化工"}, {"full name": "东城化工", "等级": "重大"}),
    ("= {a: {b: [1, 2]}}.a.b", {}, [1, 2]),
    ("= {a: 2, b: a * 2}", {"a": 100}, {"a": 2, "b": 4}),          # an earlier entry, not the case's a
    ("= {a: x, b: a + 1, c: if b > 3 then \"高\" else \"低\"}.c", {"x": 3}, "高"),
    ("= x between 1 and 10", {"x": 10}, True),
    ("= x between 1 and 10", {"x": 11}, False),
    ("= x between 1 and 10", {"x": None}, None),
    ("= x between low and high and ok", {"x": 5, "low": 1, "high": 9, "ok": True}, True),
    ("= if x between 1 and 3 then \"低\" else \"高\"", {"x": 2}, "低"),
    ("= string length(name) between 2 and 4", {"name": "东城化工"}, True),
    ("= x in [1..10]", {"x": 10}, True),
    ("= x in (1..10)", {"x": 10}, False),
])
def test_each_construct_answers_as_feel_scala(feel, data, value):
    from engine.clock import SystemClock
    from engine.dialects import _feel_null, _translate_with_feel_calls
    from engine.scripting import DubanScriptEngine
    environment = DubanScriptEngine(SystemClock()).environment
    assert environment.evaluate(_feel_null(_translate_with_feel_calls(feel)), dict(data)) == value


@pytest.mark.parametrize("feel, reason", [
    ("= {a: [1, 2], b: a[item > 1]}", "上下文中「b」的值在筛选或循环中引用了前面的项「a」"),
    ("= {a 1}", "缺少「:」"),
    ("= {__class__: 1}", "以两个下划线开头"),
    ("= {a: 1}.__class__", "以两个下划线开头"),
    ("= x between 1", "「between … and …」写法不完整"),
    ("= votes[n]", "方括号中只有名称「n」"),
])
def test_what_is_not_translated_is_refused_naming_the_construct(feel, reason):
    from engine.dialects import _translate_with_feel_calls
    from engine.expressions import Untranslatable
    with pytest.raises(Untranslatable) as refused:
        _translate_with_feel_calls(feel)
    assert reason in str(refused.value)


def test_a_refused_context_names_the_element_at_deploy(engine):
    from engine.errors import InvalidModel
    xml = MODEL.replace("=fine between 50000 and 100000", "={a: [1, 2], b: a[item &gt; 1]}")
    assert xml != MODEL
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(xml, by="boss", filename=f"{KEY}.bpmn")
    assert "「拟定告知书」" in str(refused.value) and "引用了前面的项「a」" in str(refused.value)


@pytest.mark.parametrize("text", [
    "=" + "{a: " * 1500 + "1" + "}" * 1500,                      # contexts in contexts
    "=" + "if a then " * 1500 + "1" + " else 2" * 1500,          # ifs in ifs (before: 8 s, then RecursionError)
    "${" + "a ? " * 3000 + "1" + " : 2" * 3000 + "}",            # JUEL choices in choices
    "${" + "a ? " * 400 + "1" + " : 2" * 400 + "}",              # past the parser's 200 parentheses (SyntaxError)
    "={" + "a" + " " * 20_000 + "!: 1}",                         # a key that backtracked (3 s)
    "={a0: x, " + ", ".join(f"a{i + 1}: a{i} + a{i}" for i in range(40)) + "}",  # each entry twice the last
])
def test_a_hostile_nesting_is_refused_at_once_in_chinese(text):
    """A model's expression nested past what the translator recurses into is refused in Chinese in
    well under a second, never Python's RecursionError or SyntaxError out of the deploy."""
    import time

    from engine.dialects import _translate_with_feel_calls
    from engine.expressions import Untranslatable
    started = time.perf_counter()
    with pytest.raises(Untranslatable) as refused:
        _translate_with_feel_calls(text)
    assert time.perf_counter() - started < 0.5
    assert "Error" not in str(refused.value)
