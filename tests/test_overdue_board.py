"""逾期督办 board (engine/queries.py ``overdue_board``): overdue open tasks by org unit and process,
each cell one range of ix_human_task_overdue counted up to a cap (the page then says "1000+" and the
unit a leader clicks is counted exactly), on SQLite and PostgreSQL.

Overdue means past the deadline: a task due at this very instant is not overdue yet, one microsecond
later it is (the same ``due_at < now`` as the case list's rule, webui/overdue.py)."""
from __future__ import annotations

import html
import re
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine.schema import HumanTask
from tests.ui_support import REGISTER_MAJOR, client_login, make_world, open_task, start_hazard
from tests.support import statements_sent

HAZARD = "hazard_supervision"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _late_hazard(world, title: str, deadline: str, by: str = "zhang"):
    """A 一般 hazard whose enterprise task (立即整改) is open, due at ``deadline``; returns that task."""
    case = start_hazard(world.engine, title=title, by=by)
    data = dict(REGISTER_MAJOR, major_criterion=None, requires_shutdown=False, fix_deadline=deadline)
    world.engine.complete(open_task(world.engine, case.id, "register").id, by, data)
    return _open_task_of(world, case.id)


def _open_task_of(world, case_id: int):
    with world.engine.db.read() as s:
        return s.execute(sa.select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.state == "open")).scalar_one()


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    url = None if module_database_url.startswith("sqlite") else module_database_url
    w = make_world(tmp_path_factory.mktemp("board"), url)
    tasks = {"east1": _late_hazard(w, "东城一", "2026-11-24"), "east2": _late_hazard(w, "东城二", "2026-11-25"),
             "east3": _late_hazard(w, "东城三", "2027-01-30"), "west1": _late_hazard(w, "西城一", "2026-11-24", by="wang")}
    w.tasks = tasks
    yield w
    w.engine.dispose()


def _by_hand(world, now) -> dict:
    """Every open task with a deadline before ``now``, counted in Python by (org unit, process)."""
    with world.engine.db.read() as s:
        rows = s.execute(sa.select(HumanTask.org_code, HumanTask.process_key, HumanTask.due_at)
                         .where(HumanTask.state == "open")).all()
    return dict(Counter((o, k) for o, k, due in rows if due is not None and due < now))


def test_the_board_counts_exactly_and_a_task_due_this_instant_is_not_overdue_yet(world):
    from engine.queries import overdue_board
    due = world.tasks["east2"].due_at
    chief = world.engine.directory.principal("zhao")
    world.clock.set(due)  # 东城二's deadline, to the microsecond: not overdue yet
    board = {(c.org_code, c.process_key): c for c in overdue_board(world.engine, chief, due)}
    assert {k: c.count for k, c in board.items()} == _by_hand(world, due) == {("east", HAZARD): 1, ("west", HAZARD): 1}
    assert all(c.exact for c in board.values())
    assert board[("east", HAZARD)].oldest_due == world.tasks["east1"].due_at
    page = _text(client_login(world.app, "zhao").get("/supervise/overdue"))
    assert re.search(r'id="overdue-task-total">2<', page) and 'id="overdue-board-cap"' not in page

    later = due + timedelta(microseconds=1)  # one microsecond past it: overdue
    world.clock.set(later)
    board = {(c.org_code, c.process_key): c.count for c in overdue_board(world.engine, chief, later)}
    assert board == _by_hand(world, later) == {("east", HAZARD): 2, ("west", HAZARD): 1}
    assert overdue_board(world.engine, chief, later, cap=None) == overdue_board(world.engine, chief, later)
    page = _text(client_login(world.app, "zhao").get("/supervise/overdue"))
    assert re.search(r'id="overdue-task-total">3<', page)
    # 东城区's own supervisor sees only east; west's inspector is no supervisor and gets no board.
    east = overdue_board(world.engine, world.engine.directory.principal("qian"), later)
    assert [(c.org_code, c.count) for c in east] == [("east", 2)]
    assert overdue_board(world.engine, chief, later, org="west")[0].count == 1
    assert overdue_board(world.engine, world.engine.directory.principal("qian"), later, org="west") == []  # not theirs


