"""A vendor listener the engine does not run is noted naming what it is written in (engine/dialects.py
``_listener_kind``): a designer importing a Camunda 7 or Flowable model learns which listener to
rewrite and in what, as the refusal of a JavaScript condition names its language. Before, every such
note read 「…的执行监听器在本系统中不会执行，已忽略」 whatever the listener held."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import make_engine

CORPUS = Path(__file__).parent / "bpmn" / "interop"


@pytest.fixture
def engine(sqlite_url):
    e = make_engine(sqlite_url)
    try:
        yield e
    finally:
        e.dispose()


def _notes(engine, raw: bytes, filename: str) -> dict[str, str]:
    pf = engine.models.validate(raw, filename)
    return {w.element_id: w.message for w in pf.warnings if "监听器在本系统中不会执行" in w.message}


def test_a_camunda_script_listener_is_said_in_its_language(engine):
    """Groovy on an end event, JavaScript on a user task (Camunda Modeler 5 exports)."""
    groovy = _notes(engine, (CORPUS / "camunda7_hazard_gateways.bpmn").read_bytes(), "a.bpmn")
    assert "的执行监听器在本系统中不会执行，已忽略：它是Groovy 脚本（scriptFormat=\"groovy\"）" in groovy["Event_0end001"]
    assert "Java 类「cn.gov.yjj.listener.NotifyExperts」" in groovy["Activity_0expert"]
    drawn = (CORPUS / "camunda7_javascript_condition_listener.bpmn").read_text(encoding="utf-8")
    python = drawn.replace('language="javascript">execution.getVariable("fine") &gt;= 50000', ">${fine &gt;= 50000}")
    assert python != drawn  # the condition rewritten as the refusal says; the listener kept
    pf = engine.models.validate(python.encode(), "b.bpmn")
    (js,) = [w.message for w in pf.warnings if w.element_id == "Activity_0facts" and "监听器" in w.message]
    assert "JavaScript 脚本（scriptFormat=\"javascript\"）" in js and "脚本任务（Python）" in js


def test_a_flowable_script_listener_class_and_bean_are_said(engine):
    """Flowable's ScriptExecutionListener names its language in a field; a bean call is an expression."""
    drawn = (CORPUS / "flowable_execution_listener_variable.bpmn").read_text(encoding="utf-8")
    scripted = drawn.replace(
        '<flowable:taskListener event="create" class="com.example.duban.NotifyListener"></flowable:taskListener>',
        '<flowable:executionListener event="start" class="org.flowable.engine.impl.bpmn.listener.ScriptExecutionListener">'
        '<flowable:field name="script"><flowable:string>execution.setVariable("x", 1)</flowable:string></flowable:field>'
        '<flowable:field name="language"><flowable:string>groovy</flowable:string></flowable:field>'
        '</flowable:executionListener>')
    assert scripted != drawn
    (said,) = _notes(engine, scripted.encode(), "c.bpmn").values()
    assert "它是Groovy 脚本（language=\"groovy\"）" in said
    (klass,) = _notes(engine, drawn.encode(), "d.bpmn").values()
    assert "的任务监听器在本系统中不会执行，已忽略：它是Java 类「com.example.duban.NotifyListener」" in klass
    bean = drawn.replace("${execution.setVariable('source', '12350')}", "${sourceService.mark(execution)}")
    notes = _notes(engine, bean.encode(), "e.bpmn")
    assert notes["startEvent1"].endswith("它是表达式「${sourceService.mark(execution)}」；需要的逻辑请改用脚本任务（Python）或服务任务")
