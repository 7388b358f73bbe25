"""Decision table cost: µs to evaluate a table for one task, SpiffWorkflow's DMNEngine (A) against
engine/dmn.py's DecisionTableEngine (B), on the same parsed table, task and data, in one process.

Rounds alternate A and B (and swap the order every round); an A/A control (B against a second B)
says how much of a difference is noise. Tables: our bpmn/accident_grade.dmn (FIRST, 10 rules,
Python inputs) and the corpus's zeebe_enterprise_grade.dmn (FIRST, FEEL cells, not(...)).

    python bench/dmn_cost.py --json [--rounds 15 --n 2000]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine  # noqa: E402

from engine import validation  # noqa: E402
from engine.dmn import DecisionTableEngine  # noqa: E402
from engine.clock import SystemClock  # noqa: E402
from engine.scripting import DubanScriptEngine  # noqa: E402

PROCESS = '''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
  <bpmn:process id="bench_rule" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="rule"><bpmn:extensionElements><spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:businessRuleTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="rule"/><bpmn:sequenceFlow id="f2" sourceRef="rule" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>'''

CASES = {
    "accident_grade (FIRST, 10 rules; answers rule 7)": (ROOT / "bpmn" / "accident_grade.dmn", "accident_grade",
                                                         {"deaths": 2, "serious_injuries": 0, "direct_loss": 0}),
    "zeebe_enterprise_grade (FIRST, FEEL not(); rule 3)": (ROOT / "tests" / "bpmn" / "interop" / "zeebe_enterprise_grade.dmn",
                                                           "Decision_0grade", {"industry": "冶金", "employees": 20}),
}


def rule_task(dmn: Path, decision: str, data: dict):
    files = [validation.read_file(dmn.read_bytes(), dmn.name),
             validation.read_file(PROCESS.format(decision=decision).encode(), "bench.bpmn")]
    parser = validation.spiff_parse(files)
    spec, subs = validation.build_specs(parser, "bench_rule", files[1])
    workflow = BpmnWorkflow(spec, subs, script_engine=DubanScriptEngine(SystemClock()))
    task = next(t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "rule")
    task.data.update(data)
    return task


def per_call(engine, task, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        engine.result(task)
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    report = {}
    for label, (dmn, decision, data) in CASES.items():
        task = rule_task(dmn, decision, data)
        table = task.task_spec.dmnEngine.decision_table
        engines = {"A": DMNEngine(table), "B": DecisionTableEngine(table), "B2": DecisionTableEngine(table)}
        assert engines["A"].result(task) == engines["B"].result(task), (label, engines["A"].result(task))
        times: dict[str, list[float]] = {k: [] for k in engines}
        for r in range(args.rounds):
            order = ["A", "B", "B2"] if r % 2 == 0 else ["B2", "B", "A"]
            for k in order:
                times[k].append(per_call(engines[k], task, args.n))
        med = {k: statistics.median(v) for k, v in times.items()}
        report[label] = {"spiffworkflow_us": round(med["A"], 1), "ours_us": round(med["B"], 1),
                         "ours_again_us": round(med["B2"], 1), "ours_over_spiff": round(med["B"] / med["A"], 3),
                         "aa_control": round(med["B2"] / med["B"], 3)}
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else report)


if __name__ == "__main__":
    main()
