"""领导驾驶舱 and 通报排名 on the test city of tests/leadership_support.py, on SQLite and
PostgreSQL.

Laws and rules checked: 重大隐患 按期整改 counts the 督办期限 day itself in China's time (原安监总局令第16号
Art 20; 常州 2012 "力求重大隐患整改率100%"); a penalty decision is on time within 90 days of 立案 (行政处罚法
Art 60); 柴桑区实施意见 (seed 003, 二十六): last two twice running → 约谈 by 常务副区长/分管副区长, three times
→ 区政府主要领导, 区纪委、区委组织部."""
from __future__ import annotations

import io

import pytest
from docx import Document

from tests.leadership_support import NOW, build_world
from tests.ui_support import client_login
from tests.support import statements_sent
from engine import typed_input
from workflows.leadership import period as periods
from workflows.leadership.dashboard import _on_time
from workflows.leadership.ranking import rank
from workflows.leadership.scope import load


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = build_world(tmp_path_factory.mktemp("leadership"),
                    None if module_database_url.startswith("sqlite") else module_database_url)
    yield w
    w.engine.dispose()


def test_on_time_is_judged_on_the_deadline_day_in_china():
    assert _on_time("2027-02-26T15:59:00+00:00", "2027-02-26")  # 23:59 on the day in Beijing
    assert not _on_time("2027-02-26T16:00:00+00:00", "2027-02-26")  # 00:00 the next day
    assert not _on_time(None, "2027-02-26") and not _on_time("2027-02-26", None)


def test_periods_as_officials_type_them():
    now = NOW
    assert periods.parse("", now).code == "2026Q4"
    assert periods.parse("2026年第四季度", now).code == "2026Q4"
    assert periods.parse("２０２６Ｑ3", now).code == "2026Q3"
    assert periods.parse("2026年11月", now).code == "2026-11" and periods.parse("2026", now).label == "2026年"
    assert periods.parse("2026Q1", now).previous().code == "2025Q4"
    assert periods.parse("2026-11", now).months() == ["2026-11"]
    with pytest.raises(ValueError, match="统计期间格式不正确"):
        periods.parse("2026Q5", now)
    assert typed_input.iso_day("2026年12月2日") == "2026-12-02"


def test_dashboard_figures_per_district(world):
    client = client_login(world.app, "zhao")  # 市局处长
    data = client.get("/leadership/data.json?period=2026Q4").json
    charts = {c["key"]: c for c in data["charts"]}
    units = charts["hazards_open"]["category_codes"]
    assert units[:4] == ["east", "north", "south", "west"]
    hazards = {s["name"]: dict(zip(units, s["data"])) for s in charts["hazards_open"]["series"]}
    assert hazards["重大"]["east"] == 1 and hazards["一般"]["east"] == 1  # the town's case counts for 东城区
    assert hazards["重大"]["west"] == 1 and hazards["重大"]["north"] == 1
    overdue = dict(zip(units, charts["listings_overdue"]["series"][0]["data"]))
    assert overdue == {"east": 0, "north": 0, "south": 0, "west": 1}  # east's listing is due 2027-02-26
    rect = charts["rectified"]
    assert (rect["total"], rect["on_time"], rect["rate"]) == (2, 1, 50.0)
    accidents = {s["name"]: s["data"] for s in charts["accidents"]["series"]}
    assert charts["accidents"]["categories"] == ["10月", "11月", "12月"]
    assert accidents["较大"] == [0, 1, 0] and accidents["一般"] == [1, 0, 0]
    esc = {s["name"]: dict(zip(charts["escalations"]["category_codes"], s["data"])) for s in charts["escalations"]["series"]}
    assert esc["二级督办"]["north"] == 1
    plans = {s["name"]: dict(zip(charts["plans"]["category_codes"], s["data"])) for s in charts["plans"]["series"]}
    assert (plans["已完成"]["east"], plans["未完成"]["east"]) == (1, 1) and charts["plans"]["rate"] == 50.0
    kpis = {k["label"]: k["value"] for k in data["kpis"]}
    assert kpis["在办重大隐患"] == 3 and kpis["挂牌逾期"] == 1 and kpis["按期整改率"] == "50%" and kpis["双随机抽查完成率"] == "50%"


