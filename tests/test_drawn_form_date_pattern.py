"""A date field drawn with Activiti/Flowable's ``datePattern`` (模型内表单的日期格式), typed the way it says.

tests/bpmn/flowable_acceptance_check.bpmn (as Flowable Modeler 6.8 writes it): 验收检查's 复查日期 is
``<flowable:formProperty type="date" datePattern="dd-MM-yyyy">``, and 限期复查 is due
``flowable:dueDate="${recheck_on}"``. A day typed the way the pattern says (``05-12-2026``; with the
pattern redrawn as ``MM/dd/yyyy``, ``12/05/2026``; ``yyyyMMdd``, ``20261205``) is stored as the ISO
day the model's expressions read, ``2026-12-05``, as are ``2026年12月5日``, full-width digits and
``2026-12-05``; before, the pattern was not read: ``12/05/2026`` became 12 May (Camunda 7's day-first
reading) and ``20261205`` was refused. A wrong day is refused naming the field, with the pattern's
spelling. Real engine (workflows.runtime), SQLite file and PostgreSQL, engine API, task page and
REST API.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from engine.errors import InvalidData
from tests.test_drawn_form_blank_yes_no import MODELS, api
from tests.test_drawn_form_web import task_form
from tests.test_incident_pages_words import visible
from tests.ui_support import client_login, make_world, open_task

MODEL = MODELS / "flowable_acceptance_check.bpmn"
CHECK, RECHECK = "sid-2B6F3C1E-8A4D-4F0B-9E7C-1D2A3B4C5D6E", "sid-7E1A2B3C-4D5E-4F6A-8B9C-0D1E2F3A4B5C"
DUE = datetime(2026, 12, 4, 16, 0, tzinfo=timezone.utc)  # 2026-12-05 00:00 in Beijing


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    yield w
    w.engine.dispose()


def checking(world, pattern: str = "dd-MM-yyyy"):
    e = world.engine
    drawn = MODEL.read_text(encoding="utf-8").replace('datePattern="dd-MM-yyyy"', f'datePattern="{pattern}"')
    e.deploy(drawn.encode(), by="zhao", filename="flowable_acceptance_check.bpmn")
    case = e.start("flowable_acceptance_check", by="zhang", org="east", title="丙公司整改验收")
    return case, open_task(e, case.id, CHECK)


@pytest.mark.parametrize("pattern, typed", [
    ("MM/dd/yyyy", ["12/05/2026", "１２/０５/２０２６", "2026年12月5日", "2026-12-05"]),
    ("yyyyMMdd", ["20261205", "2026年12月5日"]),
    ("dd.MM.yy", ["05.12.26", "5.12.26", "2026-12-05"]),
])
def test_a_day_typed_as_the_pattern_says_is_stored_as_the_iso_day(world, pattern, typed):
    e = world.engine
    for text in typed:
        case, task = checking(world, pattern)
        e.complete(task.id, "zhang", {"passed": "否", "recheck_on": text})
        assert e.case(case.id).data["recheck_on"] == "2026-12-05", (pattern, text)
        assert open_task(e, case.id, RECHECK).due_at == DUE  # flowable:dueDate="${recheck_on}"
        assert not e.incidents(case_id=case.id)


def test_a_wrong_day_is_refused_naming_the_field_and_the_patterns_spelling(world):
    case, task = checking(world)
    with pytest.raises(InvalidData) as refused:
        world.engine.complete(task.id, "zhang", {"passed": False, "recheck_on": "31-11-2026"})
    said = "「复查日期」须为日期，如 2026年12月1日、01-12-2026（日-月-年） 或 2026-12-01"
    assert refused.value.errors == {"recheck_on": said}
    response = api(world, "zhang").post(f"/api/tasks/{task.id}/complete",
                                        json={"data": {"passed": False, "recheck_on": "2026-12-05 下午"}})
    assert response.status_code == 422 and response.get_json()["errors"] == {"recheck_on": said}
    assert world.engine.task(task.id).state == "open"
    assert "recheck_on" not in world.engine.case(case.id).data


def test_the_task_page_asks_for_the_patterns_spelling_and_takes_it(world):
    case, task = checking(world)
    zhang = client_login(world.app, "zhang")
    form = task_form(zhang.get(f"/tasks/{task.id}").get_data(as_text=True))
    assert re.search(r'name="recheck_on" id="f-recheck_on" value="" '
                     r'placeholder="如 2026年12月1日、01-12-2026（日-月-年） 或 2026-12-01"', form)
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit", "passed": "false",
                                                      "recheck_on": "32-12-2026"})
    assert response.status_code == 422
    assert "「复查日期」须为日期，如 2026年12月1日、01-12-2026（日-月-年）" in visible(task_form(response.get_data(as_text=True)))
    assert 'value="32-12-2026"' in response.get_data(as_text=True)  # kept as typed
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit", "passed": "false",
                                                      "recheck_on": "05-12-2026"})
    assert response.status_code == 302, visible(response.get_data(as_text=True))
    assert world.engine.case(case.id).data["recheck_on"] == "2026-12-05"
    assert open_task(world.engine, case.id, RECHECK).due_at == DUE
