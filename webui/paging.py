"""Pages of a list (分页): 50 rows a page, ``?page=N``; a page fetches one row more than it shows,
so knowing whether there is a next page costs no count over a large table."""
from __future__ import annotations

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


def paged(fetch):
    """``fetch(limit, offset)`` for the current page: (rows shown, page number, whether more follow)."""
    page = page_number()
    rows = fetch(PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    return rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE
