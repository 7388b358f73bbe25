"""What the web layer costs per API request, next to the engine call it wraps (issue 15).

In one process, on a SQLite file and (with ``--postgres``) on PostgreSQL, the 5-task benchmark
process is worked twice over ``--cases`` cases each:

- ``engine``: ``Engine.complete`` and ``Engine.case`` called directly (the floor);
- ``api``: the same through Flask's test client — ``POST /api/tasks/<id>/complete`` and
  ``GET /api/cases/<id>`` with a bearer token, the whole app (``webui.app.create_app``) in front.

For each it reports CPU ms per request (this process only, so the shared machine's load does not
count) and SQL statements per request (an event listener on the engine's connection pool); the
difference is the web layer's share. That listener keeps the API's token read on PostgreSQL on its
``Connection`` path (webui/api/auth.py reads it without one only while nothing but engine/sqlexec.py
listens): ``--no-statements`` counts none and measures the requests as a server runs them. ``--profile N`` prints the top N functions of a cProfile run of
the API requests by cumulative time.

``--wsgi`` measures what a server's worker runs for a request: the app's WSGI call and reading its
body, the request's WSGI environ built before the clock starts. Flask's test client builds the
environ, keeps cookies and wraps the response inside the figure (~0.04–0.05 ms a request, SQLite,
load ~12), which is the client's cost, not the web layer's.

``--bytecodes`` counts, instead of CPU time, the Python bytecodes each request executes
(``sys.settrace`` opcode events; the same count whatever the machine's load, C code counts nothing),
around the app's WSGI call as ``--wsgi`` times it, with no statement listener (the reads take a
server's path); ``engine_complete`` is ``Engine.complete`` alone. ``--top N`` adds the N functions
with the most bytecodes a completion, inclusive (a function and what it calls) and their own.

    python bench/http_profile.py --json [--cases 20] [--postgres ADMIN_URL] [--profile 30] [--wsgi]
                                        [--bytecodes [--top 40]]
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.http_load import MODEL  # noqa: E402

BODY = {"data": {"意见": "同意"}}


class Opcodes:
    """A ``sys.settrace`` hook counting the bytecodes executed while on, and (``top``) by function:
    inclusive (each function on the stack once per bytecode) and its own."""

    def __init__(self, top: int = 0):
        self.count = 0
        self.top = top
        self.inclusive: dict = {}
        self.own: dict = {}

    def _trace(self, frame, event, _arg):
        frame.f_trace_opcodes = True
        if event == "opcode":
            self.count += 1
            if self.top:
                code = frame.f_code
                self.own[code] = self.own.get(code, 0) + 1
                seen = set()
                f = frame
                while f is not None:
                    c = f.f_code
                    if c not in seen:
                        seen.add(c)
                        self.inclusive[c] = self.inclusive.get(c, 0) + 1
                    f = f.f_back
        return self._trace

    def __call__(self) -> float:
        return float(self.count)

    def start(self) -> None:
        sys.settrace(self._trace)

    def stop(self) -> None:
        sys.settrace(None)

    def table(self, per: int) -> list:
        def name(code) -> str:
            path = Path(code.co_filename)
            where = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else "/".join(path.parts[-2:])
            return f"{where}:{code.co_firstlineno} {code.co_qualname}"
        rows = sorted(self.inclusive.items(), key=lambda kv: -kv[1])[:self.top]
        return [{"function": name(code), "inclusive": round(n / per), "own": round(self.own.get(code, 0) / per)}
                for code, n in rows]


class Meter:
    """CPU time (or, with an ``Opcodes`` clock, bytecodes) and SQL statements of the requests measured,
    per kind of request."""

    def __init__(self, db_engine, count_statements: bool = True, clock=None):
        self.clock = clock
        self.on = False
        self.statements = 0
        self.counting = count_statements
        self.sums: dict[str, list[float]] = {}
        if count_statements:
            sa.event.listen(db_engine, "before_cursor_execute", self._count)

    def _count(self, *_args):
        if self.on:
            self.statements += 1

    def measure(self, kind: str, call):
        clock = self.clock or time.process_time
        self.on, before, c0 = True, self.statements, clock()
        if self.clock is not None:
            self.clock.start()
        try:
            return call()
        finally:
            if self.clock is not None:
                self.clock.stop()
            cpu = clock() - c0
            self.on = False
            total = self.sums.setdefault(kind, [0, 0.0, 0])
            total[0] += 1
            total[1] += cpu
            total[2] += self.statements - before

    def report(self) -> dict:
        if self.clock is not None:
            return {kind: {"requests": n, "bytecodes": round(count / n)} for kind, (n, count, _st) in self.sums.items()}
        return {kind: {"requests": n, "cpu_ms": round(cpu * 1000 / n, 2),
                       **({"statements": round(st / n, 2)} if self.counting else {})}
                for kind, (n, cpu, st) in self.sums.items()}


def world(url: str, cases: int):
    from webui.api.auth import create_token, ensure_table
    from workflows.runtime import build_engine
    engine = build_engine(url, deploy=False)
    ensure_table(engine)
    engine.deploy(MODEL, by="system")
    engine.directory.add_org("bench", "基准测试区", level="区")
    engine.directory.add_user("bench0", org="bench", roles=["inspector"], name="执法人员一")
    token = create_token(engine, "bench0", "http_profile")
    ids = [engine.start("five_tasks", by="bench0", org="bench", title=f"基准案件{n + 1}").id for n in range(cases)]
    return engine, token, ids


def open_task(detail: dict) -> str | None:
    return next((t["id"] for t in detail["tasks"] if t.get("state", "open") == "open"), None)


class WsgiClient:
    """``get``/``post`` as the test client answers them, the app's WSGI call alone inside ``measure``:
    the environ is built before, the body parsed after (see ``--wsgi``)."""

    def __init__(self, app, meter: Meter):
        self.app, self.meter = app, meter

    def call(self, kind: str | None, method: str, path: str, **kwargs):
        """The request's answer; ``kind`` None: not measured."""
        from werkzeug.test import EnvironBuilder
        environ = EnvironBuilder(path=path, method=method, **kwargs).get_environ()
        answer: dict = {}

        def start_response(status, headers, exc_info=None):
            answer["status"] = int(status.split(" ", 1)[0])

        answered = lambda: b"".join(self.app.wsgi_app(environ, start_response))  # noqa: E731
        body = answered() if kind is None else self.meter.measure(kind, answered)
        return answer["status"], json.loads(body)


