"""The case row's UPDATE on SQLite, bare: µs of thread CPU a statement, this schema against an older one.

Every step writes its case's ``case_instance`` row; what that costs beyond the row is the hazard
machinery (engine/case_facts.py: the facts triggers, the tally triggers, the hazard indexes). A
database is made by the engine (``cases`` cases of bench/models/five_tasks.bpmn, one task of each
completed) with as many hazard cases beside them (``hazard_supervision`` rows, their facts kept by the
triggers); a copy of it is taken down to ``--before`` (default: the revision before the newest). The
two files then get the same statements in turns, one by one, through Python's ``sqlite3`` (no
engine), each in its own transaction, ``rounds`` times per case:

- ``data``: ``UPDATE case_instance SET data = ?, updated_at = ?, version = version + 1`` (a step
  whose data changed); ``no_data``: the same without ``data`` (a step whose data did not);
- for a 5-task case and for a hazard case (its ``rectify_cost`` changed one time in three).

Reported per kind and schema: mean and 10%-trimmed mean µs, and whether both files end with the same
facts and tallies (``same_rows``).

    python bench/case_update.py --json [--cases 100] [--rounds 30] [--before REVISION]
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from alembic import command  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402

from engine import migrate  # noqa: E402
from engine.database import make_engine as make_sa_engine  # noqa: E402
from engine.schema import HumanTask  # noqa: E402
from tests.support import make_engine  # noqa: E402

MODEL = ROOT / "bench" / "models" / "five_tasks.bpmn"
HAZARD = {"hazard_grade": "重大", "listed_at": "2026-08-01T01:00:00+00:00", "rectify_deadline": "2026-11-20",
          "found_on": "2026-07-30", "enterprise_name": "甲化工有限公司", "description": "配电箱未接地",
          "rectify_cost": "3200", "备注": "基准测试"}


def build(path: Path, cases: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    engine.deploy(MODEL, by="boss")
    for _ in range(cases):
        engine.start("five_tasks", by="zhang", org="east", data={"备注": "基准测试"})
    with engine.db.engine.connect() as conn:
        tasks = list(conn.execute(sa.select(HumanTask.id).where(HumanTask.state == "open")).scalars())
    for task_id in tasks:
        engine.complete(task_id, "zhang", {"意见": "同意"})
    engine.dispose()
    db = sqlite3.connect(path)
    columns = [r[1] for r in db.execute("PRAGMA table_xinfo(case_instance)")
               if r[-1] == 0 and r[1] not in ("id", "case_no", "process_key", "data")]
    with db:  # hazard cases: the 5-task rows' other columns, a hazard process and data
        for i in range(cases):
            db.execute(f"INSERT INTO case_instance (case_no, process_key, data, {', '.join(columns)}) "
                       f"SELECT ?, 'hazard_supervision', ?, {', '.join(columns)} FROM case_instance WHERE id = ?",
                       (f"HZ-{i:05d}", json.dumps(HAZARD, ensure_ascii=False), i + 1))
    db.close()


def previous_revision() -> str:
    script = ScriptDirectory.from_config(migrate.config())
    (head,) = script.get_heads()
    return script.get_revision(head).down_revision


def rows(db: sqlite3.Connection) -> tuple:
    return (db.execute("SELECT * FROM case_hazard_tally ORDER BY 1, 2, 3, 4").fetchall(),
            db.execute("SELECT * FROM hazard_quarter_tally ORDER BY 1, 2, 3").fetchall(),
            db.execute("SELECT id, hazard_grade, listing_deadline, hazard_found_day, hazard_outcome, hazard_due_day, "
                       "hazard_cost_fen, hazard_key FROM case_instance ORDER BY id").fetchall())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--before", default=None, help="the older schema's revision (default: the one before the head)")
    args = ap.parse_args()
    before = args.before or previous_revision()
    with tempfile.TemporaryDirectory() as tmp:
        paths = {"now": Path(tmp) / "now.sqlite", "before": Path(tmp) / "before.sqlite"}
        build(paths["now"], args.cases)
        shutil.copy(paths["now"], paths["before"])
        sa_engine = make_sa_engine(f"sqlite:///{paths['before']}")
        with sa_engine.begin() as conn:
            command.downgrade(migrate.config(conn), before)
        sa_engine.dispose()
        dbs = {side: sqlite3.connect(path, isolation_level=None) for side, path in paths.items()}
        for db in dbs.values():
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        ids = {"five_tasks": list(range(1, args.cases + 1)),
               "hazard": list(range(args.cases + 1, 2 * args.cases + 1))}
        texts = {i: dbs["now"].execute("SELECT data FROM case_instance WHERE id = ?", (i,)).fetchone()[0]
                 for group in ids.values() for i in group}
        spent: dict[str, list[float]] = {}
        for rnd in range(args.rounds):
            for group, members in ids.items():
                for i in members:
                    data = json.loads(texts[i])
                    data["轮次"] = rnd
                    if group == "hazard" and rnd % 3 == 1:
                        data["rectify_cost"] = str(1000 + rnd)
                    texts[i] = json.dumps(data, ensure_ascii=False)
                    at = f"2026-12-03 10:{rnd % 60:02d}:00.000000"
                    for kind, sql, params in (
                            ("data", "UPDATE case_instance SET data = ?, updated_at = ?, version = version + 1 "
                                     "WHERE id = ?", (texts[i], at, i)),
                            ("no_data", "UPDATE case_instance SET updated_at = ?, version = version + 1 WHERE id = ?",
                             (at, i))):
                        for side in (("now", "before") if (rnd + i) % 2 else ("before", "now")):
                            db = dbs[side]
                            db.execute("BEGIN")
                            t0 = time.thread_time()
                            db.execute(sql, params)
                            spent.setdefault(f"{group} {kind} {side}", []).append(time.thread_time() - t0)
                            db.execute("COMMIT")
        same = rows(dbs["now"]) == rows(dbs["before"])
        for db in dbs.values():
            db.close()

    def figures(values: list[float]) -> dict:
        values = sorted(values)
        cut = len(values) // 10
        kept = values[cut:len(values) - cut]
        return {"mean_us": round(sum(values) / len(values) * 1e6, 1),
                "trimmed_mean_us": round(sum(kept) / len(kept) * 1e6, 1), "statements": len(values)}
    result = {"before": before, "same_rows": same, "update_us": {k: figures(v) for k, v in sorted(spent.items())}}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"schema now against {before}; same facts and tallies: {same}")
        for name, f in result["update_us"].items():
            print(f"{f['mean_us']:8.1f} µs  (trimmed {f['trimmed_mean_us']:6.1f})  {name}")


if __name__ == "__main__":
    main()
