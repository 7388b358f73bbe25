"""Security review 14 (安全复查十四) — through the served REST API (tests/api_probe_support.served_world), on a
real SQLite file and a real PostgreSQL database, with real BPMN (tests/bpmn/start_script.bpmn, Camunda
Modeler 5.28).

Behind a reverse proxy one address (登录锁定 behind nginx). The login lockout's per-address limit
(30 failures in 15 minutes) saw the proxy's address for every request: one machine's failures locked
every login out. ``DUBAN_TRUSTED_PROXIES`` (off by default) is the number of proxies in front;
werkzeug's ProxyFix then takes the client's address from ``X-Forwarded-For``, never believing what a
client writes there itself (webui/login_limits.trust_proxies; docs/admin.md, 运维).

Model code opened cases against any enterprise (跨单位当事企业). hsec13 checked ``start_case(org=...)``
only; ``start_case(party=...)`` opened a case against another district's enterprise (which that
enterprise's own account then reads). The domain now tells the engine which unit an enterprise
belongs to (``engine.party_unit``, registered by workflows/runtime.register_party_check): the same
reach as for units (engine/step.check_spawn_org).

A hundred years of warnings (日志刷屏). ``workdays_after(now(), 25000)`` in a script logged one warning
per year past the holiday data, a hundred of them; a loop up to 9999 thousands. Now three years at
most in a process, then one line more (engine/workdays.py).
"""
from __future__ import annotations

import datetime as dt
import io
import logging

import pytest

from tests.api_probe_support import deploy_source, script_model, served_world, start_script_case
from tests.test_api_helpers import PARTY_A, PARTY_B, PASSWORD, build_app

SPAWN_PARTY = ('daily = total / days\nif to_party:\n'
               '    start_case("fine_on_start", {"total": 1, "days": 1, "to_party": ""}, party=to_party)')


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = served_world(module_database_url, tmp_path_factory.mktemp("review14"))
    from workflows.enterprises.models import create_tables
    from workflows.enterprises.registry import EnterpriseRegistry
    from workflows.runtime import register_party_check
    create_tables(w.engine.db.engine)
    registry = EnterpriseRegistry(w.engine.db.engine)
    registry.add({"credit_code": PARTY_A, "name": "东城化工有限公司", "org_unit": "east", "sector": "危化", "size": "中型"})
    registry.add({"credit_code": PARTY_B, "name": "西城机械有限公司", "org_unit": "west", "sector": "危化", "size": "中型"})
    register_party_check(w.engine)
    yield w
    w.engine.dispose()


def _api_deploy(world, script: str, username: str = "des"):
    return deploy_source(world, script_model(script), "立案即算罚款.bpmn", username)


# -- 1. the login lockout behind a reverse proxy ------------------------------------------------------

LOCKOUT = {"DUBAN_LOGIN_ACCOUNT_LIMIT": "4 per 15 minutes", "DUBAN_LOGIN_ADDRESS_LIMIT": "6 per 15 minutes"}
PROXY = "10.9.0.1"  # nginx on the same network: every request's REMOTE_ADDR