def run(url: str, cases: int, profile: int, count_statements: bool = True, wsgi: bool = False,
        bytecodes: bool = False, top: int = 0) -> dict:
    from webui.app import create_app
    engine, token, ids = world(url, 2 * cases)  # cases[0:2] warm up, the rest measured in pairs
    instance = tempfile.mkdtemp(prefix="duban_http_profile_")
    app = create_app(engine, secret_key="bench", testing=False, instance_path=instance, plain_http=True)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    opcodes = Opcodes() if bytecodes else None
    meter = Meter(engine.db.engine, count_statements and not bytecodes, opcodes)
    wsgi = wsgi or bytecodes
    # Warm both paths (first request compiles routes, schemas, the workflow cache) outside the figures.
    warm = client.get(f"/api/cases/{ids[0]}", headers=headers).get_json()
    client.post(f"/api/tasks/{open_task(warm)}/complete", json=BODY, headers=headers)
    engine.complete(open_task(engine_detail(engine, ids[1])), "bench0", BODY["data"])

    profiler = cProfile.Profile() if profile else None

    def engine_step(case_id: int) -> bool:
        task = open_task(meter.measure("engine_case", lambda: engine_detail(engine, case_id)))
        if task is not None:
            meter.measure("engine_complete", lambda: engine.complete(task, "bench0", BODY["data"]))
        return task is not None

    bare = WsgiClient(app, meter) if wsgi else None

    def api_step(case_id: int) -> bool:
        if profiler:
            profiler.enable()
        try:
            if bare is not None:
                status, detail = bare.call("api_case", "GET", f"/api/cases/{case_id}", headers=headers)
                assert status == 200, detail
                task = open_task(detail)
                if task is not None:
                    status, done = bare.call("api_complete", "POST", f"/api/tasks/{task}/complete", json=BODY,
                                             headers=headers)
                    assert status == 200, done
                return task is not None
            r = meter.measure("api_case", lambda: client.get(f"/api/cases/{case_id}", headers=headers))
            assert r.status_code == 200, r.get_json()
            task = open_task(r.get_json())
            if task is not None:
                r = meter.measure("api_complete", lambda: client.post(f"/api/tasks/{task}/complete", json=BODY,
                                                                       headers=headers))
                assert r.status_code == 200, r.get_json()
            return task is not None
        finally:
            if profiler:
                profiler.disable()

    # Engine and API steps alternate, so both see the same load of a shared machine.
    for engine_case, api_case in zip(ids[2:cases], ids[cases + 2:]):
        if opcodes is not None and top:  # the functions' table: the API's completions alone, no GET counted
            while engine_step(engine_case):
                pass
            opcodes.top = top
            while api_step_complete_only(api_case, bare, headers):
                pass
            opcodes.top = 0
            continue
        while engine_step(engine_case) | api_step(api_case):
            pass
    engine.dispose()
    result = meter.report()
    if opcodes is not None and top:
        opcodes.top = top
        result["top_by_completion"] = opcodes.table(max(meter.sums.get("api_complete", [1])[0], 1))
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(profile)
        stats.sort_stats("tottime").print_stats(profile)
    return result


