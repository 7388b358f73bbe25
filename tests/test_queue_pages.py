"""The queue pages page on by key (webui/paging.py keyset_paged): 下一页 carries where the page ended,
so a deep page of a province's queue reads what the first does; the pages follow on without a gap
or a repeat, 上一页 and a typed page number still work, and a forged 翻页 parameter is a 400 in
Chinese. SQLite and PostgreSQL, through Flask's test client."""
from __future__ import annotations

import html
import re

import pytest

from tests.ui_support import client_login, make_world, start_hazard
from tests.support import statements_sent


@pytest.fixture(scope="module")
def world(tmp_path_factory, module_database_url):
    url = module_database_url
    w = make_world(tmp_path_factory.mktemp("queue_pages"), None if url.startswith("sqlite") else url)
    for i in range(53):
        start_hazard(w.engine, title=f"批量案件{i:02d}")
    yield w
    w.engine.dispose()


def _rows(page: str) -> list[str]:
    return re.findall(r'data-task-id="([^"]+)"', page)


def _link(page: str, label: str) -> str | None:
    found = re.search(r'<a href="([^"]+)">' + label + "</a>", page)
    return html.unescape(found.group(1)) if found else None


@pytest.mark.parametrize("address", ["/tasks/", "/tasks/group"])
def test_next_page_carries_where_the_page_ended_and_pages_follow_on(world, address):
    client = client_login(world.app, "li")
    first = client.get(address).get_data(as_text=True)
    next_link = _link(first, "下一页")
    assert len(_rows(first)) == 50 and next_link and "after=" in next_link and "page=2" in next_link
    second = client.get(next_link).get_data(as_text=True)
    assert len(_rows(second)) == 3 and _link(second, "下一页") is None
    whole = [t.id for t in world.engine.queue("li", limit=100)]
    assert _rows(first) + _rows(second) == whole
    assert "after=" not in (_link(second, "上一页") or "")  # back by number
    assert _rows(client.get(_link(second, "上一页")).get_data(as_text=True)) == _rows(first)
    assert _rows(client.get(address + "?page=2").get_data(as_text=True)) == _rows(second)  # typed


def test_the_api_queue_pages_on_by_next_after_as_by_offset(world):
    client = client_login(world.app, "li")
    whole = [t.id for t in world.engine.queue("li", limit=100)]
    by_key, after = [], None
    while True:
        body = client.get("/api/tasks", query_string={"limit": 20, **({"after": after} if after else {})}).get_json()
        by_key += [t["id"] for t in body["items"]]
        after = body["next_after"]
        if after is None:
            break
    by_offset = [t["id"] for offset in (0, 20, 40) for t in
                 client.get("/api/tasks", query_string={"limit": 20, "offset": offset}).get_json()["items"]]
    assert by_key == by_offset == whole
    refused = client.get("/api/tasks", query_string={"after": "第二页"})
    assert refused.status_code == 422 and "翻页参数无效" in refused.get_json()["errors"]["after"]


def test_a_forged_paging_key_is_refused_in_chinese(world):
    client = client_login(world.app, "li")
    for bad in ("x", "2026-11-23T01:00:00,zzz,abc", "2026-11-23T01:00:00,2026-11-23T01:00:00,"):
        response = client.get("/tasks/", query_string={"page": 2, "after": bad})
        assert response.status_code == 400 and "翻页参数无效" in response.get_data(as_text=True)


def test_a_queue_page_names_roles_and_units_from_the_directory_cache_and_a_rename_shows_at_once(world):
    """A page named its rows' roles, org units and people by reading every role, org unit and user
    of the province on every request; they come from the directory's cache at the counter read with
    the session row, and a rename made by another process shows on the next page."""
    import sqlalchemy as sa

    from engine import Engine
    client = client_login(world.app, "li")
    assert "东城区应急管理局" in client.get("/tasks/").get_data(as_text=True)  # fills the cache
    seen = statements_sent(world.engine, lambda: client.get("/tasks/"))
    assert not [st for st in seen if re.search(r"FROM (org_unit|role|app_user)\b", st)], seen
    other = Engine(world.engine.db.url)  # another worker process on the same database
    try:
        other.directory.rename_org("east", "东城区应急管理局（新）", level="区", by="admin")
    finally:
        other.dispose()
    assert "东城区应急管理局（新）" in client.get("/tasks/").get_data(as_text=True)


def test_approvals_page_on_by_key_too(fresh_database, module_database_url, monkeypatch, tmp_path):
    """审批 (webui/supervisor.py approvals) pages on by key as the queues do: 下一页 carries where the
    page ended, the pages follow on without a gap or a repeat, and a typed page number still works.
    Pages of two rows here (webui/paging.PAGE_SIZE), so three approvals make two pages."""
    from tests.ui_support import major_case_at
    from webui import paging
    kind = "sqlite" if module_database_url.startswith("sqlite") else "postgresql"
    url = fresh_database(kind)
    w = make_world(tmp_path, None if kind == "sqlite" else url)
    try:
        cases = [major_case_at(w.engine, "review_listing", title=f"审批案件{i}") for i in range(3)]
        monkeypatch.setattr(paging, "PAGE_SIZE", 2)
        client = client_login(w.app, "qian")
        first = client.get("/supervise/approvals").get_data(as_text=True)
        next_link = _link(first, "下一页")
        assert len(_rows(first)) == 2 and next_link and "after=" in next_link and "page=2" in next_link
        second = client.get(next_link).get_data(as_text=True)
        assert len(_rows(second)) == 1 and _link(second, "下一页") is None
        from engine.queries import approvals
        whole = [t.id for t in approvals(w.engine, w.engine.directory.principal("qian"), limit=10)]
        assert _rows(first) + _rows(second) == whole and len(whole) == len(cases)
        assert _rows(client.get("/supervise/approvals?page=2").get_data(as_text=True)) == _rows(second)
        refused = client.get("/supervise/approvals", query_string={"page": 2, "after": "x"})
        assert refused.status_code == 400 and "翻页参数无效" in refused.get_data(as_text=True)
    finally:
        w.engine.dispose()
