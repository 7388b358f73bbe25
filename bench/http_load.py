"""HTTP load: completions through the REST API with concurrent clients, against one database.

Starts ``duban serve --workers N --no-worker`` (gunicorn) and one separate ``duban worker`` on
loopback against a fresh PostgreSQL database (``--sqlite``: a fresh durable SQLite file, WAL, the
web workers and the timer worker sharing it), starts ``--cases`` cases of the 5-task benchmark
process, then ``--clients`` client threads complete every task through ``POST
/api/tasks/<id>/complete`` (each client works its own cases: the first task from ``GET
/api/cases/<id>``, the next from the completion's answer, ``next_tasks``, where the step is its own;
an answer whose case is no longer running ends the case without reading it again). Bounded: a fixed number of completions and a time limit; the servers are
stopped at the end. Reports completions/s over the run and the completion requests' p50/p95, and
— since the machine is shared and wall-clock rates are noisy — the CPU milliseconds per completion
spent by the web workers, the timer worker and the database backends (Linux /proc), counted from
the moment the server's processes are idle (``settled``: the first worker to answer may leave others
still importing the app — 0.17–0.27 s CPU, ~1 ms a completion at the default 40 cases, was charged
to the completions before).

The reference, measured in the same run (issue 15: "at least twice the naive app"): the naive app of
``bench/throughput.py`` (``naive_run``: per completion the case's whole SpiffWorkflow JSON read from a
SQLite file, deserialized, run, re-serialized, written back and committed) on as many cases of the
same model, in this process, once before the load and once after, so both meet the machine the load
met. ``api_over_naive``: the API's completions/s over the naive app's (the mean of its two runs);
``naive_over_api_by_cpu``: the naive app's CPU ms a completion over the server's (web workers, timer
worker and, on PostgreSQL, the database backends), which the machine's other load moves less.

    python bench/http_load.py --json [--workers 2] [--clients 8] [--cases 40] [--seconds 120]
                                     [--postgres ADMIN_URL | --sqlite] [--no-naive]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

MODEL = ROOT / "bench" / "models" / "five_tasks.bpmn"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def prepare(url: str, cases: int, clients: int) -> tuple[list[str], list[list[int]]]:
    """The database: every model, the benchmark model, one inspector per client, their cases."""
    from webui.api.auth import create_token, ensure_table
    from workflows.runtime import build_engine
    engine = build_engine(url, deploy=False)
    ensure_table(engine)
    engine.deploy(MODEL, by="system")
    org = engine.directory.orgs()[0].code if engine.directory.orgs() else None
    if org is None:
        engine.directory.add_org("bench", "基准测试区", level="区")
        org = "bench"
    tokens, owned = [], []
    for i in range(clients):
        name = f"bench{i}"
        engine.directory.add_user(name, org=org, roles=["inspector"], name=f"执法人员{i + 1}")
        tokens.append(create_token(engine, name, "http_load"))
        owned.append([])
    for n in range(cases):
        case = engine.start("five_tasks", by=f"bench{n % clients}", org=org, title=f"基准案件{n + 1}")
        owned[n % clients].append(case.id)
    engine.dispose()
    return tokens, owned


def wait_for(port: int, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/login")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the server did not come up")


def _cpu_seconds(pids) -> float:
    """User + system CPU seconds of these processes so far (Linux /proc; 0 for one that is gone)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / tick


def group_pids(pgid: int) -> list[int]:
    """Every process of a process group (gunicorn's master and its web workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return found


def settled(pgid: int, seconds: float = 90) -> list[int]:
    """The server's processes once they are idle: the first worker to answer ``wait_for`` may leave
    others still importing the app (~1-2 s CPU each), which would otherwise count as the load's."""
    end = time.monotonic() + seconds
    pids = group_pids(pgid)
    before = _cpu_seconds(pids)
    while time.monotonic() < end:
        time.sleep(0.5)
        now_pids = group_pids(pgid)
        now = _cpu_seconds(now_pids)
        if now_pids == pids and now - before < 0.02:
            break
        pids, before = now_pids, now
    return pids


def backend_pids(admin, database: str) -> list[int]:
    """The PostgreSQL server processes serving connections to ``database`` (local server only)."""
    with admin.connect() as conn:
        return list(conn.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :d"),
                                 {"d": database}).scalars())


def client(port: int, token: str, cases: list[int], deadline: float, latencies: list, errors: list,
           requests: list | None = None) -> None:
    requests = [] if requests is None else requests  # one entry a request sent (the caller may count them)
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps({"data": {"意见": "同意"}}, ensure_ascii=False).encode("utf-8")
    for case_id in cases:
        next_tasks: list = []
        while time.monotonic() < deadline:
            if not next_tasks:  # the case's first task, or none of the client's next: read the case
                conn.request("GET", f"/api/cases/{case_id}", headers=headers)
                resp = conn.getresponse()
                detail = json.loads(resp.read())
                requests.append(1)
                next_tasks = [t for t in detail.get("tasks", []) if t.get("state", "open") == "open"]
                if resp.status != 200 or not next_tasks:
                    if resp.status != 200:
                        errors.append(resp.status)
                    break
            t0 = time.perf_counter()
            conn.request("POST", f"/api/tasks/{next_tasks[0]['id']}/complete", body=body, headers=headers)
            resp = conn.getresponse()
            done = resp.read()
            requests.append(1)
            if resp.status == 200:
                latencies.append(time.perf_counter() - t0)
                answer = json.loads(done)
                if answer["case"]["status"] != "running":  # the answer says the case ended: nothing to read
                    break
                next_tasks = answer.get("next_tasks") or []  # 下一步, when it is this client's
            else:
                errors.append(resp.status)
                break
    conn.close()


