"""隐患季度统计 counted by the database (issue 15): the hazard facts a trigger keeps on each case
(engine/case_facts.py, revision 0011) against ``workflows.hazard_ledger.entry`` — the Python reading
of a case that the statistics were computed with before — on a few hundred cases of every shape the
processes write and many they do not (days on a quarter's first and last day in China, moments near
midnight in UTC and in China, invalid days, amounts as text and as numbers, missing and odd values),
on a real SQLite file and a real PostgreSQL database.
"""
from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict
from decimal import Decimal

import pytest
import sqlalchemy as sa

from engine import case_facts
from engine.schema import Case, HazardQuarterTally, OrgUnit
from tests.ui_support import ACME, client_login, major_case_at, make_world, start_hazard
from workflows import hazard_ledger
from workflows.hazard_ledger import (CLOSED_DOWN, EPOCH, LISTING, PROCESSES, SELF_REPORT, _blank, _district_of,
                                     _finish, _yuan, entry, quarter_bounds, quarterly_statistics, report_due)

UTC = dt.timezone.utc

FOUND = [None, "", "2026-10-01", "2026-12-31", "2026-09-30", "2027-01-01", "2026-11-20",
         "2026-09-30T16:00:00+00:00",          # 2026-10-01 00:00 in China: the quarter's first day
         "2026-09-30T15:59:59.999999+00:00",   # 23:59 on 30 September in China: the quarter before
         "2026-12-31T15:59:59+00:00",          # the last day, a second before midnight in China
         "2026-12-31T16:00:00+00:00",          # already 2027-01-01 in China
         "2026-10-01T00:00:00+08:00", "2026-12-31T23:30:00-02:00", "2026-10-01T01:00:00.5+09:30",
         "2026-02-30", "2026-13-01", "2026-11-20T25:00:00+00:00", "2026/11/20", "2026-10-01T07:59:59Z",
         " 2026-11-20", "1988-05-01", "2024-02-29", 20261120, True, 0, ["2026-11-20"]]
MOMENTS = [None, "", "2026-12-31T15:59:59+00:00", "2026-12-31T16:00:00+00:00", "2026-11-02T03:00:00.123+00:00",
           "2027-02-01T00:00:00+08:00", "2026-12-31", "2026-12-32", "bad", 5, False]
DEADLINES = [None, "", "2026-12-30", "2026-12-31", "2027-01-01", "2026-10-15", "2026-12-31T15:00:00+00:00",
             "2026-02-29", 7]
COSTS = [None, "", "3200", "3200.5", "3200.50", 3200, 3200.5, 0, "0", "-5", "abc", "1e3", 1e3, True, " 7 ",
         "12345678901234", 0.1, "٣", "120.345"]
NAMES = [None, "", "甲化工有限公司", "乙公司", "甲化工有限公司"]  # a number as a name sorts against text: neither reading copes
PARTIES = [None, "", "91110101MA00000001", "91110101MA00000002", "91110101MA00000003"]
STAMPS = [dt.datetime(2026, 9, 30, 16, 0, tzinfo=UTC), dt.datetime(2026, 9, 30, 15, 59, 59, tzinfo=UTC),
          dt.datetime(2026, 12, 31, 15, 59, tzinfo=UTC), dt.datetime(2026, 12, 31, 16, 0, tzinfo=UTC),
          dt.datetime(2026, 11, 5, 2, 0, tzinfo=UTC), dt.datetime(1990, 6, 1, tzinfo=UTC)]
QUARTERS = [(2026, 3), (2026, 4), (2027, 1)]


NORMAL = {id(FOUND): 14, id(MOMENTS): 7, id(DEADLINES): 7, id(COSTS): 10, id(NAMES): 5}


def _value(rng, values):
    """A value, or (one time in six) the key left out altogether; the values after the first few
    (those the database leaves to Python) one time in twelve."""
    if rng.random() < 1 / 6:
        return "MISSING"
    normal = NORMAL.get(id(values), len(values))
    return rng.choice(values[normal:] if normal < len(values) and rng.random() < 1 / 12 else values[:normal])


