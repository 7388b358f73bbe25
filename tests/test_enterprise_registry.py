"""The enterprise registry on a real SQLite file and a real PostgreSQL database."""
import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from workflows.enterprises import (DuplicateEnterprise, EnterpriseInvalid, EnterpriseNotFound,
                                   EnterpriseRegistry, RiskLevel, Sector, create_tables, credit_code)
from workflows.enterprises.samples import fake_enterprises
from workflows.enterprises.search_index import bulk_insert
from workflows.enterprises.models import Enterprise

UTC = dt.timezone.utc
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


class Clock:
    """The engine's clock stand-in: moves only when told."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)


def plain(values: dict) -> dict:
    """A sample enterprise as a form would send it: enums as their Chinese values."""
    return {k: getattr(v, "value", v) for k, v in values.items()}


def code(n: int) -> str:
    return credit_code.complete(f"914406040000{n:05d}")


def wrong_check(good: str) -> str:
    return good[:17] + ("1" if good[17] == "0" else "0")


def enterprise(n: int, **over) -> dict:
    data = {"credit_code": code(n), "name": f"佛山市测试{n}化工有限公司", "org_unit": "440604001",
            "sector": "危化", "size": "小型", "legal_rep": "张三", "legal_rep_phone": "13800138000",
            "safety_manager": "李四", "safety_manager_phone": "0757-83331234"}
    return {**data, **over}


@pytest.fixture
def clock():
    return Clock(dt.datetime(2026, 3, 2, 1, 30, tzinfo=UTC))


@pytest.fixture
def sa_engine(database_url):
    engine = sa.create_engine(database_url)
    create_tables(engine)
    create_tables(engine)  # idempotent: the engine may call it on every start
    yield engine
    engine.dispose()


@pytest.fixture
def registry(sa_engine, clock):
    return EnterpriseRegistry(sa_engine, clock=clock)


def test_add_and_get_by_code(registry, clock):
    added = registry.add(enterprise(1), by="admin")
    got = registry.get(code(1).lower())  # codes are normalized on the way in
    assert got.id == added.id and got.name == "佛山市测试1化工有限公司"
    assert got.sector is Sector.HAZARDOUS_CHEMICALS
    assert got.created_at == clock.now and got.created_at.tzinfo is not None
    assert registry.get(code(2)) is None
    assert registry.get("not a code") is None


def test_times_are_stored_in_utc_whatever_zone_the_clock_uses(registry, clock):
    clock.now = dt.datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)
    registry.add(enterprise(1))
    got = registry.get(code(1))
    assert got.created_at == dt.datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    assert got.created_at.utcoffset() == dt.timedelta(0)


def test_invalid_data_is_refused_field_by_field_in_chinese(registry):
    with pytest.raises(EnterpriseInvalid) as err:
        registry.add(enterprise(1, credit_code=wrong_check(code(1)), sector="化工",
                                legal_rep_phone="12345", name=""))
    errors = err.value.errors
    assert errors["credit_code"].startswith("校验码错误")
    assert errors["sector"] == "应为以下之一：危化、工贸、建筑施工、烟花爆竹、非煤矿山、其他"
    assert "name" in errors
    assert registry.search().total == 0


def test_duplicate_code_is_refused(registry):
    registry.add(enterprise(1))
    with pytest.raises(DuplicateEnterprise, match="已登记"):
        registry.add(enterprise(1, name="另一家"))


def test_update_revalidates_and_keeps_the_code(registry, clock):
    registry.add(enterprise(1, risk_level="橙", last_inspected_on="2026-01-05"))
    clock.advance(days=1)
    updated = registry.update(code(1), {"name": "佛山市新名称化工有限公司", "size": "中型"})
    assert updated.name == "佛山市新名称化工有限公司" and updated.updated_at == clock.now
    # Attributes not named in the change stay as they were.
    assert updated.risk_level is RiskLevel.ORANGE and updated.last_inspected_on == dt.date(2026, 1, 5)
    assert updated.legal_rep_phone == "13800138000" and updated.created_at < clock.now
    assert registry.search("新名称").total == 1
    assert registry.search("测试1化工").total == 0  # the index follows renames
    with pytest.raises(EnterpriseInvalid) as err:
        registry.update(code(1), {"legal_rep_phone": "abc"})
    assert "电话号码格式不正确" in err.value.errors["legal_rep_phone"]
    with pytest.raises(EnterpriseInvalid, match="不可修改"):
        registry.update(code(1), {"credit_code": code(2)})
    with pytest.raises(EnterpriseInvalid, match="set_risk_level"):
        registry.update(code(1), {"risk_level": "红"})
    with pytest.raises(EnterpriseNotFound):
        registry.update(code(3), {"name": "x"})


def test_risk_level_history_says_who_when_why(registry, clock):
    registry.add(enterprise(1, risk_level="蓝"), by="录入员")
    clock.advance(days=30)
    registry.set_risk_level(code(1), "红", by="王科长", reason="发现重大事故隐患")
    clock.advance(days=90)
    registry.set_risk_level(code(1), RiskLevel.YELLOW, by="王科长", reason="隐患销号，复评")
    history = registry.risk_history(code(1))
    assert [(h.old_level, h.new_level, h.changed_by) for h in history] == [
        (None, RiskLevel.BLUE, "录入员"),
        (RiskLevel.BLUE, RiskLevel.RED, "王科长"),
        (RiskLevel.RED, RiskLevel.YELLOW, "王科长"),
    ]
    assert history[1].reason == "发现重大事故隐患"
    assert history[2].changed_at == clock.now
    assert registry.get(code(1)).risk_level is RiskLevel.YELLOW


def test_risk_change_needs_a_known_level_an_author_and_a_reason(registry):
    registry.add(enterprise(1))
    with pytest.raises(EnterpriseInvalid, match="原因"):
        registry.set_risk_level(code(1), "红", by="王科长", reason=" ")
    with pytest.raises(EnterpriseInvalid, match="变更人"):
        registry.set_risk_level(code(1), "红", by="", reason="x")
    with pytest.raises(EnterpriseInvalid, match="红、橙、黄、蓝"):
        registry.set_risk_level(code(1), "紫", by="王科长", reason="x")
    assert registry.risk_history(code(1)) == []


def test_red_board_and_next_inspection(sa_engine, clock):
    registry = EnterpriseRegistry(sa_engine, clock=clock, inspection_intervals={"黄": 4})
    registry.add(enterprise(1, risk_level="红", org_unit="A"))
    registry.add(enterprise(2, risk_level="红", org_unit="B"))
    registry.add(enterprise(3, risk_level="黄", org_unit="A"))
    registry.add(enterprise(4))
    assert [e.credit_code for e in registry.red_enterprises()] == [code(1), code(2)]
    assert [e.credit_code for e in registry.red_enterprises(org="B")] == [code(2)]
    assert [e.credit_code for e in registry.red_enterprises(org=["A", "C"])] == [code(1)]
    today = clock.now.date()
    assert registry.next_inspection_due(code(1)) == today  # never inspected: due now
    registry.record_inspection(code(1), dt.date(2026, 1, 31))
    assert registry.next_inspection_due(code(1)) == dt.date(2026, 2, 28)  # 红: monthly
    registry.record_inspection(code(3), dt.date(2026, 1, 15))
    registry.record_inspection(code(3), dt.date(2025, 12, 1))  # an older report does not win
    assert registry.next_inspection_due(code(3)) == dt.date(2026, 5, 15)  # 黄 overridden: 4 months
    assert registry.next_inspection_due(code(4)) is None  # ungraded


def test_serious_dishonesty_listing(registry):
    registry.add(enterprise(1))
    listed = registry.list_dishonest(code(1), dt.date(2026, 1, 10))
    assert listed.dishonest and listed.dishonest_until == dt.date(2029, 1, 10)  # 3 years by default
    assert listed.dishonest_on(dt.date(2027, 6, 1))
    assert not listed.dishonest_on(dt.date(2026, 1, 9))
    removed = registry.remove_dishonest(code(1), dt.date(2027, 2, 1))  # early removal after repair
    assert not removed.dishonest and removed.dishonest_until == dt.date(2027, 2, 1)
    assert not removed.dishonest_on(dt.date(2027, 6, 1))
    with pytest.raises(EnterpriseInvalid, match="不能早于"):
        registry.list_dishonest(code(1), dt.date(2026, 5, 1), until=dt.date(2026, 4, 1))


def test_enterprise_for_party(registry):
    registry.add(enterprise(1))
    assert registry.enterprise_for_party(code(1)).name == "佛山市测试1化工有限公司"
    assert registry.enterprise_for_party(None) is None
    assert registry.enterprise_for_party("") is None
    assert registry.enterprise_for_party(code(2)) is None


def test_changes_ride_on_the_callers_transaction(registry, sa_engine):
    """The engine passes its session so a service task's change commits or rolls back with the step."""
    with Session(sa_engine) as session:
        registry.add(enterprise(1), session=session)
        registry.set_risk_level(code(1), "红", by="engine", reason="test", session=session)
        assert registry.get(code(1), session=session).risk_level is RiskLevel.RED
        session.rollback()
    assert registry.get(code(1)) is None


