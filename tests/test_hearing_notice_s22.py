"""听证 is notified seven 工作日 before it is held (《行政处罚法》第六十四条第（二）项、第八十五条).

行政机关应当在举行听证的七日前，通知当事人及有关人员听证的时间、地点 (第六十四条第（二）项), and 本法中
“七日”的规定是指工作日，不含法定节假日 (第八十五条). The model's 核对听证安排 already sent a too-early
hearing back after it was handed in; now 指定主持人并通知听证 refuses it when typed: a 听证时间 before
the 7th 工作日 after the 听证通知书送达日期 is refused naming both fields, the earliest day and the
articles, on the page (what was typed kept) and through the API (422 naming 听证时间). Notice on
Monday 2026-12-07: a hearing on 12-16 (its 7th 工作日 after) is lawful, one on 12-15 is refused.
Days are the engine's clock's, never the host's. SQLite file and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from werkzeug.security import generate_password_hash

from engine import InvalidData, ManualClock
from tests.ui_support import PASSWORD, client_login, csrf_of, quick_logins
from webui.api import create_token
from webui.app import create_app
from workflows.demo import CHEMICAL, USERS, Desk, load_directory
from workflows.forms import FormError, registry
from workflows.runtime import build_engine

NOTICE_DAY = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.timezone.utc)  # Monday 09:00 in Beijing
REFUSED = ("「听证时间」应在「听证通知书送达日期」（2026年12月7日）七个工作日后（不早于2026年12月16日），"
           "《行政处罚法》第六十四条第（二）项、第八十五条")
SCHEDULE = {"hearing_host": "chu_tz", "hearing_place": "区应急管理局听证室"}


@pytest.fixture
def world(database_url, tmp_path):
    clock = ManualClock(NOTICE_DAY)
    engine = build_engine(database_url, clock=clock)
    load_directory(engine)
    quick_logins(engine)
    app = create_app(engine, secret_key="test", testing=True, instance_path=tmp_path / "instance")
    desk = Desk(engine)
    yield type("World", (), {"engine": engine, "clock": clock, "desk": desk, "app": app})
    engine.dispose()


def _hearing_requested(w) -> tuple[int, object]:
    """A 15万元 fine whose party asked for a hearing: 指定主持人并通知听证 is open on 2026-12-07."""
    desk = w.desk
    c = desk.start("enforcement_case", by="zhang_san", org="dongcheng", party=CHEMICAL, title="甲化工听证通知案").id
    for step in ["初步核查", "立案审批", "调查取证"]:
        desk.do(c, step)
    desk.do(c, "案件处理呈批", fine_amount="150000")
    for step in ["法制审核", "送达行政处罚告知书"]:
        desk.do(c, step)
    desk.do(c, "陈述申辩或申请听证", user="jia_qy", party_response="申请听证")
    task = desk.task(c, "指定主持人并通知听证")
    assert desk.today() == dt.date(2026, 12, 7)
    return c, task


def test_art64_2_art85_hearing_on_the_7th_working_day_after_the_notice_is_accepted_the_6th_refused(world):
    c, task = _hearing_requested(world)
    user = world.desk.user_for(task)
    with pytest.raises(InvalidData) as refused:
        world.engine.complete(task.id, user, {**SCHEDULE, "hearing_at": "2026-12-15T14:30:00+08:00",
                                              "hearing_notice_served_on": "2026-12-07"})
    assert refused.value.errors == {"hearing_at": REFUSED}
    assert world.desk.task(c, "指定主持人并通知听证").id == task.id       # still open, nothing taken
    world.engine.complete(task.id, user, {**SCHEDULE, "hearing_at": "2026-12-16T09:00:00+08:00",
                                          "hearing_notice_served_on": "2026-12-07"})
    data = world.engine.case(c).data
    assert data["hearing_at"] == "2026-12-16T09:00:00+08:00" and data["hearing_problems"] == []


def test_art64_2_the_days_count_on_the_engines_clock_not_the_hosts(world):
    """Notice served today on the engine's clock, moved to 2027-03-01 (a Monday, ahead of the host):
    03-10 is its 7th 工作日 after, 03-09 is refused naming 2027年3月1日."""
    c, task = _hearing_requested(world)
    world.clock.set(dt.datetime(2027, 3, 1, 1, 0, tzinfo=dt.timezone.utc))
    today = world.desk.today().isoformat()
    user = world.desk.user_for(task)
    with pytest.raises(InvalidData) as refused:
        world.engine.complete(task.id, user, {**SCHEDULE, "hearing_at": "2027-03-09T09:00:00+08:00",
                                              "hearing_notice_served_on": today})
    assert "（2027年3月1日）七个工作日后（不早于2027年3月10日）" in refused.value.errors["hearing_at"]
    world.engine.complete(task.id, user, {**SCHEDULE, "hearing_at": "2027-03-10T09:00:00+08:00",
                                          "hearing_notice_served_on": today})
    assert world.engine.case(c).data["hearing_at"] == "2027-03-10T09:00:00+08:00"


def _box(page: str, name: str) -> str:
    box = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', page)
    assert box, f"no {name} box"
    value = re.search(r'value="([^"]*)"', box.group(0))
    return value.group(1) if value else ""


def test_art64_2_a_hearing_typed_too_soon_on_the_page_is_refused_and_what_was_typed_is_kept(world):
    c, task = _hearing_requested(world)
    client = client_login(world.app, world.desk.user_for(task))
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    form = {"_csrf": csrf_of(page), **SCHEDULE, "hearing_notice_served_on": "2026年12月7日"}
    refused = client.post(f"/tasks/{task.id}", data={**form, "hearing_at": "2026-12-15T09:00"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert REFUSED in html
    assert _box(html, "hearing_at").startswith("2026-12-15")                 # what was typed, kept
    assert _box(html, "hearing_notice_served_on") == "2026年12月7日"
    assert "区应急管理局听证室" in html
    assert "hearing_at" not in re.sub(r"<[^>]+>", " ", html).replace("f-hearing_at", "")  # no variable name shown
    done = client.post(f"/tasks/{task.id}", data={**form, "hearing_at": "2026-12-16T09:00"})
    assert done.status_code == 302, done.get_data(as_text=True)
    assert world.engine.case(c).data["hearing_at"] == "2026-12-16T09:00:00+08:00"


def test_art64_2_a_hearing_too_soon_through_the_api_is_a_422_naming_the_field(world):
    c, task = _hearing_requested(world)
    client = world.app.test_client()
    token = create_token(world.engine, world.desk.user_for(task), name="测试")
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    data = {**SCHEDULE, "hearing_notice_served_on": "2026-12-07"}
    refused = client.post(f"/api/tasks/{task.id}/complete", json={"data": {**data, "hearing_at": "2026-12-15 09:00"}})
    assert refused.status_code == 422, refused.get_json()
    assert REFUSED in str(refused.get_json())
    assert "听证时间" in str(refused.get_json())
    done = client.post(f"/api/tasks/{task.id}/complete", json={"data": {**data, "hearing_at": "2026-12-16 09:00"}})
    assert done.status_code == 200, done.get_json()
    assert world.engine.case(c).data["hearing_at"] == "2026-12-16T09:00:00+08:00"


# --- the form itself (no database) ------------------------------------------------------------------

def test_art64_2_art85_a_notice_served_on_a_day_off_counts_from_the_next_working_day():
    """Served on Saturday 2026-12-05 (邮寄送达): the 7th 工作日 before the hearing must not be before it,
    so 12-15 is refused and 12-16 accepted, as the model's 核对听证安排 counts."""
    data = {**SCHEDULE, "hearing_notice_served_on": "2026-12-05"}
    with pytest.raises(FormError) as refused:
        registry.validate("enforcement.hearing_schedule", {**data, "hearing_at": "2026年12月15日 9:30"},
                          today=dt.date(2026, 12, 5))
    assert refused.value.errors == {"hearing_at": REFUSED.replace("12月7日", "12月5日")}
    kept = registry.validate("enforcement.hearing_schedule", {**data, "hearing_at": "2026年12月16日 9:30"},
                             today=dt.date(2026, 12, 5))
    assert kept["hearing_at"] == "2026-12-16T09:30:00+08:00"
