"""Our own processes' forms typed the way a tired official types them (录入规整, issue 15).

Each spelling is either read as the person meant it or refused with a Chinese reason beside the
field, the page keeping what was typed and nothing written: 500万 is 5,000,000 元 (not refused, never
500), 12.345 元 is refused (no amount below the 分; it was rounded away unseen), 2026年11月1号 is a day,
11月1日 is refused for its missing year (never guessed), 是/否 sent to the API is a yes/no (it was
refused with 应为“是”或“否”), a JSON 3.5 for a count is refused (it was cut to 3), a credit code pasted
in lower case or with blanks names the registry's enterprise (it was stored as typed).
"""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from tests.ui_support import ACME, api_client, client_login, make_world, open_task, start_hazard
from workflows.forms import FormError, registry

PAYMENT = {"paid_on": "2026-06-01", "receipts": ["缴款凭证"]}
REGISTER = {"source": "监督检查发现", "enterprise_name": "甲化工有限公司", "sector": "危化",
            "location": "储罐区", "description": "可燃气体报警装置失效", "found_on": "2026-11-20",
            "fix_deadline": "2026-11-30"}


def errors_of(key, data):
    with pytest.raises(FormError) as exc:
        registry.validate(key, data)
    return exc.value.errors


# --- the forms themselves (no database) -------------------------------------------------------------

@pytest.mark.parametrize("typed, meant", [
    ("500万", "5000000.00"), ("5万元", "50000.00"), ("1.5万元", "15000.00"), ("￥5,000", "5000.00"),
    ("¥5000.5", "5000.50"), ("人民币5000元", "5000.00"), ("５００万", "5000000.00"),
])
def test_amounts_in_wan_and_with_a_yuan_sign_are_read_as_yuan(typed, meant):
    assert registry.validate("enforcement.payment", {**PAYMENT, "paid_amount": typed})["paid_amount"] == meant


def test_an_amount_below_the_fen_is_refused_not_rounded():
    for sent in ("12.345", 12.345):
        assert errors_of("enforcement.payment", {**PAYMENT, "paid_amount": sent}) == \
            {"paid_amount": "金额最多两位小数（精确到分）"}
    assert registry.validate("enforcement.payment", {**PAYMENT, "paid_amount": "12.30"})["paid_amount"] == "12.30"


def test_days_typed_with_hao_and_days_without_a_year():
    data = registry.validate("enforcement.payment", {**PAYMENT, "paid_on": "2026年6月1号", "paid_amount": "1"})
    assert data["paid_on"] == "2026-06-01"
    assert errors_of("enforcement.payment", {**PAYMENT, "paid_on": "6月1日", "paid_amount": "1"}) == \
        {"paid_on": "日期须写明年份，如 2026年11月1日"}
    assert errors_of("enforcement.payment", {**PAYMENT, "paid_on": "2026-02-30", "paid_amount": "1"}) == \
        {"paid_on": "2026年2月30日不是有效的日期"}


@pytest.mark.parametrize("typed", ["2026年11月1日 9:30", "2026/11/1 9时30分", "２０２６年１１月１日９:３０",
                                   "2026-11-01 09:30"])
def test_times_typed_in_chinese_are_read_in_beijing_time(typed):
    from workflows.forms.samples import sample
    key = next(k for k in registry.keys() if any(f["name"] == "hearing_at" for f in registry.fields(k)))
    data = {**sample(key), "hearing_at": typed, "hearing_notice_served_on": "2026-10-20"}  # 7 工作日 ahead (行政处罚法第六十四条)
    assert registry.validate(key, data)["hearing_at"] == "2026-11-01T09:30:00+08:00"


def test_yes_no_sent_as_shi_fou_and_optional_flags_sent_as_null():
    base = {**REGISTER, "fix_deadline": None, "major_criterion": "第四条"}
    data = registry.validate("hazard.register", {**base, "requires_shutdown": "是", "long_rectification": "否",
                                                 "external_factors": None})
    assert (data["requires_shutdown"], data["long_rectification"], data["external_factors"]) == (True, False, False)
    assert errors_of("hazard.register", {**base, "requires_shutdown": "也许"}) == {"requires_shutdown": "应为“是”或“否”"}


def test_a_fraction_sent_for_a_count_is_refused_not_cut():
    from workflows.forms.samples import sample
    key = next(k for k in registry.keys() if any(f["name"] == "deaths" for f in registry.fields(k)))
    assert errors_of(key, {**sample(key), "deaths": 3.5}) == {"deaths": "应为整数"}
    assert registry.validate(key, {**sample(key), "deaths": 3.0})["deaths"] == 3


