"""A refused form keeps the files chosen (暂存附件, issue 15): "bad input gets a clear error and loses
nothing". An enterprise's 实施整改 with its photos and PDFs, refused for another field, came back
with the files gone — chosen again only by who noticed. Now the files of a refused submit are held
for that task and that person (webui/attachments.PendingUploads.hold), listed under their field with
name, size and a 移除 button, and go in with the form once it passes; nobody else's submit and no
other task can take them, the download route never serves them, they expire, and a form submitted
twice with them completes once.

- In Chromium at 1280 and 375 px (the enterprise acme, a listed hazard's 实施整改 申请延期 without
  申请延长至): two files chosen, the refusal in Chinese, both listed, the date filled, both in.
- Through Flask's test client on SQLite and PostgreSQL (our hazard process, the enterprise acme):
  another person, another task, a file expired, 移除, a double submit.
"""
from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.ui_support import (ACME, LiveServer, browser, client_login, close_context, logged_in_page,
                              major_case_at, make_world, open_task, start_hazard)
from webui import attachments

__all__ = ["browser"]

ENGLISH = re.compile(r"[A-Za-z_]{4,}")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00photo\xff\xd9"
FIX = {"measures_taken": "更换报警探头", "completed_on": "2026-11-26"}
HELD = re.compile(r'name="attachments__held" value="([0-9a-f]{32})"')


