"""The world a process scenario test runs in: an engine with every model deployed, the demo
directory, a clock the test moves, and a Desk that works tasks with the forms' sample data."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from engine import ManualClock
from workflows.demo import Desk, load_directory
from workflows.runtime import build_engine


def process_world(database_url: str, process: str, reached: set[str], start: dt.datetime):
    """Generator for a pytest fixture; records the user tasks reached into ``reached``."""
    clock = ManualClock(start)
    engine = build_engine(database_url, clock=clock)
    load_directory(engine)
    desk = Desk(engine)
    yield SimpleNamespace(engine=engine, clock=clock, desk=desk)
    reached.update(desk.reached(process))
    engine.dispose()


def advance(w, **delta) -> int:
    """Move the clock and fire what came due."""
    w.clock.advance(**delta)
    return w.engine.run_due_timers()


def day(w, offset=0) -> str:
    return (w.desk.today() + dt.timedelta(days=offset)).isoformat()


COVERAGE_TEST = "test_every_user_task_of_the_model_is_reached_by_a_test"


def assert_every_user_task_reached(request, bpmn_path, reached: set[str]) -> None:
    """The coverage check of a process suite, independent of test order: conftest runs it after the
    module's scenario tests whatever order they were collected or shuffled in, and it runs only when
    every scenario test of the module was selected (a subset could not reach every task: skipped,
    saying which tests are missing)."""
    import pytest
    from lxml import etree

    module = request.module
    scenarios = {name for name in vars(module) if name.startswith("test_") and name != COVERAGE_TEST}
    selected = {getattr(item, "originalname", item.name) for item in request.session.items
                if getattr(item, "module", None) is module}
    missing = scenarios - selected
    if missing:
        pytest.skip("needs every scenario test of the module; not selected: " + ", ".join(sorted(missing)))
    root = etree.parse(str(bpmn_path)).getroot()
    ids = {t.get("id") for t in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask")}
    assert ids - reached == set()
