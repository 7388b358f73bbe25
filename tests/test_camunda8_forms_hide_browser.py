"""A Camunda 8 form's ``conditional.hide`` evaluated live on the task page (webui/static/forms.js) as
the official types, in Debian's Chromium through Playwright: and/or, numbers typed the way officials
type them, 是/否 and an unchosen select (null); then submitted, the server's answer agreeing (the form
of tests/test_camunda8_forms_hide.py on the corpus's zeebe_linked_form.bpmn, SQLite file).
"""
from __future__ import annotations

import json
import shutil

import pytest
from playwright.sync_api import expect

from tests.test_camunda8_forms_hide import FORM, LINKED, TASK
from tests.ui_support import LiveServer, browser, logged_in_page, make_world, open_task  # noqa: F401
from tests.ui_support import server  # noqa: F401 (the module's live server, from its world)

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("browser-hide"))
    w.engine.deploy(LINKED, by="zhao", forms=[("inspection-form.form", json.dumps(FORM, ensure_ascii=False).encode())])
    yield w
    w.engine.dispose()


def test_fields_hide_and_show_as_the_official_types_and_the_server_agrees(browser, server, world):
    e = world.engine
    case = e.start("zeebe_linked_form", by="zhang", org="east", title="乙公司现场检查")
    task = open_task(e, case.id, TASK)
    page = logged_in_page(browser, server, "zhang", 1366)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.url + f"/tasks/{task.id}")
    form = page.locator("#task-form")
    note, listing, rectify, recheck = (form.locator(f'[data-field="{name}"]')
                                       for name in ("fine_note", "listing_no", "rectify_note", "recheck"))
    # nothing typed: fine is null, so 金额 <= 5000000 cannot be said (shown, as form-js shows it);
    # 是否重大隐患 is 否 at first (a form-js checkbox): 挂牌文号 hidden
    expect(note).to_be_visible()
    expect(listing).to_be_hidden()
    expect(rectify).to_be_visible()  # not(major) and null < 10000: cannot be said either
    fine = form.get_by_label("拟罚款金额（元）")
    fine.fill("５,０００,０００")
    expect(note).to_be_hidden()  # 5,000,000 <= 5,000,000
    expect(rectify).to_be_visible()
    fine.fill("6000000")
    expect(note).to_be_visible()
    fine.fill("1,500")
    expect(recheck).to_be_hidden()  # 1000 <= fine < 2000
    expect(rectify).to_be_hidden()  # not major and fine < 10,000
    form.locator("#f-major").get_by_label("是", exact=True).check()
    expect(rectify).to_be_visible()
    expect(listing).to_be_hidden()  # district not chosen: null
    form.get_by_label("所在区").select_option(label="西城区")
    expect(listing).to_be_visible()
    expect(listing.locator("input")).to_be_enabled()
    listing.locator("input").fill("东应急挂〔2026〕3号")
    form.locator("#f-major").get_by_label("否", exact=True).check()
    expect(listing).to_be_hidden()
    expect(listing.locator("input")).to_be_disabled()  # posts nothing
    fine.fill("800")
    page.click("#submit")
    expect(page.locator(".flash, .flashes").first).to_contain_text("已提交：现场检查")
    data = e.case(case.id).data
    assert (data["fine"], data["major"], data["district"]) == (800, False, "west")
    assert not {"fine_note", "listing_no", "rectify_note"} & set(data)
    page.context.close()
    assert not errors, errors