# --- in the browser ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("refused-form"))
    with LiveServer(w.app) as server:
        yield w, server
    w.engine.dispose()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_refused_rectification_keeps_both_files_chosen_and_takes_them_when_accepted(browser, served, width, tmp_path):
    """实施整改 申请延期 (local 挂牌督办办法) with 申请延长至 left empty: refused in Chinese naming the field,
    the contract and the photo listed as held (name, size, 移除); the date filled in, submitted without
    choosing them again, both are the case's."""
    world, server = served
    title = f"甲化工液氨储罐区重大隐患（{width}）"
    case = major_case_at(world.engine, "rectify", title=title)
    page = logged_in_page(browser, server, "acme", width)
    try:
        page.goto(server.url + "/tasks/")
        page.locator("main tr", has_text=title).locator("a", has_text="实施整改").first.click()
        expect(page.locator("h1")).to_contain_text("实施整改")
        page.check("input[name=rectify_action][value=申请延期]")
        page.fill("#f-rectify_summary", "紧急切断阀已订货，安装须停产，正与供货方协调")
        page.fill("#f-extension_reason", "紧急切断阀供货周期为四个月，无法在督办期限内完成安装调试")
        (tmp_path / "供货合同.pdf").write_bytes(PDF)
        (tmp_path / "现场照片.jpg").write_bytes(JPEG)
        page.set_input_files("input[name=attachments__upload]", [str(tmp_path / "供货合同.pdf"),
                                                                  str(tmp_path / "现场照片.jpg")])
        page.click("#submit")
        expect(page.locator(".flash.error")).to_contain_text("2个附件已暂存")
        field = page.locator("#task-form [data-field=requested_deadline]")
        expect(field.locator(".field-error")).to_be_visible()
        held = page.locator("#f-attachments .held-file")
        expect(held).to_have_count(2)
        expect(held.nth(0)).to_contain_text("供货合同.pdf")
        expect(held.nth(0)).to_contain_text(f"{len(PDF)} 字节")
        expect(held.nth(1)).to_contain_text("现场照片.jpg")
        expect(held.nth(1).locator("button", has_text="移除")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shown = page.locator("main").inner_text()
        assert not ENGLISH.findall(shown), ENGLISH.findall(shown)
        field.locator("input").fill("2027年４月１日")
        page.click("#submit")
        expect(page.locator(".flash.ok")).to_contain_text("已提交：实施整改")
        data = world.engine.case(case.id).data
        assert data["requested_deadline"] == "2027-04-01"
        assert [r.rsplit("/", 1)[1] for r in data["attachments"]] == ["供货合同.pdf", "现场照片.jpg"]
        link = page.locator("a.attachment", has_text="供货合同.pdf").first.get_attribute("href")
        assert page.request.get(server.url + link).body() == PDF
    finally:
        close_context(page.context)


# --- the same through the page's posts, on SQLite and PostgreSQL --------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory, module_database_url):
    w = make_world(tmp_path_factory.mktemp("held"), None if module_database_url.startswith("sqlite") else module_database_url)
    d = w.engine.directory
    d.add_user("acme2", org="east", roles=["enterprise"], name="甲化工设备部", party=ACME,
               password_hash=d.user("acme").password_hash)
    yield w
    w.engine.dispose()


def _fix_task(world, title: str):
    from tests.ui_support import REGISTER_MAJOR
    case = start_hazard(world.engine, title=title)
    data = dict(REGISTER_MAJOR, major_criterion=None, requires_shutdown=False, fix_deadline="2026-11-30")
    world.engine.complete(open_task(world.engine, case.id, "register").id, "zhang", data)
    return case, open_task(world.engine, case.id, "fix_now")


def _post(client, task, **data):
    return client.post(f"/tasks/{task.id}", content_type="multipart/form-data", data={"_csrf": client.csrf, **data})


def _refused_with(client, task, *names: str) -> list[str]:
    """Submit ``task``'s form without 完成日期 and with files ``names``: the held idents listed."""
    response = _post(client, task, measures_taken="更换报警探头",
                     attachments__upload=[(io.BytesIO(n.encode() * 10), n) for n in names])
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and f"{len(names)}个附件已暂存" in page, page[-2000:]
    return HELD.findall(page)


def test_held_files_are_the_persons_and_the_tasks_and_never_downloadable(world):
    case, task = _fix_task(world, "乙公司配电室隐患（暂存一）")
    acme, acme2 = client_login(world.app, "acme"), client_login(world.app, "acme2")
    [held] = _refused_with(acme, task, "整改后.jpg")
    assert acme.get(f"/attachments/{held}/整改后.jpg").status_code == 404   # not an attachment yet
    assert acme.get(f"/tasks/{task.id}").get_data(as_text=True).count(held) == 1  # the page opened again lists it
    assert held not in acme2.get(f"/tasks/{task.id}").get_data(as_text=True)   # a colleague's page does not
    response = _post(acme2, task, **FIX, attachments__held=held)              # nor takes it, posted by hand
    assert response.status_code == 422 and attachments.HELD_LOST in response.get_data(as_text=True)
    _other_case, other = _fix_task(world, "乙公司配电室隐患（暂存二）")
    response = _post(acme, other, **FIX, attachments__held=held)               # nor the same person's other task
    assert response.status_code == 422 and attachments.HELD_LOST in response.get_data(as_text=True)
    assert world.engine.task(task.id).state == "open" and world.engine.task(other.id).state == "open"
    assert _post(acme, task, **FIX, attachments__held=held).status_code == 302
    [ref] = world.engine.case(case.id).data["attachments"]
    assert ref == f"attachment:{held}/整改后.jpg"
    assert acme.get(ref.replace("attachment:", "/attachments/", 1)).data == "整改后.jpg".encode() * 10


def test_a_form_submitted_twice_with_held_files_completes_once(world):
    case, task = _fix_task(world, "乙公司配电室隐患（暂存三）")
    acme = client_login(world.app, "acme")
    held = _refused_with(acme, task, "整改前.jpg", "整改后.jpg")
    assert len(held) == 2
    posted = {**FIX, "attachments__held": held}
    assert _post(acme, task, **posted).status_code == 302
    assert _post(acme, task, **posted).status_code == 409
    refs = world.engine.case(case.id).data["attachments"]
    assert [r.rsplit("/", 1)[1] for r in refs] == ["整改前.jpg", "整改后.jpg"]
    assert [t.id for t in world.engine.done_by("acme", limit=100) if t.case_id == case.id] == [task.id]


def test_a_file_removed_or_expired_is_not_submitted_and_is_swept(world):
    case, task = _fix_task(world, "乙公司配电室隐患（暂存四）")
    acme = client_login(world.app, "acme")
    first, second = _refused_with(acme, task, "旧照片.jpg", "新照片.jpg")
    # 移除 the first: the next refused submit posts only the second, and the first is forgotten
    response = _post(acme, task, measures_taken="更换报警探头", attachments__held=second)
    assert response.status_code == 422 and HELD.findall(response.get_data(as_text=True)) == [second]
    held_root = Path(world.app.config["ATTACHMENT_DIR"]).with_name("held_uploads")
    assert not list(held_root.glob(f"*/{first}"))
    # the second waits past the limit: not offered, not submitted, the form refused naming why
    folder = next(held_root.glob(f"*/{second}"))
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["held_at"] = time.time() - attachments.HELD_SECONDS - 1
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert second not in acme.get(f"/tasks/{task.id}").get_data(as_text=True)
    response = _post(acme, task, **FIX, attachments__held=second)
    assert response.status_code == 422 and attachments.HELD_LOST in response.get_data(as_text=True)
    assert not folder.exists()  # the refused submit swept what had expired
    assert _post(acme, task, **FIX, attachments__upload=[(io.BytesIO(b"x"), "补拍.jpg")]).status_code == 302
    assert [r.rsplit("/", 1)[1] for r in world.engine.case(case.id).data["attachments"]] == ["补拍.jpg"]