def _token(client, username: str, password: str, forwarded: str):
    return client.post("/api/tokens", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": PROXY}, headers={"X-Forwarded-For": forwarded})


def test_behind_one_trusted_proxy_one_machines_failures_lock_out_that_machine_only_gb_t_22239_8_1_4_1(
        world, tmp_path):
    """等保 2.0 (GB/T 22239-2019) 8.1.4.1 b) 登录失败处理 (限制非法登录次数), without locking others out.
    Before, ``DUBAN_TRUSTED_PROXIES`` was no setting: the 7th login through the proxy, from any
    machine, was 429 (six failures of 203.0.113.7 locked everyone out)."""
    app = build_app(world.engine, tmp_path, config=dict(LOCKOUT, DUBAN_TRUSTED_PROXIES="1"))
    c = app.test_client()
    for i in range(6):  # one machine spraying six names
        assert _token(c, f"nobody{i}", "guess", "203.0.113.7").status_code == 401
    assert _token(c, "sup", PASSWORD, "203.0.113.7").status_code == 429
    # another official's machine behind the same proxy signs in
    assert _token(c, "sup", PASSWORD, "198.51.100.20").status_code == 201
    # the attacker writing another address into the header itself is not believed: nginx appends the real one
    assert _token(c, "sup", PASSWORD, "198.51.100.20, 203.0.113.7").status_code == 429
    import json

    import sqlalchemy as sa

    from engine.schema import AuditEvent
    with world.engine.db.read() as s:
        details = [json.loads(d) for d in s.execute(sa.select(AuditEvent.detail).where(
            AuditEvent.chain == "auth", AuditEvent.action == "login_locked")).scalars()]
    assert any(d["address"] == "203.0.113.7" for d in details), details  # the client's, not the proxy's


def test_one_account_is_locked_across_the_addresses_behind_the_proxy(world, tmp_path):
    app = build_app(world.engine, tmp_path, config=dict(LOCKOUT, DUBAN_TRUSTED_PROXIES="1"))
    c = app.test_client()
    for i in range(4):  # four machines, one account
        assert _token(c, "eastboss", "guess", f"192.0.2.{i}").status_code == 401
    assert _token(c, "eastboss", PASSWORD, "192.0.2.99").status_code == 429


def test_without_the_setting_the_forwarded_header_is_ignored(world, tmp_path):
    """Off by default: a client sending ``X-Forwarded-For`` itself chooses no address."""
    app = build_app(world.engine, tmp_path, config=dict(LOCKOUT, DUBAN_LOGIN_ACCOUNT_LIMIT="100 per 15 minutes"))
    c = app.test_client()
    for i in range(6):
        r = c.post("/api/tokens", json={"username": f"spray{i}", "password": "guess"},
                   environ_base={"REMOTE_ADDR": "10.8.0.5"}, headers={"X-Forwarded-For": f"172.16.0.{i}"})
        assert r.status_code == 401
    r = c.post("/api/tokens", json={"username": "sup", "password": PASSWORD},
               environ_base={"REMOTE_ADDR": "10.8.0.5"}, headers={"X-Forwarded-For": "172.16.9.9"})
    assert r.status_code == 429


def test_a_bad_trusted_proxies_setting_is_refused_in_chinese(world, tmp_path):
    with pytest.raises(ValueError, match="DUBAN_TRUSTED_PROXIES（反向代理的层数）应为 0 到 10 的整数，而不是「一」"):
        build_app(world.engine, tmp_path, config={"DUBAN_TRUSTED_PROXIES": "一"})


# -- 2. start_case(party=...) within the case's reach -------------------------------------------------

def test_model_code_opens_no_case_against_another_districts_enterprise(world):
    """Before, 东城区's case opened a case against 西城区's enterprise (201, the child's party PARTY_B)."""
    assert _api_deploy(world, SPAWN_PARTY).status_code == 201  # 东城区's designer: 东城区's process
    start = {"process_key": "fine_on_start", "org": "east", "party": PARTY_A,
             "data": {"total": 10, "days": 2, "to_party": PARTY_B}}
    r = world.call("POST", "/api/cases", "insp", json=start)
    body = r.get_json()
    assert r.status_code == 422 and body["incident_id"], body
    assert "「计算每日罚款」要求对「西城机械有限公司」（属于西城区）开启新案件" in body["message"], body
    assert not [c for c in world.engine.cases(process_key="fine_on_start", limit=500) if c.party == PARTY_B]
    # an enterprise of the case's own unit, one the registry does not know: opened
    for party, to_party in ((None, PARTY_A), (PARTY_A, "91110101MA00000C3P")):
        r = world.call("POST", "/api/cases", "insp", json=dict(start, party=party, data=dict(start["data"], to_party=to_party)))
        assert r.status_code == 201, r.get_json()
    assert {c.party for c in world.engine.cases(process_key="fine_on_start", limit=500) if c.parent_case_id} == {
        PARTY_A, "91110101MA00000C3P"}


# -- 3. the holiday-data warning, bounded -----------------------------------------------------------

def test_a_century_of_working_days_logs_a_few_warnings_not_one_per_year(world, caplog):
    """Before, one ``workdays_after`` of 25,000 working days (a hundred years past the holiday data) logged
    ~100 warnings, each ~400 bytes."""
    from engine import workdays
    workdays._forget_fallback_warnings()
    try:
        caplog.set_level(logging.WARNING, logger="duban.workdays")
        far = workdays.workdays_after(dt.date(2030, 1, 2), 25_000)
        for year in range(2200, 2300):
            workdays.is_workday(dt.date(year, 3, 1))
        assert far.year > 2120
        said = [r.getMessage() for r in caplog.records if r.name == "duban.workdays"]
        assert len(said) == workdays.WARNED_YEARS_MAX + 1, len(said)
        assert "本进程不再逐年提示" in said[-1]
        assert all("放假调休安排尚未录入" in m for m in said[:-1])
    finally:
        workdays._forget_fallback_warnings()


# -- 4. a host function's one call, bounded by its work -------------------------------------------

def _deploy_lists(world, script: str) -> None:
    r = deploy_source(world, script_model(script, "feel_lists", "列表函数"), "列表函数.bpmn")
    assert r.status_code == 201, r.get_json()


def _start_lists(world):
    return start_script_case(world, "feel_lists")


def test_feel_distinct_values_and_union_of_a_long_list_cost_the_server_milliseconds_not_minutes(world):
    """FEEL's ``distinct values``/``union`` (engine/feel_collections.py) run in the host, which checks a
    script's host CPU only between calls. Before, each item was compared with every item kept: 50,000
    numbers took ~12 s of the server thread's CPU in one call (a million, which ``range`` gives, hours)."""
    from tests.support import evaluator_ready, thread_cpu
    _deploy_lists(world, 'l = list(range(50000))\nn = len(duban_feel_collection("distinct values", l + l))\n'
                         'u = len(duban_feel_collection("union", l, l))\ndaily = total / days')
    evaluator_ready()
    with thread_cpu() as spent:
        r = _start_lists(world)
    assert r.status_code == 201, r.get_json()
    assert spent.seconds < 3, spent.seconds
    data = world.engine.case(r.get_json()["id"]).data
    assert (data["n"], data["u"]) == (50000, 50000)


def test_feel_product_past_the_number_range_is_refused_before_its_digits_grow(world):
    """Before, the product of 20,000 twelve-digit numbers was computed to 240,000 digits (its cost
    growing with each step: 200,000 of them ~1 min of the server's CPU) and then failed to be stored."""
    _deploy_lists(world, 'l = [999999999999] * 20000\np = duban_feel_collection("product", l)\ndaily = total / days')
    r = _start_lists(world)
    body = r.get_json()
    assert r.status_code == 422 and body["incident_id"], body
    incident = next(i for i in world.engine.incidents() if i.id == body["incident_id"])
    assert "函数「product」的乘积超出数值范围" in incident.message, incident.message
