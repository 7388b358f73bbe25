"""A process SIGKILLed in the middle of a stream of completions (办理中进程崩溃), on a SQLite file and on
PostgreSQL: a child process completes the tasks of many cases of bench/models/five_tasks.bpmn through
the engine, one after another, and is killed with ``kill -9`` at whatever point of a completion it
has reached.

Afterwards every case restores from its rows, its open tasks (the projection) are the user tasks its
restored workflow has ready, each completion is wholly there (task row completed, its audit event,
the workflow moved on) or wholly absent, every audit chain verifies, and each case's open task
completes — once — when retried.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from SpiffWorkflow.util.task import TaskState

from engine import state as wfstate
from engine.errors import Conflict
from engine.schema import AuditEvent, Case, HumanTask
from tests.support import make_engine

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "bench" / "models" / "five_tasks.bpmn"
CASES = 24
KILL_AFTER = 30  # completions reported by the child before it is killed

CHILD = """
import sys
from engine import Engine
engine = Engine(sys.argv[1])
cases = [int(c) for c in sys.argv[2].split(",")]
while True:  # round robin over the cases: one completion each, until killed
    for case_id in cases:
        tasks = [t for t in engine.case(case_id).tasks if t.state == "open"]
        if tasks:
            engine.complete(tasks[0].id, "zhang", {"意见": "同意"})
            print(tasks[0].id, flush=True)
