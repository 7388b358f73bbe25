"""案件数据 of public models whose data comes from mappings, scripts and the API (session 23).

A Camunda 7 model (camunda7_installment_mapping: a form's two fields, an output parameter computing
每期金额, named only in the model's documentation: 「每期金额 perInstallment」) and a Camunda 8 model
(zeebe_rectify_reminder: no form at all, every value from zeebe:output mappings; 「整改期限 deadline」
in its documentation) show their data to an inspector under the model's Chinese words, values as
he writes them (50,000 元, 2026年12月20日); a value no label names (a start's batchRef, a mapping's
noticeNo) is under 「其他数据」, folded, for an administrator or a 流程设计员 only; our engine's
bookkeeping (案号, 机构, 当事人 as stored) is shown to nobody. Chromium at 1280 and 375 px, zh-CN.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.interop_support import CORPUS
from tests.ui_support import _password_hash, browser, close_context, logged_in_page, make_world
from tests.ui_support import server  # noqa: F401 (the module's live server, from its world)
from webui import case_data

__all__ = ["browser"]

ENGLISH = re.compile(r"[A-Za-z_]{4,}")  # a variable name, an English word (a 案号's CIM is 3 letters)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("case-data-s23"))
    for name in ("camunda7_installment_mapping.bpmn", "zeebe_rectify_reminder.bpmn"):
        w.engine.deploy(CORPUS / name, by="zhao")
    d = w.engine.directory
    d.add_user("root", org="city", roles=["admin"], name="系统管理员", password_hash=_password_hash())
    d.add_user("sheji", org="city", roles=["designer"], name="周设计", password_hash=_password_hash())
    fine = w.engine.start("camunda7_installment_mapping", by="zhang", org="east", data={"batchRef": "DB-17"})
    w.engine.complete(w.engine.case(fine.id).tasks[0].id, "zhang", {"fineAmount": 50000, "installments": 2})
    notice = w.engine.start("zeebe_rectify_reminder", by="zhang", org="east")
    w.engine.complete(w.engine.case(notice.id).tasks[0].id, "zhang",
                      {"deadline": "2026-12-20", "inspectedAt": "2026-11-23T09:30:00", "reminder": "P3D"})
    w.cases = {"fine": fine.id, "notice": notice.id}
    yield w
    w.engine.dispose()


def _rows(page) -> dict[str, str]:
    return dict(page.locator("#case-data tr").evaluate_all(
        "rows => rows.map(r => [r.querySelector('th, .kv-label').innerText.trim(), r.querySelector('td').innerText.trim()])"))


def _main_text(page) -> str:
    return page.locator("main").evaluate(
        "m => { const c = m.cloneNode(true); c.querySelectorAll('details.admin-only, svg, .diagram').forEach(d => d.remove());"
        " return c.innerText; }")


@pytest.mark.parametrize("width", [1280, 375])
def test_an_inspector_reads_a_mapped_models_data_in_chinese_and_nothing_else(browser, server, world, width):
    page = logged_in_page(browser, server, "zhang", width)
    try:
        page.goto(f"{server.url}/cases/{world.cases['fine']}")
        assert _rows(page) == {"罚款金额（元）": "50,000 元", "分期期数": "2", "每期金额": "25,000 元"}
        expect(page.locator("#other-data")).to_have_count(0)           # not an inspector's to read
        page.goto(f"{server.url}/cases/{world.cases['notice']}")
        assert _rows(page) == {"整改期限": "2026年12月20日"}
        expect(page.locator("#other-data")).to_have_count(0)
        shown = _main_text(page)
        assert not ENGLISH.findall(shown), ENGLISH.findall(shown)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        close_context(page.context)


@pytest.mark.parametrize("who, width", [("sheji", 1280), ("root", 375)])
def test_a_designer_or_an_administrator_unfolds_the_other_data_and_never_sees_bookkeeping(browser, server, world,
                                                                                          who, width):
    page = logged_in_page(browser, server, who, width)
    try:
        page.goto(f"{server.url}/cases/{world.cases['notice']}")
        other = page.locator("#other-data")
        expect(other).not_to_have_attribute("open", "")                # folded: the labelled data comes first
        expect(other.locator("summary")).to_contain_text("其他数据")
        other.locator("summary").click()
        keys = other.locator("tr").evaluate_all("rows => rows.map(r => r.dataset.key)")
        assert keys == ["inspectedMoment", "noticeNo", "registeredOn", "remindOn"]
        assert other.locator("tr[data-key=registeredOn] td").inner_text().strip() == "2026年11月23日"
        assert _rows(page) == {"整改期限": "2026年12月20日"}
        page.goto(f"{server.url}/cases/{world.cases['fine']}")
        page.locator("#other-data summary").click()
        assert page.locator("#other-data tr").evaluate_all("rows => rows.map(r => r.dataset.key)") == ["batchRef"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        close_context(page.context)


def test_amounts_read_with_yuan_only_under_a_label_naming_money():
    assert case_data.amount("罚款金额（元）", 50000) == "50,000 元"
    assert case_data.amount("每期金额", 12500.5) == "12,500.5 元"
    assert case_data.amount("罚款金额", "5,000") == "5,000 元"        # typed by an official, with a comma
    assert case_data.amount("分期期数", 2) is None and case_data.amount("罚款金额", "五万") is None
    assert case_data.amount("罚款金额", True) is None
    assert case_data.bookkeeping("case_no") and case_data.bookkeeping("_duban_marker")
    assert case_data.bookkeeping("nrOfInstances") and not case_data.bookkeeping("batchRef")
