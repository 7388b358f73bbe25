"""The completion that ends a case leaves the case's top workflow row (wf_workflow, wf_key 'top') as
its last running step wrote it (engine/state.py ``_ENDED_TOP_ROW``): SpiffWorkflow's end copies the
case data into the top workflow, and rewriting that row grew it by the whole case data for no reader.

Everything a person or a later step reads of an ended case comes from elsewhere, and is checked here
on a model as Camunda Modeler 5 draws it (camunda7_list_map_parameters.bpmn, 现场检查清单: one task
whose output mappings build a list and a map), through the REST API and the pages, on a SQLite file
and PostgreSQL: the case's data and status (API, 案件 page, a restarted engine, a SQLite backup), its
history, the diagram's elements, the audit chain's verification, and an ended case refusing another
step. The rows still hold the end: the end task's row restores to the case's final data."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from engine import Conflict, Engine, ManualClock, state as wfstate
from engine.audit import verify
from engine.schema import Case, WorkflowRow
from tests.interop_support import CORPUS
from tests.support import START, statements_sent
from tests.test_api_helpers import browser_login

pytest_plugins = ["tests.test_api_helpers"]  # world, database_url

MODEL = CORPUS / "camunda7_list_map_parameters.bpmn"
GIVEN = {"extraItem": "应急照明", "unitName": "华东化工有限公司"}
FINAL = {"checklist": ["消防通道", "危化品储存", "应急照明"],
         "unitRecord": {"name": "华东化工有限公司", "grade": "重点", "contacts": ["安全员", "负责人"]}}


def _top_row(engine: Engine, case_id: int) -> str:
    with engine.db.engine.connect() as conn:
        return conn.execute(sa.select(WorkflowRow.content).where(
            WorkflowRow.case_id == case_id, WorkflowRow.wf_key == wfstate.TOP)).scalar_one()


def _ended_case(world) -> tuple[int, str, list[str]]:
    """A case of the model started and ended through the API: (case id, its top row before the
    ending completion, the statements that completion sent)."""
    r = world.call("POST", "/api/models", "des", data={"file": (io.BytesIO(MODEL.read_bytes()), MODEL.name)},
                   content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    r = world.call("POST", "/api/cases", "insp", json={"process_key": r.get_json()["key"], "org": "east",
                                                       "data": dict(GIVEN)})
    assert r.status_code == 201, r.get_json()
    case_id = r.get_json()["id"]
    task = world.call("GET", f"/api/cases/{case_id}", "insp").get_json()["tasks"][0]
    before = _top_row(world.engine, case_id)
    sent = statements_sent(world.engine, lambda: world.call(
        "POST", f"/api/tasks/{task['id']}/complete", "insp", json={"data": {}}))
    return case_id, before, sent


def test_the_ending_completion_leaves_the_top_row_and_every_reader_still_sees_the_end(world):
    engine = world.engine
    case_id, before, sent = _ended_case(world)
    # the cut: no statement touches the top row, which stays as the last running step wrote it
    assert [s for s in sent if "wf_workflow" in s] == [], sent
    assert _top_row(engine, case_id) == before

    # REST API: status, data (the output mappings' list and map), history
    body = world.call("GET", f"/api/cases/{case_id}", "insp").get_json()
    assert body["status"] == "completed" and body["tasks"] == [], body
    assert {k: body["data"][k] for k in (*GIVEN, *FINAL)} == {**GIVEN, **FINAL}
    assert [e["action"] for e in body["history"]][-2:] == ["completed", "case_completed"]

    # the 案件 page: 已办结 with its time, the diagram's finished elements, the timeline's 办结
    page = world.client()
    browser_login(page, "insp")
    html = page.get(f"/cases/{case_id}").get_data(as_text=True)
    assert re.search(r'id="case-status">已办结<', html) and "· 办结 2026年11月23日" in html, html
    marks = re.search(r"data-marks='([^']*)'", html).group(1)
    assert '"active": []' in marks and '"Activity_0inspect"' in marks and '"Event_0done"' in marks, marks
    assert re.search(r'class="ev-case_completed">\s*<time>[^<]+</time>\s*<span class="who">insp</span>\s*<b>办结</b>', html)

    # the diagram's elements, the audit chain
    elements = engine.case_elements(case_id)
    assert {"Activity_0inspect", "Event_0done"} <= set(elements["completed"]) and not elements["active"]
    with engine.db.read(snapshot=True) as s:
        assert verify(s) is None

    # an engine started afresh on the same database (a restart): the same case; no step takes it
    again = Engine(engine.db.url, clock=ManualClock(START))
    try:
        view = again.case(case_id)
        assert (view.status, {k: view.data[k] for k in FINAL}) == ("completed", FINAL)
        assert view.ended_at is not None
        with pytest.raises(Conflict):
            again.cancel(case_id, by="adm")
        # the rows still hold the end: the end task restores with the case's final data
        with again.db.read() as s:
            spec, subs = again.models.specs(s, s.get(Case, case_id).bundle_hash)
            restored = wfstate.restore(s, case_id, spec, subs, again.script_engine).workflow
        end = next(t for t in wfstate._walk(restored) if t.task_spec.name == "End")
        assert end.data == view.data
    finally:
        again.dispose()


def test_a_backup_of_a_database_with_an_ended_case_reads_the_case_as_it_ended(world, tmp_path):
    """``duban db backup`` (SQLite; PostgreSQL is backed up with pg_dump, the whole database): the
    copy, opened by an engine, shows the ended case with its final data."""
    if not world.engine.db.is_sqlite:
        pytest.skip("SQLite's backup command; PostgreSQL's is pg_dump")
    from webui.db_backup import backup

    case_id, _before, _sent = _ended_case(world)
    made = backup(world.engine.db.engine.url.database, tmp_path / "copy.sqlite")
    copy = Engine(f"sqlite:///{made.path}", clock=ManualClock(START))
    try:
        view = copy.case(case_id)
        assert view.status == "completed" and {k: view.data[k] for k in FINAL} == FINAL
        assert [e["action"] for e in view.history][-1] == "case_completed"
        assert made.cases >= 1
    finally:
        copy.dispose()
