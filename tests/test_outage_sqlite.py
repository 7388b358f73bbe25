"""SQLite when the disk is full (磁盘已满): the database file on a small tmpfs of this test's own, the
rest of it filled up. A completion sent through the REST API then is refused with 503 and
「服务器磁盘空间已满，本次操作未保存，请联系管理员」 (not 500 with an error id); the file stays
consistent (``PRAGMA integrity_check``, every audit chain, each case's open tasks the ready user tasks
of its restored workflow); once space is freed the refused completion goes through, once.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from SpiffWorkflow.util.task import TaskState

from engine import state as wfstate
from engine.schema import Case, HumanTask
from tests.support import make_engine

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "bench" / "models" / "five_tasks.bpmn"
DISK_FULL = "服务器磁盘空间已满，本次操作未保存，请联系管理员"


@pytest.fixture
def small_disk():
    """A 16 MB tmpfs mounted for this test (needs root: mount)."""
    folder = tempfile.mkdtemp(prefix="duban-full-disk-")
    if os.getuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", folder], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield Path(folder)
    finally:
        subprocess.run(["umount", "-l", folder], capture_output=True)
        os.rmdir(folder)


def _fill(folder: Path) -> Path:
    """Every free byte of the file system taken by one file."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 512, 1):
            try:
                while os.write(fd, b"\0" * size):
                    pass
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def _consistent(engine, case_ids) -> None:
    with engine.db.read() as s:
        assert s.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
        for case_id in case_ids:
            spec, subs = engine.models.specs(s, s.get(Case, case_id).bundle_hash)
            loaded = wfstate.restore(s, case_id, spec, subs, engine.script_engine)
            ready = {str(t.id) for t in loaded.workflow.get_tasks(state=TaskState.READY, manual=True)}
            open_rows = set(s.execute(sa.select(HumanTask.id).where(HumanTask.case_id == case_id,
                                                                  HumanTask.state == "open")).scalars())
            assert ready == open_rows, case_id
    assert engine.verify_audit() is None


def test_a_completion_on_a_full_disk_is_refused_in_chinese_and_the_sqlite_file_stays_consistent(small_disk):
    from webui.api.auth import create_token, ensure_table
    from webui.app import create_app
    engine = make_engine(f"sqlite:///{small_disk / 'duban.sqlite'}")
    engine.deploy(MODEL, by="boss")
    ensure_table(engine)
    token = create_token(engine, "zhang", "disk")
    case_ids = [engine.start("five_tasks", by="zhang", org="east").id for _ in range(20)]
    app = create_app(engine, secret_key="x" * 32, instance_path=str(small_disk / "instance"))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def open_task(case_id):
        return next(t.id for t in engine.case(case_id).tasks if t.state == "open")

    # The WAL copied back and cut to nothing (on a connection of its own): the next write must grow it.
    with contextlib.closing(sqlite3.connect(small_disk / "duban.sqlite", timeout=30)) as own:
        assert own.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0  # not busy
    filler = _fill(small_disk)
    refused = None
    for case_id in case_ids:  # a write that reuses free pages of the WAL may still fit: go on until one does not
        task_id = open_task(case_id)
        response = client.post(f"/api/tasks/{task_id}/complete", json={"data": {"意见": "同意"}}, headers=headers)
        assert response.status_code in (200, 503), response.get_data(as_text=True)
        if response.status_code == 503:
            assert response.get_json()["message"] == DISK_FULL
            refused = (case_id, task_id)
            break
    assert refused is not None, "every completion fitted on the full disk"
    filler.unlink()
    _consistent(engine, case_ids)
    case_id, task_id = refused
    assert open_task(case_id) == task_id  # wholly absent
    assert client.post(f"/api/tasks/{task_id}/complete", json={"data": {}}, headers=headers).status_code == 200
    assert client.post(f"/api/tasks/{task_id}/complete", json={"data": {}}, headers=headers).status_code == 409
    _consistent(engine, case_ids)
    engine.dispose()


LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(600)
"""


@pytest.mark.slow
def test_a_sqlite_file_locked_by_another_program_past_the_busy_timeout_gives_a_chinese_503_and_loses_nothing(
        tmp_path):
    """Another program (a backup tool, sqlite3 at a prompt) holds the file's write lock longer than the
    busy timeout (30 s, engine/database.py): the completion waits that long, then is refused with 503
    「数据库正忙（被其他程序占用），请稍后重试」, not 500; once the lock is gone the same completion goes
    through, once."""
    import sys
    import time

    from webui.api.auth import create_token, ensure_table
    from webui.app import create_app
    path = tmp_path / "duban.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    engine.deploy(MODEL, by="boss")
    ensure_table(engine)
    token = create_token(engine, "zhang", "lock")
    case_id = engine.start("five_tasks", by="zhang", org="east").id
    task_id = next(t.id for t in engine.case(case_id).tasks if t.state == "open")
    app = create_app(engine, secret_key="x" * 32, instance_path=str(tmp_path / "instance"))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        started = time.monotonic()
        response = client.post(f"/api/tasks/{task_id}/complete", json={"data": {}}, headers=headers)
        waited = time.monotonic() - started
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.get_json()["message"] == "数据库正忙（被其他程序占用），请稍后重试"
        assert waited >= 25  # it waited for the lock first
    finally:
        locker.kill()
        locker.wait(timeout=30)
    _consistent(engine, [case_id])
    assert next(t.id for t in engine.case(case_id).tasks if t.state == "open") == task_id
    assert client.post(f"/api/tasks/{task_id}/complete", json={"data": {}}, headers=headers).status_code == 200
    assert client.post(f"/api/tasks/{task_id}/complete", json={"data": {}}, headers=headers).status_code == 409
    _consistent(engine, [case_id])
    engine.dispose()