def test_counts_typed_with_their_unit_and_amounts_with_yuan_zheng():
    from workflows.forms.samples import sample
    key = next(k for k in registry.keys() if any(f["name"] == "deaths" for f in registry.fields(k)))
    data = registry.validate(key, {**sample(key), "deaths": "3人", "serious_injuries": "１２名", "direct_loss": "5万元整"})
    assert (data["deaths"], data["serious_injuries"], data["direct_loss"]) == (3, 12, "50000.00")
    days = next(k for k in registry.keys() if any(f["name"] == "report_every_days" for f in registry.fields(k)))
    assert registry.validate(days, {**sample(days), "report_every_days": "15天"})["report_every_days"] == 15
    for typed in ("1个月", "3周", "30个工作日"):  # another unit is not converted: refused
        assert errors_of(days, {**sample(days), "report_every_days": typed}) == {"report_every_days": "应为整数"}


def test_credit_codes_and_choices_as_pasted():
    data = registry.validate("hazard.register", {**REGISTER, "credit_code": " 9111 0101 ma00 0000 05 ",
                                                 "source": " 监督检查发现\u3000"})
    assert data["credit_code"] == ACME and data["source"] == "监督检查发现"
    from workflows.forms.inspection import Avoidance  # the 回避声明 rows of a 双随机 plan: an enterprise picker
    row = Avoidance().load({"inspector": "zhang", "credit_code": "９１１１０１０１ｍａ０００００００５", "reason": "亲属任职"})
    assert row["credit_code"] == ACME


# --- the task page and the API (SQLite; the case start's party also on PostgreSQL) ------------------

@pytest.fixture
def world(tmp_path):
    w = make_world(tmp_path)
    yield w
    w.engine.dispose()


def _page_post(client, task_id, data: dict):
    pairs = [(k, v) for k, v in data.items() if v is not None] + [("_csrf", client.csrf)]
    return client.post(f"/tasks/{task_id}", data=MultiDict(pairs))


def test_the_page_refuses_a_day_without_its_year_keeping_it_and_reads_hao(world):
    case = start_hazard(world.engine)
    task = open_task(world.engine, case.id, "register")
    client = client_login(world.app, "zhang")
    response = _page_post(client, task.id, {**REGISTER, "found_on": "11月20日"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "日期须写明年份，如 2026年11月1日" in html and 'value="11月20日"' in html
    assert world.engine.task(task.id).state == "open" and "found_on" not in world.engine.case(case.id).data
    response = _page_post(client, task.id, {**REGISTER, "found_on": "2026年11月20号",
                                            "credit_code": "9111 0101 ma00 0000 05"})
    assert response.status_code == 302
    data = world.engine.case(case.id).data
    assert data["found_on"] == "2026-11-20" and data["credit_code"] == ACME


def test_the_api_reads_shi_and_refuses_a_missing_year_naming_the_field(world):
    case = start_hazard(world.engine)
    task = open_task(world.engine, case.id, "register")
    client = api_client(world.app, world.engine, 'zhang')
    refused = client.post(f"/api/tasks/{task.id}/complete", json={"data": {**REGISTER, "found_on": "11月20日"}})
    assert refused.status_code == 422 and "found_on" in refused.get_json()["errors"]
    assert world.engine.task(task.id).state == "open"
    done = client.post(f"/api/tasks/{task.id}/complete", json={"data": {
        **REGISTER, "fix_deadline": None, "major_criterion": "第四条", "requires_shutdown": "是",
        "long_rectification": "否", "external_factors": None}})
    assert done.status_code == 200, done.get_json()
    data = world.engine.case(case.id).data
    assert (data["requires_shutdown"], data["long_rectification"], data["external_factors"]) == (True, False, False)


def test_a_case_started_through_the_api_with_a_pasted_credit_code_is_the_enterprises(tmp_path, database_url):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    try:
        client = api_client(w.app, w.engine, 'zhang')
        response = client.post("/api/cases", json={"process_key": "hazard_supervision", "title": "储罐区隐患",
                                                   "party": "9111 0101 ma00 0000 05"})
        assert response.status_code == 201, response.get_json()
        assert w.engine.case(response.get_json()["id"]).party == ACME
    finally:
        w.engine.dispose()
