"""Validation time of a large model: linear in its size, and outside the write lock.

A chain of N exclusive gateways (each with a conditioned branch to a user task and a default flow
on) is generated; ``ModelStore.validate`` is timed for N and 2N. Reported: file size, seconds, and
the ratio (about 2 for linear work; 4 for the old gateways × flows loop).

    python bench/large_model.py --json [--gateways 420]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import make_engine  # noqa: E402


def large_model(gateways: int, key: str = "large") -> str:
    """``gateways`` parallel branches, each a decision (研判) sending the case to 整改 or to its end."""
    nodes = ['<bpmn:startEvent id="start" />', '<bpmn:parallelGateway id="fork" />']
    flows = ['<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />']
    refs = ["start", "fork"]
    for i in range(gateways):
        gw, task, end = f"gw_{i}", f"task_{i}", f"end_{i}"
        refs += [gw, task, end]
        nodes += [f'<bpmn:exclusiveGateway id="{gw}" name="研判第{i}项" default="ok_{i}" />',
                  f'<bpmn:userTask id="{task}" name="整改第{i}项" />', f'<bpmn:endEvent id="{end}" />']
        flows += [f'<bpmn:sequenceFlow id="in_{i}" sourceRef="fork" targetRef="{gw}" />',
                  f'<bpmn:sequenceFlow id="fix_{i}" sourceRef="{gw}" targetRef="{task}">'
                  f'<bpmn:conditionExpression>score_{i} &lt; 60</bpmn:conditionExpression></bpmn:sequenceFlow>',
                  f'<bpmn:sequenceFlow id="ok_{i}" sourceRef="{gw}" targetRef="{end}" />',
                  f'<bpmn:sequenceFlow id="done_{i}" sourceRef="{task}" targetRef="{end}" />']
    lane = "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in refs)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://duban">
  <bpmn:process id="{key}" name="大型模型" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="inspector">{lane}</bpmn:lane></bpmn:laneSet>
    {"".join(nodes)}
    {"".join(flows)}
  </bpmn:process>
</bpmn:definitions>
"""


def timed_validate(engine, gateways: int) -> dict:
    text = large_model(gateways).encode("utf-8")
    started = time.perf_counter()
    engine.models.validate(text, "large.bpmn")
    return {"gateways": gateways, "bytes": len(text), "seconds": round(time.perf_counter() - started, 3)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--gateways", type=int, default=420)  # 420 is near the element cap
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'large.sqlite'}")
        small = timed_validate(engine, args.gateways // 2)
        big = timed_validate(engine, args.gateways)
        engine.dispose()
    result = {"half": small, "full": big, "ratio": round(big["seconds"] / max(small["seconds"], 1e-6), 2)}
    print(json.dumps(result, ensure_ascii=False) if args.json else result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