def api_step_complete_only(case_id: int, bare, headers) -> bool:
    """One task of the case completed through the API, its case read outside the count."""
    status, detail = bare.call(None, "GET", f"/api/cases/{case_id}", headers=headers)
    assert status == 200, detail
    task = open_task(detail)
    if task is not None:
        status, done = bare.call("api_complete", "POST", f"/api/tasks/{task}/complete", json=BODY, headers=headers)
        assert status == 200, done
    return task is not None


def engine_detail(engine, case_id: int) -> dict:
    view = engine.case(case_id, username="bench0")
    return {"tasks": [{"id": t.id, "state": t.state} for t in view.tasks]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cases", type=int, default=20, help="cases per path (engine, api)")
    ap.add_argument("--postgres", default=None, help="admin URL of a PostgreSQL server (a database is made)")
    ap.add_argument("--profile", type=int, default=0, help="print the top N functions of the API requests")
    ap.add_argument("--no-statements", dest="statements", action="store_false",
                    help="count no statements (no listener: the token read as a server makes it)")
    ap.add_argument("--wsgi", action="store_true",
                    help="time the app's WSGI call only (the environ built before), not Flask's test client")
    ap.add_argument("--bytecodes", action="store_true",
                    help="count the bytecodes of each request's WSGI call (sys.settrace) instead of its CPU time")
    ap.add_argument("--top", type=int, default=0,
                    help="with --bytecodes: the N functions with the most bytecodes an API completion (no GET counted)")
    args = ap.parse_args()
    result = {"cases": args.cases,
              "measured": "bytecodes" if args.bytecodes else "wsgi" if args.wsgi else "test client"}
    with tempfile.TemporaryDirectory() as tmp:
        result["sqlite"] = run(f"sqlite:///{Path(tmp) / 'profile.sqlite'}", args.cases, args.profile, args.statements,
                               args.wsgi, args.bytecodes, args.top)
    if args.postgres:
        admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        name = f"bench_prof_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            result["postgresql"] = run(args.postgres.rsplit("/", 1)[0] + "/" + name, args.cases, args.profile,
                                       args.statements, args.wsgi, args.bytecodes, args.top)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    print(json.dumps(result, ensure_ascii=False) if args.json else json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