@pytest.fixture
def populated(registry, sa_engine, clock):
    """300 sample enterprises plus a few named ones, inserted in bulk as an import would."""
    rows = [Enterprise.insert_values(v, clock.now) for v in fake_enterprises(300, seed=3)]
    with sa_engine.begin() as conn:
        bulk_insert(conn, Enterprise.__table__, rows)
    for n, name in enumerate(["佛山市华鑫（集团）化工有限公司", "佛山市华鑫五金厂", "ABC Chemicals (Foshan) Ltd."]):
        registry.add(enterprise(n + 1, name=name, org_unit="440604099", risk_level="红"))
    return registry


def test_search_by_name_fragment(populated):
    page = populated.search("华鑫")
    names = {e.name for e in page.items}
    assert {"佛山市华鑫（集团）化工有限公司", "佛山市华鑫五金厂"} <= names
    assert all("华鑫" in n for n in names) and page.total == len(names)
    # Punctuation and width do not matter; Latin letters are case-insensitive.
    assert [e.name for e in populated.search("华鑫(集团)化工").items] == ["佛山市华鑫（集团）化工有限公司"]
    assert [e.name for e in populated.search("chemicals").items] == ["ABC Chemicals (Foshan) Ltd."]
    # A single character works too, and a fragment in no name finds nothing.
    assert populated.search("鑫").total >= 2
    assert populated.search("不存在的企业名").total == 0
    # Fragments must match as a whole, not as scattered characters.
    assert all("五金厂" in e.name for e in populated.search("五金厂", per_page=500).items)


