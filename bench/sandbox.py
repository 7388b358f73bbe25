"""Cost of running model code isolated (engine/evaluator.py): per evaluation and per engine step.

Per evaluation (microseconds, median of many): a plain condition in the host; an expression, an
expression calling a host function, and a script in an isolated worker; a plain script
(assignments of plain expressions) in the host and, forced there, in a worker; and, for comparison,
the same restricted code evaluated in the host (``isolate=False``, which the engine never uses).
Per step (milliseconds, median over the loop of tests/bpmn/loop.bpmn on a SQLite file): the
gateway condition plain (host), as a call (worker), with a script task in the loop (worker), and
with a plain script task in the loop (host).

    python bench/sandbox.py --json
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.evaluator import IsolatedEnvironment, pool  # noqa: E402
from tests.support import make_engine  # noqa: E402

MODEL = (ROOT / "tests" / "bpmn" / "loop.bpmn").read_text(encoding="utf-8")
SCRIPT_TASK = """<bpmn:sequenceFlow id="f2" sourceRef="report" targetRef="calc" />
    <bpmn:scriptTask id="calc" name="计算"><bpmn:script>total = sum(x for x in [round, 1, 2])
label = f"第{round}轮"</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2b" sourceRef="calc" targetRef="gw" />"""
PLAIN_SCRIPT = 'total = round + 3\nlabel = "第" + str(round) + "轮"'


def per_evaluation(runs: int) -> dict:
    functions = {"workdays_after": lambda start, n: f"{start}+{n}"}
    isolated = IsolatedEnvironment(functions, seconds=5.0)
    in_host = IsolatedEnvironment(functions, seconds=5.0, isolate=False)
    no_plain_scripts = IsolatedEnvironment(functions, seconds=5.0)
    no_plain_scripts.plain_scripts = False
    data = {"finished": False, "round": 3, "items": [{"amount": i} for i in range(20)], "text": "整改" * 50}
    cases = {
        "plain_condition_host": (isolated, "eval", "finished == False and round >= 3"),
        # (len() became a plain call and a date-helper call of literals the host's: these are not)
        "expression_worker": (isolated, "eval", "max(round, 2) > 2"),
        "expression_calling_host_function_worker": (isolated, "eval", "workdays_after('2026-11-02', round + 5)"),
        "script_worker": (isolated, "exec", "total = sum(i['amount'] for i in items)"),
        "plain_script_host": (isolated, "exec", PLAIN_SCRIPT),
        "plain_script_worker": (no_plain_scripts, "exec", PLAIN_SCRIPT),
        "expression_restricted_in_host": (in_host, "eval", "len(items) > 2"),
        "script_restricted_in_host": (in_host, "exec", "total = sum(i['amount'] for i in items)"),
    }
    result = {}
    for name, (env, mode, source) in cases.items():
        run = (lambda: env.evaluate(source, dict(data))) if mode == "eval" else (lambda: env.execute(source, dict(data)))
        if mode == "exec" and not env.isolate:
            from engine.evaluator import compiled
            from engine.restricted import restricted_globals
            code = compiled(source, "exec")[0]
            run = lambda: exec(code, restricted_globals(dict(data)))  # noqa: E731
        run()  # warm: the worker is started, the code compiled
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
        result[name + "_us"] = round(statistics.median(times) * 1e6, 1)
    return result


def per_step(iterations: int) -> dict:
    variants = {
        "plain_condition": MODEL,
        "condition_in_worker": MODEL.replace(">finished<", ">bool(finished)<"),
        "script_task_in_worker": MODEL.replace('<bpmn:sequenceFlow id="f2" sourceRef="report" targetRef="gw" />',
                                               SCRIPT_TASK).replace(
            "<bpmn:flowNodeRef>gw</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>gw</bpmn:flowNodeRef><bpmn:flowNodeRef>calc</bpmn:flowNodeRef>"),
    }
    variants["plain_script_task_in_host"] = variants["script_task_in_worker"].replace(
        SCRIPT_TASK.split("<bpmn:script>")[1].split("</bpmn:script>")[0], PLAIN_SCRIPT)
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in variants.items():
            engine = make_engine(f"sqlite:///{Path(tmp) / (name + '.sqlite')}")
            engine.directory.add_user("ent", org="east", roles=["enterprise"])
            engine.deploy(text, by="boss", filename="loop.bpmn")
            engine.start("loop", by="zhang", org="east")
            times = []
            for i in range(iterations):
                (task,) = engine.queue("ent")
                t0 = time.perf_counter()
                engine.complete(task.id, "ent", {"finished": i == iterations - 1, "round": i})
                times.append(time.perf_counter() - t0)
            env = engine.script_engine.environment
            result[name] = {"step_ms": round(statistics.median(times[1:]) * 1e3, 3),
                            "host_evaluations": env.evaluations["host"], "worker_evaluations": env.evaluations["worker"],
                            "host_scripts": env.evaluations["host_script"]}
            engine.dispose()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--iterations", type=int, default=60)
    args = ap.parse_args()
    t0 = time.perf_counter()
    first = pool().acquire()
    started_ms = round((time.perf_counter() - t0) * 1e3, 1)
    pool().release(first, broken=False)
    result = {"worker_start_ms": started_ms, "per_evaluation": per_evaluation(args.runs),
              "per_step": per_step(args.iterations)}
    steps = result["per_step"]
    result["step_overhead_condition_in_worker_ms"] = round(
        steps["condition_in_worker"]["step_ms"] - steps["plain_condition"]["step_ms"], 3)
    result["step_overhead_script_task_in_worker_ms"] = round(
        steps["script_task_in_worker"]["step_ms"] - steps["plain_condition"]["step_ms"], 3)
    result["step_overhead_plain_script_task_in_host_ms"] = round(
        steps["plain_script_task_in_host"]["step_ms"] - steps["plain_condition"]["step_ms"], 3)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for k, v in result.items():
            print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
