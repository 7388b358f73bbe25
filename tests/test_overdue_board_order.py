"""逾期督办's 逾期督办案件: which twenty cases the board shows and in what order are one rule — the
earliest missed deadline first (an open task past it, or the one a 升级督办 punished), then the higher 督办级别.
What a late case costs grows by the day: the danger left untreated, 按日连续处罚 (安全生产法 第一百一十二条),
加处罚款 of a fine unpaid (行政处罚法 第七十二条), so the longest late comes first.

Before, the board picked its twenty by level and then by when each case started, and only then
sorted those by how late they were: a case 38 days late, started a day after twenty others at the
same level, was never on the board. On SQLite and PostgreSQL, through the page."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.ui_support import REGISTER_MAJOR, START, client_login, make_world, open_task, start_hazard


def _general_hazard(world, title: str, fix_deadline) -> int:
    """A 一般 hazard registered today with its 整改期限 ``fix_deadline`` (a date): escalated when it passes."""
    case = start_hazard(world.engine, title=title)
    data = dict(REGISTER_MAJOR, major_criterion=None, requires_shutdown=False, fix_deadline=fix_deadline.isoformat())
    world.engine.complete(open_task(world.engine, case.id, "register").id, "zhang", data)
    return case.id


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    url = None if module_database_url.startswith("sqlite") else module_database_url
    w = make_world(tmp_path_factory.mktemp("order"), url)
    today = START.date()
    # Twenty hazards registered first, due in 30 days; a day later one more, due the next day.
    w.recent = [_general_hazard(w, f"东城隐患{i:02d}", today + timedelta(days=30)) for i in range(20)]
    w.clock.advance(days=1)
    w.old = _general_hazard(w, "东城久拖隐患", today + timedelta(days=2))
    w.clock.advance(days=2)
    w.engine.run_due_timers()  # the late one escalates (一级督办)
    w.clock.advance(days=37)
    w.engine.run_due_timers()  # the twenty escalate (一级督办), their sweep 10 days after their deadline
    yield w
    w.engine.dispose()


def _late_cases(page: str) -> list[tuple[str, str, str]]:
    """(案件, 督办级别, 逾期时长) of each row of 逾期督办案件, in order."""
    table = page.split('id="overdue-cases"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r, re.S) for r in rows]
    plain = [[re.sub(r"<[^>]+>", "", c).strip() for c in row] for row in cells]
    return [(row[1], row[5], row[6]) for row in plain]


def test_the_case_late_longest_heads_the_board_though_twenty_at_its_level_started_before_it(world):
    page = client_login(world.app, "qian").get("/supervise/overdue").get_data(as_text=True)
    shown = _late_cases(page)
    assert len(shown) == 20, shown  # twenty-one overdue, the board's twenty
    assert shown[0][0] == "东城久拖隐患" and shown[0][1] == "一级督办", shown
    assert shown[0][2].startswith("已逾期38天"), shown  # from its deadline, 2026-11-25 24:00
    assert all(late.startswith("已逾期10天") for _t, _l, late in shown[1:]), shown  # theirs, 12-23 24:00
    # The order is said on the page, with its law, and the rest are one click away.
    order = page.split('id="overdue-order"')[1].split("</p>")[0]
    assert "逾期最久的排在最前" in order and "第一百一十二条" in order and "第七十二条" in order
    assert "本表列出逾期最久的 20 件" in order and "在案件查询中查看" in order


def test_the_pick_is_the_orders_first_rows_then_the_earlier_case(world):
    from webui import overdue
    chief = world.engine.directory.principal("qian")
    now = world.clock.now()
    cases, late = overdue.most_overdue(world.engine, chief, now, limit=21)
    assert [c.id for c in cases] == [world.old, *sorted(world.recent)]  # same day: then the earlier case
    assert late[world.old].days == 38 and {late[i].days for i in world.recent} == {10}
    two = overdue.most_overdue(world.engine, chief, now, limit=2)[0]
    assert [c.id for c in two] == [world.old, min(world.recent)]  # the pick is the order's first two


def test_the_case_list_behind_the_board_reads_in_the_same_order(world):
    """案件查询's 逾期 filter (the board's 在案件查询中查看) lists the same cases the longest overdue first:
    before, it kept the old order (most escalated, then earliest started), the 38-day case last."""
    client = client_login(world.app, "qian")
    listed = client.get("/cases/?overdue=1").get_data(as_text=True)
    rows = re.findall(r'<tr[^>]*data-overdue="yes"[^>]*>(.*?)</tr>', listed, re.S)
    titles = [next(t for t in ["东城久拖隐患", *(f"东城隐患{i:02d}" for i in range(20))] if t in r) for r in rows]
    assert titles == ["东城久拖隐患", *(f"东城隐患{i:02d}" for i in range(20))], titles
