"""A start form drawn in the model (Flowable ``formProperty`` / Camunda ``formField`` on the start
event, as tests/bpmn/interop/flowable_leave.bpmn draws 请假天数 and 请假事由): 发起案件 shows it once the
process is chosen, and a start is checked against it as a task's drawn form is — numbers as a tired
official types them (全角数字), defaults filled, a wrong or missing value refused naming the field, on
the page, through the REST API and the engine; nothing started then. SQLite and PostgreSQL."""
from __future__ import annotations

import re

import pytest

from engine import InvalidData
from tests.interop_support import CORPUS
from tests.support import engine_fixture
from tests.ui_support import client_login, make_world

LEAVE = CORPUS / "flowable_leave.bpmn"


engine = engine_fixture("interop/flowable_leave.bpmn")


def test_a_start_is_checked_against_the_start_form_drawn_in_the_model(engine):
    case = engine.start("flowable_leave", by="zhang", org="east", data={"days": "１２", "reason": "婚假"})
    assert {k: engine.case(case.id).data[k] for k in ("days", "reason")} == {"days": 12, "reason": "婚假"}
    case = engine.start("flowable_leave", by="zhang", org="east")  # the form's defaults, as Flowable fills them
    assert {k: engine.case(case.id).data[k] for k in ("days", "reason")} == {"days": 5, "reason": "探亲"}
    started = len(engine.cases("zhang"))
    with pytest.raises(InvalidData) as refused:
        engine.start("flowable_leave", by="zhang", org="east", data={"days": "十来天"})
    assert refused.value.errors == {"days": "「请假天数」须为整数"}
    assert len(engine.cases("zhang")) == started  # nothing started


def test_a_required_start_field_without_default_is_asked_for(engine):
    engine.deploy(LEAVE.read_text("utf-8").replace('type="long" default="5" required="true"/>\n        <flowable:formProperty id="reason"',
                                                   'type="long" required="true"/>\n        <flowable:formProperty id="reason"', 1),
                  by="boss", filename="flowable_leave.bpmn")
    with pytest.raises(InvalidData) as refused:
        engine.start("flowable_leave", by="zhang", org="east")
    assert refused.value.errors == {"days": "「请假天数」为必填项"}


@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path)
    w.engine.deploy(LEAVE, by="admin")
    yield w
    w.engine.dispose()


def test_the_start_page_shows_the_drawn_start_form_and_refuses_a_wrong_value_naming_it(world):
    client = client_login(world.app, "zhang")
    page = client.get("/cases/new?process=flowable_leave&title=年休假").get_data(as_text=True)
    assert "发起表单" in page and "请假天数" in page and "请假事由" in page and 'value="年休假"' in page
    assert 'name="form_of" value="flowable_leave"' in page
    assert 'value="flowable_leave" selected data-form>' in page  # the page's script reloads for it
    assert re.search(r'value="hazard_supervision" [^>]*>', page).group(0) == 'value="hazard_supervision" >'  # not for it
    before = len(world.engine.cases("zhang"))
    wrong = client.post("/cases/new", data={"_csrf": client.csrf, "process": "flowable_leave", "form_of": "flowable_leave",
                                            "title": "年休假", "days": "十来天", "reason": "回乡"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "「请假天数」须为整数" in page and 'value="十来天"' in page and "回乡" in page
    # chosen without the page's script: the form is shown, nothing started
    unseen = client.post("/cases/new", data={"_csrf": client.csrf, "process": "flowable_leave", "title": "年休假"})
    assert unseen.status_code == 200 and "请假天数" in unseen.get_data(as_text=True)
    assert len(world.engine.cases("zhang")) == before
    done = client.post("/cases/new", data={"_csrf": client.csrf, "process": "flowable_leave", "form_of": "flowable_leave",
                                           "title": "年休假", "days": "８", "reason": "回乡"})
    assert done.status_code == 302
    case = world.engine.cases("zhang")[0]
    assert (case.title, world.engine.case(case.id).data["days"], world.engine.case(case.id).data["reason"]) == \
        ("年休假", 8, "回乡")
    # a process with no start form drawn: no 发起表单
    assert "发起表单" not in client.get("/cases/new?process=hazard_supervision").get_data(as_text=True)
