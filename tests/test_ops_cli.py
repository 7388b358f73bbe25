"""The ``duban`` command line meeting an administrator's ordinary mistakes (命令行出错提示): each ends
with one Chinese line and status 1, not a Python traceback in English (webui/cli_errors.py). Real
``duban`` processes, real SQLite files, the real PostgreSQL server.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
import sqlalchemy as sa

from tests.ui_support import ROOT


def duban(url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DUBAN_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "webui.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def refused(result: subprocess.CompletedProcess, *words: str) -> None:
    said = result.stdout + result.stderr
    assert result.returncode == 1, said
    assert "Traceback" not in said and "Error" not in said, said
    assert all(word in said for word in words), said


def test_a_url_that_is_not_a_url(tmp_path):
    refused(duban("var/duban.sqlite", "case", "list"), "「var/duban.sqlite」无法识别", "sqlite:///")


def test_a_database_duban_does_not_run_on():
    refused(duban("mysql://duban:secret@db.example/duban", "case", "list"), "「mysql」不受支持", "postgresql+psycopg://")


def test_a_postgresql_server_that_is_not_there():
    result = duban("postgresql+psycopg://duban:secret@127.0.0.1:1/duban", "case", "list")
    refused(result, "数据库暂时无法连接", "postgresql+psycopg://duban:***@127.0.0.1:1/duban")
    assert "secret" not in result.stderr  # the password is never printed


def test_a_postgresql_database_that_was_never_made(pg_admin_url):
    if pg_admin_url is None:
        pytest.skip("DUBAN_SKIP_PG=1")
    url = sa.engine.make_url(pg_admin_url).set(database="duban_no_such_db").render_as_string(hide_password=False)
    refused(duban(url, "case", "list"), "没有名为「duban_no_such_db」的数据库", "createdb duban_no_such_db")


def test_a_sqlite_folder_that_cannot_be_made(tmp_path):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    refused(duban(f"sqlite:///{tmp_path / 'a-file' / 'data' / 'duban.sqlite'}", "case", "list"),
            "不能创建或打开", "路径中有一段不是目录")


def test_a_file_that_is_not_a_database(tmp_path):
    (tmp_path / "duban.sqlite").write_bytes(os.urandom(8192))
    refused(duban(f"sqlite:///{tmp_path / 'duban.sqlite'}", "case", "list"), "不是 SQLite 数据库文件")


def test_a_database_from_a_newer_duban(tmp_path):
    """A backup restored from a newer Duban onto an older installation: its schema revision is one
    this version does not know."""
    url = f"sqlite:///{tmp_path / 'duban.sqlite'}"
    assert duban(url, "db", "upgrade").returncode == 0
    with sqlite3.connect(tmp_path / "duban.sqlite") as db:
        db.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    for command in (["case", "list"], ["db", "upgrade"]):
        refused(duban(url, *command), "结构版本是 0099_from_the_future", "较新版本的督办")


def test_postgres_scheme_as_libpq_writes_it_is_taken(postgres_url):
    """``postgres://`` (libpq's, Heroku's and many guides' spelling) is PostgreSQL through psycopg."""
    url = "postgres://" + postgres_url.split("://", 1)[1]
    result = duban(url, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert duban(url, "case", "list").returncode == 0


def test_a_command_the_engine_refuses_says_why_in_chinese(tmp_path):
    """An org unit, a case or a user that does not exist, form data that is not JSON: the engine's
    refusal as the pages say it (a traceback of InvalidData/NotFound before)."""
    url = f"sqlite:///{tmp_path / 'duban.sqlite'}"
    assert duban(url, "db", "upgrade").returncode == 0
    refused(duban(url, "user", "add", "bob", "--org", "no-such-org", "--role", "inspector"), "组织机构不存在: no-such-org")
    assert "org:" not in duban(url, "user", "add", "bob", "--org", "no-such-org").stderr
    refused(duban(url, "case", "show", "999"), "案件不存在: 999")
    refused(duban(url, "task", "list", "nobody"), "用户不存在: nobody")
    refused(duban(url, "task", "complete", "t-1", "--user", "bob", "--data", "{字段: 1}"), "--data 不是有效的 JSON")
