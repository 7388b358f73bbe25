"""A message or signal that starts a case brings data: it is checked against the form drawn on the
start event that catches it (required fields, types, values as typed), as 发起案件's data is against
the none start's (engine/model_forms.event_start_form, engine/messages.py).

tests/bpmn/interop/camunda7_report_or_message.bpmn (Camunda Modeler 5): message start 收到群众举报 with
its required 举报内容 beside the none start 执法检查发现. Before, with a none start beside it, the message
start's form was checked against nothing: a 群众举报 with no 举报内容 started a case. Here also with a
举报日期 (date) and 涉及人数 (long) drawn on it, and a signal start drawing a required 预警级别.
SQLite and PostgreSQL; the REST API once.
"""
from __future__ import annotations

import pytest

from engine.errors import InvalidData
from tests.interop_support import CORPUS
from tests.support import engine_fixture
from tests.ui_support import api_client, make_world

REPORT = (CORPUS / "camunda7_report_or_message.bpmn").read_text(encoding="utf-8")
TYPED = REPORT.replace(
    '          <camunda:formField id="tip" label="举报内容" type="string">',
    '          <camunda:formField id="reported_on" label="举报日期" type="date" />\n'
    '          <camunda:formField id="people" label="涉及人数" type="long" />\n'
    '          <camunda:formField id="tip" label="举报内容" type="string">', 1)
SIGNAL = (CORPUS / "camunda7_signal_or_plain.bpmn").read_text(encoding="utf-8").replace(
    '    <bpmn:startEvent id="StartEvent_alert" name="收到极端天气预警">\n',
    '    <bpmn:startEvent id="StartEvent_alert" name="收到极端天气预警">\n'
    '      <bpmn:extensionElements><camunda:formData>'
    '<camunda:formField id="level" label="预警级别" type="string">'
    '<camunda:validation><camunda:constraint name="required" /></camunda:validation></camunda:formField>'
    '</camunda:formData></bpmn:extensionElements>\n', 1)

engine = engine_fixture()


def _cases(e) -> int:
    return len(e.cases("boss"))


def test_a_message_start_beside_a_none_start_refuses_data_without_its_required_field(engine):
    engine.deploy(REPORT.encode(), by="boss", filename="camunda7_report_or_message.bpmn")
    for data in ({}, {"tip": ""}, {"tip": None, "caller": "李女士"}):
        with pytest.raises(InvalidData) as refused:
            engine.correlate_message("群众举报", by="zhang", data=data)
        assert refused.value.errors == {"tip": "「举报内容」为必填项"}
    assert _cases(engine) == 0 and not engine.incidents()  # nothing started, nothing to retry
    got = engine.correlate_message("群众举报", by="zhang", data={"tip": "储罐区有异味"})
    assert got["started"] and [t.name for t in engine.case(got["case_id"]).tasks] == ["核实举报"]


def test_a_message_starts_values_are_read_as_typed_and_its_types_refused_by_label(engine):
    engine.deploy(TYPED.encode(), by="boss", filename="camunda7_report_or_message.bpmn")
    with pytest.raises(InvalidData) as refused:
        engine.correlate_message("群众举报", by="zhang", data={"tip": "夜间偷排", "people": "许多", "reported_on": "昨天"})
    assert refused.value.errors == {"people": "「涉及人数」须为整数",
                                    "reported_on": "「举报日期」须为日期，如 2026年12月1日、2026-12-01 或 01/12/2026（日/月/年）"}
    got = engine.correlate_message("群众举报", by="zhang",
                                   data={"tip": "夜间偷排", "people": "１２", "reported_on": "2026年12月1日"})
    data = engine.case(got["case_id"]).data  # what was checked is what the case holds (the catch too)
    assert data["people"] == 12 and data["reported_on"] == "2026-12-01"


def test_a_signal_start_refuses_data_without_its_required_field(engine):
    engine.deploy(SIGNAL.encode(), by="boss", filename="camunda7_signal_or_plain.bpmn")
    with pytest.raises(InvalidData) as refused:
        engine.broadcast_signal("极端天气预警", by="zhang", data={})
    assert refused.value.errors == {"level": "「预警级别」为必填项"}
    assert _cases(engine) == 0
    (case_id,) = engine.broadcast_signal("极端天气预警", by="zhang", data={"level": "红色"})["started"]
    assert [t.name for t in engine.case(case_id).tasks] == ["应急检查"]


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    w.engine.deploy(REPORT.encode(), by="zhao", filename="camunda7_report_or_message.bpmn")
    yield w
    w.engine.dispose()


def test_the_rest_api_refuses_a_message_without_the_start_events_required_field_by_its_label(world):
    client = api_client(world.app, world.engine, 'zhang')
    r = client.post("/api/messages", json={"name": "群众举报", "data": {"caller": "李女士"}})
    assert r.status_code in (400, 422), r.get_data(as_text=True)
    said = r.get_data(as_text=True)
    assert "「举报内容」为必填项" in said and "Traceback" not in said
    assert not world.engine.cases("zhao")
