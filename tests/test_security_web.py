"""Security of the web layer, finding by finding of the security review (issue 12), on a real
SQLite file and a real PostgreSQL database: documents never execute, incidents are retried only
within the supervisor's own org units and recorded as done on the original user's behalf.
"""
from __future__ import annotations

import pytest

from tests.ui_support import ACME, client_login, make_world, start_hazard

SCRIPT_TITLE = "<script>fetch('/api/tokens',{method:'POST'})</script>甲化工有限公司"


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("web"), url=module_database_url)
    yield w
    w.engine.dispose()


def text(response) -> str:
    return response.get_data(as_text=True)


# --- 文书 downloads never execute (High) ---------------------------------------------------------

def test_a_document_whose_text_begins_with_a_script_tag_is_downloaded_as_plain_text(world):
    case = world.engine.start("accident_investigation", by="zhang", party=ACME, title="储罐爆炸事故",
                              data={"accident_title": SCRIPT_TITLE})
    client = client_login(world.app, "zhang")
    page = text(client.get(f"/cases/{case.id}"))
    key = "accident_report" if "/documents/accident_report" in page else \
        page.split(f"/cases/{case.id}/documents/", 1)[1].split('"', 1)[0]
    response = client.get(f"/cases/{case.id}/documents/{key}")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert text(response).startswith(SCRIPT_TITLE)  # the text itself, unchanged, as text


def test_every_page_carries_a_csp_that_allows_scripts_from_this_site_only(world):
    client = client_login(world.app, "zhang")
    case = start_hazard(world.engine)
    for path in ("/login", "/tasks/mine", f"/cases/{case.id}", "/cases/search", "/no-such-page"):
        policy = client.get(path).headers.get("Content-Security-Policy", "")
        directives = {d.strip().split(" ", 1)[0]: d.strip() for d in policy.split(";") if d.strip()}
        assert directives.get("default-src") == "default-src 'self'", (path, policy)
        assert directives.get("script-src") == "script-src 'self'", (path, policy)
