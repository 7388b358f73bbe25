"""听证告知's 较大数额罚款 is the province's figure (《行政处罚法》第六十三条第一款第（一）项), a local rule.

The article leaves 较大数额 to the 省、自治区、直辖市, with the 国务院部门's figure only where the province
sets none (docs/processes.md, the fifth legal audit). So the two figures are local rules —
``hearing.large_fine_individual`` (default 2万元) and ``hearing.large_fine_unit`` (default 10万元), 以上含本数
as tests/test_law_hearing_threshold_s25.py reads the boundary — set by an administrator in 系统管理 ›
规则配置 as officials type money (「5万元」「50,000」「５００００」). The model's 听证与集体讨论判定 reads the
figure in force on the day it decides and records it in the case (``hearing_fine_threshold``), so a later
change of the rule does not rewrite a decided case's 告知书. Real engine, the served pages, SQLite file
and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.security import generate_password_hash

from engine import ManualClock
from tests.ui_support import PASSWORD, client_login, quick_logins
from webui.app import create_app
from workflows import decisions, rules
from workflows.demo import CHEMICAL, Desk, load_directory
from workflows.documents import render
from workflows.runtime import build_engine

DAY = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Beijing
HEARING = "有权要求举行听证"
UNIT = "听证告知的较大数额罚款（对单位，以上含本数）"


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    """One engine for the file (deploying every model takes seconds): the tests move its clock forward
    and each enters the rule versions it needs from the next day on."""
    clock = ManualClock(DAY)
    engine = build_engine(module_database_url, clock=clock)
    load_directory(engine)
    quick_logins(engine, ("admin", "zhang_san"))
    app = create_app(engine, secret_key="test", testing=True,
                     instance_path=tmp_path_factory.mktemp("hearing-rule") / "instance")
    yield type("World", (), {"engine": engine, "clock": clock, "desk": Desk(engine), "app": app})
    engine.dispose()


def classified(w, fine: str) -> int:
    """A unit's case proposed with ``fine`` (as typed): 听证与集体讨论判定 has run."""
    c = w.desk.start("enforcement_case", by="zhang_san", org="dongcheng", party=CHEMICAL, title="甲化工听证标准案").id
    for step in ["初步核查", "立案审批", "调查取证"]:
        w.desk.do(c, step)
    w.desk.do(c, "案件处理呈批", fine_amount=fine)
    return c


def notice_of(w, c) -> str:
    for step in ["法制审核", "送达行政处罚告知书"]:
        w.desk.do(c, step)
    return render("enforcement.notice", w.engine.case(c).data, issuer="东城区应急管理局")


def tomorrow(w) -> dt.date:
    return w.desk.today() + dt.timedelta(days=1)


def set_unit_figure(w, typed: str) -> str:
    """The administrator types the province's 单位 figure, in force from tomorrow, on 规则配置."""
    admin = client_login(w.app, "admin")
    day = tomorrow(w)
    response = admin.post("/admin/rules", data={
        "key": "hearing.large_fine_unit", "effective_from": f"{day.year}年{day.month}月{day.day}日", "value": typed,
        "note": "示范省行政处罚听证较大数额标准", "_csrf": admin.csrf}, follow_redirects=True)
    return response.get_data(as_text=True)


def test_admin_penalty_law_art63_default_is_the_national_100000_and_the_case_records_it(world):
    below, at = classified(world, "99,999.99"), classified(world, "10万元")
    assert world.engine.case(below).data["hearing_eligible"] is False
    data = world.engine.case(at).data
    assert data["hearing_eligible"] is True and data["hearing_fine_threshold"] == 100000
    assert data["hearing_basis"] == "对单位处较大数额罚款（100,000元以上）"
    assert world.engine.case(below).data["hearing_fine_threshold"] == 100000
    page = client_login(world.app, "zhang_san").get(f"/cases/{at}").get_data(as_text=True)
    assert "听证告知的较大数额罚款标准（元，判定之日适用）" in page             # a Chinese label, not the variable


@pytest.mark.parametrize("typed", ["5万元", "50,000", "５００００"])
def test_admin_penalty_law_art63_province_figure_50000_gives_a_unit_fine_of_50000_00_the_hearing_not_49999_99(
        world, typed):
    page = set_unit_figure(world, typed)
    assert "已保存" in page and UNIT in page
    world.clock.advance(days=1)
    at, below = classified(world, "50,000.00"), classified(world, "49,999.99")
    data = world.engine.case(at).data
    assert data["hearing_eligible"] is True and data["collective_required"] is True   # 第五十七条第二款
    assert data["hearing_fine_threshold"] == 50000
    assert world.engine.case(below).data["hearing_eligible"] is False
    assert HEARING in notice_of(world, at)                 # the 告知书 follows the same figure
    assert HEARING not in notice_of(world, below)


def test_admin_penalty_law_art63_a_case_decided_before_the_province_figure_keeps_its_figure_and_notice(world):
    set_unit_figure(world, "100,000")                      # (other tests of the world may have changed it)
    world.clock.advance(days=1)
    decided = classified(world, "60000")                    # today: 10万元, no hearing
    set_unit_figure(world, "5万元")
    world.clock.advance(days=1)                             # tomorrow: the province's 5万元 in force
    later = classified(world, "60000")
    assert world.engine.case(later).data["hearing_eligible"] is True
    data = world.engine.case(decided).data
    assert data["hearing_eligible"] is False and data["hearing_fine_threshold"] == 100000
    assert HEARING not in notice_of(world, decided)        # served after the change: the decided figure


@pytest.mark.parametrize("typed, says", [
    ("五万左右", "应为金额"), ("十万五", "无法确定金额"), ("-50000", "金额不能为负数"), ("0", "大于0"),
])
def test_admin_penalty_law_art63_a_figure_not_money_is_refused_in_chinese_naming_the_rule(world, typed, says):
    before = len(world.engine.rule_store.history())
    page = set_unit_figure(world, typed)
    assert UNIT in page and says in page and "已保存" not in page
    assert len(world.engine.rule_store.history()) == before              # nothing stored


def test_admin_penalty_law_art63_the_personal_figure_is_a_rule_too(world):
    store = world.engine.rule_store
    store.add("hearing.large_fine_individual", tomorrow(world), "1万元", by="admin", note="示范省标准")
    figure = rules.in_force("hearing.large_fine_individual", tomorrow(world), store=store)
    assert rules.in_force("hearing.large_fine_individual", world.desk.today(), store=store) == 20000
    assert figure == 10000 and "第六十三条" in rules.source("hearing.large_fine_individual", world.desk.today())
    assert decisions.hearing_and_collective(party_type="个人", fine_amount="10000.00",
                                            hearing_fine_threshold=figure)["hearing_eligible"] is True
    assert decisions.hearing_and_collective(party_type="个人", fine_amount="9999.99",
                                            hearing_fine_threshold=figure)["hearing_eligible"] is False
