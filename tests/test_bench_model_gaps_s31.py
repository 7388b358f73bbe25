"""bench/throughput.py's naive app does the work the engine does on two more kinds of model, and the
bench gives two more models data they can walk on, so that bench/model_sweep.py has a ratio for them.

- A message a step throws that no case waits for starts a case of the process whose start event
  waits for it (engine/messages._start_by_thrown_message: bpmn.io's two pools, 送达指令书 to
  收到指令书). The naive app dropped it (SpiffWorkflow leaves an uncaught event to the app), so
  bpmnio_two_pools_message_flow's ratio compared the engine's completion and case start with the
  naive app's completion alone; it now makes, runs and stores that case in the step's transaction.
- A drawn text field a ``timeDate`` or a ``loopCardinality`` reads got 基准测试 (``drawn_form_data``'s
  line of text): both sides stopped in an incident (activiti_rectify_deadline_timer_date's 整改期限,
  camunda7_countersign_count_text's 参加会签人数) and the models had no ratio.
"""
from __future__ import annotations

import argparse
import importlib.util
import sqlite3
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INTEROP = ROOT / "tests" / "bpmn" / "interop"


def _throughput():
    spec = importlib.util.spec_from_file_location("bench_throughput_s31", ROOT / "bench" / "throughput.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_naive_app_starts_the_case_a_thrown_message_starts(tmp_path):
    tp = _throughput()
    bench = tp.ModelBench(INTEROP / "bpmnio_two_pools_message_flow.bpmn")
    engine = tp.model_engine_run(bench, f"sqlite:///{tmp_path / 'engine.sqlite'}", 2)
    assert engine["cases_ended"] == {"waiting": 2} and engine["completions"] == 2
    walk = tp.SpiffWalk(bench, 2, tmp_path / "naive.sqlite")
    while walk.round():
        pass
    naive = walk.result()
    assert naive["cases_ended"] == engine["cases_ended"] and naive["completions"] == 2
    db = sqlite3.connect(tmp_path / "naive.sqlite")
    states = [walk.codec.deserialize_json(text) for (text,) in db.execute("SELECT state FROM wf ORDER BY id")]
    db.close()
    assert len(states) == 4  # the two bureau cases and the two firm cases their 整改指令书 started
    firms = [wf for wf in states if wf.spec.name == "bpmnio_rectify_firm"]
    assert [[t.task_spec.bpmn_id for t in wf.get_tasks(state=tp.TaskState.READY)] for wf in firms] == \
        [["Activity_0fix"], ["Activity_0fix"]]  # each caught the message at its start


@pytest.mark.parametrize("model", ["activiti_rectify_deadline_timer_date", "camunda7_countersign_count_text"])
def test_a_drawn_text_field_a_timer_or_a_count_reads_gets_a_date_or_a_count(model):
    tp = _throughput()
    args = argparse.Namespace(cases=2, only="naive", skip_postgres=True, postgres=None)
    result = tp.model_result(tp.ModelBench(INTEROP / f"{model}.bpmn"), args)
    engine, naive = result["engine_sqlite"], result["naive_app_sqlite"]
    assert engine["cases_ended"] == {"completed": 2}, engine
    assert naive["cases_ended"] == engine["cases_ended"] and naive["completions"] == engine["completions"] > 0
    assert "no_ratio" not in result and result["engine_over_naive_by_cpu"] > 0
