"""A case that a thrown message starts is started by the person whose step threw it.

bpmn.io draws a collaboration of two executable pools without lanes as often as with them: 应急管理局's
责令整改 throws 责令限期整改通知 from 送达指令书 to the enterprise pool's message start 收到指令书
(tests/bpmn/interop/bpmnio_two_pools_no_lanes.bpmn, the lanes of probe 16's model taken out). A task
that names no role, lane or person goes to its case's starter (engine/projection.py); the case that
the thrown message started was started by "engine", so its 落实整改措施 was given to nobody who can
log in, and both cases stalled: the bureau's waited for a 整改情况报告 that could never come.

Now (engine/messages._starter) the starter is the person who completed 下达整改指令 — here 张三 — as
a message sent through the API is the sender's; a message thrown by a timer's firing or by a
delivery starts its case for the throwing case's starter. Run on SQLite and PostgreSQL, through the
REST API.
"""
from __future__ import annotations

import pytest

from tests.api_probe_support import case as _case, complete, deploy as _deploy, done as _done
from tests.api_probe_support import open_specs as _open, served_world, start as _start, task as _task


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = served_world(module_database_url, tmp_path_factory.mktemp("thrown-start"))
    r = _deploy(w, "bpmnio_two_pools_no_lanes.bpmn")
    assert r.status_code == 201, r.get_json()
    yield w
    w.engine.dispose()


def test_a_case_a_thrown_message_starts_gives_its_laneless_task_to_the_person_who_threw_it(world):
    bureau = _start(world, "bpmnio_plain_bureau", user="zhang")
    order = _task(world, bureau, "Activity_0order")
    assert order["assignee"] == "zhang"  # the starter, as ever
    complete(world, bureau, "Activity_0order")
    firms = [c for c in world.call("GET", "/api/cases", "adm").get_json()["items"]
             if c["process_key"] == "bpmnio_plain_firm"]
    assert len(firms) == 1, firms
    fix = _task(world, firms[0]["id"], "Activity_0fix")
    assert fix["assignee"] == "zhang", fix  # before: "engine", whom no one can be
    assert world.engine.may_work(fix["id"], "zhang")
    r = world.call("POST", f"/api/tasks/{fix['id']}/complete", "zhang", json={"data": {}})
    assert r.status_code == 200, r.get_json()
    _done(world, firms[0]["id"])
    assert _open(world, bureau) == ["Activity_0recheck"]  # the 整改情况报告 reached the bureau's case
    complete(world, bureau, "Activity_0recheck", {"passed": True})
    _done(world, bureau)
    assert _case(world, firms[0]["id"])["started_by"] == "zhang"
