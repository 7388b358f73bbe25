"""Start forms drawn in the model, finished the way an official expects (发起表单).

tests/bpmn/interop/flowable_hazard_report.bpmn (as Flowable Modeler 6.8 writes it): 登记隐患 draws
企业名称 (required) and 是否重大隐患 (``type="boolean"``, neither required nor defaulted), and the
gateway right after the start event routes on ``${major}``. A start without 是/否 used to become an
incident at start (the gateway's NameError); now it is refused as a completion is — naming the
field, nothing started, no incident, no case number taken — on 发起案件 (the field offered without
不填, what was typed kept), through the REST API (422 with ``errors``) and the engine.

tests/bpmn/interop/camunda7_report_or_message.bpmn (as Camunda Modeler 5 writes it): a message start
收到群众举报 with its form (举报内容) beside the none start 执法检查发现 with its own (检查地点, 发现日期).
A start from 发起案件 is the none one (SpiffWorkflow fires it and cancels the waiting message start),
so its form is the one shown and checked; before, two start events with forms meant no form at
all. Two none start events are refused at deploy naming both (Camunda 7 and Flowable refuse them).
发起案件 reads the form from the spec the engine checks a start against (``engine.models.start_spec``,
read-only), not from the model file a second time. SQLite and PostgreSQL.
"""
from __future__ import annotations

import re

import pytest

from engine import InvalidData, model_forms
from engine.errors import InvalidModel
from engine.schema import SpecBundle
from tests.interop_support import CORPUS
from tests.support import engine_fixture
from tests.ui_support import api_client, client_login, make_world

REPORT = CORPUS / "flowable_hazard_report.bpmn"
BOTH = CORPUS / "camunda7_report_or_message.bpmn"
REFUSED = {"major": "请选择“是否重大隐患”：是或否（流程的下一步要用到）"}

engine = engine_fixture("interop/flowable_hazard_report.bpmn", "interop/camunda7_report_or_message.bpmn")


def nothing_started(e, before: int) -> None:
    assert len(e.cases("zhang")) == before
    assert not e.incidents()


def test_a_start_without_the_yes_no_the_first_gateway_reads_is_refused_naming_it(engine):
    for data in ({"company": "甲化工有限公司"}, {"company": "甲化工有限公司", "major": ""},
                 {"company": "甲化工有限公司", "major": None}):
        with pytest.raises(InvalidData) as refused:
            engine.start("flowable_hazard_report", by="zhang", org="east", data=data)
        assert refused.value.errors == REFUSED
        nothing_started(engine, 0)
    case = engine.start("flowable_hazard_report", by="zhang", org="east", data={"company": "甲化工有限公司", "major": "否"})
    assert [t.name for t in engine.case(case.id).tasks] == ["限期整改"]
    assert case.case_no.endswith("-00001")  # the refused starts took no case number
    case = engine.start("flowable_hazard_report", by="zhang", org="east", data={"company": "乙公司", "major": "是"})
    assert [t.name for t in engine.case(case.id).tasks] == ["挂牌督办"]


def test_a_start_from_a_process_with_a_message_start_reads_the_none_start_events_form(engine):
    with pytest.raises(InvalidData) as refused:
        engine.start("camunda7_report_or_message", by="zhang", org="east", data={"found_on": "2026年12月1日"})
    assert refused.value.errors == {"site": "「检查地点」为必填项"}  # 举报内容 (the message start's) not asked
    case = engine.start("camunda7_report_or_message", by="zhang", org="east",
                        data={"site": "液氯储罐区", "found_on": "2026年12月1日"})
    view = engine.case(case.id)
    assert [t.name for t in view.tasks] == ["现场复查"] and view.data["found_on"] == "2026-12-01"
    spec = engine.models.start_spec(engine.models.latest("camunda7_report_or_message").id)
    assert model_forms.start_event(spec).bpmn_id == "StartEvent_found"


def test_a_case_a_message_starts_is_not_checked_against_the_none_start_events_form(engine):
    started = engine.correlate_message("群众举报", by="zhang", data={"tip": "储罐区有异味"})
    assert started["started"] and engine.case(started["case_id"]).data["tip"] == "储罐区有异味"


def test_two_none_start_events_are_refused_at_deploy_naming_both(engine):
    text = BOTH.read_text("utf-8").replace(
        '<bpmn:messageEventDefinition id="MessageEventDefinition_0tip" messageRef="Message_tip" />', "")
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(text, by="boss", filename="camunda7_report_or_message.bpmn")
    said = str(refused.value)
    assert "2 个无触发的开始事件" in said
    assert "开始事件「收到群众举报」(StartEvent_tip)" in said and "开始事件「执法检查发现」(StartEvent_found)" in said


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    w.engine.deploy(REPORT, by="zhao")
    w.engine.deploy(BOTH, by="zhao")
    yield w
    w.engine.dispose()


def boolean_box(page: str, name: str) -> str:
    return re.search(rf'<span class="choices" id="f-{name}">.*?</span>', page, re.S).group(0)


def test_the_start_page_asks_yes_or_no_without_not_given_and_refuses_a_start_without_it(world):
    e = world.engine
    client = client_login(world.app, "zhang")
    page = client.get("/cases/new?process=flowable_hazard_report").get_data(as_text=True)
    box = boolean_box(page, "major")
    assert "是否重大隐患" in page and 'value="true"' in box and 'value="false"' in box
    assert "不填" not in box and "checked" not in box  # 是/否 alone, neither chosen
    with e.db.read() as s:
        assert s.query(SpecBundle).count() == 0  # the page read the spec (start_spec), stored nothing
    posted = {"_csrf": client.csrf, "process": "flowable_hazard_report", "form_of": "flowable_hazard_report",
              "title": "储罐区隐患", "company": "甲化工有限公司"}
    refused = client.post("/cases/new", data=posted)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert re.search(r'id="err-major"[^>]*>' + re.escape(REFUSED["major"]), page)
    assert 'value="甲化工有限公司"' in page and 'value="储罐区隐患"' in page  # what was typed is kept
    nothing_started(e, 0)
    done = client.post("/cases/new", data={**posted, "major": "true"})
    assert done.status_code == 302
    case = e.cases("zhang")[0]
    assert [t.name for t in e.case(case.id).tasks] == ["挂牌督办"]


def test_the_start_page_shows_the_none_start_events_form(world):
    page = client_login(world.app, "zhang").get("/cases/new?process=camunda7_report_or_message").get_data(as_text=True)
    assert "检查地点" in page and "发现日期" in page and "举报内容" not in page
    assert 'value="camunda7_report_or_message" selected data-form>' in page


def test_the_rest_api_refuses_a_start_without_the_yes_no_with_422_naming_it(world):
    client = api_client(world.app, world.engine, 'zhang')
    body = {"process_key": "flowable_hazard_report", "title": "储罐区隐患", "data": {"company": "甲化工有限公司"}}
    refused = client.post("/api/cases", json=body)
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == REFUSED and "incident_id" not in refused.get_json()
    nothing_started(world.engine, 0)
    body["data"]["major"] = "否"
    assert client.post("/api/cases", json=body).status_code == 201
