"""The audit chain is keyed (issue 12, finding "the audit chain is an unkeyed hash"), on a real
SQLite file and a real PostgreSQL database: an attacker who can rewrite the database but not read
the key file cannot change an event and recompute the chain; ``duban audit verify`` names the key
generations it checked with; the key file is created outside the database, readable by its owner only.
"""
from __future__ import annotations

import hashlib
import json
import stat

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from engine import audit
from engine.schema import AuditEvent, AuditHead
from tests.support import START, make_engine, deploy


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / "keys" / "audit.key"
    monkeypatch.delenv("DUBAN_AUDIT_KEY", raising=False)
    monkeypatch.setenv("DUBAN_AUDIT_KEY_FILE", str(path))
    return path


@pytest.fixture
def engine(database_url, key_file):
    eng = make_engine(database_url)
    deploy(eng, "approval.bpmn")
    case = eng.start("approval", by="zhang", org="east", data={"hazard": "消防通道堵塞"})
    eng.complete(eng.queue("zhang")[0].id, "zhang", {"location": "仓库"})
    eng.case_id = case.id
    yield eng
    eng.dispose()


def _unkeyed(ev_chain, seq, case_id, at, actor, action, task_id, detail, prev_hash) -> str:
    """The old, unkeyed link: what an attacker without the key can compute."""
    payload = audit.canonical_json([ev_chain, seq, case_id, at.isoformat(), actor, action, task_id, detail, prev_hash])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _rewrite_chain(engine, chain: str, change, link) -> None:
    """A database-only attacker: change one event, then recompute every link after it and the head."""
    with engine.db.write() as s:
        events = s.execute(sa.select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)).scalars().all()
        prev = audit.GENESIS
        for ev in events:
            change(ev)
            ev.prev_hash = prev
            ev.hash = link(ev.chain, ev.seq, ev.case_id, ev.at, ev.actor, ev.action, ev.task_id, ev.detail, prev)
            prev = ev.hash
        s.get(AuditHead, chain).hash = prev


def _forge_completion(ev):
    if ev.action == "completed":
        ev.detail = json.dumps({**json.loads(ev.detail), "data": {"location": "办公室"}}, ensure_ascii=False)


def test_an_event_rewritten_with_a_recomputed_unkeyed_chain_is_detected(engine):
    assert engine.verify_audit() is None
    _rewrite_chain(engine, audit.case_chain(engine.case_id), _forge_completion, _unkeyed)
    broken = engine.verify_audit()
    assert broken is not None and broken.seq == 1 and "not signed" in broken.reason


def test_a_forged_hash_that_claims_a_key_generation_is_detected(engine):
    def claims_generation_one(*fields):
        return ("1:" + _unkeyed(*fields))[:64]
    _rewrite_chain(engine, audit.case_chain(engine.case_id), _forge_completion, claims_generation_one)
    broken = engine.verify_audit()
    assert broken is not None and "altered" in broken.reason


def test_the_key_file_is_outside_the_database_and_private(engine, key_file):
    mode = stat.S_IMODE(key_file.stat().st_mode)
    assert mode == 0o600, oct(mode)
    key_hex = key_file.read_text().split("\n")[1].split(" ")[1]
    with engine.db.read() as s:
        stored = " ".join(f"{e.detail}{e.hash}" for e in s.execute(sa.select(AuditEvent)).scalars())
    assert key_hex not in stored


def test_verify_names_the_key_generation_of_each_event_and_survives_rotation(engine, database_url, monkeypatch):
    from webui.cli import main
    monkeypatch.setenv("DUBAN_DATABASE_URL", database_url)
    runner = CliRunner()
    before = runner.invoke(main, ["audit", "verify"], catch_exceptions=False)
    assert before.exit_code == 0 and "generation 1:" in before.output and "generation 2" not in before.output
    rotated = runner.invoke(main, ["audit", "new-key"], catch_exceptions=False)
    assert "generation 2" in rotated.output
    engine.directory.add_org("south", "南城区", parent="city", level="区", by="admin")  # an event under generation 2
    after = runner.invoke(main, ["audit", "verify"], catch_exceptions=False)
    assert after.exit_code == 0, after.output
    assert "generation 1:" in after.output and "generation 2:" in after.output and "current generation 2" in after.output


def test_without_the_key_the_chain_cannot_be_verified(engine, key_file, monkeypatch):
    monkeypatch.setenv("DUBAN_AUDIT_KEY_FILE", str(key_file.with_name("other.key")))  # a different, new key
    broken = engine.verify_audit()
    assert broken is not None and "altered" in broken.reason
