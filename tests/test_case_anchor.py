"""The case anchor (engine/case_anchor.py): every start leaves a ``case_anchored`` event in its case
number counter's chain (``case_no:<prefix>:<year>``), which ``verify`` checks against the case rows,
so a case deleted together with its whole chain is reported (the guard itself: tests/test_guards.py
``case_anchor``). Here: every way a case starts is anchored once, in number order; starts of
several processes at once on PostgreSQL, also the very first of a prefix, keep every anchor chain
whole and never wait for one another's anchor head.

On SQLite and PostgreSQL, real files and a real server; models from tests/bpmn."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine import Engine, InvalidData, ManualClock
from engine.schema import AuditEvent, AuditHead, Case
from tests.support import START, deploy, make_engine, open_task_id


def _anchors(engine) -> list:
    with engine.db.engine.connect() as conn:
        return conn.execute(sa.select(AuditEvent.chain, AuditEvent.seq, AuditEvent.case_id, AuditEvent.detail)
                            .where(AuditEvent.action == "case_anchored")
                            .order_by(AuditEvent.chain, AuditEvent.seq)).all()


def _cases(engine) -> dict[int, str]:
    with engine.db.engine.connect() as conn:
        return dict(conn.execute(sa.select(Case.id, Case.case_no)).all())


def test_every_start_anchors_its_case_once_in_its_counters_chain_in_number_order(database_url):
    """A start by a user, and the two cases a script of a completed task starts (``start_case``,
    in the same transaction as each other: the second reads the head the first moved)."""
    e = make_engine(database_url, clock=ManualClock(START))
    deploy(e, "approval.bpmn", "spawning.bpmn", "timers_misc.bpmn")
    e.start("approval", by="zhang", org="east")
    parent = e.start("spawning", by="zhang", org="east", party="P-1", data={"线索": "无证经营", "other_unit": "west"})
    e.complete(open_task_id(e, parent.id), "zhang", {})
    e.start("approval", by="li", org="east")
    cases = _cases(e)
    anchors = _anchors(e)
    assert len(cases) >= 5 and sorted(a.case_id for a in anchors) == sorted(cases)
    by_chain: dict[str, list] = {}
    for a in anchors:
        by_chain.setdefault(a.chain, []).append(a)
    for chain, events in by_chain.items():
        assert [a.seq for a in events] == list(range(1, len(events) + 1))
        numbers = [cases[a.case_id] for a in events]
        assert numbers == sorted(numbers) and all(n.startswith(chain.split(":")[1] + "-") for n in numbers)
        assert all(f'"case_no":"{cases[a.case_id]}"' in a.detail for a in events)
    with e.db.engine.connect() as conn:
        heads = dict(conn.execute(sa.select(AuditHead.chain, AuditHead.seq).where(AuditHead.chain.like("case_no:%"))).all())
    assert heads == {chain: len(events) for chain, events in by_chain.items()}
    assert e.verify_audit() is None
    e.dispose()


def test_a_rolled_back_start_leaves_no_anchor_and_takes_no_place_in_the_chain(database_url):
    """A start that fails (an org unit that does not exist) rolls back its number and its anchor."""
    e = make_engine(database_url, clock=ManualClock(START))
    deploy(e, "approval.bpmn")
    e.start("approval", by="zhang", org="east")
    with pytest.raises(InvalidData):
        e.start("approval", by="zhang", org="nowhere")
    e.start("approval", by="zhang", org="east")
    first, second = sorted(_cases(e))
    assert [(a.seq, a.case_id) for a in _anchors(e)] == [(1, first), (2, second)]
    assert e.verify_audit() is None
    e.dispose()


def test_starts_of_several_processes_at_once_on_postgresql_keep_every_anchor_chain_whole(postgres_url):
    """Four server processes (engines) start cases of two process keys at once, from an empty
    counter table — the first case of each prefix races to make its counter row and its anchor
    head. Every start succeeds; each anchor chain holds its cases in number order; verify passes.
    (A start reads its anchor head after its counter row's lock, which every start of that chain
    takes first — the first case of a prefix too, whose counter statement makes the row — so the
    head adds no wait of its own; the interleaving that deadlocked here once is forced in
    tests/test_start_deadlock_s27.py.)"""
    setup = make_engine(postgres_url, clock=ManualClock(START - timedelta(days=400)))
    deploy(setup, "approval.bpmn", "timers_misc.bpmn")
    for key in ("approval", "wait_then_work"):  # the models' bundles stored, a year before the race
        setup.start(key, by="zhang", org="east")
    engines = [Engine(postgres_url, clock=ManualClock(START)) for _ in range(4)]
    barrier = threading.Barrier(len(engines))
    errors: list = []
    started: list = []

    def starts(e, n):
        try:
            barrier.wait(30)
            for i in range(8):
                key = "approval" if (n + i) % 2 else "wait_then_work"
                started.append(e.start(key, by="zhang", org="east").id)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=starts, args=(e, n)) for n, e in enumerate(engines)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == [] and len(started) == 32
    anchors = _anchors(setup)
    cases = _cases(setup)
    assert sorted(a.case_id for a in anchors) == sorted(cases) and set(started) <= set(cases)
    chains = {a.chain for a in anchors}
    assert len(chains) == 4  # two prefixes, two years
    for chain in chains:
        events = [a for a in anchors if a.chain == chain]
        assert [a.seq for a in events] == list(range(1, len(events) + 1))
        numbers = [cases[a.case_id] for a in events]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert setup.verify_audit() is None
    for e in engines:
        e.dispose()
    setup.dispose()