def test_a_cell_past_the_cap_says_so_and_the_unit_clicked_is_counted_exactly(world, monkeypatch):
    from engine.queries import overdue_board
    from webui import queries
    later = world.tasks["east2"].due_at + timedelta(seconds=1)
    world.clock.set(later)
    chief = world.engine.directory.principal("zhao")
    capped = {c.org_code: (c.count, c.exact) for c in overdue_board(world.engine, chief, later, cap=1)}
    assert capped == {"east": (1, False), "west": (1, True)}  # east has 2: "1+"; west has exactly 1
    assert {c.org_code: (c.count, c.exact) for c in overdue_board(world.engine, chief, later, cap=2)} == {
        "east": (2, True), "west": (1, True)}

    monkeypatch.setattr(queries, "BOARD_CAP", 1)
    client = client_login(world.app, "zhao")
    page = _text(client.get("/supervise/overdue"))
    board = page.split('id="overdue-board"')[1].split("</table>")[0]
    assert ">1+</a>" in board and "<b>1+</b>" in board  # east's cell and row
    assert re.search(r'id="overdue-task-total">2\+<', page)
    assert "标“+”的格子逾期任务超过 1 项" in page and "点击单位名称可查看该单位的准确数量" in page
    row = re.search(r'<th><a href="([^"]+)">东城区应急管理局</a></th>', board).group(1)
    cell = re.search(r'<a href="([^"]+)" title="最早期限[^"]*">1\+</a>', board).group(1)
    assert html.unescape(row) == "/supervise/overdue?org=east"
    assert html.unescape(cell) == "/supervise/overdue?org=east&process=hazard_supervision"
    tasks = _text(client.get(html.unescape(cell))).split('id="overdue-tasks"')[1]
    assert len(re.findall(r'data-task-id="', tasks)) == 2  # the cell's list: east's two overdue tasks
    picked = _text(client.get(html.unescape(row)))  # a click on 东城区: its row counted exactly
    board = picked.split('id="overdue-board"')[1].split("</table>")[0]
    assert ">2</a>" in board and "+" not in board
    assert re.search(r'id="overdue-task-total">3<', picked) and 'id="overdue-board-cap"' not in picked


def test_the_board_page_reads_the_users_units_once_from_the_directory_cache(world):
    """The board, its task list and its late cases all cover the user's org unit and those below it:
    taken once per page from the directory's cache at the counter read with the session row (no
    org unit read while the directory is unchanged), and a unit added by another process is counted
    on the next view."""
    from engine import Engine
    client = client_login(world.app, "zhao")
    client.get("/supervise/overdue")  # fills the cache
    seen = statements_sent(world.engine, lambda: client.get("/supervise/overdue"))
    assert not [st for st in seen if re.search(r"FROM org_unit\b", st) and "unit.code" not in st], seen
    later = world.tasks["east2"].due_at + timedelta(seconds=1)
    world.clock.set(later)
    before = _text(client.get("/supervise/overdue"))
    assert "北城区应急管理局" not in before
    other = Engine(world.engine.db.url)  # another worker process on the same database
    try:
        other.directory.add_org("north", "北城区应急管理局", parent="city", level="区")
        with world.engine.db.write() as s:  # one of west's overdue tasks now belongs to the new unit
            s.execute(sa.update(HumanTask).where(HumanTask.id == world.tasks["west1"].id).values(org_code="north"))
        page = _text(client.get("/supervise/overdue"))
        assert "北城区应急管理局" in page.split('id="overdue-board"')[1].split("</table>")[0]
        assert re.search(r'id="overdue-task-total">3<', page)
    finally:
        with world.engine.db.write() as s:
            s.execute(sa.update(HumanTask).where(HumanTask.id == world.tasks["west1"].id).values(org_code="west"))
        other.directory.delete_org("north")
        other.dispose()


def test_red_enterprises_are_counted_up_to_a_cap_and_the_board_says_so(world, monkeypatch):
    """The 红 panel counts the user's 红 enterprises up to ``RED_COUNTED`` ("1000+" beyond), as the
    board's other totals do, rather than walking a province's thousands on every view."""
    from tests.leadership_support import add_enterprises
    from webui import supervisor
    add_enterprises(world.engine, [("east", "红"), ("east", "红")])
    client = client_login(world.app, "zhao")
    assert re.search(r'id="red-total">2<', _text(client.get("/supervise/overdue")))
    monkeypatch.setattr(supervisor, "RED_SHOWN", 1)  # a full first page: counted, up to the cap
    monkeypatch.setattr(supervisor, "RED_COUNTED", 1)
    page = _text(client.get("/supervise/overdue"))
    assert re.search(r'id="red-total">1\+<', page), page[-1500:]


