"""Shared fixtures: every database test runs on a real SQLite file and a real PostgreSQL server.

PostgreSQL comes from ``DUBAN_TEST_PG_URL`` (set by ``make test``, which starts a throw-away cluster
with ``scripts/pg-test-server``). Each test gets a database of its own, dropped afterwards.
"""
from __future__ import annotations

import os
import subprocess
import sys
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
def fresh_database(tmp_path, pg_admin_url):
    """A function making one more empty database of a kind (``"sqlite"``/``"postgresql"``) inside a
    test, e.g. a world of its own beside the module's shared one; dropped after the test."""
    made = []

    def make(kind: str) -> str:
        folder = tmp_path / f"fresh{len(made)}"
        folder.mkdir()
        made.append(_database(kind, folder, pg_admin_url))
        return next(made[-1])

    yield make
    for database in made:
        database.close()


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


def forget_caches_of_engines() -> None:
    """Empty the process-wide caches whose keys are one engine's objects. A server has one engine,
    whose model versions' specs and one dialect these caches are sized for; the suite makes an engine
    (and parses its specs) for nearly every test, and each cache kept the last few thousand of them,
    with everything they reach, alive to the end of the run. Pure caches: emptied, they fill again."""
    from engine.schema import Base
    # (The facts about specs, engine/spec_facts.py, go with their specs: nothing to empty.)
    for mapper in Base.registry.mappers:  # SQLAlchemy's per-mapper statements, keyed by each engine's dialect
        mapper._compiled_cache.clear()
    model_data, diagram, drawn_form = (sys.modules.get(f"webui.{name}") for name in ("model_data", "diagram", "drawn_form"))
    if model_data is not None:  # keyed by the engine itself
        model_data._read.cache_clear()
    if diagram is not None:
        diagram._element_names.cache_clear()
    if drawn_form is not None:
        drawn_form._OWN.clear()
        drawn_form._START.clear()


@pytest.fixture(autouse=True)
def _caches_of_engines_forgotten():
    yield
    forget_caches_of_engines()


@pytest.fixture(autouse=True, scope="module")
def _entered_holiday_years_kept_to_their_module():
    """A 放假调休 notice an administrator enters is held per process (engine.workdays): a module that
    enters one (tests/test_ui_narrow_s30's 2027) would make 2027 known to every later module in that
    xdist worker, and 「2027 is provisional」 then depends on test order (stop 44's CI). The years
    known before the module are put back after it."""
    from engine import workdays
    before = dict(workdays._entered)
    yield
    if workdays._entered != before:
        with workdays._entered_lock:
            workdays._entered.clear()
            workdays._entered.update(before)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """A process suite's "every user task is reached" check runs after that module's scenario
    tests on the same database, whatever order they were collected or shuffled in. The check does
    not need it (it walks any scenario that has not run: tests/process_support.py); it saves
    walking twice."""
    from tests.process_support import DATABASE_PARAMS, is_coverage_check

    def database(item):
        params = getattr(getattr(item, "callspec", None), "params", {})
        return next((params[p] for p in DATABASE_PARAMS if p in params), None)

    last = [i for i in items if is_coverage_check(i)]
    if not last:
        return
    rest = [i for i in items if i not in last]
    for check in last:
        same = [n for n, i in enumerate(rest) if getattr(i, "module", None) is check.module
                and database(check) in (database(i), None)]
        rest.insert(same[-1] + 1 if same else len(rest), check)
    items[:] = rest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Record a scenario test that passed on a process world (``w.walked``, tests/process_support.py)."""
    result = yield
    walked = getattr(getattr(item, "funcargs", {}).get("w"), "walked", None)
    if isinstance(walked, set):
        from tests.process_support import scenario_key
        walked.add(scenario_key(item.originalname, item.callspec.params if hasattr(item, "callspec") else {}))
    return result