def test_each_figure_clicks_through_to_the_cases_behind_it(world):
    client = client_login(world.app, "zhao")
    page = client.get("/leadership/cases?metric=hazards_open&unit=east&grade=重大&period=2026Q4").get_data(as_text=True)
    assert "甲化工储罐区隐患" in page and "在办隐患 · 东城区应急管理局 · 等级：重大" in page
    assert "测试案件" not in page
    late = client.get("/leadership/cases?metric=rectified&ontime=0&period=2026Q4").get_data(as_text=True)
    assert late.count("<tr>") == 2 and "西城区" in late  # header row + the case closed a day late
    month = client.get("/leadership/cases?metric=accidents&month=2026-11&period=2026Q4").get_data(as_text=True)
    assert month.count("<tr>") == 2
    assert client.get("/leadership/cases?metric=nope").status_code == 404


def test_only_leaders_of_the_subtree_see_it(world):
    assert client_login(world.app, "zhang").get("/leadership/").status_code == 403  # 执法人员
    qian = client_login(world.app, "qian")  # 东城区科长
    assert qian.get("/leadership/").status_code == 200
    assert qian.get("/leadership/?org=city").status_code == 403
    assert qian.get("/leadership/cases?metric=hazards_open&unit=west").status_code == 403
    assert "驾驶舱" in qian.get("/tasks/").get_data(as_text=True)  # in the menu
    assert "通报排名" in qian.get("/leadership/").get_data(as_text=True)


def test_quarterly_ranking_puts_the_last_two_on_the_interview_ladder(world):
    scope = None
    with world.engine.db.read() as s:
        scope = load(s, "city")
    rows = rank(world.engine, scope, periods.parse("2026Q4", NOW), NOW)
    by_org = {r.org: r for r in rows}
    # west closed its 重大 hazard late (0 of 30), south decided late (0 of 20) and had an accident
    assert [r.org for r in rows if r.last] == ["south", "west"]
    assert by_org["east"].rank == 1 and by_org["east"].score == 100 and not by_org["east"].last
    assert by_org["west"].streak == 1 and "通报批评" in by_org["west"].rung
    # south was last in Q2 and Q3 too (accidents): three times running
    assert by_org["south"].streak == 3 and "区纪委、区委组织部" in by_org["south"].rung
    q3 = {r.org: r for r in rank(world.engine, scope, periods.parse("2026Q3", NOW), NOW)}
    assert q3["north"].streak == 2 and "常务副区长和分管副区长" in q3["north"].rung
    q2 = {r.org: r for r in rank(world.engine, scope, periods.parse("2026Q2", NOW), NOW)}
    assert q2["north"].streak == 1 and "通报批评" in q2["north"].rung


def test_ranking_page_notice_and_recorded_interview(world):
    client = client_login(world.app, "zhao")
    page = client.get("/leadership/ranking?period=2026Q4").get_data(as_text=True)
    assert "连续3次排名后两位" in page and "通报表扬" in page
    notice = client.get("/leadership/ranking/notice.docx?period=2026Q4")
    assert notice.status_code == 200
    doc = Document(io.BytesIO(notice.data))
    styles = {p.style.name: p.text for p in doc.paragraphs if p.text}
    assert styles["公文标题"] == "关于2026年第四季度安全生产工作考核排名情况的通报"
    assert styles["发文机关标志"] == "示范市应急管理局安全生产委员会办公室"
    body = "\n".join(p.text for p in doc.paragraphs if p.style.name == "公文正文")
    assert "第1名：东城区应急管理局" in body and "连续三次排名后两位" in body
    bad = client.post("/leadership/ranking/interview?period=2026Q4",
                      data={"_csrf": client.csrf, "unit": "south", "held_on": "下周一"}, follow_redirects=True)
    assert "约谈日期格式不正确" in bad.get_data(as_text=True)
    ok = client.post("/leadership/ranking/interview?period=2026Q4",
                     data={"_csrf": client.csrf, "unit": "south", "held_on": "2026年12月2日",
                           "note": "区长约谈南城区局长"}, follow_redirects=True).get_data(as_text=True)
    assert "已于2026年12月2日落实" in ok and "区长约谈南城区局长" in ok
    first = client.post("/leadership/ranking/interview?period=2026Q4",
                        data={"_csrf": client.csrf, "unit": "east", "held_on": "2026-12-02"}, follow_redirects=True)
    assert "不在排名后两位" in first.get_data(as_text=True)
    assert client.get("/leadership/ranking?period=2026-11").status_code == 400


