"""我的待办's 流程 filter as an enterprise account sees it (SQLite and PostgreSQL, through the page).

An enterprise account (当事企业) was offered every process the bureau has deployed — 执法案卷评查,
12350举报核查, 领导带队督查… — names it has no part in and cannot act on (hux12's walk, 2026-12-07). It is
offered the processes its own tasks are in; an official still chooses among all of them."""
from __future__ import annotations

import re

import pytest

from tests.ui_support import client_login, major_case_at, make_world


@pytest.fixture(scope="module")
def world(tmp_path_factory, module_database_url):
    w = make_world(tmp_path_factory.mktemp("task-filter"),
                   None if module_database_url.startswith("sqlite") else module_database_url)
    major_case_at(w.engine, "submit_plan")          # 提交整改方案 is the enterprise's (甲化工)
    yield w
    w.engine.dispose()


def _choices(page: str) -> list[str]:
    select = re.search(r'<select name="process">(.*?)</select>', page, re.S)
    assert select, "no 流程 filter"
    return re.findall(r">([^<]+)</option>", select.group(1))


def test_an_enterprise_chooses_only_among_the_processes_of_its_own_tasks(world):
    choices = _choices(client_login(world.app, "acme").get("/tasks/").get_data(as_text=True))
    assert choices == ["全部", "重大事故隐患挂牌督办"], choices
    assert not {"执法案卷评查", "12350举报核查"} & set(choices)


def test_an_official_still_chooses_among_every_process(world):
    choices = _choices(client_login(world.app, "zhang").get("/tasks/").get_data(as_text=True))
    assert len(choices) > 10, choices
