"""A case that a thrown message starts catches it in the write of its start, not in a second step.

bpmn.io's two executable pools (tests/bpmn/interop/bpmnio_two_pools_message_flow.bpmn): 应急管理局's
下达整改指令 throws 整改指令书 from 送达指令书 to the enterprise pool's message start 收到指令书, which
starts a 落实整改（企业） case in the same transaction (engine/messages._start_by_thrown_message).
Until 2026-12-08 that new case was written twice in the step: once as its start left it, waiting at
its message start (its task rows, an event_wait row for 整改指令书, its case row), then again after it
caught the message (the task rows updated, the event_wait row deleted, the case row updated) — the
completion sent 22 statements on SQLite and took twice the naive app's CPU (bench/model_sweep.py:
0.48 in turns). Now the catch runs at the new case's first wait, before its one write
(``step.start_in``'s ``on_first_wait``): what the case, its tasks and its record say is as before
(the whole exchange through the REST API: tests/test_interop_probe16_s30.py). Run on SQLite and
PostgreSQL.
"""
from __future__ import annotations

import pytest

from tests.support import make_engine, statements_sent

MODEL = "tests/bpmn/interop/bpmnio_two_pools_message_flow.bpmn"


@pytest.fixture
def engine(database_url):
    from pathlib import Path
    e = make_engine(database_url)
    e.deploy(Path(__file__).resolve().parent.parent / MODEL, by="boss")
    yield e
    e.dispose()


def _order(engine) -> tuple[int, list[str]]:
    """A bureau case's 下达整改指令 completed; (the bureau case's id, the statements it sent)."""
    bureau = engine.start("bpmnio_rectify_bureau", by="zhang", org="east")
    (task,) = engine.case(bureau.id).tasks
    return bureau.id, statements_sent(engine, lambda: engine.complete(task.id, "zhang", {}))


def test_the_case_a_thrown_message_starts_is_written_once_with_the_message_caught(engine):
    bureau, sent = _order(engine)
    # before: the new case's wait at its message start was inserted into event_wait and deleted again
    assert not [s for s in sent if s.lstrip().upper().startswith("DELETE FROM EVENT_WAIT")], sent
    inserted_waits = [s for s in sent if s.lstrip().upper().startswith("INSERT INTO EVENT_WAIT")]
    assert len(inserted_waits) == 1, sent  # the bureau's 收到整改报告 only
    firm = engine.case(bureau + 1)
    assert firm.process_key == "bpmnio_rectify_firm" and firm.status == "running"
    assert [t.spec_id for t in firm.tasks] == ["Activity_0fix"]
    actions = [h["action"] for h in firm.history]
    assert actions[:3] == ["started", "message_received", "task_opened"], actions
    assert [h["detail"]["elements"] for h in firm.history if h["action"] == "message_received"] == [["StartEvent_0firm"]]
    assert engine.case(bureau).tasks == []  # the bureau waits for 整改报告

