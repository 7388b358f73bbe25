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


def at(w, year, month, day, hour=9, minute=0) -> int:
    """Move the clock forward to that moment in Shanghai and fire what came due."""
    from engine.clock import SHANGHAI
    w.clock.set(dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI))
    return w.engine.run_due_timers()


def enterprise_world(database_url: str, process: str, start: dt.datetime):
    """``process_world`` with the demo's three enterprises registered (pickers of enterprises, hazard cases)."""
    from workflows.demo import register_enterprises
    for w in process_world(database_url, process, None, start):
        register_enterprises(w.engine)
        yield w


def day(w, offset=0) -> str:
    return (w.desk.today() + dt.timedelta(days=offset)).isoformat()


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


def _scenarios(module) -> list[tuple]:
    """Every scenario test of a process suite that runs on a world ``w``, in the order written, with each
    of its parameter sets: ``(function, params)``. (Tests that build a world of their own from
    ``database_url`` are not scenarios of the walk.)"""
    import inspect

    scenarios = []
    for fn in sorted((fn for name, fn in vars(module).items()
                      if name.startswith("test_") and not name.startswith(COVERAGE_PREFIX) and callable(fn)
                      and "w" in inspect.signature(fn).parameters), key=lambda f: f.__code__.co_firstlineno):
        for params in _parameter_sets(fn):
            extra = set(inspect.signature(fn).parameters) - {"w"} - set(params)
            assert not extra, f"{fn.__name__} needs fixtures the walk cannot give: {sorted(extra)}"
            scenarios.append((fn, params))
    return scenarios


def _walk(request, kind: str, world, processes, scenarios) -> set[str]:
    """Run ``scenarios`` in turn on one fresh world made by ``world(url)`` on a fresh database of ``kind``;
    returns the user tasks of ``processes`` they reached."""
    worlds = world(request.getfixturevalue("fresh_database")(kind))
    fresh = next(worlds)
    try:
        for fn, params in scenarios:
            fn(w=fresh, **params)
        return set().union(*(fresh.desk.reached(p) for p in processes))
    finally:
        next(worlds, None)                          # disposes the fresh world's engine


def reached_by_every_scenario(request, w, world, *processes: str) -> set[str]:
    """The user tasks of ``processes`` reached by every scenario test of the module, whatever ran.

    Scenarios that passed on the module's shared world ``w`` (conftest records them) count with what
    they reached there; any scenario not yet run on this database (the check alone, ``-k
    every_user_task``, a subset, a shuffled order) is walked here, in the order written, on a fresh
    world made by the module's ``world(database_url)`` on a fresh database of the same kind, so the
    shared world is left as it was. In a full run in file order nothing is walked twice."""
    missing = [(fn, params) for fn, params in _scenarios(request.module)
               if scenario_key(fn.__name__, params) not in w.walked]
    reached = set().union(*(w.desk.reached(p) for p in processes))
    if missing:
        reached |= _walk(request, request.node.callspec.params["module_database_url"], world, processes, missing)
    return reached


def database_kind(url: str) -> str:
    """``"sqlite"`` or ``"postgresql"``: the ``database_url`` parameter a URL was made for."""
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def scenario_world(database_url: str, process: str, recorded: dict, start: dt.datetime):
    """Generator for the function-scoped ``w`` of a suite whose scenarios each run on a fresh database
    (hazard, accident, enforcement, assessment): when the scenario passed (conftest adds it to
    ``w.walked``), the user tasks it reached are recorded in ``recorded`` under (database kind,
    scenario key), for ``reached_by_each_scenario``."""
    worlds = process_world(database_url, process, None, start)
    w = next(worlds)
    try:
        yield w
        for key in w.walked:
            recorded[database_kind(database_url), key] = w.desk.reached(process)
    finally:
        next(worlds, None)


def reached_by_each_scenario(request, recorded: dict, world, process: str) -> set[str]:
    """``reached_by_every_scenario`` for a suite with a fresh world per scenario (``scenario_world``):
    the user tasks of ``process`` reached by every scenario test of the module on the check's kind of
    database. A scenario that passed before the check on that kind counts with what it reached; every
    other one (the check alone, after a subset, shuffled) is run here, each on a world of its own on a
    fresh database of that kind, as its own test would, and recorded. A scenario that fails here fails
    the check."""
    kind = request.node.callspec.params["database_url"]
    reached: set[str] = set()
    for fn, params in _scenarios(request.module):
        key = kind, scenario_key(fn.__name__, params)
        if key not in recorded:
            recorded[key] = _walk(request, kind, world, (process,), [(fn, params)])
        reached |= recorded[key]
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
