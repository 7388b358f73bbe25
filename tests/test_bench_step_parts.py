"""bench/step_parts.py ``--model``: the part-by-part table of a completion on any model, next to that
model's naive app. Run as the bench runs (its own process: the bench wraps engine and SpiffWorkflow
functions for the rest of its process), on a model whose case is one completion.

Counted, not timed: every completion is in the table once, and what the walk does between
completions (it reads each case and picks a user who may work its task: ``Engine.case``, the policy)
is not charged to them — each completion asks the policy once and reads its task row once."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = "tests/bpmn/interop/zeebe_is_defined.bpmn"


def test_the_parts_of_a_model_are_those_of_its_completions_only():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "step_parts.py"), "--model", MODEL,
                          "--cases", "3", "--clock", "thread", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["process"] == "zeebe_is_defined" and result["completions"] == 3
    # each case is one completion, which ends it
    assert result["last_completion_us"]["ends"] == 3 and result["last_completion_us"]["middles"] == 0
    parts = result["parts_us_per_completion"]
    assert parts["other"]["calls"] == 1.0
    # the walk's own reads between completions (its Engine.case, the policy asked for a user) are not counted
    assert parts["policy.check_task"]["calls"] == 1.0
    assert parts["take_task (python)"]["calls"] == 1.0
    assert parts["sql SELECT select"]["calls"] == 1.0
    assert result["naive_completions"] == 3
    assert {"deserialize_json", "serialize_json", "sql COMMIT"} <= set(result["naive_parts_us_per_completion"])


def test_the_parts_by_place_split_the_same_completions():
    """``parts_by_place_us``: the 5-task model's completions by their place in the case (first, three
    in the middle, last), each place's parts summing to its total; one completion a case is ``only``."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "step_parts.py"), "--model",
                          "bench/models/five_tasks.bpmn", "--cases", "3", "--clock", "thread", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    places = result["parts_by_place_us"]
    assert {p: v["completions"] for p, v in places.items()} == {"first": 3, "middle": 9, "last": 3}
    for place in places.values():
        assert abs(sum(place["parts_us"].values()) - place["total_us"]) < 1 + len(place["parts_us"]) * 0.1
    assert "spiff do_engine_steps" in places["last"]["parts_us"]  # the end event, end join and end run
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "step_parts.py"), "--model", MODEL,
                          "--cases", "2", "--clock", "thread", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert {p: v["completions"] for p, v in result["parts_by_place_us"].items()} == {"only": 2}
