"""A case as one user may read it (webui/redaction.case_for): the whistleblower's identity (举报人身份,
《安全生产领域举报奖励办法》: 不得泄露举报人的信息) is taken out wherever it sits for everyone but the
举报受理员 — at any depth of the data, in the history's details, through the API — and a case that
holds none of it is handed on as the engine read it, not copied key by key. Real engine and app,
SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from webui import redaction

pytest_plugins = ["tests.test_api_helpers"]  # world

PHONE = "13900000000"
ID_NUMBER = "110101199001011237"


@pytest.fixture
def copies(monkeypatch):
    calls = []
    real = redaction.redact
    monkeypatch.setattr(redaction, "redact", lambda value, roles: calls.append(value) or real(value, roles))
    return calls


def _intake_user(world) -> str:
    d = world.engine.directory
    d.add_role("intake", "举报受理员")
    d.add_user("intake1", org="east", roles=["intake"], name="何受理")
    return "intake1"


def test_a_case_without_restricted_fields_is_not_copied(world, copies):
    eng = world.engine
    case_id = eng.start("api_matrix", by="starter", org="east", title="粉尘涉爆企业检查",
                        data={"remark": "举报人称：whistleblower_name 未提供", "items": [{"name": "除尘器"}]}).id
    view = redaction.case_for(eng, case_id, eng.directory.principal("insp"))
    assert copies == [], "data or history copied though nothing in it is restricted"
    assert view.data["items"] == [{"name": "除尘器"}] and view.history


def test_the_identity_is_taken_out_at_any_depth_for_all_but_intake(world, copies):
    eng = world.engine
    intake = _intake_user(world)
    data = {"whistleblower_name": "刘某", "tipoff_content": "甲化工储罐区检修时未办理动火作业票即动火",
            "contacts": [{"whistleblower_phone": PHONE, "note": "晚上联系"}],
            "nested": {"deeper": {"whistleblower_id_number": ID_NUMBER}}}
    case_id = eng.start("api_matrix", by="starter", org="east", title="12350举报", data=data).id
    hidden = redaction.case_for(eng, case_id, eng.directory.principal("insp"))
    text = repr(hidden.data) + repr(hidden.history)
    assert "刘某" not in text and PHONE not in text and ID_NUMBER not in text
    assert hidden.data["tipoff_content"] and hidden.data["contacts"] == [{"note": "晚上联系"}]
    assert copies, "the case names the identity: it must be redacted"
    shown = redaction.case_for(eng, case_id, eng.directory.principal(intake))
    assert shown.data["whistleblower_name"] == "刘某" and shown.data["contacts"][0]["whistleblower_phone"] == PHONE

    api = world.call("GET", f"/api/cases/{case_id}", "insp")
    assert api.status_code == 200 and PHONE not in api.get_data(as_text=True)
    assert "刘某" not in api.get_data(as_text=True) and ID_NUMBER not in api.get_data(as_text=True)
    assert PHONE in world.call("GET", f"/api/cases/{case_id}", intake).get_data(as_text=True)


def test_a_value_only_mentioning_a_field_name_is_kept_whole(world):
    """A mark inside some text (not a key) costs a copy, never a value."""
    eng = world.engine
    note = 'whistleblower_phone": 写错的字段名'
    case_id = eng.start("api_matrix", by="starter", org="east", title="核查", data={"remark": note}).id
    view = redaction.case_for(eng, case_id, eng.directory.principal("insp"))
    assert view.data["remark"] == note
