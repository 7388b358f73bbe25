"""bench/model_sweep.py: a subset a later run can repeat (``--every``), and the rows kept on disk as
the sweep goes (``--out``), so that a sweep on a busy machine can be read while it runs and one cut
short keeps what it measured."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SWEEP = ROOT / "bench" / "model_sweep.py"


def _sweep():
    spec = importlib.util.spec_from_file_location("bench_model_sweep", SWEEP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _folder(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    for i in range(n):
        (folder / f"m{i:02d}.bpmn").write_text("<definitions/>")
    (folder / "notes.txt").write_text("not a model")
    return folder


def test_every_nth_model_of_a_folder_and_every_file_named(tmp_path):
    sweep = _sweep()
    folder = _folder(tmp_path, 10)
    named = tmp_path / "named.bpmn"
    named.write_text("<definitions/>")
    assert [p.name for p in sweep.models([folder], 4)] == ["m00.bpmn", "m04.bpmn", "m08.bpmn"]
    assert [p.name for p in sweep.models([folder, named], 4)][-1] == "named.bpmn"
    assert len(sweep.models([folder])) == 10  # every model by default, as before


def test_the_rows_so_far_are_on_disk_before_the_next_model_runs(tmp_path, monkeypatch):
    sweep = _sweep()
    folder = _folder(tmp_path, 3)
    out = tmp_path / "sweep.json"
    found_on_disk = []

    def row(path: Path, cases: int, timeout: float) -> dict:
        # what a reader of --out finds when this model starts: every model before it
        found_on_disk.append([r["model"] for r in json.loads(out.read_text())] if out.exists() else [])
        return {"model": path.name, "engine_completions": cases, "ratio_in_turns": 2.0}

    monkeypatch.setattr(sweep, "row", row)
    monkeypatch.setattr(sys, "argv", ["model_sweep.py", "--cases", "3", "--out", str(out), "--json", str(folder)])
    sweep.main()
    assert found_on_disk == [[], ["m00.bpmn"], ["m00.bpmn", "m01.bpmn"]]
    rows = json.loads(out.read_text())
    assert [r["model"] for r in rows] == ["m00.bpmn", "m01.bpmn", "m02.bpmn"]
    assert all(len(r["load_average"]) == 3 for r in rows)
    assert not out.with_name(out.name + ".part").exists()
