"""A date field of a form drawn in Camunda Modeler (模型内表单的日期), typed as officials type it.

Camunda 7 writes a form's day as dd/MM/yyyy; an official types ``01/12/2026`` there, ``2026年12月1日``
or ``２０２６-１２-０１`` here. Each is stored as ``2026-12-01``, which is what the model's expressions
read: tests/bpmn/camunda7_rectify_dates.bpmn (drawn as Camunda Modeler draws it) routes on
``${rectify_by gt found_on}`` and gives 整改复查 ``camunda:dueDate="${rectify_by}"``. Stored as typed,
``01/12/2026`` would compare before ``15/11/2026`` and send the case down the wrong flow, and
``2026年12月1日`` would be no dueDate at all (an incident). A day that is no day is refused naming
the field, in Chinese, the task left open. Real engine (workflows.runtime), SQLite file and
PostgreSQL, the completion through the engine's API and through the task page.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.errors import InvalidData
from tests.interop_support import CORPUS
from tests.test_drawn_form_web import task_form
from tests.test_incident_pages_words import visible
from tests.ui_support import client_login, make_world, open_task

MODEL = CORPUS.parent / "camunda7_rectify_dates.bpmn"
DUE = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)  # 2026-12-01 00:00 in Beijing


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    w.engine.deploy(MODEL, by="zhao")
    yield w
    w.engine.dispose()


def registered(world):
    case = world.engine.start("camunda7_rectify_dates", by="zhang", org="east", title="乙公司隐患")
    return case, open_task(world.engine, case.id, "Activity_register")


@pytest.mark.parametrize("found_on, rectify_by", [
    ("15/11/2026", "01/12/2026"),            # Camunda 7's dd/MM/yyyy
    ("2026年11月15日", "2026年12月1日"),
    ("２０２６-１１-１５", "２０２６-１２-０１"),  # full-width, from a Chinese input method
    ("2026/11/15", " 2026-12-1 "),
])
def test_a_typed_day_is_stored_as_the_models_expressions_read_it(world, found_on, rectify_by):
    case, task = registered(world)
    world.engine.complete(task.id, "zhang", {"found_on": found_on, "rectify_by": rectify_by})
    data = world.engine.case(case.id).data
    assert (data["found_on"], data["rectify_by"]) == ("2026-11-15", "2026-12-01")
    recheck = open_task(world.engine, case.id, "Activity_recheck")  # ${rectify_by gt found_on}
    assert recheck.due_at == DUE  # camunda:dueDate="${rectify_by}"
    assert not world.engine.incidents(case_id=case.id)


def test_a_day_that_is_no_day_is_refused_naming_the_field(world):
    case, task = registered(world)
    with pytest.raises(InvalidData) as refused:
        world.engine.complete(task.id, "zhang", {"found_on": "15/11/2026", "rectify_by": "31/11/2026"})
    assert refused.value.errors == {
        "rectify_by": "「整改期限」须为日期，如 2026年12月1日、2026-12-01 或 01/12/2026（日/月/年）"}
    assert world.engine.task(task.id).state == "open"
    assert "found_on" not in world.engine.case(case.id).data


def test_the_task_page_takes_camundas_pattern_and_keeps_a_bad_day_as_typed(world):
    case, task = registered(world)
    zhang = client_login(world.app, "zhang")
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit",
                                                      "found_on": "15/11/2026", "rectify_by": "下周一"})
    assert response.status_code == 422
    form = task_form(response.get_data(as_text=True))
    assert "「整改期限」须为日期" in visible(form)
    assert 'value="15/11/2026"' in form and 'value="下周一"' in form  # what was typed stays
    response = zhang.post(f"/tasks/{task.id}", data={"_csrf": zhang.csrf, "_action": "submit",
                                                      "found_on": "15/11/2026", "rectify_by": "01/12/2026"})
    assert response.status_code == 302, visible(response.get_data(as_text=True))
    assert world.engine.case(case.id).data["rectify_by"] == "2026-12-01"
    assert open_task(world.engine, case.id, "Activity_recheck").due_at == DUE
