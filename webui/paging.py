"""Pages of a list (分页): 50 rows a page, ``?page=N``; a page fetches one row more than it shows,
so knowing whether there is a next page costs no count over a large table."""
from __future__ import annotations

from flask import request

PAGE_SIZE = 50


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def paged(fetch):
    """``fetch(limit, offset)`` for the current page: (rows shown, page number, whether more follow)."""
    page = page_number()
    rows = fetch(PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    return rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE
