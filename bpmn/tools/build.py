"""Write the decision tables and process models into ``bpmn/``.

    .venv/bin/python -m bpmn.tools.build            # all files
    .venv/bin/python -m bpmn.tools.build hazard     # only files whose name contains "hazard"

This bootstrapped the models. Once designers edit a model in the browser, that .bpmn file is the
source of truth: regenerating it overwrites their edits, so compare before committing.
"""
from __future__ import annotations

import sys
from pathlib import Path

from . import dmn_tables

BPMN_DIR = Path(__file__).resolve().parent.parent


def outputs() -> dict[str, str]:
    files = {f"{t.decision_id}.dmn": dmn_tables.table_xml(t) for t in dmn_tables.TABLES}
    try:
        from . import models
    except ImportError:  # models not written yet
        return files
    for process in models.PROCESSES:
        files[f"{process.id}.bpmn"] = process.to_xml()
    return files


def main(argv: list[str]) -> int:
    wanted = argv[1:]
    for name, text in outputs().items():
        if wanted and not any(w in name for w in wanted):
            continue
        (BPMN_DIR / name).write_text(text, encoding="utf-8")
        print(f"wrote bpmn/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
