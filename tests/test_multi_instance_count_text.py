"""多实例的实例数 over text, as Camunda 7 and Flowable read it (engine/parser.whole_count), on a real
SQLite file and real PostgreSQL, with a model drawn in Camunda Modeler 5: ``loopCardinality``
``${signers}`` read from a text field 「参加会签人数」 (《行政处罚法》第四十二条: at least two officers).

``resolveLoopCardinality`` takes a number's whole part and text through ``Integer.valueOf``: 「3」 and
the full-width 「３」 are 3; 「三」 and 「abc」 stop the case. SpiffWorkflow handed the value to
``range``: every one of them stopped the case with Python's English "'str' object cannot be
interpreted as an integer" (a sequential one with "'<' not supported between instances of 'int' and
'str'"), and 2.0 too. Now the numbers are counted and the rest is said in Chinese naming the task and
the data. The same for a FEEL count (``=signers``) and a sequential multi-instance."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import IncidentRaised
from tests.interop_support import user_for
from tests.support import make_engine

MODEL = (Path(__file__).parent / "bpmn" / "interop" / "camunda7_countersign_count_text.bpmn").read_text(encoding="utf-8")
VARIANTS = {
    "juel": MODEL,
    "feel": MODEL.replace("${signers}", "=signers"),
    "sequential": MODEL.replace("<bpmn:multiInstanceLoopCharacteristics>",
                                '<bpmn:multiInstanceLoopCharacteristics isSequential="true">'),
}
KEY = "camunda7_countersign_count_text"


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    yield eng
    eng.dispose()


def plan(engine, variant: str, signers):
    """Deploys the variant (a new version of the model) and completes 确定会签人数 with ``signers``."""
    engine.deploy(VARIANTS[variant], by="boss", filename=f"{KEY}.bpmn")
    case = engine.start(KEY, by="boss", org="east", data={})
    (task,) = engine.case(case.id).tasks
    engine.complete(task.id, user_for(engine, task), {"signers": signers})
    return case


@pytest.mark.parametrize("variant", ["juel", "feel"])
@pytest.mark.parametrize("signers, instances", [(2, 2), ("3", 3), ("３", 3), (2.0, 2), (" 2 ", 2)])
def test_a_count_typed_as_text_opens_that_many_instances(engine, variant, signers, instances):
    case = plan(engine, variant, signers)
    assert [t.name for t in engine.case(case.id).tasks] == ["会签执法意见"] * instances


@pytest.mark.parametrize("signers, instances", [("3", 3), ("３", 3)])
def test_a_sequential_count_typed_as_text_runs_that_many_turns(engine, signers, instances):
    case = plan(engine, "sequential", signers)
    turns = 0
    while (view := engine.case(case.id)).status == "running":
        (task,) = view.tasks
        engine.complete(task.id, user_for(engine, task), {})
        turns += 1
        assert turns <= instances
    assert view.status == "completed" and turns == instances


@pytest.mark.parametrize("variant, what", [("juel", "会签人数"), ("feel", "会签人数"), ("sequential", "循环次数")])
@pytest.mark.parametrize("signers", ["三", "abc"])
def test_a_count_that_is_no_number_is_an_incident_naming_the_task_and_the_data(engine, variant, what, signers):
    with pytest.raises(IncidentRaised) as raised:
        plan(engine, variant, signers)
    assert raised.value.message.startswith(
        f"「会签执法意见」出错: {what}把案件数据「signers」当作数字，但它的值「{signers}」是文字；请改为数字后重试，"
        "或请流程设计员把该表单字段设为数字类型")
    assert "cannot be interpreted" not in raised.value.message
