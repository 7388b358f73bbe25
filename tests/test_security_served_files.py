"""Files this site serves back never run as script in its origin (security round three).

An enterprise uploads 整改证明材料; the browser is told the file's type by the uploader. A file
claimed as ``text/javascript`` was served as such, so from this origin it could be the ``src`` of a
script that the page CSP (``script-src 'self'``) allows. A model's XML is served inline for the
diagram (/cases/<id>/diagram.bpmn, the designer's source): an XHTML ``<script>`` drawn into a model
(unknown extension elements are kept, as Camunda Modeler keeps them) ran when the URL was opened —
in real Chromium, that script was the enterprise's upload, with the official's session. Now an
attachment of a type that is not evidence (照片、扫描件、文书、表格、录像) is served as bytes, and a
model's XML carries the download CSP (``sandbox``). Real Chromium through Playwright, the app served
from a thread, on a real SQLite file.
"""
from __future__ import annotations

import io
import re
import shutil
from urllib.parse import unquote

import pytest

from tests.test_designer_endpoints import add_designers
from tests.test_security_nesting import _model
from tests.ui_support import (PASSWORD, REGISTER_MAJOR, LiveServer, client_login, close_context, launch_chromium,
                              make_world, open_task, start_hazard)
from webui.headers import DOWNLOAD_CSP

PAYLOAD = b"document.documentElement.setAttribute('data-ran', 'yes'); window.ran = 'yes';"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("served"))
    add_designers(w.engine)
    e = w.engine
    case = start_hazard(e, title="整改证明材料检查")
    e.complete(open_task(e, case.id, "register").id, "zhang",
               dict(REGISTER_MAJOR, major_criterion=None, requires_shutdown=False, fix_deadline="2026-11-30"))
    acme = client_login(w.app, "acme")
    response = acme.post(f"/tasks/{open_task(e, case.id, 'fix_now').id}", content_type="multipart/form-data", data={
        "_csrf": acme.csrf, "measures_taken": "更换报警探头", "completed_on": "2026-11-26",
        "attachments__upload": [(io.BytesIO(PAYLOAD), "整改说明.js", "text/javascript"),
                                (io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), "现场图.svg", "image/svg+xml"),
                                (io.BytesIO(b"\xff\xd8\xff\xe0 photo"), "整改后.jpg", "image/jpeg")]})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    page = acme.get(f"/cases/{case.id}").get_data(as_text=True)
    w.links = dict((unquote(name), link) for link, name in re.findall(r'href="(/attachments/[0-9a-f]{32}/([^"]+))"', page))
    # a model carrying an XHTML script whose src is the enterprise's upload, deployed and started
    script = f'<html:script xmlns:html="http://www.w3.org/1999/xhtml" src="{w.links["整改说明.js"]}"></html:script>'
    drawn = _model("note == ''").decode().replace(
        'isExecutable="true">', f'isExecutable="true"><bpmn:extensionElements>{script}</bpmn:extensionElements>', 1)
    e.deploy(drawn.encode(), by="xu", filename="备注核对.bpmn")
    w.carrier = e.start("deep_condition", by="zhang", org="east", data={})
    yield w
    e.dispose()


def test_an_attachment_is_served_as_evidence_or_as_bytes_never_as_script(world):
    zhang = client_login(world.app, "zhang")
    served = {name: zhang.get(link).headers for name, link in world.links.items()}
    assert set(served) == {"整改说明.js", "现场图.svg", "整改后.jpg"}
    assert served["整改说明.js"]["Content-Type"] == "application/octet-stream"
    assert served["现场图.svg"]["Content-Type"] == "application/octet-stream"
    assert served["整改后.jpg"]["Content-Type"] == "image/jpeg"  # evidence keeps its type
    assert all(h["X-Content-Type-Options"] == "nosniff" and h["Content-Disposition"].startswith("attachment")
               for h in served.values())


def test_a_models_xml_is_served_in_the_download_sandbox(world):
    zhang, xu = client_login(world.app, "zhang"), client_login(world.app, "xu")
    for client, url in ((zhang, f"/cases/{world.carrier.id}/diagram.bpmn"),
                        (xu, "/designer/models/deep_condition/versions/1/source"),
                        (xu, "/designer/models/deep_condition/versions/1/source?download=1")):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Content-Security-Policy"] == DOWNLOAD_CSP, url


@pytest.mark.browser
def test_chromium_runs_no_uploaded_script_from_a_models_diagram_url(world):
    if shutil.which("chromium") is None:
        pytest.skip("Debian chromium is not installed (run scripts/setup-browser)")
    from playwright.sync_api import sync_playwright
    with LiveServer(world.app) as server, sync_playwright() as p:
        browser = launch_chromium(p)
        ctx = browser.new_context(locale="zh-CN")
        try:
            page = ctx.new_page()
            page.goto(server.url + "/login")
            page.fill("input[name=username]", "zhang")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            page.goto(f"{server.url}/cases/{world.carrier.id}/diagram.bpmn")
            page.wait_for_timeout(500)
            ran = page.evaluate("[String(window.ran), document.documentElement.getAttribute('data-ran')]")
            assert ran == ["undefined", None], ran
        finally:
            close_context(ctx)
            browser.close()