def stop(proc: subprocess.Popen) -> None:
    """A process this script started, by its own process group (once; again is a no-op)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass


def naive_reference(workdir: Path, cases: int) -> dict:
    """bench/throughput.py's naive app on ``cases`` cases of the same model, a fresh SQLite file."""
    from bench.throughput import naive_run
    path = workdir / f"naive_{uuid.uuid4().hex[:6]}.sqlite"
    try:
        return naive_run(path, cases)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn web workers")
    ap.add_argument("--threads", type=int, default=None, help="threads per web worker (default: serve's)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--cases", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--postgres", default=None, help="admin URL (default: the scripts/pg-test-server one)")
    ap.add_argument("--sqlite", action="store_true", help="a durable SQLite file instead of PostgreSQL")
    ap.add_argument("--no-naive", dest="naive", action="store_false", help="no naive app run as the reference")
    args = ap.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="duban_http_load_"))
    admin = None
    if args.sqlite:
        name, url = "", f"sqlite:///{workdir / 'http_load.sqlite'}"
    else:
        admin_url = args.postgres or subprocess.run(
            ["bash", str(ROOT / "scripts" / "pg-test-server"), "start"], check=True, capture_output=True,
            text=True).stdout.strip().splitlines()[-1]
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        name = f"bench_http_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = admin_url.rsplit("/", 1)[0] + "/" + name
    procs: list[subprocess.Popen] = []
    result: dict = {"clients": args.clients, "web_workers": args.workers, "threads": args.threads or "serve's default",
                    "timer_workers": 1, "cases": args.cases,
                    "database": "sqlite" if args.sqlite else "postgresql"}
    naive: list[dict] = []
    try:
        if args.naive:
            naive.append(naive_reference(workdir, args.cases))
        tokens, owned = prepare(url, args.cases, args.clients)
        port = free_port()
        env = dict(os.environ, DUBAN_DATABASE_URL=url, PYTHONPATH=str(ROOT))
        cli = [sys.executable, "-c", "from webui.cli import main; main()"]
        thread_args = ["--threads", str(args.threads)] if args.threads else []
        procs.append(subprocess.Popen(cli + ["serve", "--host", HOST, "--port", str(port), "--workers",
                                             str(args.workers), "--no-worker", *thread_args], env=env, cwd=ROOT,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        procs.append(subprocess.Popen(cli + ["worker"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True))
        wait_for(port)
        web_pids = settled(procs[0].pid)
        latencies: list[float] = []
        errors: list = []
        requests: list = []
        web_cpu0, worker_cpu0 = _cpu_seconds(web_pids), _cpu_seconds([procs[1].pid])
        db_cpu0 = {pid: _cpu_seconds([pid]) for pid in backend_pids(admin, name)} if admin is not None else {}
        deadline = time.monotonic() + args.seconds
        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(port, tokens[i], owned[i], deadline, latencies, errors, requests))
                   for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        web_cpu = _cpu_seconds(web_pids) - web_cpu0
        worker_cpu = _cpu_seconds([procs[1].pid]) - worker_cpu0
        db_cpu = sum(_cpu_seconds([pid]) - db_cpu0.get(pid, 0.0)
                     for pid in backend_pids(admin, name)) if admin is not None else 0.0
        latencies.sort()
        done = len(latencies)
        result.update({
            "completions": done, "expected": args.cases * 5, "errors": len(errors), "seconds": round(elapsed, 2),
            "completions_per_second": round(done / elapsed, 1) if elapsed else 0.0,
            "p50_ms": round(latencies[done // 2] * 1000, 1) if done else None,
            "p95_ms": round(latencies[min(done - 1, int(done * 0.95))] * 1000, 1) if done else None,
            # a client reads a case only for its first task or when the completion's answer names no next
            # task of its own (next_tasks) in a case still running: before that answer it read the case
            # before every completion (2.2), and read an ended case once more before session 31 (1.4)
            "requests_per_completion": round(len(requests) / done, 2) if done else None,
            # CPU per completion (its POST and its share of the GETs), whatever the machine's other load:
            # the web workers, the timer worker, and the PostgreSQL backends serving this database.
            "web_cpu_ms_per_completion": round(web_cpu * 1000 / done, 2) if done else None,
            "worker_cpu_ms_per_completion": round(worker_cpu * 1000 / done, 2) if done else None,
            "database_cpu_ms_per_completion": round(db_cpu * 1000 / done, 2) if done and admin is not None else None,
        })
        if args.naive:
            for p in procs:  # the servers stopped first: the naive app's second run alone on the machine
                stop(p)
            naive.append(naive_reference(workdir, args.cases))
            result["naive_app_sqlite"] = naive
            per_second = statistics.mean(n["per_second"] for n in naive)
            cpu_ms = statistics.mean(n["cpu_ms_per_completion"] for n in naive)
            server_ms = (web_cpu + worker_cpu + db_cpu) * 1000 / done if done else None
            result["server_cpu_ms_per_completion"] = round(server_ms, 2) if server_ms else None
            result["api_over_naive"] = round(result["completions_per_second"] / per_second, 2)
            result["naive_over_api_by_cpu"] = round(cpu_ms / server_ms, 2) if server_ms else None
    finally:
        for p in procs:  # only the processes this script started, each by its own process group
            stop(p)
        if admin is not None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False) if args.json else json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
