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