"""


def _restored_ready(engine, case_id: int) -> set[str]:
    with engine.db.read() as s:
        spec, subs = engine.models.specs(s, s.get(Case, case_id).bundle_hash)
        loaded = wfstate.restore(s, case_id, spec, subs, engine.script_engine)
    return {str(t.id) for t in loaded.workflow.get_tasks(state=TaskState.READY, manual=True)}


@pytest.mark.slow
def test_a_process_killed_mid_completions_leaves_every_case_whole_and_each_task_completes_once(
        database_url, tmp_path):
    engine = make_engine(database_url)
    engine.deploy(MODEL, by="boss")
    case_ids = [engine.start("five_tasks", by="zhang", org="east").id for _ in range(CASES)]
    engine.dispose()

    child = subprocess.Popen([sys.executable, "-c", CHILD, database_url, ",".join(map(str, case_ids))],
                             env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE,
                             stderr=(tmp_path / "child.log").open("w"), text=True, start_new_session=True)
    reported = []
    try:
        deadline = time.monotonic() + 120
        while len(reported) < KILL_AFTER and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            reported.append(line.strip())
        os.killpg(child.pid, signal.SIGKILL)  # mid-way through the next completion, wherever it is
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
    assert len(reported) == KILL_AFTER, (tmp_path / "child.log").read_text()[-2000:]

    from engine import Engine
    engine = Engine(database_url)
    with engine.db.read() as s:
        tasks = s.execute(sa.select(HumanTask.id, HumanTask.case_id, HumanTask.state)).all()
        completed_events = Counter(s.execute(sa.select(AuditEvent.case_id)
                                             .where(AuditEvent.action == "completed")).scalars())
    completed = Counter(t.case_id for t in tasks if t.state == "completed")
    open_by_case: dict[int, set[str]] = {c: set() for c in case_ids}
    for t in tasks:
        if t.state == "open":
            open_by_case[t.case_id].add(t.id)
    done = {t.id for t in tasks if t.state == "completed"}
    assert set(reported) <= done  # what the child was told was done is done
    # Plus those done between the parent's reading and the kill, and the one in flight, or not.
    assert sum(completed.values()) >= KILL_AFTER
    for case_id in case_ids:
        # The projection agrees with the saved state: the open task rows are the ready user tasks.
        assert open_by_case[case_id] == _restored_ready(engine, case_id), case_id
        assert len(open_by_case[case_id]) == 1, case_id
        assert completed_events[case_id] == completed[case_id], case_id  # each completion whole
    assert engine.verify_audit() is None

    for case_id in case_ids:  # retried: each completes once, a second time is refused
        (task_id,) = open_by_case[case_id]
        engine.complete(task_id, "zhang", {"意见": "同意"})
        with pytest.raises(Conflict):
            engine.complete(task_id, "zhang", {"意见": "同意"})
    assert engine.verify_audit() is None
    engine.dispose()


def _load_bench():
    import importlib.util
    spec = importlib.util.spec_from_file_location("http_load", ROOT / "bench" / "http_load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _serve(bench, url: str, port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "webui.cli", "serve", "--host", bench.HOST, "--port", str(port),
                             "--workers", "2", "--no-worker"], env=dict(os.environ, DUBAN_DATABASE_URL=url,
                                                                         PYTHONPATH=str(ROOT)),
                            stdout=subprocess.DEVNULL, stderr=log.open("a"), start_new_session=True)


def _post(bench, port: int, token: str, task_id: str) -> int:
    import http.client
    conn = http.client.HTTPConnection(bench.HOST, port, timeout=60)
    conn.request("POST", f"/api/tasks/{task_id}/complete", body=b'{"data": {}}',
                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.mark.slow
def test_duban_serve_killed_mid_completions_through_the_api_and_started_again_loses_nothing(database_url, tmp_path):
    """``duban serve`` (gunicorn, two web workers) killed with SIGKILL — its whole process group —
    while two clients complete tasks through the REST API; started again on the same database,
    every case is whole and its open task completes once through the API."""
    import http.client
    import threading
    bench = _load_bench()
    tokens, owned = bench.prepare(database_url, cases=12, clients=2)
    port = bench.free_port()
    log = tmp_path / "serve.log"
    server = _serve(bench, database_url, port, log)
    oks: list[float] = []
    try:
        bench.wait_for(port)
        deadline = time.monotonic() + 120
        def client(i: int) -> None:
            try:
                bench.client(port, tokens[i], owned[i], deadline, oks, [])
            except (OSError, http.client.HTTPException):
                pass  # the server was killed under its request
        clients = [threading.Thread(target=client, args=(i,)) for i in range(2)]
        for t in clients:
            t.daemon = True
            t.start()
        while len(oks) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.killpg(server.pid, signal.SIGKILL)  # the master and both web workers, mid-request
        server.wait(timeout=30)
        for t in clients:
            t.join(timeout=60)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
    assert len(oks) >= 20, log.read_text()[-2000:]

    from engine import Engine
    engine = Engine(database_url)
    case_ids = [c for cases in owned for c in cases]
    with engine.db.read() as s:
        tasks = s.execute(sa.select(HumanTask.id, HumanTask.case_id, HumanTask.state)).all()
        completed_events = Counter(s.execute(sa.select(AuditEvent.case_id)
                                             .where(AuditEvent.action == "completed")).scalars())
    completed = Counter(t.case_id for t in tasks if t.state == "completed")
    assert sum(completed.values()) >= len(oks)  # every 200 the clients got is there
    open_by_case: dict[int, set[str]] = {c: set() for c in case_ids}
    for t in tasks:
        if t.state == "open":
            open_by_case[t.case_id].add(t.id)
    for case_id in case_ids:
        assert open_by_case[case_id] == _restored_ready(engine, case_id), case_id
        assert completed_events[case_id] == completed[case_id], case_id
    assert engine.verify_audit() is None
    engine.dispose()

    server = _serve(bench, database_url, port, log)  # started again: the same database, as it was
    try:
        bench.wait_for(port)
        for i, cases in enumerate(owned):
            for case_id in cases:
                for task_id in open_by_case[case_id]:
                    assert _post(bench, port, tokens[i], task_id) == 200
                    assert _post(bench, port, tokens[i], task_id) == 409
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    engine = Engine(database_url)
    assert engine.verify_audit() is None
    engine.dispose()
