"""Shared fixtures: every database test runs on a real SQLite file and a real PostgreSQL server.

PostgreSQL comes from ``DUBAN_TEST_PG_URL`` (set by ``make test``, which starts a throw-away cluster
with ``scripts/pg-test-server``). Each test gets a database of its own, dropped afterwards.
"""
from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent


def _pg_admin_url() -> str | None:
    url = os.environ.get("DUBAN_TEST_PG_URL")
    if url:
        return url
    if os.environ.get("DUBAN_SKIP_PG") == "1":
        return None
    # Not started by make: start it ourselves so a bare `pytest` still tests both databases.
    out = subprocess.run(["bash", str(ROOT / "scripts" / "pg-test-server"), "start"],
                         check=True, capture_output=True, text=True)
    url = out.stdout.strip().splitlines()[-1]
    os.environ["DUBAN_TEST_PG_URL"] = url
    return url


@pytest.fixture(scope="session")
def pg_admin_url():
    return _pg_admin_url()


def _fresh_pg_database(admin_url: str) -> tuple[str, callable]:
    name = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def _database(kind: str, folder, admin_url: str | None):
    """Yield a URL of an empty database of ``kind``; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'duban.sqlite'}"
        return
    if admin_url is None:
        pytest.skip("DUBAN_SKIP_PG=1")
    url, drop = _fresh_pg_database(admin_url)
    try:
        yield url
    finally:
        drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, pg_admin_url):
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL database."""
    yield from _database(request.param, tmp_path, pg_admin_url)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_database_url(request, tmp_path_factory, pg_admin_url):
    """Like ``database_url``, shared by the tests of one module (e.g. the API's authorization
    matrix runs hundreds of requests against one world)."""
    yield from _database(request.param, tmp_path_factory.mktemp("module"), pg_admin_url)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'duban.sqlite'}"


@pytest.fixture
def postgres_url(pg_admin_url):
    if pg_admin_url is None:
        pytest.skip("DUBAN_SKIP_PG=1")
    url, drop = _fresh_pg_database(pg_admin_url)
    try:
        yield url
    finally:
        drop()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """A process suite's "every user task is reached" check runs after that module's scenario
    tests, whatever order they were collected or shuffled in (see tests/process_support.py)."""
    from tests.process_support import COVERAGE_TEST
    last = [i for i in items if getattr(i, "originalname", i.name) == COVERAGE_TEST]
    if not last:
        return
    rest = [i for i in items if i not in last]
    for check in last:
        module_items = [n for n, i in enumerate(rest) if getattr(i, "module", None) is check.module]
        rest.insert(module_items[-1] + 1 if module_items else len(rest), check)
    items[:] = rest
