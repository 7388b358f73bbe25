"""The message outbox (/api/outbox) and the account that drains it (security round three).

The outbox items carry people's phone numbers and e-mail addresses; only the 消息网关 service account
and administrators fetch them (webui/api/outbox.py) — never an inspector of another district, an
enterprise or a 第三方评估机构. The gateway account's token lives on another system's host, so it is
as narrow as a 第三方评估机构's account (workflows/runtime.EXTERNAL_ROLES): it reads no case, no
enterprise file and starts nothing — before, a token taken from the gateway listed and opened every
case of its unit and below. On a real SQLite file and a real PostgreSQL database.
"""
from __future__ import annotations

import pytest

from tests.ui_support import ACME, client_login, make_world, start_hazard
from webui.api.auth import create_token

ROLES_REFUSED = {"wang": "another district's inspector", "acme": "an enterprise", "assessor_x": "a third party",
                 "zhao": "the city's 科室负责人"}


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("outbox"),
                   None if module_database_url.startswith("sqlite") else module_database_url)
    d = w.engine.directory
    d.add_user("sms_gw", org="city", roles=["gateway"], name="短信网关",
               password_hash=d.user("zhang").password_hash)
    d.add_user("assessor_x", org="east", roles=["assessor"], name="某评估机构")
    w.case = start_hazard(w.engine, title="东城区储罐区隐患")
    yield w
    w.engine.dispose()


def _bearer(world, user: str) -> dict:
    return {"Authorization": f"Bearer {create_token(world.engine, user, name='probe')}"}


@pytest.mark.parametrize("user", sorted(ROLES_REFUSED))
def test_only_the_gateway_and_administrators_fetch_the_outbox(world, user):
    client = world.app.test_client()
    for topic in ("sms", "email"):
        refused = client.post(f"/api/outbox/{topic}/fetch-and-lock", json={"worker": "probe"},
                              headers=_bearer(world, user))
        assert refused.status_code == 403, (ROLES_REFUSED[user], refused.get_json())
        assert refused.get_json()["message"] == "只有消息网关或系统管理员可以取用待发消息"
    assert client.post("/api/outbox/items/1/complete", json={"worker": "probe"},
                       headers=_bearer(world, user)).status_code == 403
    gateway = client.post("/api/outbox/sms/fetch-and-lock", json={"worker": "gw-1"}, headers=_bearer(world, "sms_gw"))
    assert gateway.status_code == 200


def test_the_gateway_account_reads_no_case_and_starts_none(world):
    client, auth = world.app.test_client(), _bearer(world, "sms_gw")
    listed = client.get("/api/cases", headers=auth)
    assert listed.status_code == 200 and listed.get_json()["items"] == []
    assert client.get(f"/api/cases/{world.case.id}", headers=auth).status_code == 403
    started = client.post("/api/cases", json={"process_key": "hazard_supervision", "title": "网关发起"}, headers=auth)
    assert started.status_code == 403
    page = client_login(world.app, "sms_gw")  # its password, should it also be used on the pages
    assert page.get(f"/cases/{world.case.id}").status_code == 403
    assert page.get(f"/enterprises/{ACME}").status_code in (403, 404)  # the scenarios' enterprise, which exists
