"""A cold step's reads, in-process A/B: the case's rows read table by table, as a cold step read
them before engine/case_rows.py, against ``case_rows.read_case``'s one statement.

A cold step (a case the workflow cache does not hold: another process stepped it last, a restart,
more active cases than the cache) needs the case's live wf_workflow and wf_task rows and what its
projections last wrote: open human tasks, timers, event waits, external tasks. ``table_by_table``
is what it did: an ORM session made for the load, four reads through engine/sqlexec.py and two
through SQLAlchemy's ``Connection.execute`` (the after-step hooks'); ``one_statement`` is
``read_case``. Both run on the same cases (bench/models/five_tasks.bpmn, half a task further on),
alternating case by case and swapping which goes first each round, each in its own transaction,
timed by this thread's CPU clock and the wall clock; every case's two answers are compared.

    python bench/cold_reads.py --json [--cases 200] [--rounds 6] [--postgres URL]

``--postgres``: a database URL to create the cases in (its tables made; use a scratch database),
else a SQLite file in a temporary folder. On PostgreSQL each read is a round trip: the wall figure
shows the six against one.
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
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from engine import ManualClock, case_rows, sqlexec  # noqa: E402
from engine.schema import OPEN, EventWait, ExternalTask, HumanTask, TaskRow, Timer, WorkflowRow  # noqa: E402
from tests.support import START, make_engine  # noqa: E402

MODEL = ROOT / "bench" / "models" / "five_tasks.bpmn"

_T, _H, _TI = TaskRow.__table__, HumanTask.__table__, Timer.__table__
_W, _X = EventWait.__table__, ExternalTask.__table__
_CASE = sa.bindparam("case_id")
_WORKFLOWS = sqlexec.Sql(sa.select(WorkflowRow.wf_key, WorkflowRow.content)
                         .where(WorkflowRow.case_id == _CASE, WorkflowRow.live.is_(True)))
_TASKS = sqlexec.Sql(sa.select(_T.c.id, _T.c.wf_key, _T.c.seq, _T.c.content)
                     .where(_T.c.case_id == _CASE, _T.c.live.is_(True)).order_by(_T.c.seq))
_OPEN = sqlexec.Sql(sa.select(_H.c.id, _H.c.due_at, _H.c.rules).where(_H.c.case_id == _CASE, _H.c.state == OPEN))
_TIMERS = sqlexec.Sql(sa.select(_TI.c.id, _TI.c.due_at).where(_TI.c.case_id == _CASE))
_WAITS = sa.select(_W.c.id, _W.c.correlation).where(_W.c.case_id == _CASE)  # through Connection.execute
_EXTERNAL = sa.select(_X.c.id).where(_X.c.case_id == _CASE)


def table_by_table(conn: sa.Connection, case_id: int) -> tuple:
    session = Session(bind=conn, expire_on_commit=False, autoflush=True, join_transaction_mode="rollback_only")
    c = session.connection()
    p = {"case_id": case_id}
    found = ({r.wf_key: r.content for r in sqlexec.all_rows(c, _WORKFLOWS, p)},
             [(r.id, r.wf_key, r.seq, r.content) for r in sqlexec.all_rows(c, _TASKS, p)],
             {r.id: (r.due_at, bool(r.rules)) for r in sqlexec.all_rows(c, _OPEN, p)},
             {r.id: r.due_at for r in sqlexec.all_rows(c, _TIMERS, p)},
             {r.id: r.correlation for r in c.execute(_WAITS, p)},
             {r.id for r in c.execute(_EXTERNAL, p)})
    session.close()
    return found


def one_statement(conn: sa.Connection, case_id: int) -> tuple:
    s = case_rows.read_case(conn, case_id)
    return (s.workflows, [(r.id, r.wf_key, r.seq, r.content) for r in s.tasks], s.open_tasks, s.timers,
            s.waits, s.external)


def run(url: str, cases: int, rounds: int) -> dict:
    engine = make_engine(url, clock=ManualClock(START), cache_size=0)
    engine.deploy(MODEL, by="boss")
    ids = [engine.start("five_tasks", by="zhang", org="east").id for _ in range(cases)]
    for case_id in ids[: cases // 2]:
        (task,) = engine.case(case_id).tasks
        engine.complete(task.id, "zhang", {})
    arms = {"table_by_table": table_by_table, "one_statement": one_statement}
    cpu: dict[str, list[int]] = {a: [] for a in arms}
    wall: dict[str, list[int]] = {a: [] for a in arms}
    with engine.db.engine.connect() as conn:
        for n in range(rounds):
            for i, case_id in enumerate(ids):
                order = list(arms) if (i + n) % 2 == 0 else list(reversed(arms))
                answers = []
                for arm in order:
                    with conn.begin():
                        c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
                        answers.append(arms[arm](conn, case_id))
                        cpu[arm].append(time.thread_time_ns() - c0)
                        wall[arm].append(time.perf_counter_ns() - w0)
                if answers[0] != answers[1]:
                    raise SystemExit(f"case {case_id}: the two reads differ")
    engine.dispose()
    out: dict = {"database": engine.db.engine.dialect.name, "cases": cases, "reads_per_arm": len(cpu["one_statement"])}
    for arm in arms:
        out[arm] = {"cpu_us_median": round(statistics.median(cpu[arm]) / 1000, 1),
                    "cpu_us_mean": round(statistics.fmean(cpu[arm]) / 1000, 1),
                    "wall_us_median": round(statistics.median(wall[arm]) / 1000, 1)}
    out["cpu_old_over_new"] = round(out["table_by_table"]["cpu_us_median"] / out["one_statement"]["cpu_us_median"], 2)
    out["wall_old_over_new"] = round(out["table_by_table"]["wall_us_median"] / out["one_statement"]["wall_us_median"], 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--postgres", default=None, help="a scratch PostgreSQL database URL (else SQLite)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite:///{Path(tmp) / 'cold_reads.sqlite'}"
        out = run(url, args.cases, args.rounds)
    print(json.dumps(out, ensure_ascii=False) if args.json else json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