def synthetic_cases(world, count: int) -> None:
    """``count`` hazard cases of every shape, written as rows (the trigger fills their facts)."""
    base = start_hazard(world.engine, title="模板")
    with world.engine.db.read() as s:
        model_id, bundle_hash = s.execute(sa.select(Case.model_id, Case.bundle_hash).where(Case.id == base.id)).one()
    rng = random.Random(15)
    rows = []
    for i in range(count):
        process = rng.choice(PROCESSES)
        data = {k: _value(rng, values) for k, values in (
            ("found_on", FOUND), ("hazard_grade", ["重大", "一般", None, "待定"]), ("delisted_at", MOMENTS),
            ("rectified_at", MOMENTS), ("spot_check_passed", [True, False, None, "false"]),
            ("rectify_deadline", DEADLINES), ("fix_deadline", DEADLINES), ("rectify_cost", COSTS),
            ("enterprise_name", NAMES), ("listing_started_at", [None, "", "2026-11-01T00:00:00+00:00", 0]),
            ("description", [None, "", "储罐区隐患", 0]))}
        data = {k: v for k, v in data.items() if v != "MISSING"}
        status = rng.choice(["running", "running", "completed", "completed", "cancelled"])
        started = rng.choice(STAMPS)
        ended = rng.choice(STAMPS + [None]) if status == "completed" else None
        rows.append({"case_no": f"SYN-{i:05d}", "process_key": process, "model_id": model_id,
                     "bundle_hash": bundle_hash, "org_code": rng.choice(["east", "west", "city"]),
                     "title": f"合成案件{i}", "party": rng.choice(PARTIES), "status": status, "escalation_level": 0,
                     "version": 1, "data": data, "started_by": "zhang", "started_at": started,
                     "updated_at": started, "ended_at": ended})
    with world.engine.db.engine.begin() as conn:
        conn.execute(sa.insert(Case.__table__), rows)


def reference(engine, year: int, quarter: int, org_codes=None) -> dict:
    """The statistics as they were computed before revision 0011: every hazard case read into Python."""
    first, last = quarter_bounds(year, quarter)
    with engine.db.read() as s:
        where = [Case.org_code.in_(org_codes)] if org_codes is not None else []
        cases = list(s.scalars(sa.select(Case).where(Case.process_key.in_(PROCESSES), *where)
                               .order_by(Case.started_at.desc(), Case.id.desc())))
        orgs = {o.code: o for o in s.scalars(sa.select(OrgUnit))}
        rows = [e for e in (entry(c, last) for c in cases) if e]
    by_enterprise, by_district, total = defaultdict(_blank), defaultdict(_blank), _blank()
    names, district_names = {}, {}
    for e in rows:
        found = dt.date.fromisoformat(e["found_on"])
        if not first <= found <= last:
            continue
        district = _district_of(orgs, e["org_code"])
        dcode = district.code if district else e["org_code"]
        district_names[dcode] = district.name if district else e["org_code"]
        key = e["party"] or e["enterprise_name"]
        names[key] = e["enterprise_name"]
        rectified = e["rectified_on"] is not None and dt.date.fromisoformat(e["rectified_on"]) <= last
        for row in (by_enterprise[key], by_district[dcode], total):
            row["found"] += 1
            row["found_major"] += e["grade"] == "重大"
            if rectified:
                row["rectified"] += 1
                row["rectified_major"] += e["grade"] == "重大"
                row["rectify_cost"] += _yuan(e["rectify_cost"])
            elif e["status"] != CLOSED_DOWN:
                row["open"] += 1
                row["overdue"] += bool(e["deadline"]) and dt.date.fromisoformat(e["deadline"]) < last
    return {
        "year": year, "quarter": quarter, "from": first.isoformat(), "to": last.isoformat(),
        "report_due": report_due(year, quarter).isoformat(),
        "enterprises": [_finish({"party": k, "name": names[k], **v}) for k, v in sorted(by_enterprise.items())],
        "districts": [_finish({"org_code": k, "name": district_names[k], **v}) for k, v in sorted(by_district.items())],
        "total": _finish(total),
    }


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory, pg_admin_url):
    from tests.conftest import _database
    folder = tmp_path_factory.mktemp("facts")
    databases = _database(request.param, folder, pg_admin_url)
    url = next(databases)
    w = make_world(folder, None if request.param == "sqlite" else url)
    synthetic_cases(w, 600)
    yield w
    w.engine.dispose()
    databases.close()


