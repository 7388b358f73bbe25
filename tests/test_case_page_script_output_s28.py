"""The case page's 办理记录 shows a model script's ``print`` (engine/case_log.py) as 「流程记录」 with its
text (tests/bpmn/spawning.bpmn prints 「派生两案」), not the engine's code ``script_output`` with
nothing beside it (hengine2 noticed, 2026-12-07)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import open_task_id
from tests.ui_support import client_login, make_world

BPMN = Path(__file__).parent / "bpmn"


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, tmp_path, pg_admin_url, fresh_database):
    w = make_world(tmp_path, None if request.param == "sqlite" else fresh_database("postgresql"))
    try:
        yield w
    finally:
        w.engine.dispose()


def test_a_scripts_print_shows_as_a_chinese_line_with_its_text(world):
    e = world.engine
    for name in ("spawning.bpmn", "timers_misc.bpmn"):
        e.deploy((BPMN / name).read_bytes(), by="zhao", filename=name)
    case = e.start("spawning", by="zhang", org="east", data={"other_unit": "west"})
    e.complete(open_task_id(e, case.id), "zhang", {})  # then the script task prints and starts two cases
    page = client_login(world.app, "zhang").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "<b>流程记录</b>" in page and '<span class="muted script-output">派生两案</span>' in page
    assert "<b>script_output</b>" not in page  # (the row's CSS class ev-script_output is not shown)
