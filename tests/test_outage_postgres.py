"""PostgreSQL going away under ``duban serve`` and ``duban worker`` (数据库中断): real processes against a
PostgreSQL cluster of this test's own (``scripts/pg-test-server`` on another port and data directory —
never the shared test server, which other tests use at the same time), stopped with ``pg_ctl -m fast``
and ``-m immediate`` (a crash: no shutdown checkpoint, clients cut off) and started again.

While it is down, a request gets 503 and 「数据库暂时无法连接，请稍后重试」 (JSON for the API, a Chinese
page for the pages), not a 500 with an error id; a completion sent then is wholly absent. Once it is
back, the same processes serve again without a restart of their own (the pool's connections are found
broken and replaced), the task refused during the outage completes once, the worker fires timers
again, and every case's audit chain verifies.
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine import ManualClock
from engine.schema import AuditEvent, HumanTask, Timer
from tests.support import deploy, make_engine

ROOT = Path(__file__).resolve().parent.parent
UNAVAILABLE = "数据库暂时无法连接，请稍后重试"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnPostgres:
    """A PostgreSQL cluster for this test alone, made by the same script as the shared one."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.folder = tempfile.mkdtemp(prefix="duban-outage-pg-")
        os.chmod(self.folder, 0o755)  # the server runs as 'postgres' when we are root
        self.env = dict(os.environ, DUBAN_TEST_PG_PORT=str(self.port), DUBAN_TEST_PG_DATA=f"{self.folder}/data")
        out = subprocess.run(["bash", str(ROOT / "scripts" / "pg-test-server"), "start"], env=self.env,
                             check=True, capture_output=True, text=True, timeout=180)
        self.url = out.stdout.strip().splitlines()[-1]
        # Durable as a bureau's server is, unlike the shared test server (fsync and synchronous_commit
        # off): with synchronous_commit off, a COMMIT already answered can still be in the server's WAL
        # buffers when ``-m immediate`` kills it, and the completion it acknowledged is gone.
        db = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        with db.connect() as conn:
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                conn.execute(sa.text(f"ALTER SYSTEM SET {setting} = on"))
            conn.execute(sa.text("SELECT pg_reload_conf()"))
        db.dispose()
        db = sa.create_engine(self.url)
        with db.connect() as conn:
            assert conn.execute(sa.text("SHOW synchronous_commit")).scalar() == "on"
        db.dispose()
        bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        self.pg_ctl = [str(bindir / "pg_ctl"), "-D", f"{self.folder}/data"]
        if os.getuid() == 0:
            self.pg_ctl = ["runuser", "-u", "postgres", "--"] + self.pg_ctl

    def ctl(self, *args: str) -> None:
        subprocess.run(self.pg_ctl + list(args), check=True, capture_output=True, timeout=120)

    def remove(self) -> None:
        subprocess.run(self.pg_ctl + ["-m", "immediate", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def own_postgres():
    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        pytest.skip("PostgreSQL's pg_ctl is not installed (scripts/pg-test-server installs it)")
    pg = OwnPostgres()
    try:
        yield pg
    finally:
        pg.remove()


def _request(port: int, method: str, path: str, token: str | None = None, body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    text = resp.read().decode("utf-8", errors="replace")
    conn.close()
    return resp.status, text


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while True:
        got = predicate()
        if got:
            return got
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.3)


def _load_bench():
    import importlib.util
    spec = importlib.util.spec_from_file_location("http_load", ROOT / "bench" / "http_load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Browser:
    """Pages as a browser gets them: a cookie jar, redirects followed, the status of an error kept."""

    def __init__(self, port: int) -> None:
        import http.cookiejar
        import urllib.request
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def open(self, path: str, form: dict | None = None) -> tuple[int, str]:
        import urllib.error
        import urllib.parse
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as resp:
                return resp.status, resp.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode("utf-8", errors="replace")

    def login(self, username: str, password: str) -> None:
        from tests.ui_support import csrf_of
        token = csrf_of(self.open("/login")[1])
        status, text = self.open("/login", {"username": username, "password": password, "_csrf": token})
        assert status == 200 and "/logout" in text, text[:400]


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return sorted(out)


def _open_task(port: int, token: str, case_id: int) -> int | None:
    status, text = _request(port, "GET", f"/api/cases/{case_id}", token)
    if status != 200:
        return None
    tasks = [t for t in json.loads(text).get("tasks", []) if t.get("state", "open") == "open"]
    return tasks[0]["id"] if tasks else None


@pytest.mark.slow
def test_postgresql_stopped_and_started_under_serve_and_worker_gives_chinese_503_and_they_serve_again(
        own_postgres, tmp_path):
    bench = _load_bench()
    url = own_postgres.url
    tokens, owned = bench.prepare(url, cases=3, clients=1)
    token, cases = tokens[0], owned[0]
    timer_engine = make_engine(url, clock=ManualClock(datetime.now(timezone.utc) - timedelta(days=2, minutes=1)))
    deploy(timer_engine, "timers_misc.bpmn")
    from werkzeug.security import generate_password_hash
    timer_engine.directory.add_user("zhou", org=timer_engine.directory.orgs()[0].code, roles=["inspector"],
                                    name="周明", password_hash=generate_password_hash("outage-pw-1"))
    timer_engine.dispose()

    port = _free_port()
    env = dict(os.environ, DUBAN_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    cli = [sys.executable, "-m", "webui.cli"]
    worker_log = tmp_path / "worker.log"
    serve_log = tmp_path / "serve.log"
    procs = [subprocess.Popen(cli + ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
                                     "--no-worker", "--plain-http"], env=env, stdout=subprocess.DEVNULL,
                              stderr=serve_log.open("w"), start_new_session=True),
             subprocess.Popen(cli + ["-v", "worker", "--interval", "0.5"], env=env, stdout=subprocess.DEVNULL,
                              stderr=worker_log.open("w"), start_new_session=True)]
    try:
        bench.wait_for(port)
        assert all(p.poll() is None for p in procs)
        first = _open_task(port, token, cases[0])
        assert first is not None
        assert _request(port, "POST", f"/api/tasks/{first}/complete", token, b'{"data": {}}')[0] == 200
        browser = Browser(port)
        browser.login("zhou", "outage-pw-1")
        assert browser.open("/tasks/")[0] == 200

        for n, mode in enumerate(("fast", "immediate")):
            case_id = cases[n + 1]
            task_id = _wait(lambda: _open_task(port, token, case_id), 60, "the case's open task")
            own_postgres.ctl("-m", mode, "stop")
            # Down: both web workers (several requests, each may land on either) answer 503 in Chinese.
            for _ in range(4):
                status, text = _request(port, "GET", f"/api/cases/{case_id}", token)
                assert status == 503 and UNAVAILABLE in json.loads(text)["message"], (mode, status, text[:400])
                status, text = _request(port, "POST", f"/api/tasks/{task_id}/complete", token, b'{"data": {}}')
                assert status == 503 and UNAVAILABLE in json.loads(text)["message"], (mode, status, text[:400])
            if mode == "immediate":
                # A web worker crashing now (or killed by gunicorn's timeout) is restarted by gunicorn
                # while the database is away: it waits for it, and the master does not stop the rest.
                web_workers = _children(_children(procs[0].pid)[0])
                assert len(web_workers) == 2, web_workers
                os.kill(web_workers[0], 9)
                _wait(lambda: "web worker waiting for the database" in serve_log.read_text(errors="replace")
                      or procs[0].poll() is not None, 90, "gunicorn's new web worker to meet the outage")
                assert procs[0].poll() is None, "duban serve stopped: a web worker failed to boot"
            for _ in range(2):  # a page, logged in: a Chinese page with 503, not 系统内部错误
                status, text = browser.open("/tasks/")
                assert status == 503 and UNAVAILABLE in text and "Traceback" not in text, (status, text[:600])
            own_postgres.ctl("-w", "-l", f"{own_postgres.folder}/data/server.log", "start")

            # Back: the same processes serve again; a stale pooled connection may cost one request
            # a web worker (503 again, never 500).
            def served() -> bool:
                status, text = _request(port, "GET", f"/api/cases/{case_id}", token)
                assert status in (200, 503), (status, text[:400])
                return status == 200
            _wait(served, 60, "the web workers to serve again")
            _wait(lambda: browser.open("/tasks/")[0] == 200, 60, "the pages to be served again")
            for _ in range(4):
                assert _request(port, "GET", f"/api/cases/{case_id}", token)[0] in (200, 503)
            # The completion refused during the outage is wholly absent: the task is still open and
            # completes once now.
            assert _open_task(port, token, case_id) == task_id
            done = _wait(lambda: (lambda r: r if r[0] != 503 else None)(
                _request(port, "POST", f"/api/tasks/{task_id}/complete", token, b'{"data": {}}')),
                60, "the completion to go through")
            assert done[0] == 200, done
            assert _request(port, "POST", f"/api/tasks/{task_id}/complete", token, b'{"data": {}}')[0] == 409

            # The worker, which met the outage in its sweeps, fires timers again (no restart of its own).
            engine = make_engine(url, clock=ManualClock(datetime.now(timezone.utc) - timedelta(days=2, minutes=1)))
            for _ in range(3):
                engine.start("wait_then_work", by="zhang", org="east")

            def timers_left() -> int:
                with engine.db.read() as s:
                    return s.execute(sa.select(sa.func.count()).select_from(Timer)).scalar()
            _wait(lambda: timers_left() == 0, 90, f"the worker to fire timers after the {mode} stop")
            engine.dispose()
        assert all(p.poll() is None for p in procs), "a process died with the database"
    finally:
        for p in procs:  # only the processes this test started, each by its own process group
            try:
                os.killpg(p.pid, 15)
                p.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(p.pid, 9)
    engine = make_engine(url)
    with engine.db.read() as s:
        completed = s.execute(sa.select(sa.func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "completed")).scalar()
        fired = s.execute(sa.select(AuditEvent.case_id).where(AuditEvent.action == "timer_fired")).scalars().all()
        open_after_timers = s.execute(sa.select(sa.func.count()).select_from(HumanTask)
                                      .where(HumanTask.state == "open", HumanTask.case_id.in_(fired))).scalar()
    assert completed == 3  # the first task of three cases, each once
    assert len(fired) == 6 and len(set(fired)) == 6 and open_after_timers == 6
    assert engine.verify_audit() is None
    engine.dispose()

CRASH_CASES = 40


@pytest.mark.slow
def test_postgresql_crashing_under_a_stream_of_completions_leaves_each_one_whole(own_postgres, tmp_path):
    """``pg_ctl stop -m immediate`` (a crash) while two clients complete tasks through the API as fast as
    they can: each request gets 200 or the Chinese 503, never a 500; after the restart the clients,
    sending again what was refused, finish every case; every completion is there exactly once (five
    a case, as many audit events) and every audit chain verifies."""
    import threading
    bench = _load_bench()
    url = own_postgres.url
    tokens, owned = bench.prepare(url, cases=CRASH_CASES, clients=2)
    port = _free_port()
    env = dict(os.environ, DUBAN_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    server = subprocess.Popen([sys.executable, "-m", "webui.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", "2", "--no-worker"], env=env, stdout=subprocess.DEVNULL,
                              stderr=(tmp_path / "serve.log").open("w"), start_new_session=True)
    statuses: list[int] = []
    completions: list[int] = []
    deadline = time.monotonic() + 150

    def client(token: str, cases: list[int]) -> None:
        for case_id in cases:
            while time.monotonic() < deadline:
                status, text = _request(port, "GET", f"/api/cases/{case_id}", token)
                statuses.append(status)
                if status != 200:
                    time.sleep(0.2)
                    continue
                open_tasks = [t for t in json.loads(text).get("tasks", []) if t.get("state", "open") == "open"]
                if not open_tasks:
                    break
                status, _ = _request(port, "POST", f"/api/tasks/{open_tasks[0]['id']}/complete", token,
                                     b'{"data": {}}')
                statuses.append(status)
                completions.append(status)
                if status != 200:
                    time.sleep(0.2)

    try:
        bench.wait_for(port)
        clients = [threading.Thread(target=client, args=(tokens[i], owned[i]), daemon=True) for i in range(2)]
        for t in clients:
            t.start()
        _wait(lambda: completions.count(200) >= 10, 60, "completions under way")
        own_postgres.ctl("-m", "immediate", "stop")
        _wait(lambda: 503 in statuses or not any(t.is_alive() for t in clients), 60, "a request to meet the outage")
        assert 503 in statuses, f"the clients finished all {5 * CRASH_CASES} completions before the stop"
        own_postgres.ctl("-w", "-l", f"{own_postgres.folder}/data/server.log", "start")
        for t in clients:
            t.join(timeout=max(1.0, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in clients), "the clients did not finish their cases"
    finally:
        try:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, 9)
    assert set(statuses) <= {200, 503}, sorted(set(statuses))
    engine = make_engine(url)
    with engine.db.read() as s:
        from engine.schema import Case
        per_case = dict(s.execute(sa.select(AuditEvent.case_id, sa.func.count()).where(AuditEvent.action == "completed")
                                  .group_by(AuditEvent.case_id)).all())
        ended = s.execute(sa.select(Case.status)).scalars().all()
    if per_case != {c: 5 for cases in owned for c in cases}:
        with engine.db.read() as s:
            from engine.schema import Case
            bad = [c for cases in owned for c in cases if per_case.get(c) != 5]
            rows = s.execute(sa.select(HumanTask.case_id, HumanTask.id, HumanTask.state, HumanTask.name)
                             .where(HumanTask.case_id.in_(bad))).all()
            events = s.execute(sa.select(AuditEvent.case_id, AuditEvent.seq, AuditEvent.action, AuditEvent.detail)
                               .where(AuditEvent.case_id.in_(bad)).order_by(AuditEvent.id)).all()
            cases_ = s.execute(sa.select(Case.id, Case.status).where(Case.id.in_(bad))).all()
        pytest.fail(f"{per_case}\n{cases_}\n" + "\n".join(map(str, rows)) + "\n" + "\n".join(map(str, events)))
    assert ended == ["completed"] * CRASH_CASES
    assert engine.verify_audit() is None
    engine.dispose()
