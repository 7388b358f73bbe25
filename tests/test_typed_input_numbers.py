"""Amounts and counts as a tired official types them, in every form of our processes (录入规整, issue 15).

Every money and integer field of every registered form (bpmn/ 重大事故隐患挂牌督办 … 双随机一公开) is
walked with what people type. ``5,000,000``, ``500万``, ``1.5万元``, ``1.2亿元``, ``¥80,000``,
``１２３``, ``3 人`` are read as meant; a number whose separators group no thousands — ``1,5``,
``12,00``, ``1 5``, ``1、5``, ``1.000.000`` (1.5 or 15? one million or one?) — is refused naming the
reason, never guessed (it was read as 15, 1200, 15, 15). The legal thresholds these fields feed
compare right at their boundaries however the value was typed: 事故等级 by 死亡人数 and 直接经济损失
(《生产安全事故报告和调查处理条例》第三条: 3/10/30 人, 1000万/5000万/1亿元), run by the engine over
bpmn/accident_grade.dmn on SQLite and PostgreSQL; 听证 by 罚款金额 (《安全生产违法行为行政处罚办法》
(应急管理部令第18号): 个人 2万元、单位 10万元以上), over bpmn/hearing_and_collective.dmn.
"""
from __future__ import annotations

import datetime as dt

import pytest

from engine.clock import SHANGHAI
from workflows import decisions
from workflows.demo import CHEMICAL
from workflows.forms import FormError, registry
from workflows.forms.fields import MISGROUPED
from workflows.forms.samples import sample

TODAY = dt.date(2026, 11, 20)


def _fields_of(kind: str) -> list[tuple[str, dict]]:
    return [(key, f) for key in registry.keys() for f in registry.fields(key) if f["type"] == kind]


MONEY = _fields_of("money")
COUNTS = _fields_of("integer")


def _submit(key: str, name: str, typed):
    data = {**sample(key, TODAY), name: typed}
    try:
        return registry.validate(key, data)[name], None
    except FormError as exc:
        return None, exc.errors


def test_the_walk_finds_the_amounts_and_counts_of_our_processes():
    assert {f["name"] for _, f in MONEY} >= {"fine_amount", "direct_loss", "paid_amount"}
    assert {f["name"] for _, f in COUNTS} >= {"deaths", "serious_injuries"}


@pytest.mark.parametrize("typed", ["1,5", "12,00", "1,50", "1 5", "1、5", "1.000.000", "10,00万", "1,5万元"])
@pytest.mark.parametrize("key, field", MONEY, ids=[f"{k}.{f['name']}" for k, f in MONEY])
def test_an_amount_that_could_be_misread_is_refused_not_guessed(key, field, typed):
    value, errors = _submit(key, field["name"], typed)
    assert value is None and errors == {field["name"]: MISGROUPED}, (value, errors)


@pytest.mark.parametrize("typed", ["1,5", "12,00", "1 5", "1、5", "1.000.000"])
@pytest.mark.parametrize("key, field", COUNTS, ids=[f"{k}.{f['name']}" for k, f in COUNTS])
def test_a_count_that_could_be_misread_is_refused_not_guessed(key, field, typed):
    value, errors = _submit(key, field["name"], typed)
    assert value is None and errors == {field["name"]: MISGROUPED}, (value, errors)


@pytest.mark.parametrize("typed, meant", [
    ("5,000,000", "5000000.00"), ("5 000 000", "5000000.00"), ("500万", "5000000.00"), ("1.5万元", "15000.00"),
    ("¥80,000", "80000.00"), ("￥ 80,000.00元", "80000.00"), ("１２３", "123.00"), ("１２，０００．５０", "12000.50"),
    ("1.2亿元", "120000000.00"), ("1亿", "100000000.00"), ("5,000万", "50000000.00"), ("人民币 5000 元", "5000.00"),
    ("  80000\u3000", "80000.00"), ("1,000.5", "1000.50"),
])
@pytest.mark.parametrize("key, field", MONEY, ids=[f"{k}.{f['name']}" for k, f in MONEY])
def test_an_amount_typed_as_people_write_it_is_read_as_yuan(key, field, typed, meant):
    assert _submit(key, field["name"], typed) == (meant, None)


@pytest.mark.parametrize("typed", ["1e3", "1E5", "0x10"])
def test_an_amount_in_a_notation_nobody_writes_is_refused(typed):
    key, field = MONEY[0]
    assert _submit(key, field["name"], typed)[1] == {field["name"]: "应为金额（元），如 12,000 或 1.2万"}


@pytest.mark.parametrize("typed, deaths", [("3 人", 3), ("３人", 3), ("1,200", 1200), (" 10\u3000", 10)])
def test_a_count_typed_with_its_unit_or_grouped_is_read(typed, deaths):
    key = next(k for k, f in COUNTS if f["name"] == "deaths")
    assert _submit(key, "deaths", typed) == (deaths, None)


# --- the thresholds these fields feed -----------------------------------------------------------

HEARING = [  # (party, typed, may request a hearing): 个人 2万元, 单位 10万元 以上 (以上 includes the sum)
    ("个人", "2万元", True), ("个人", "20,000", True), ("个人", "¥19,999.99", False), ("个人", "１９９９９.９９", False),
    ("单位", "10万", True), ("单位", "100,000.00元", True), ("单位", "9.99万", False), ("单位", "99 999.99", False),
]


@pytest.mark.parametrize("party, typed, hearing", HEARING)
def test_the_hearing_threshold_compares_the_fine_as_typed_at_its_boundary(party, typed, hearing):
    key = next(k for k, f in MONEY if f["name"] == "fine_amount" and k == "enforcement.proposal")
    fine, errors = _submit(key, "fine_amount", typed)
    assert errors is None
    assert decisions.hearing_and_collective(party_type=party, fine_amount=fine)["hearing_eligible"] is hearing