def facts_of(engine) -> list[tuple]:
    c = Case.__table__.c
    with engine.db.read() as s:
        ids = s.execute(sa.select(c.id, c.hazard_found_day, c.hazard_outcome, c.hazard_due_day, c.hazard_cost_fen,
                                  c.hazard_key).where(c.process_key.in_(PROCESSES)).order_by(c.id)).all()
        cases = {case.id: case for case in s.scalars(sa.select(Case).where(Case.process_key.in_(PROCESSES)))}
    return [(cases[row[0]], *row[1:]) for row in ids]


def expected_facts(case: Case) -> tuple:
    """What the trigger should hold for ``case``, from the Python reading (``entry``)."""
    e = entry(case, dt.date(2026, 12, 31))
    if e is None:
        return None
    rectified = e["rectified_on"]
    outcome = (case_facts.CLOSED_DOWN if e["status"] == CLOSED_DOWN else
               (dt.date.fromisoformat(rectified) - EPOCH).days if rectified else case_facts.NOT_RECTIFIED)
    due = (dt.date.fromisoformat(e["deadline"]) - EPOCH).days if e["deadline"] else case_facts.NO_DEADLINE
    return ((dt.date.fromisoformat(e["found_on"]) - EPOCH).days, outcome, due,
            int(_yuan(e["rectify_cost"]) * 100), e["party"] or e["enterprise_name"])


def test_every_case_the_database_reads_has_the_facts_python_reads(world):
    rows = facts_of(world.engine)
    readable = [r for r in rows if r[1] != case_facts.ODD]
    odd = [r for r in rows if r[1] == case_facts.ODD]
    assert len(readable) > 150 and len(odd) > 50, (len(readable), len(odd))   # both paths are exercised
    for case, found, outcome, due, fen, key in readable:
        expected = expected_facts(case)
        if outcome == case_facts.EXCLUDED:
            assert expected is None, (case.id, case.status, case.data)
            continue
        assert (found, outcome, due, fen, key) == expected, (case.id, case.status, case.started_at, case.ended_at,
                                                             case.data)


def test_the_boundaries_of_a_quarter_are_days_in_china(world):
    """A hazard found at 00:00 on 1 October in China (16:00 UTC the day before) is the fourth quarter's;
    one found a second before midnight on 31 December in China is still the fourth quarter's."""
    with world.engine.db.engine.begin() as conn:
        c = Case.__table__.c
        template = conn.execute(sa.select(c.model_id, c.bundle_hash).limit(1)).one()
        values = [("2026-09-30T16:00:00+00:00", "2026-10-01"), ("2026-09-30T15:59:59+00:00", "2026-09-30"),
                  ("2026-12-31T15:59:59.5+00:00", "2026-12-31"), ("2026-12-31T16:00:00+00:00", "2027-01-01"),
                  ("2026-10-01", "2026-10-01"), ("2026-12-31", "2026-12-31")]
        for n, (found_on, day) in enumerate(values):
            case_id = conn.execute(sa.insert(Case.__table__).values(
                case_no=f"EDGE-{n}", process_key=LISTING, model_id=template.model_id, bundle_hash=template.bundle_hash,
                org_code="east", title="边界", status="running", escalation_level=0, version=1,
                data={"found_on": found_on, "hazard_grade": "一般"}, started_by="zhang",
                started_at=dt.datetime(2026, 11, 1, tzinfo=UTC), updated_at=dt.datetime(2026, 11, 1, tzinfo=UTC))
                .returning(c.id)).scalar_one()
            found = conn.execute(sa.select(c.hazard_found_day).where(c.id == case_id)).scalar_one()
            assert found == (dt.date.fromisoformat(day) - EPOCH).days, (found_on, found)
        conn.execute(sa.delete(Case.__table__).where(c.case_no.like("EDGE-%")))


@pytest.mark.parametrize("year,quarter", QUARTERS)
@pytest.mark.parametrize("scope", [None, ["east"], ["east", "west"], []])
def test_the_statistics_are_those_computed_in_python(world, year, quarter, scope):
    got = quarterly_statistics(world.engine, year, quarter, scope)
    assert got.pop("more") is False and got.pop("next_after") is None
    assert got == reference(world.engine, year, quarter, scope)


def test_enterprises_page_by_key_and_the_pages_add_up_to_the_whole(world):
    whole = quarterly_statistics(world.engine, 2026, 4)["enterprises"]
    assert len(whole) > 4
    pages, after = [], None
    for _ in itertools.count():
        page = quarterly_statistics(world.engine, 2026, 4, after=after, limit=2)
        pages += page["enterprises"]
        assert len(page["enterprises"]) <= 2
        if not page["more"]:
            break
        after = page["next_after"]
    assert pages == whole