def test_a_cell_counts_to_100_the_unit_clicked_exactly_and_the_tasks_come_twenty_a_page_issue15(world):
    """At a province's size (bench/pages.py --postgres --tasks 1000000) a cell counted to 1,000 made a
    city's board read 50,000 index entries a view to print 1000+ in each of its 50 cells, and its 50-row
    task list was 35 KB of the page: the board's 95th percentile was past 100 ms (issue 15). A cell now
    counts to 100 ("100+"), the unit a leader clicks is counted exactly, and the overdue tasks below the
    counts come 20 a page with 下一页 for the rest."""
    later = world.tasks["east2"].due_at + timedelta(seconds=1)
    world.clock.set(later)
    west = world.tasks["west1"]
    with world.engine.db.read() as s:
        row = {c.key: v for c, v in zip(HumanTask.__table__.columns,
                                        s.execute(sa.select(*HumanTask.__table__.columns)
                                                  .where(HumanTask.id == west.id)).one())}
    copies = [dict(row, id=f"copy-{i:03d}") for i in range(101)]  # west: 102 tasks past their deadline
    with world.engine.db.write() as s:
        s.execute(sa.insert(HumanTask), copies)
    try:
        client = client_login(world.app, "zhao")
        page = _text(client.get("/supervise/overdue"))
        board = page.split('id="overdue-board"')[1].split("</table>")[0]
        row_of = lambda name, html_: re.search(rf'{name}</a></th>(.*?)</tr>', html_, re.S).group(1)  # noqa: E731
        assert ">100+</a>" in row_of("西城区应急管理局", board) and "<b>100+</b>" in row_of("西城区应急管理局", board)
        assert ">2</a>" in row_of("东城区应急管理局", board)
        assert re.search(r'id="overdue-task-total">102\+<', page)
        assert "标“+”的格子逾期任务超过 100 项，只计到 100 项" in page
        tasks = page.split('id="overdue-tasks"')[1]
        assert len(re.findall(r'data-task-id="', tasks)) == 20 and "下一页" in tasks
        second = _text(client.get("/supervise/overdue?page=2")).split('id="overdue-tasks"')[1]
        assert len(re.findall(r'data-task-id="', second)) == 20 and "上一页" in second
        assert not set(re.findall(r'data-task-id="([^"]+)"', tasks)) & set(re.findall(r'data-task-id="([^"]+)"', second))
        picked = _text(client.get("/supervise/overdue?org=west"))  # a click on 西城区: counted exactly
        board = picked.split('id="overdue-board"')[1].split("</table>")[0]
        assert ">102</a>" in row_of("西城区应急管理局", board) and "+" not in row_of("西城区应急管理局", board)
    finally:
        with world.engine.db.write() as s:
            s.execute(sa.delete(HumanTask).where(HumanTask.id.in_([c["id"] for c in copies])))


def test_the_overdue_case_search_reads_no_org_unit_and_no_model_file_issue15(world):
    """案件查询 仅逾期督办 (the board's 在案件查询中查看) takes the user's org units from the directory's cache,
    as the board does: no org unit read while the directory is unchanged. Its 流程 filter names the
    processes without reading their files (every model's BPMN, ~1 MB a request at 27 models)."""
    client = client_login(world.app, "zhao")
    client.get("/cases/?overdue=1")  # fills the cache
    seen = statements_sent(world.engine, lambda: client.get("/cases/?overdue=1"))
    assert not [st for st in seen if re.search(r"FROM org_unit\b", st)], seen
    assert not [st for st in seen if "process_model.content" in st], seen
    page = _text(client.get("/cases/?overdue=1"))
    assert '<option value="hazard_supervision" >重大事故隐患挂牌督办</option>' in page or \
        re.search(r'<option value="hazard_supervision"\s*>重大事故隐患挂牌督办</option>', page)
