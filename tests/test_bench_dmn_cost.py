"""bench/dmn_cost.py runs: SpiffWorkflow's DMNEngine and engine/dmn.py give the same answer on its
tables (the bench asserts it) and it reports µs for both and an A/A control."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_dmn_cost_bench_reports_both_engines_and_a_control():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "dmn_cost.py"), "--json", "--rounds", "2", "--n", "3"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    report = json.loads(out.stdout)
    assert len(report) == 2
    for row in report.values():
        assert row["spiffworkflow_us"] > 0 and row["ours_us"] > 0 and row["aa_control"] > 0