def test_the_facts_follow_the_case_through_its_steps(world):
    """A case walked by the engine: the trigger keeps its facts as the steps write its data."""
    case = major_case_at(world.engine, "onsite_review", title="逐步隐患")
    c = Case.__table__.c

    def facts():
        with world.engine.db.read() as s:
            return s.execute(sa.select(c.hazard_found_day, c.hazard_outcome, c.hazard_due_day, c.hazard_key)
                             .where(c.id == case.id)).one()
    found, outcome, due, key = facts()
    assert found == (dt.date(2026, 11, 20) - EPOCH).days and outcome == case_facts.NOT_RECTIFIED
    assert due == (dt.date(2027, 2, 26) - EPOCH).days and key == ACME  # the scenarios' enterprise
    with world.engine.db.read() as s:
        row = s.get(Case, case.id)
        assert expected_facts(row)[:3] == (found, outcome, due)


def test_the_page_shows_the_districts_and_pages_on_through_the_enterprises(world):
    client = client_login(world.app, "zhao")   # 市局: every district
    page = client.get("/hazards/statistics?year=2026&quarter=4").get_data(as_text=True)
    stats = reference(world.engine, 2026, 4, ["city", "east", "west"])
    assert f'<td data-label="发现隐患">{stats["total"]["found"]}</td>' in page and "东城区应急管理局" in page
    assert ('id="next-page"' in page) == (len(stats["enterprises"]) > 50)
    assert hazard_ledger.quarterly_statistics is quarterly_statistics


def tally_rows(conn) -> set[tuple]:
    t = HazardQuarterTally.__table__
    return {tuple(r) for r in conn.execute(sa.select(t).where(t.c.found != 0))}


def test_the_quarter_tally_follows_updates_and_deletes_and_equals_a_fresh_count(world):
    """The tally triggers keep each quarter's sums through every kind of write — data, status and
    end, org unit, party, delete — equal to a count made afresh from the facts (the revision's
    fill), and the statistics equal to the Python computation after them."""
    c = Case.__table__.c
    rng = random.Random(2026)
    with world.engine.db.engine.begin() as conn:
        rows = conn.execute(sa.select(c.id, c.data).where(c.case_no.like("SYN-%")).order_by(c.id)).all()
        for case_id, data in rows[:200]:
            change = rng.choice(["found", "close", "org", "party", "cost", "reopen"])
            data = dict(data)
            if change == "found":
                data["found_on"] = rng.choice(["2026-10-01", "2026-09-30", "2026-12-31T16:00:00+00:00", "2026/1/1"])
                conn.execute(sa.update(Case.__table__).where(c.id == case_id).values(data=data))
            elif change == "close":
                data["delisted_at"] = rng.choice(["2026-12-31T15:59:59+00:00", "2027-01-02T00:00:00+08:00", ""])
                conn.execute(sa.update(Case.__table__).where(c.id == case_id).values(
                    data=data, status="completed", ended_at=dt.datetime(2026, 12, 20, tzinfo=UTC)))
            elif change == "org":
                conn.execute(sa.update(Case.__table__).where(c.id == case_id).values(
                    org_code=rng.choice(["east", "west", "city"])))
            elif change == "party":
                conn.execute(sa.update(Case.__table__).where(c.id == case_id).values(party=rng.choice(PARTIES)))
            elif change == "cost":
                data["rectify_cost"] = rng.choice(["88.8", 99, "x"])
                conn.execute(sa.update(Case.__table__).where(c.id == case_id).values(data=data))
            else:
                conn.execute(sa.update(Case.__table__).where(c.id == case_id).values(status="running", ended_at=None))
        conn.execute(sa.delete(Case.__table__).where(c.id.in_([r.id for r in rows[200:260]])))
    with world.engine.db.engine.begin() as conn:
        kept = tally_rows(conn)
        conn.exec_driver_sql(f"DELETE FROM {case_facts.TALLY}")
        conn.exec_driver_sql(case_facts.tally_fill(conn.dialect.name))
        assert tally_rows(conn) == kept
    for year, quarter in QUARTERS:
        for scope in (None, ["east", "west"]):
            got = quarterly_statistics(world.engine, year, quarter, scope)
            got.pop("more"), got.pop("next_after")
            assert got == reference(world.engine, year, quarter, scope), (year, quarter, scope)
