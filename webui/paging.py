"""Pages of a list (分页): 50 rows a page, ``?page=N``; a page fetches one row more than it shows,
so knowing whether there is a next page costs no count over a large table. The queues page on by
key (``keyset_paged``): 下一页 carries where the page ended, so the hundredth page of a province's
queue costs what the first does (an offset makes every index scan read and skip the pages before).
"""
from __future__ import annotations

from datetime import datetime

from flask import abort, request

PAGE_SIZE = 50


MAX_PAGE = 10_000  # 500,000 rows in: further than anyone pages; a larger number is a bad request


def page_number() -> int:
    """The requested page; a number past ``MAX_PAGE`` is refused with 400 (it would overflow the
    database's offset), anything else unreadable means the first page."""
    try:
        page = int(request.args.get("page", 1))
    except ValueError:
        return 1
    if page > MAX_PAGE:
        abort(400, description=f"页码超出范围（最大 {MAX_PAGE}）")
    return max(1, page)


def paged(fetch, size: int | None = None):
    """``fetch(limit, offset)`` for the current page: (rows shown, page number, whether more follow).
    ``size``: rows a page, when a list shows fewer than ``PAGE_SIZE`` (a list below a summary)."""
    page, size = page_number(), size or PAGE_SIZE
    rows = fetch(size + 1, (page - 1) * size)
    return rows[:size], page, len(rows) > size


def keyset_paged(fetch, key):
    """``paged`` for a list in a keyset order: ``fetch(limit, offset, after)``, ``key(row)`` where a
    row stands in it (due date, created, id). Returns (rows shown, page number, whether more follow,
    the ``after`` of the next page's link). A page asked for by number alone (上一页, a typed
    address) is read by offset."""
    page = page_number()
    raw = request.args.get("after")
    try:
        after = parse_token(raw) if raw else None
    except ValueError:
        abort(400, description="翻页参数无效，请从第一页重新翻")
    rows = fetch(PAGE_SIZE + 1, 0 if after else (page - 1) * PAGE_SIZE, after)
    shown, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    return shown, page, more, (token(key(shown[-1])) if more else None)


def token(key: tuple) -> str:
    """A queue's page key (due date, created, task id) as the ``after`` of an address."""
    return ",".join(v.isoformat() if isinstance(v, datetime) else str(v) for v in key)


def parse_token(raw: str) -> tuple:
    """The page key of ``token``; ValueError when it is not one."""
    parts = raw.split(",")
    if len(parts) != 3 or not parts[2] or len(parts[2]) > 64:
        raise ValueError(raw)
    return datetime.fromisoformat(parts[0]), datetime.fromisoformat(parts[1]), parts[2]
