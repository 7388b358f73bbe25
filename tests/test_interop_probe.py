"""Public models nobody here had tried (a new batch from Camunda's, Flowable's, Zeebe's and
SpiffWorkflow's examples and test resources; bench/interop.py --walk --dir runs such a folder): what
Duban ran differently from the engine they were drawn for. Each is drawn again as its tool saves it,
with Chinese names (tests/bpmn/interop/), and run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from tests.interop_support import CORPUS, drive
from tests.support import make_engine

MODELS = ("camunda7_flows_without_ids.bpmn",)


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    for name in MODELS:
        eng.deploy(CORPUS / name, by="boss")
    yield eng
    eng.dispose()


def test_flows_written_without_an_id_are_all_taken(engine):
    """Camunda 7's hand-written models leave ``id`` off their sequence flows (the schema allows it;
    Camunda and Flowable run them). SpiffWorkflow's parser dropped every such flow, so the case
    ended at the first gateway having opened no task at all. Each flow gets a free id, noted."""
    out = drive(engine, "camunda7_flows_without_ids")
    assert out.status == "completed", out
    assert sorted(t.spec_id for t in out.tasks) == ["interview", "paperCheck", "siteCheck", "summary"]
    assert [t.spec_id for t in out.tasks][-1] in ("interview", "summary")
    pf = engine.models.validate((CORPUS / "camunda7_flows_without_ids.bpmn").read_bytes(),
                                "camunda7_flows_without_ids.bpmn")
    notes = [w.message for w in pf.warnings if "没有标识" in w.message]
    assert "未命名连线 (split_to_siteCheck) 没有标识（id），已自动取名「split_to_siteCheck」" in notes
    assert len(notes) == 10

