"""``duban db backup`` (数据库备份) of a running SQLite database: real ``duban`` processes on a real
SQLite file. Copying the file while the server runs misses the commits still in its ``-wal`` file
and can be torn; the backup is SQLite's online copy as of one moment, checked, and a backup the disk
could not hold leaves nothing that looks like one.
"""
from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.support import deploy, make_engine
from tests.ui_support import ROOT

HOLD = """
import sys, time, sqlalchemy as sa
from engine.database import Database
with Database(sys.argv[1]).write() as s:
    s.execute(sa.text("UPDATE case_instance SET title = 'uncommitted'"))
    print("held", flush=True)
    time.sleep(30)
"""


def duban(url: str, *args: str, limit_file_bytes: int | None = None) -> subprocess.CompletedProcess:
    def small_disk():  # a disk that fills: writes past this size fail (EFBIG), as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))
    env = dict(os.environ, DUBAN_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "webui.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, preexec_fn=small_disk if limit_file_bytes else None)


def _running_database(tmp_path: Path) -> tuple[str, int]:
    url = f"sqlite:///{tmp_path / 'duban.sqlite'}"
    engine = make_engine(url)
    deploy(engine, "timers_misc.bpmn")
    for _ in range(40):
        engine.start("wait_then_work", by="zhang", org="east")
    engine.dispose()
    return url, 40


def test_a_backup_beside_an_open_write_is_the_committed_database(tmp_path):
    url, cases = _running_database(tmp_path)
    writer = subprocess.Popen([sys.executable, "-c", HOLD, url], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        assert writer.stdout.readline().strip() == "held"
        (tmp_path / "backups").mkdir()
        result = duban(url, "db", "backup", str(tmp_path / "backups"))
    finally:
        writer.kill()
        writer.wait()
    assert result.returncode == 0, result.stderr
    assert f"{cases} 件案件" in result.stdout and "审计密钥文件" in result.stdout, result.stdout
    made = list((tmp_path / "backups").iterdir())
    assert len(made) == 1 and made[0].suffix == ".sqlite", made
    with sqlite3.connect(made[0]) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, nothing beside it
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        titles = [t for (t,) in copy.execute("SELECT title FROM case_instance")]
    assert len(titles) == cases and "uncommitted" not in titles
    again = duban(url, "db", "backup", str(made[0]))  # never over an existing file
    assert again.returncode == 1 and "已存在" in again.stderr


def test_a_backup_the_disk_cannot_hold_leaves_nothing_and_says_so(tmp_path):
    url, _ = _running_database(tmp_path)
    target = tmp_path / "backup.sqlite"
    result = duban(url, "db", "backup", str(target), limit_file_bytes=64 * 1024)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "磁盘写满了，备份没有完成" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert not target.exists() and not target.with_name(target.name + ".partial").exists()


def test_postgresql_is_backed_up_with_pg_dump():
    result = duban("postgresql+psycopg://duban:secret@127.0.0.1:1/duban", "db", "backup", "/tmp")
    assert result.returncode == 2 and "pg_dump" in result.stderr and "Traceback" not in result.stderr