GRADES = [  # 《生产安全事故报告和调查处理条例》第三条 (以上 includes the number)
    ({"deaths": "2人"}, "一般"), ({"deaths": "３ 人"}, "较大"), ({"deaths": "１０人"}, "重大"), ({"deaths": "30"}, "特别重大"),
    ({"direct_loss": "999.99万"}, "一般"), ({"direct_loss": "1000万元"}, "较大"), ({"direct_loss": "10,000,000"}, "较大"),
    ({"direct_loss": "4,999.99万元"}, "较大"), ({"direct_loss": "5000万"}, "重大"), ({"direct_loss": "¥99,999,999.99"}, "重大"),
    ({"direct_loss": "1亿元"}, "特别重大"), ({"serious_injuries": "１０ 人"}, "较大"), ({"serious_injuries": "49人"}, "较大"),
]


def test_the_accident_grade_compares_deaths_and_loss_as_typed_at_each_boundary(database_url):
    """事故信息接报 typed as an official types it; the engine grades the case over accident_grade.dmn."""
    from tests.process_support import process_world
    world = process_world(database_url, "accident_investigation", None,
                          dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc))
    w = next(world)
    try:
        got = []
        for typed, _ in GRADES:
            c = w.desk.start("accident_investigation", by="sun_qi", org="dongcheng", party=CHEMICAL, title="事故").id
            w.desk.do(c, "事故信息接报", **{"deaths": 0, "serious_injuries": 0, "direct_loss": "0", **typed})
            got.append(w.engine.case(c).data["accident_grade"])
        assert got == [grade for _, grade in GRADES]
    finally:
        world.close()


# --- shown back as people write it ---------------------------------------------------------------

def test_an_amount_is_shown_back_grouped_and_read_again_as_the_same_amount():
    from webui import formspec
    fields = formspec.fields_for(registry, "accident.receive")
    shown = formspec.prefill(fields, {"direct_loss": "10000000.00", "deaths": 3})
    assert shown["direct_loss"] == "10,000,000.00"  # a form sent back for revision
    data = {**sample("accident.receive", TODAY), "direct_loss": shown["direct_loss"]}
    assert registry.validate("accident.receive", data)["direct_loss"] == "10000000.00"


def test_the_facts_a_step_decides_on_show_the_loss_grouped(tmp_path, database_url):
    from tests.ui_support import add_investigator, client_login, make_world, open_task
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    try:
        add_investigator(w.engine)
        case = w.engine.start("accident_investigation", by="zhou", org="east", title="甲化工爆炸事故")
        receive = open_task(w.engine, case.id, "receive")
        now = w.engine.clock.now()   # reported as the clock says (its 逐级上报 due 2 hours after, 条例第十一条)
        w.engine.complete(receive.id, "zhou", {**sample("accident.receive", now.astimezone(SHANGHAI).date(), now),
                                               "direct_loss": "1000万元",
                                               "deaths": "３ 人"})
        report_up = open_task(w.engine, case.id, "report_up")
        html = client_login(w.app, "qian").get(f"/tasks/{report_up.id}").get_data(as_text=True)
        facts = html[html.index('id="context-facts"'):]
        facts = facts[:facts.index("</table>")]
        assert "10,000,000.00" in facts and "10000000.00" not in facts and "较大" in facts
    finally:
        w.engine.dispose()


HEARING_TYPED = [("10万", True), ("100,000.00元", True), ("¥99,999.99", False), ("9.99万", False), ("１０００００", True)]


def test_the_hearing_threshold_is_judged_by_the_engine_from_the_fine_as_typed(database_url):
    """案件处理呈批 of bpmn/enforcement_case.bpmn: a 单位 fined 10万元 or more may request a hearing
    (部令第18号; bpmn/hearing_and_collective.dmn), the fine typed as officials type it."""
    from tests.process_support import process_world
    world = process_world(database_url, "enforcement_case", None, dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc))
    w = next(world)
    try:
        eligible = []
        for typed, _ in HEARING_TYPED:
            c = w.desk.start("enforcement_case", by="zhang_san", org="dongcheng", party=CHEMICAL, title="甲化工案").id
            for step in ("初步核查", "立案审批", "调查取证"):
                w.desk.do(c, step)
            w.desk.do(c, "案件处理呈批", fine_amount=typed)
            w.desk.do(c, "法制审核")
            data = w.engine.case(c).data
            assert data["party_type"] == "单位"
            eligible.append(data["hearing_eligible"])
        assert eligible == [expected for _, expected in HEARING_TYPED]
    finally:
        world.close()


def test_the_case_page_shows_the_loss_grouped(tmp_path):
    from tests.ui_support import add_investigator, client_login, make_world, open_task
    w = make_world(tmp_path)
    try:
        add_investigator(w.engine)
        case = w.engine.start("accident_investigation", by="zhou", org="east", title="甲化工爆炸事故")
        w.engine.complete(open_task(w.engine, case.id, "receive").id, "zhou",
                          {**sample("accident.receive", TODAY), "direct_loss": "4,999.99万元"})
        html = client_login(w.app, "qian").get(f"/cases/{case.id}").get_data(as_text=True)
        data = html[html.index('id="case-data"'):]
        data = data[:data.index("</table>")]
        row = data[data.index('data-key="direct_loss"'):]
        assert "49,999,900.00" in row[:row.index("</tr>")] and "49999900.00" not in data
    finally:
        w.engine.dispose()
