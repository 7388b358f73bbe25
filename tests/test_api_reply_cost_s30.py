"""What an API completion's answer costs to write (issue 15): the reply of ``POST
/api/tasks/{id}/complete`` — the case and the next tasks — dumped by webui/api/dump.py's reader
written out field by field for objects read by attribute (the engine's case row, task rows), not
its loop that asks each field's kind and the object's type again for every field of every object.
The same JSON as marshmallow's dump; counted in bytecodes (``sys.settrace`` opcode events), which
do not depend on the machine's load. The real app and engine, SQLite and PostgreSQL."""
from __future__ import annotations

import sys

import marshmallow as ma

from webui.api import schemas
from webui.api.dump import fast_dump
from tests.support import sessions_made

pytest_plugins = ["tests.test_api_helpers"]  # world


def _bytecodes(call) -> tuple[int, object]:
    count = [0]

    def tracer(frame, event, _arg):
        frame.f_trace_opcodes = True
        if event == "opcode":
            count[0] += 1
        return tracer
    sys.settrace(tracer)
    try:
        result = call()
    finally:
        sys.settrace(None)
    return count[0], result


def test_a_completions_answer_is_marshmallows_json_written_in_under_1400_bytecodes(world):
    """The case row the step gives back and the next task's row (``Engine.next_tasks``: the rows of
    engine/sqlexec.py), as the view answers them: 1,400 bytecodes at most, 2,452 before the reader
    was written out."""
    eng = world.engine
    case_id = world.start("own_org")
    case = eng.complete(world.task(case_id, "inspect"), "insp", {"result": "合格"})
    reply = {"case": case, "next_tasks": eng.next_tasks(case_id, "insp")}
    schema = schemas.CompleteResult()
    fast = fast_dump(schema)
    count, dumped = _bytecodes(lambda: fast(reply))
    assert dumped == ma.Schema.dump(schema, reply)
    assert dumped["case"]["id"] == case_id and [t["spec_id"] for t in dumped["next_tasks"]] == ["figures"]
    assert count < 1400, count


def test_an_api_start_checks_the_org_unit_from_the_directory_cache_and_makes_no_orm_session(world, monkeypatch):
    """``POST /api/cases`` by a token: the org unit's existence and the start's rule (``Policy.check_start``:
    an official's own branch of the tree, 《中华人民共和国安全生产法》第九条第二款 for a unit above) read the
    unit's path from the directory's cache at the counter read with the token, as the engine's start
    does — no ORM session (one before, ``session.get(OrgUnit, …)``: ~14,000 of the request's ~47,000
    bytecodes on SQLite). The refusals are the same words; a unit added since is found (the counter
    moved, the cache is not used)."""
    start = {"process_key": "api_matrix", "org": "east_town", "title": "下级单位的案件"}
    assert world.call("POST", "/api/cases", "insp", json=start).status_code == 201  # caches warm
    made = sessions_made(monkeypatch)
    r = world.call("POST", "/api/cases", "insp", json=start)
    assert r.status_code == 201 and r.get_json()["org_code"] == "east_town", r.get_json()
    assert made == []
    monkeypatch.undo()
    r = world.call("POST", "/api/cases", "insp", json={**start, "org": "city"})  # the unit above: its own branch
    assert r.status_code == 201 and r.get_json()["org_code"] == "city", r.get_json()
    r = world.call("POST", "/api/cases", "insp", json={**start, "org": "west"})
    assert r.status_code == 403 and r.get_json()["message"] == "只能在本单位、上级或下级单位发起案件", r.get_json()
    r = world.call("POST", "/api/cases", "insp", json={**start, "org": "nowhere"})
    assert r.status_code == 422 and r.get_json()["errors"] == {"org": "组织机构不存在: nowhere"}, r.get_json()
    world.engine.directory.add_org("east_new", "新设街道", parent="east", level="街道")
    r = world.call("POST", "/api/cases", "insp", json={**start, "org": "east_new"})
    assert r.status_code == 201 and r.get_json()["org_code"] == "east_new", r.get_json()
