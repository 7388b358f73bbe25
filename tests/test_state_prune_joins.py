"""Pruning must not drop a finished branch that an unstructured join (汇合) still counts.

The model is Camunda 7's ParallelGatewayTest.testUnstructuredConcurrencyTwoJoins redrawn
(tests/bpmn/interop/camunda7_unstructured_two_joins.bpmn): 「调取隐患台账」 skips the first join and
meets the second, which also waits for the three tasks after the first join. Saving the case between
steps dropped the finished 「调取隐患台账」 branch (engine/state.py ``_prune_tree``), and the case
stalled at 「材料齐全」 (流程停滞) where Camunda and raw SpiffWorkflow complete."""
from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.parser import DubanParser
from engine.state import structured_joins
from tests.support import BPMN, deploy, make_engine

MODEL = "interop/camunda7_unstructured_two_joins.bpmn"
KEY = "camunda7_unstructured_two_joins"


def _spec(name: str, key: str):
    parser = DubanParser()
    if name.startswith("../../bpmn/"):  # our own models: with the decisions and models they call
        folder = (BPMN / name).parent
        parser.add_bpmn_files([str(f) for f in sorted(folder.glob("*.bpmn"))])
        parser.add_dmn_files([str(f) for f in sorted(folder.glob("*.dmn"))])
    else:
        parser.add_bpmn_file(str(BPMN / name))
    return parser.get_spec(key)


def raw_walk() -> tuple[list[str], bool]:
    """Raw SpiffWorkflow in memory, the first ready task (by id) each step."""
    wf = BpmnWorkflow(_spec(MODEL, KEY))
    wf.do_engine_steps()
    seen = []
    for _ in range(50):
        ready = sorted(wf.get_tasks(state=TaskState.READY, manual=True), key=lambda t: t.task_spec.bpmn_id)
        if not ready:
            break
        seen.append(ready[0].task_spec.bpmn_id)
        ready[0].run()
        wf.do_engine_steps()
    return seen, wf.is_completed()


def test_unstructured_two_joins_completes_as_raw_spiffworkflow(database_url):
    raw_seen, raw_done = raw_walk()
    assert raw_done and len(raw_seen) == 6
    engine = make_engine(database_url)
    try:
        engine.directory.add_user("zhang", org="east", roles=["inspector"], name="张三")
        deploy(engine, MODEL)
        case = engine.start(KEY, by="zhang", org="east")
        seen = []
        for _ in range(50):
            ready = sorted(engine.case(case.id).tasks, key=lambda t: t.spec_id)
            if not ready:
                break
            seen.append(ready[0].spec_id)
            engine.complete(ready[0].id, "zhang", {})  # each step saved (and pruned) and loaded again
        view = engine.case(case.id)
        assert seen == raw_seen
        assert view.status == "completed", view.status
    finally:
        engine.dispose()


@pytest.mark.parametrize("name,key,structured", [
    (MODEL, KEY, False),
    ("../../bpmn/accident_investigation.bpmn", "accident_investigation", True),  # ours: forks, joins
    ("../../bpmn/enforcement_case.bpmn", "enforcement_case", True),
    ("loop_parallel.bpmn", "loop_parallel", True),  # a loop's way back into a parallel gateway
    ("loop_inclusive.bpmn", "loop_inclusive", True),
])
def test_which_processes_keep_finished_side_branches(name, key, structured):
    assert structured_joins(_spec(name, key)) is structured
