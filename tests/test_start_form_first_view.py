"""发起案件's first view on a fresh engine parses no process spec (发起表单 marks).

Each <option> of 发起案件 carries ``data-form`` when its process draws a start form (the page then
reloads to show it). That mark used to come from each process's parsed spec (``start_spec``), so
the first view of every fresh web worker parsed every deployed process (0.9-1.1 s on the demo
database instead of ~0.25 s). It now comes from the model file in our dialect
(``engine.models.draws_start_form``), and only the chosen process's spec is parsed, for the fields
the page shows and the engine checks (``model_forms.start_form``). Counted: calls of
``validation.spiff_parse`` (a wrapper that calls through), not time. The mark is compared with the
spec's answer on every BPMN file of tests/bpmn.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from engine import model_forms, validation
from engine.schema import ProcessModel
from tests.interop_support import CORPUS
from tests.support import make_engine
from tests.ui_support import client_login, make_world

BPMN = Path(__file__).parent / "bpmn"
WITH_FORM = {"flowable_hazard_report", "camunda7_report_or_message"}


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    for name in sorted(WITH_FORM):
        w.engine.deploy(CORPUS / f"{name}.bpmn", by="boss")
    yield w
    w.engine.dispose()


@pytest.fixture
def parses(monkeypatch):
    """How many times a spec is parsed from model files (``validation.spiff_parse``, called through)."""
    count = [0]
    real = validation.spiff_parse

    def counted(*args, **kwargs):
        count[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(validation, "spiff_parse", counted)
    return count


def test_the_first_start_page_parses_no_spec_and_then_the_chosen_processs_only(world, parses):
    client = client_login(world.app, "zhang")
    page = client.get("/cases/new").get_data(as_text=True)
    assert parses[0] == 0
    marked = set(re.findall(r'<option value="([^"]+)"[^>]*data-form', page))
    assert marked == WITH_FORM
    assert len(re.findall(r"<option value=\"[a-z]", page)) > len(WITH_FORM) + 3  # the world's other processes
    page = client.get("/cases/new?process=flowable_hazard_report").get_data(as_text=True)
    assert parses[0] == 1 and "企业名称" in page
    client.get("/cases/new?process=flowable_hazard_report")
    assert parses[0] == 1


def _files():
    return sorted(p for p in BPMN.rglob("*.bpmn"))


def test_the_mark_is_the_specs_answer_on_every_model_file(sqlite_url):
    """``draws_start_form`` (the file) against ``model_forms.start_form`` (the spec) on every BPMN
    file of tests/bpmn that parses on its own; both answers occur."""
    eng = make_engine(sqlite_url)
    seen = {True: 0, False: 0}
    try:
        for path in _files():
            raw = path.read_bytes()
            try:
                pf = validation.read_file(raw, path.name, eng.models._form_exists())
                parser = validation.spiff_parse([pf])
            except Exception:  # noqa: BLE001 - a file that needs others, or is refused
                continue
            for key in pf.keys:
                try:
                    spec = validation.build_specs(parser, key, pf)[0]
                except Exception:  # noqa: BLE001 - a process that calls one in another file
                    continue
                row = ProcessModel(key=key, kind="bpmn", filename=path.name, content=raw.decode("utf-8"),
                                   content_hash=hashlib.sha256(raw).hexdigest())
                expected = bool(model_forms.start_form(spec))
                assert eng.models.draws_start_form(row) is expected, (path.name, key)
                seen[expected] += 1
    finally:
        eng.dispose()
    assert seen[True] >= 3 and seen[False] >= 50, seen