def test_search_matches_a_plain_substring_scan(populated, sa_engine):
    """The index finds exactly the names a LIKE scan finds, for fragments of 1 to 4 characters."""
    with sa_engine.connect() as conn:
        names = [n for (n,) in conn.execute(sa.select(Enterprise.name))]
    for fragment in ["市", "化工", "有限责任", "石场", "五金", "烟花爆竹", "公司"]:
        expected = sum(fragment in n for n in names)
        assert populated.search(fragment, by="name").total == expected, fragment


def test_search_by_code_prefix(populated):
    page = populated.search(code(1)[:12])
    assert [e.credit_code for e in page.items] == [code(1), code(2), code(3)]
    assert populated.search(code(2)).items[0].credit_code == code(2)
    everything = populated.search("91", per_page=500)
    assert everything.total == 303
    assert [e.credit_code for e in everything.items] == sorted(e.credit_code for e in everything.items)


def test_search_paging_and_filters(populated):
    first = populated.search("有限", page=1, per_page=20)
    second = populated.search("有限", page=2, per_page=20)
    assert first.total == second.total > 40 and first.pages == -(-first.total // 20)
    assert len(first.items) == len(second.items) == 20
    assert not {e.id for e in first.items} & {e.id for e in second.items}
    ids = [e.id for p in range(1, first.pages + 1) for e in populated.search("有限", page=p, per_page=20).items]
    assert len(ids) == len(set(ids)) == first.total
    assert ids == sorted(ids, reverse=True)  # newest registrations first
    last = populated.search("有限", page=first.pages + 5, per_page=20)
    assert last.items == [] and last.total == first.total
    red_here = populated.search(org="440604099", risk="红")
    assert red_here.total == 3 and [e.name for e in red_here.items] == sorted(e.name for e in red_here.items)
    chem = populated.search("华鑫", sector=Sector.HAZARDOUS_CHEMICALS)
    assert chem.total >= 1 and all(e.sector is Sector.HAZARDOUS_CHEMICALS for e in chem.items)
    assert populated.search("华鑫", org="440604099", sector=["工贸", "危化"]).total == 2
    assert populated.search().total == 303


def test_a_sessionmaker_works_too_and_results_outlive_the_session(sa_engine, clock):
    registry = EnterpriseRegistry(sessionmaker(sa_engine), clock=clock)  # expire_on_commit=True
    registry.add(enterprise(1, risk_level="橙"))
    got = registry.get(code(1))
    assert got.risk_level is RiskLevel.ORANGE and got.name.startswith("佛山市测试1")
    assert registry.search("测试1").items[0].credit_code == code(1)


def test_bad_search_input_is_refused_or_finds_nothing(populated):
    with pytest.raises(EnterpriseInvalid, match="行业类别：应为以下之一"):
        populated.search("华鑫", sector="化工")
    assert populated.search("91-44", by="code").total == 0
    assert populated.search("（）").total == 303  # only punctuation: no name restriction
    with pytest.raises(EnterpriseInvalid, match="企业名称：必填"):
        populated.add(enterprise(9, name=""))


def test_count_limit_caps_the_total(populated):
    full = populated.search("有限", per_page=10)
    capped = populated.search("有限", per_page=10, count_limit=50)
    assert full.exact and full.total > 50
    assert not capped.exact and capped.total == 50
    assert [e.id for e in capped.items] == [e.id for e in full.items]
    small = populated.search("华鑫", count_limit=50)
    assert small.exact and small.total == populated.search("华鑫").total
    filtered = populated.search("有限", org="440604099", count_limit=1, per_page=1)  # 1 of the 3 there
    assert filtered.exact and filtered.total == 1