def test_monthly_statistics_count_each_thing_in_the_month_it_happened(world):
    from workflows.leadership.statistics import monthly
    with world.engine.db.read() as s:
        scope = load(s, "city")
    table = monthly(world.engine, scope, periods.parse("2026-11", NOW))
    rows = {r["org"]: r for r in table["rows"]}
    assert (rows["east"]["hazards_major"], rows["east"]["hazards_general"]) == (2, 1)  # the town's counts for 东城区
    assert (rows["east"]["listed"], rows["east"]["delisted"], rows["east"]["closed"]) == (2, 1, 2)  # + an inspection
    assert rows["east"]["filed"] == 0 and rows["east"]["decided"] == 1  # 立案 in October, decided in November
    assert rows["north"]["accidents"] == 1 and rows["south"]["accidents"] == 0  # south's was in October
    assert rows["west"]["closed"] == 1 and table["total"]["hazards_major"] == 5
    october = {r["org"]: r for r in monthly(world.engine, scope, periods.parse("2026-10", NOW))["rows"]}
    assert october["south"]["accidents"] == 1 and october["east"]["filed"] == 1


def test_statistics_export_as_xlsx(world):
    from openpyxl import load_workbook
    client = client_login(world.app, "zhao")
    page = client.get("/leadership/statistics?period=2026-11").get_data(as_text=True)
    assert "执法监管统计" in page and "重大隐患登记" in page
    response = client.get("/leadership/statistics?period=2026年11月&format=xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(response.data)).active
    assert ws["A1"].value == "示范市应急管理局执法监管统计表" and "2026年11月" in ws["A2"].value
    header = [c.value for c in ws[3]]
    assert header[:3] == ["单位", "一般隐患登记", "重大隐患登记"]
    by_unit = {row[0].value: [c.value for c in row] for row in ws.iter_rows(min_row=4)}
    assert by_unit["东城区应急管理局"][2] == 2 and by_unit["合计"][2] == 5
    hazards = client.get("/leadership/statistics/hazards.xlsx?year=2026&quarter=4")
    book = load_workbook(io.BytesIO(hazards.data))
    assert book.sheetnames == ["按区县", "按企业"]
    assert "原国家安全监管总局令第16号第十四条" in book["按区县"]["A2"].value
    assert [c.value for c in book["按区县"][3]][:3] == ["区县", "发现隐患", "其中重大"]
    assert client.get("/leadership/statistics/hazards.xlsx?year=2026&quarter=5").status_code == 400


def test_risk_map_colours_and_boundaries(world):
    import json
    from workflows.leadership.riskmap import colour
    assert colour({"蓝": 10}, 1) == "红" and colour({"红": 1, "蓝": 30}, 0) == "橙"
    assert colour({"橙": 1, "蓝": 3}, 0) == "橙" and colour({"橙": 1, "蓝": 9}, 0) == "黄" and colour({}, 0) == "无"
    client = client_login(world.app, "zhao")
    page = client.get("/leadership/map").get_data(as_text=True)
    assert 'data-org="south" data-colour="橙"' in page and 'data-org="east" data-colour="红"' in page
    assert 'id="map-data"' not in page and "boundary-upload" not in page  # no boundaries yet; only admins upload
    assert client.post("/leadership/map/boundaries", data={"_csrf": client.csrf}).status_code == 403

    def square(props, x):
        return {"type": "Feature", "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]]}}
    admin = client_login(world.app, "admin_zhou")
    bad = {"type": "FeatureCollection", "features": [square({"name": "东城区应急管理局"}, 0), square({"name": "火星区"}, 1)]}
    answer = admin.post("/leadership/map/boundaries", data={"_csrf": admin.csrf, "geojson": (
        io.BytesIO(json.dumps(bad, ensure_ascii=False).encode()), "bad.geojson")}, follow_redirects=True)
    assert "火星区：找不到对应的组织机构" in answer.get_data(as_text=True)
    good = {"type": "FeatureCollection", "features": [
        square({"name": "东城区应急管理局"}, 0), square({"code": "west"}, 1), square({"name": "北城区应急管理局"}, 2),
        square({"code": "south"}, 3)]}
    answer = admin.post("/leadership/map/boundaries", data={"_csrf": admin.csrf, "geojson": (
        io.BytesIO(json.dumps(good, ensure_ascii=False).encode()), "city.geojson")}, follow_redirects=True)
    assert "已保存 4 个区域的边界" in answer.get_data(as_text=True)
    assert 'id="map-data"' in client.get("/leadership/map").get_data(as_text=True)


# --- 在办隐患 counted by the database (case_hazard_tally, revision 0010) ------------------------------

def _tally(engine) -> dict:
    import sqlalchemy as sa

    from engine.schema import CaseHazardTally as T
    with engine.db.read() as s:
        return {(o, g, d, listed): n for o, g, d, listed, n in s.execute(
            sa.select(T.org_code, T.hazard_grade, T.listing_deadline, T.listed, T.n))}


def _counted_by_hand(engine) -> dict:
    """The running hazard cases, counted in Python from their rows."""
    from collections import Counter

    import sqlalchemy as sa

    from engine.schema import Case
    with engine.db.read() as s:
        rows = s.execute(sa.select(Case.org_code, Case.hazard_grade, Case.listing_deadline).where(
            Case.process_key == "hazard_supervision", Case.status == "running")).all()
    return dict(Counter((o, g or "", d or "", int(d is not None)) for o, g, d in rows))


def test_the_hazard_tally_follows_every_write_of_a_case_and_the_dashboard_reads_it(fresh_database, module_database_url,
                                                                                     tmp_path):
    """The counts the dashboard sums are kept by triggers in the transaction of each write — a step,
    a bulk row, an update or a delete by any code — and always equal the running hazards counted from
    their rows; a listing due today is not overdue, one due yesterday (China's date) is."""
    import sqlalchemy as sa

    from engine.schema import Case
    from tests.leadership_support import add_cases
    from tests.ui_support import make_world, start_hazard
    from workflows.leadership import dashboard
    kind = "sqlite" if module_database_url.startswith("sqlite") else "postgresql"
    url = fresh_database(kind)
    w = make_world(tmp_path, None if kind == "sqlite" else url)
    engine = w.engine
    try:
        assert _tally(engine) == _counted_by_hand(engine) == {}
        started = start_hazard(engine, title="乙公司隐患")  # a step: running, not graded yet
        assert _tally(engine) == _counted_by_hand(engine) == {("east", "", "", 0): 1}
        from tests.ui_support import major_case_at
        major_case_at(engine, "submit_plan", title="甲公司隐患")  # steps: graded 重大, then listed
        assert _tally(engine) == _counted_by_hand(engine)
        assert _tally(engine)[("east", "重大", "2027-02-26", 1)] == 1
        add_cases(engine, [
            {"process": "hazard_supervision", "org": "west", "data": {"hazard_grade": "重大", "listed_at": "2026-08-01",
                                                                       "rectify_deadline": "2026-11-23"}},  # due today
            {"process": "hazard_supervision", "org": "west", "data": {"hazard_grade": "重大", "listed_at": "2026-08-01",
                                                                       "rectify_deadline": "2026-11-22"}},  # yesterday
            {"process": "hazard_supervision", "org": "west", "data": {"hazard_grade": "一般"}},
            {"process": "hazard_supervision", "org": "west", "status": "completed", "data": {"hazard_grade": "重大"}},
            {"process": "accident_investigation", "org": "west", "data": {"hazard_grade": "重大"}},
        ])
        assert _tally(engine) == _counted_by_hand(engine)
        with engine.db.read() as s:
            scope = load(s, "city")
            quarter = periods.parse("2026Q4", NOW)
            late = dashboard.listings_overdue(s, scope, quarter, NOW)
            open_ = dashboard.hazards_open(s, scope, quarter, NOW)
        assert dict(zip(late["category_codes"], late["series"][0]["data"])) == {"east": 0, "west": 1}
        assert open_["total"] == 5 and open_["major"] == 3

        with engine.db.read() as s:
            general = s.execute(sa.select(Case.id).where(Case.org_code == "west", Case.hazard_grade == "一般")).scalar()
        writes = [
            sa.update(Case).where(Case.id == general).values(org_code="east"),               # moved to another unit
            sa.update(Case).where(Case.id == general).values(data={"hazard_grade": "重大"}),  # regraded
            sa.update(Case).where(Case.id == general).values(data={"hazard_grade": "重大", "listed_at": "2026-11-01",
                                                                   "rectify_deadline": ""}),   # listed, no deadline
            sa.update(Case).where(Case.id == started.id).values(status="completed"),          # ended
            sa.update(Case).where(Case.id == started.id).values(status="running"),            # reopened
            sa.update(Case).where(Case.id == started.id).values(version=Case.version + 1),    # nothing counted moved
            sa.update(Case).where(Case.process_key == "accident_investigation").values(process_key="hazard_supervision"),
            sa.delete(Case).where(Case.id == general),                                          # removed
        ]
        for write in writes:
            with engine.db.write() as s:
                s.execute(write)
            assert _tally(engine) == _counted_by_hand(engine), write
        assert all(n > 0 for n in _tally(engine).values())  # a row counted down to 0 is removed
    finally:
        engine.dispose()


# --- 检查完成率 counted by the database (enterprise_inspection_tally, revision 0012) --------------------

def _inspection_tally(engine) -> dict:
    import sqlalchemy as sa

    from workflows.leadership.records import InspectionTally as T
    with engine.db.read() as s:
        return {(lv, o, str(d) if i else None): n for lv, o, d, i, n in s.execute(
            sa.select(T.risk_level, T.org_unit, T.last_inspected_on, T.inspected, T.n))}


def _graded_by_hand(engine) -> dict:
    from collections import Counter

    import sqlalchemy as sa

    from workflows.enterprises import Enterprise
    with engine.db.read() as s:
        rows = s.execute(sa.select(Enterprise.risk_level, Enterprise.org_unit, Enterprise.last_inspected_on)
                         .where(Enterprise.risk_level.is_not(None))).all()
    return dict(Counter((lv.value, o, str(d) if d else None) for lv, o, d in rows))


def test_the_inspection_tally_follows_every_write_of_the_registry_and_the_ranking_reads_it(
        fresh_database, module_database_url, tmp_path):
    """The counts the ranking's 检查完成率 sums are kept by triggers in the transaction of each write of
    the registry — a bulk load, a regrading, an inspection recorded, an update or a delete by any code —
    and always equal the graded enterprises counted from their rows. On schedule means inspected after
    today minus the level's interval: on that very day is late, the day after is in time."""
    from datetime import timedelta

    import sqlalchemy as sa
    from dateutil.relativedelta import relativedelta

    from tests.leadership_support import add_enterprises
    from tests.ui_support import make_world
    from workflows.enterprises import Enterprise
    from workflows.enterprises.registry import EnterpriseRegistry
    from workflows.enterprises.supervision import intervals
    from workflows.enterprises.terms import RiskLevel
    from workflows.leadership import ranking
    kind = "sqlite" if module_database_url.startswith("sqlite") else "postgresql"
    url = fresh_database(kind)
    w = make_world(tmp_path, None if kind == "sqlite" else url)
    engine = w.engine
    try:
        assert _inspection_tally(engine) == _graded_by_hand(engine) == {}
        add_enterprises(engine, [("east", "红"), ("east", "红"), ("west", "蓝"), ("west", "橙")])  # a bulk load
        assert _inspection_tally(engine) == _graded_by_hand(engine) == {
            ("红", "east", NOW.date().isoformat()): 2, ("蓝", "west", NOW.date().isoformat()): 1,
            ("橙", "west", NOW.date().isoformat()): 1}
        with engine.db.read() as s:
            codes = dict(s.execute(sa.select(Enterprise.risk_level, Enterprise.credit_code)).all())
            red = s.execute(sa.select(Enterprise.credit_code).where(Enterprise.org_unit == "east")).scalars().all()
        registry = EnterpriseRegistry(engine.db.engine, clock=engine.clock.now)
        today = NOW.astimezone(periods.SHANGHAI).date()
        due = today - relativedelta(months=intervals()[RiskLevel.RED])
        with engine.db.write() as s:  # inspected on the limit day (late) and the day after (in time)
            s.execute(sa.update(Enterprise).where(Enterprise.credit_code == red[0]).values(last_inspected_on=due))
            s.execute(sa.update(Enterprise).where(Enterprise.credit_code == red[1]).values(
                last_inspected_on=due + timedelta(days=1)))
        assert _inspection_tally(engine) == _graded_by_hand(engine)
        with engine.db.read() as s:
            scope = load(s, "city")
            counts, found = ranking._inspection_counts(s, scope, periods.parse("2026Q4", NOW), NOW)
        assert found and counts["east"] == (1, 2) and counts["west"] == (2, 2)

        registry.set_risk_level(codes["蓝"], "黄", by="admin", reason="复评")  # regraded
        registry.record_inspection(red[0], today)  # an inspection recorded (it was late)
        assert _inspection_tally(engine) == _graded_by_hand(engine)
        writes = [
            sa.update(Enterprise).where(Enterprise.credit_code == red[0]).values(org_unit="west"),       # moved
            sa.update(Enterprise).where(Enterprise.credit_code == red[0]).values(last_inspected_on=None),  # never
            sa.update(Enterprise).where(Enterprise.credit_code == codes["橙"]).values(risk_level=None),     # ungraded
            sa.update(Enterprise).where(Enterprise.credit_code == codes["橙"]).values(risk_level="红"),      # graded
            sa.update(Enterprise).where(Enterprise.credit_code == red[1]).values(name="改名企业"),          # not counted
            sa.delete(Enterprise).where(Enterprise.credit_code == red[1]),                                 # removed
        ]
        for write in writes:
            with engine.db.write() as s:
                s.execute(write)
            assert _inspection_tally(engine) == _graded_by_hand(engine), write
        assert all(n > 0 for n in _inspection_tally(engine).values())  # a row counted down to 0 is removed
    finally:
        engine.dispose()


def test_a_view_reads_no_org_unit_while_the_directory_is_unchanged_and_a_new_unit_shows_at_once(world):
    """The subtree a leader views and the units they may pick are kept per directory counter (read with
    the session row): a second view reads no org unit, and a unit added by another process shows on
    the next view (its counter moved)."""
    import re

    import sqlalchemy as sa

    from engine import Engine
    client = client_login(world.app, "zhao")
    assert client.get("/leadership/?period=2026Q4").status_code == 200  # fills the cache
    seen = statements_sent(world.engine, lambda: client.get("/leadership/?period=2026Q4"))
    assert not [st for st in seen if re.search(r"FROM org_unit\b", st)], seen
    other = Engine(world.engine.db.url)  # another worker process on the same database
    try:
        other.directory.add_org("harbour", "港区应急管理局", parent="city", level="区")
        data = client.get("/leadership/data.json?period=2026Q4").json
        assert "harbour" in next(c for c in data["charts"] if c["key"] == "hazards_open")["category_codes"]
        assert "港区应急管理局" in client.get("/leadership/?period=2026Q4").get_data(as_text=True)
        assert client.get("/leadership/?org=harbour&period=2026Q4").status_code == 200
    finally:
        other.directory.delete_org("harbour")
        other.dispose()
    data = client.get("/leadership/data.json?period=2026Q4").json
    assert "harbour" not in next(c for c in data["charts"] if c["key"] == "hazards_open")["category_codes"]
