"""A refused JUEL or FEEL expression says what to write instead (表达式的改写建议).

A designer who draws in Camunda Modeler writes ``${execution.getVariable("amount") > 10000}``,
``${level.equals("重大")}``, ``${urgent ? a : b}``, or ``= count(hazards) > 1`` in Camunda 8. The deploy
refuses them naming the element; the refusal now gives the Python that means the same, in the
designer's own variables. Each suggestion is tried as the designer would: written into the model in
place of the refused expression (tests/bpmn/interop/camunda7_purchase.bpmn, as Camunda Modeler saved
it), deployed, and a case run on it takes the flow the original meant. Real engine, SQLite file.
"""
from __future__ import annotations

import re
from xml.sax.saxutils import escape

import pytest

from engine import InvalidModel
from engine.expression_advice import equivalent
from tests.interop_support import CORPUS
from tests.support import make_engine
from tests.ui_support import open_task

PURCHASE = (CORPUS / "camunda7_purchase.bpmn").read_text("utf-8")
DRAWN = "${amount gt 10000 &amp;&amp; !urgent}"  # Flow_big: 金额超过一万 and not 急需 -> 负责人审批


@pytest.fixture
def engine(sqlite_url):
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


def refused(engine, xml: str, filename: str = "camunda7_purchase.bpmn") -> dict:
    with pytest.raises(InvalidModel) as err:
        engine.deploy(xml, by="boss", filename=filename)
    errors = [p for p in err.value.problems if p["severity"] == "error"]
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize("written, python", [
    ('${execution.getVariable("amount") &gt; 10000 &amp;&amp; !execution.getVariable("urgent")}',
     "amount > 10000 and not urgent"),
    # JUEL's a ? b : c is translated (engine/expressions._choice); a bean in it is still refused
    ('${execution.getVariable("amount") &gt; 10000 ? !urgent.equals(true) : false}',
     "not (urgent == True) if amount > 10000 else False"),
    ('${execution.getVariable("amount") gt 10000 and urgent.equals(false)}', "amount > 10000 and (urgent == False)"),
])
def test_the_refusal_names_the_flow_and_the_python_to_write_which_then_runs(engine, written, python):
    problem = refused(engine, PURCHASE.replace(DRAWN, written))
    assert problem["element_id"] == "Flow_big"
    assert problem["message"].startswith("连线「是」(Flow_big) 的条件使用 JUEL 表达式「")
    assert problem["message"].endswith(f"；请改写为 Python 表达式（不带 ${{ }}）：{python}")
    # the designer writes what it says, and the model deploys and routes as the JUEL meant
    engine.deploy(PURCHASE.replace(DRAWN, escape(python)), by="boss", filename="camunda7_purchase.bpmn")
    for amount, urgent, next_task in ((50_000, False, "Activity_approve"), (50_000, True, None), (5_000, False, None)):
        case = engine.start("camunda7_purchase", by="zhang", org="east", title="采购")
        engine.complete(open_task(engine, case.id, "Activity_request").id, "zhang",
                        {"amount": amount, "urgent": urgent})
        open_now = [t.spec_id for t in engine.case(case.id).tasks]
        assert ("Activity_approve" in open_now) == (next_task is not None), (amount, urgent, open_now)


def test_an_expression_with_no_known_equivalent_gets_the_rule_with_examples(engine):
    problem = refused(engine, PURCHASE.replace(DRAWN, "${purchaseRules.needsApproval(amount)}"))
    assert problem["element_id"] == "Flow_big"
    assert "调用了方法「purchaseRules.needsApproval(...)」（本系统只支持 Java 的 equals、equalsIgnoreCase、contains、" \
        "startsWith、endsWith、length、size、isEmpty，写在流程变量之后，如 flag.equals('驳回')）；请改写为 Python 表达式。" \
        "本系统的条件和定时器直接写 Python 表达式" in problem["message"]
    assert "amount > 10000 and not urgent" in problem["message"]


def test_a_task_attribute_is_told_the_expression_it_may_hold(engine):
    """camunda:dueDate reads a ${...} (a plain text is a date): the refusal gives the ${...} that is
    read, by the attribute's Chinese name; a call has no such form and gets the rule."""
    xml = PURCHASE.replace('camunda:dueDate="2026-12-31T17:00:00"',
                           'camunda:dueDate="${execution.getVariable(&#34;due&#34;)}"')
    problem = refused(engine, xml)
    assert problem["element_id"] == "Activity_approve"
    assert problem["message"].startswith("用户任务「负责人审批」(Activity_approve) 的办理期限（dueDate）使用 JUEL 表达式")
    assert problem["message"].endswith("；请改写为：${due}")
    xml = PURCHASE.replace('camunda:dueDate="2026-12-31T17:00:00"', 'camunda:dueDate="${dateTime().plusDays(3).toDate()}"')
    assert "此处只支持整个值是一个简单的 ${...} 表达式" in refused(engine, xml)["message"]


