"""What the probes of public models do through the served REST API (tests/test_interop_probe13.py,
tests/test_interop_probe14.py): deploy a corpus file as a designer, start a case, read it as an
administrator, work a task as whoever may, let timers fire on the engine's clock. ``world`` is
tests/test_api_helpers.World."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from tests.interop_support import CORPUS
from tests.test_api_helpers import PARTY_A

WORKERS = ("insp", "sup", "ent", "zhang", "eastboss", "acme", "adm")  # the module worlds' users, in the order asked


def served_world(database_url: str, folder):
    """The app served on ``database_url`` (a fresh engine, its files in ``folder``) with the people the
    probes act as: 张三 (执法人员, 东城区), 东城科长 (科室负责人) and the enterprise 示范企业."""
    from tests.test_api_helpers import World, build_app, build_engine

    engine = build_engine(database_url)
    d = engine.directory
    d.add_user("zhang", org="east", roles=["inspector"], name="张三")
    d.add_user("eastboss", org="east", roles=["supervisor"], name="东城科长")
    d.add_user("acme", org="east", roles=["enterprise"], name="示范企业", party=PARTY_A)
    return World(engine, build_app(engine, folder))


def deploy(world, name: str):
    """``POST /api/models`` of the corpus file ``name`` by the designer: the response."""
    path = CORPUS / name
    return deploy_source(world, path.read_bytes(), path.name)


def deploy_source(world, source: bytes, filename: str, user: str = "des"):
    """``POST /api/models`` of the model ``source`` named ``filename`` by ``user``: the response."""
    return world.call("POST", "/api/models", user, data={"file": (io.BytesIO(source), filename)},
                      content_type="multipart/form-data")


def script_model(script: str, key: str = "fine_on_start", name: str = "立案即算罚款") -> bytes:
    """tests/bpmn/start_script.bpmn (Camunda Modeler 5.28: 立案即算罚款, inputs ``total`` and ``days``) with
    ``script`` in its script task 计算每日罚款, as process ``key`` named ``name``."""
    from tests.support import BPMN
    source = (BPMN / "start_script.bpmn").read_text(encoding="utf-8").replace("daily = total / days", script)
    return source.replace('id="fine_on_start"', f'id="{key}"').replace("立案即算罚款", name).encode()


def start_script_case(world, key: str = "fine_on_start", data: dict | None = None, user: str = "insp"):
    """``POST /api/cases`` of process ``key`` (a ``script_model``) in 东城区 by ``user``: the response."""
    return world.call("POST", "/api/cases", user, json={"process_key": key, "org": "east",
                                                         "data": dict(data or {"total": 1, "days": 1})})


def start(world, key: str, data: dict | None = None, user: str = "insp") -> int:
    r = world.call("POST", "/api/cases", user, json={"process_key": key, "org": "east", "party": PARTY_A,
                                                     "data": dict(data or {})})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def case(world, case_id: int) -> dict:
    r = world.call("GET", f"/api/cases/{case_id}", "adm")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def open_specs(world, case_id: int) -> list[str]:
    return sorted(t["spec_id"] for t in case(world, case_id)["tasks"])


def task(world, case_id: int, spec_id: str) -> dict:
    return next(t for t in case(world, case_id)["tasks"] if t["spec_id"] == spec_id)


def may(world, open_task: dict) -> list[str]:
    """Who of ``WORKERS`` may work the task."""
    return [u for u in WORKERS if world.engine.may_work(open_task["id"], u)]


def who_may(world, case_id: int, spec_id: str) -> list[str]:
    """Who may work the open task ``spec_id`` of the case (``may`` of it)."""
    return may(world, task(world, case_id, spec_id))


def worker(world, open_task: dict) -> str:
    return next(u for u in WORKERS if world.engine.may_work(open_task["id"], u))


def complete(world, case_id: int, spec_id: str, data: dict | None = None, status: int = 200, which: dict | None = None):
    """``POST /api/tasks/{id}/complete`` of the case's open task at ``spec_id`` (or ``which``) by one who
    may work it; asserts ``status`` and returns the body."""
    open_task = which or task(world, case_id, spec_id)
    r = world.call("POST", f"/api/tasks/{open_task['id']}/complete", worker(world, open_task), json={"data": dict(data or {})})
    assert r.status_code == status, r.get_json()
    return r.get_json()


def done(world, case_id: int) -> dict:
    read = case(world, case_id)
    assert read["status"] == "completed" and not read["incidents"], (read["status"], read["incidents"], read["tasks"])
    return read


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.timezone.utc)


def fire(world, **delta) -> None:
    world.engine.clock.advance(**delta)
    world.engine.run_due_timers()


def served_models(stem: str, models) -> object:
    """The module fixture ``world`` of an API probe: ``served_world`` on the module's database with the
    corpus files ``models`` deployed through ``POST /api/models`` (each must be taken: 201).
    ``world = served_models("probe16", MODELS)`` at the module's top level."""

    @pytest.fixture(scope="module")
    def world(module_database_url, tmp_path_factory):
        w = served_world(module_database_url, tmp_path_factory.mktemp(stem))
        for name in models:
            r = deploy(w, name)
            assert r.status_code == 201, (name, r.get_json())
        yield w
        w.engine.dispose()

    return world


def deploy_notes(world, name: str) -> dict[str, list[str]]:
    """What deploying the corpus file ``name`` says (warnings), by element id."""
    said: dict[str, list[str]] = {}
    for p in world.engine.models.validate((CORPUS / name).read_bytes(), name).warnings:
        said.setdefault(p.element_id, []).append(p.message)
    return said


def walk_to_the_end(world, case_id: int) -> list[str]:
    """Complete the first open task with no data until none is open; the element ids completed, in turn."""
    walked = []
    while (open_now := open_specs(world, case_id)):
        walked.append(open_now[0])
        complete(world, case_id, open_now[0])
    return walked


def walk(world, case_id: int, steps) -> None:
    """Complete ``steps`` (element id, data) in turn, each the case's only open task when its turn comes."""
    for spec, data in steps:
        assert open_specs(world, case_id) == [spec], (spec, open_specs(world, case_id))
        complete(world, case_id, spec, data)
