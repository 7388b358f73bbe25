"""The world a process scenario test runs in: an engine with every model deployed, the demo
directory, a clock the test moves, and a Desk that works tasks with the forms' sample data."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from engine import ManualClock
from workflows.demo import Desk, load_directory
from workflows.runtime import build_engine


def process_world(database_url: str, process: str, reached: set[str] | None, start: dt.datetime):
    """Generator for a pytest fixture; records the user tasks reached into ``reached`` (if given).
    ``walked`` holds the scenario tests that passed on this world (see ``reached_by_every_scenario``)."""
    clock = ManualClock(start)
    engine = build_engine(database_url, clock=clock)
    load_directory(engine)
    desk = Desk(engine)
    yield SimpleNamespace(engine=engine, clock=clock, desk=desk, walked=set())
    if reached is not None:
        reached.update(desk.reached(process))
    engine.dispose()


def advance(w, **delta) -> int:
    """Move the clock and fire what came due."""
    w.clock.advance(**delta)
    return w.engine.run_due_timers()


def day(w, offset=0) -> str:
    return (w.desk.today() + dt.timedelta(days=offset)).isoformat()


COVERAGE_TEST = "test_every_user_task_of_the_model_is_reached_by_a_test"
COVERAGE_PREFIX = "test_every_user_task_of_"     # ... the model / both models ... is reached by a test
DATABASE_PARAMS = ("database_url", "module_database_url")


def is_coverage_check(item) -> bool:
    return getattr(item, "originalname", item.name).startswith(COVERAGE_PREFIX)


def scenario_key(name: str, params: dict) -> tuple:
    """A scenario test as the walk counts it: its name and its own parameters (not the database's)."""
    return name, tuple(sorted((k, repr(v)) for k, v in params.items() if k not in DATABASE_PARAMS))


def _parameter_sets(fn) -> list[dict]:
    """Every combination of ``fn``'s ``@pytest.mark.parametrize`` values, as keyword arguments."""
    sets = [{}]
    for mark in getattr(fn, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names = [n.strip() for n in mark.args[0].split(",")] if isinstance(mark.args[0], str) else list(mark.args[0])
        rows = [getattr(v, "values", v) for v in mark.args[1]]            # pytest.param(...) → its values
        rows = [dict(zip(names, row if len(names) > 1 else (row,))) for row in rows]
        sets = [dict(s, **r) for s in sets for r in rows]
    return sets


def reached_by_every_scenario(request, w, world, *processes: str) -> set[str]:
    """The user tasks of ``processes`` reached by every scenario test of the module, whatever ran.

    Scenarios that passed on the module's shared world ``w`` (conftest records them) count with what
    they reached there; any scenario not yet run on this database (the check alone, ``-k
    every_user_task``, a subset, a shuffled order) is walked here, in the order written, on a fresh
    world made by the module's ``world(database_url)`` on a fresh database of the same kind, so the
    shared world is left as it was. In a full run in file order nothing is walked twice."""
    import inspect

    missing = []
    for fn in sorted((fn for name, fn in vars(request.module).items()
                      if name.startswith("test_") and not name.startswith(COVERAGE_PREFIX) and callable(fn)
                      and "w" in inspect.signature(fn).parameters), key=lambda f: f.__code__.co_firstlineno):
        for params in _parameter_sets(fn):
            extra = set(inspect.signature(fn).parameters) - {"w"} - set(params)
            assert not extra, f"{fn.__name__} needs fixtures the walk cannot give: {sorted(extra)}"
            if scenario_key(fn.__name__, params) not in w.walked:
                missing.append((fn, params))
    reached = set().union(*(w.desk.reached(p) for p in processes))
    if missing:
        kind = request.node.callspec.params["module_database_url"]
        worlds = world(request.getfixturevalue("fresh_database")(kind))
        fresh = next(worlds)
        try:
            for fn, params in missing:
                fn(w=fresh, **params)
            reached |= set().union(*(fresh.desk.reached(p) for p in processes))
        finally:
            next(worlds, None)                      # disposes the fresh world's engine
    return reached


def user_tasks(*processes: str) -> set[str]:
    """Element ids of every user task of the deployed models ``processes`` (their .bpmn files)."""
    from lxml import etree
    from workflows.runtime import BPMN_DIR

    ids = set()
    for process in processes:
        root = etree.parse(str(BPMN_DIR / f"{process}.bpmn")).getroot()
        ids |= {t.get("id") for t in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask")}
    return ids


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