@pytest.mark.parametrize("text, python", [
    ("${amount > 1000}", "amount > 1000"),
    ('${level.equals("重大")}', 'level == "重大"'),
    ("${hazards.size() > 0 && !rectified}", "len(hazards) > 0 and not rectified"),
    ('${hazards.contains("有限空间")}', '"有限空间" in hazards'),
    ("${list.isEmpty()}", "len(list) == 0"),
    ('${urgent ? "加急" : "普通"}', '"加急" if urgent else "普通"'),
    ("${dateTime().plusDays(3).toDate()}", "days_after(now(), 3)"),
    ("${dateTime().plusWeeks(2)}", "days_after(now(), 14)"),
    ("第${amount}元", "'第' + str(amount) + '元'"),
    ("= count(hazards) > 1", "len(hazards) > 1"),
    ("${execution.processBusinessKey}", None),
    ("${myBean.check(amount)}", None),
])
def test_equivalents_of_common_idioms(text, python):
    assert equivalent(text, "FEEL" if text.startswith("=") else "JUEL") == python
    if python is not None:
        compile(python, "<advice>", "eval")
        assert not re.search(r"duban_advice|\$\{", python)


ONSITE = (CORPUS / "zeebe_onsite_check.bpmn").read_text("utf-8")
ONSITE_SCRIPT = '<zeebe:script expression="=expert_total + 1" resultVariable="risk"/>'


def test_a_camunda8_script_calling_today_runs_on_the_engines_clock(engine):
    """Camunda 8's script task keeps its FEEL in ``zeebe:script``. ``today()`` was refused (the message
    gave the Python script to write); since session 22 it deploys and reads the engine's clock
    (engine/feel_functions.today_text), as Zeebe runs it. (``count()`` is translated since 2e25240,
    ``min()`` since engine/feel_functions.py; the advice for what stays refused: the tests above.)"""
    drawn = ONSITE.replace(ONSITE_SCRIPT, '<zeebe:script expression="=today() &gt; date(&quot;2000-01-01&quot;)" '
                                          'resultVariable="risk"/>')
    engine.deploy(drawn, by="boss", filename="zeebe_onsite_check.bpmn")
    case = engine.start("zeebe_permit_onsite", by="zhang", org="east", title="现场核查",
                        data={"scores": [70, 80], "hazards": ["消防通道堵塞"]})
    engine.complete(open_task(engine, case.id, "Activity_0check").id, "zhang", {})
    assert engine.case(case.id).data["risk"] is True


def test_a_camunda8_script_calling_min_runs_as_zeebe_runs_it(engine):
    """``=min(scores) > 60`` (FEEL's min of a list, DMN 1.3 §10.3.4.4) deploys and answers as Zeebe:
    the deploy refused it (engine/feel_functions.py)."""
    drawn = ONSITE.replace(ONSITE_SCRIPT, '<zeebe:script expression="=min(scores) &gt; 60" resultVariable="risk"/>')
    engine.deploy(drawn, by="boss", filename="zeebe_onsite_check.bpmn")
    for scores, risk in (([70, 80], True), ([50, 90], False), ([], None)):
        case = engine.start("zeebe_permit_onsite", by="zhang", org="east", title="现场核查",
                            data={"scores": scores, "hazards": ["消防通道堵塞"]})
        engine.complete(open_task(engine, case.id, "Activity_0check").id, "zhang", {})
        assert engine.case(case.id).data["risk"] is risk  # min([]) is null, and null > 60 null


def test_a_camunda8_script_with_no_known_equivalent_gets_an_example_script(engine):
    drawn = ONSITE.replace(ONSITE_SCRIPT, '<zeebe:script expression="=some x in hazards, y in levels satisfies x = y" '
                                          'resultVariable="risk"/>')
    problem = refused(engine, drawn, "zeebe_onsite_check.bpmn")
    assert problem["message"].endswith("；请在该脚本任务中改写为 Python 脚本，如 risk = amount * 2（流程变量直接写变量名，不带开头的 =）")
