"""The audit chain is keyed (issue 12, finding "the audit chain is an unkeyed hash"), on a real
SQLite file and a real PostgreSQL database: an attacker who can rewrite the database but not read
the key file cannot change an event and recompute the chain; ``duban audit verify`` names the key
generations it checked with; the key file is created outside the database, readable by its owner only.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from engine import audit
from engine.schema import AuditEvent
from tests.support import START, make_engine, deploy, set_audit_head


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
        set_audit_head(s, chain, prev)


def _forge_completion(ev):
    if ev.action == "completed":
        ev.detail = json.dumps({**json.loads(ev.detail), "data": {"location": "办公室"}}, ensure_ascii=False)


def test_an_event_rewritten_with_a_recomputed_unkeyed_chain_is_detected(engine):
    assert engine.verify_audit() is None
    _rewrite_chain(engine, audit.case_chain(engine.case_id), _forge_completion, _unkeyed)
    broken = engine.verify_audit()
    assert broken is not None and broken.seq == 1 and "没有审计密钥的签名" in broken.reason


def test_a_forged_hash_that_claims_a_key_generation_is_detected(engine):
    def claims_generation_one(*fields):
        return ("1:" + _unkeyed(*fields))[:64]
    _rewrite_chain(engine, audit.case_chain(engine.case_id), _forge_completion, claims_generation_one)
    broken = engine.verify_audit()
    assert broken is not None and "与它的签名不符" in broken.reason


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
    assert before.exit_code == 0 and "第 1 代密钥签名" in before.output and "第 2 代" not in before.output
    rotated = runner.invoke(main, ["audit", "new-key"], catch_exceptions=False)
    assert "第 2 代审计密钥" in rotated.output
    engine.directory.add_org("south", "南城区", parent="city", level="区", by="admin")  # an event under generation 2
    after = runner.invoke(main, ["audit", "verify"], catch_exceptions=False)
    assert after.exit_code == 0, after.output
    assert "第 1 代密钥签名" in after.output and "第 2 代密钥签名" in after.output and "当前为第 2 代" in after.output


def test_without_the_key_the_chain_cannot_be_verified(engine, key_file, monkeypatch):
    monkeypatch.setenv("DUBAN_AUDIT_KEY_FILE", str(key_file.with_name("other.key")))  # a different, new key
    broken = engine.verify_audit()
    assert broken is not None and "与它的签名不符" in broken.reason


# -- the link's formula: the same bytes as before the hot path built it faster (issue 15) ----------

_OPTIONS = {"ensure_ascii": False, "sort_keys": True, "separators": (",", ":"), "default": str}


def _keys(key_file: Path) -> dict[int, bytes]:
    return {int(g): bytes.fromhex(k) for g, k in
            (line.split(" ") for line in key_file.read_text().splitlines() if line and not line.startswith("#"))}


def _reference_link(key: bytes, generation: int, ev_chain, seq, case_id, at, actor, action, task_id, detail,
                    prev_hash) -> str:
    """The link as engine/audit.py computed it before issue 15's cuts, spelled out with the general
    library calls: what events written then hold, what a verifier of that time checks."""
    payload = json.dumps([ev_chain, seq, case_id, at.isoformat(), actor, action, task_id, detail, prev_hash],
                         **_OPTIONS)
    return (f"{generation}:" + hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest())[:64]


def _reference_blake2b_link(key: bytes, generation: int, ev_chain, seq, case_id, at, actor, action, task_id,
                            detail, prev_hash) -> str:
    """The link new events carry since 2026-12-03, spelled out with the general library calls: the
    same payload as ``_reference_link``, keyed BLAKE2b-256 personalized ``duban audit``, ``<generation>b:``."""
    payload = json.dumps([ev_chain, seq, case_id, at.isoformat(), actor, action, task_id, detail, prev_hash],
                         **_OPTIONS)
    mac = hashlib.blake2b(payload.encode("utf-8"), key=key, digest_size=32, person=b"duban audit")
    return (f"{generation}b:" + mac.hexdigest())[:64]


def test_events_written_now_carry_the_keyed_blake2b_link(engine, key_file):
    keys = _keys(key_file)
    with engine.db.read() as s:
        events = s.execute(sa.select(AuditEvent)).scalars().all()
    assert len(events) >= 3
    for ev in events:
        assert ev.hash == _reference_blake2b_link(keys[1], 1, ev.chain, ev.seq, ev.case_id, ev.at, ev.actor,
                                                  ev.action, ev.task_id, ev.detail, ev.prev_hash), (ev.chain, ev.seq)


def test_events_linked_by_the_old_formula_verify_now(engine, key_file):
    """A chain as the code before the cuts wrote it (here: rewritten with the real key and the old
    formula, its detail changed so the links are not the ones already stored) verifies."""
    keys = _keys(key_file)

    def old_link(*fields):
        return _reference_link(keys[1], 1, *fields)

    _rewrite_chain(engine, audit.case_chain(engine.case_id), _forge_completion, old_link)
    assert engine.verify_audit() is None


def _old_chain_continued(engine, key_file) -> str:
    """A database main wrote before 2026-12-03 (the case's chain HMAC-signed, as then), stepped on by
    today's code: its new events follow the old ones on the same chain."""
    keys = _keys(key_file)
    chain = audit.case_chain(engine.case_id)
    _rewrite_chain(engine, chain, lambda ev: None, lambda *fields: _reference_link(keys[1], 1, *fields))
    old = len(_hashes(engine, chain))
    engine.complete(engine.queue("boss")[0].id, "boss", {"approved": True})
    hashes = _hashes(engine, chain)
    assert len(hashes) > old
    assert [audit.signed_by(h) for h in hashes] == [(1, audit.HMAC_SHA256)] * old + [(1, audit.BLAKE2B)] * (
        len(hashes) - old)
    return chain


def _hashes(engine, chain: str) -> list[str]:
    with engine.db.read() as s:
        return list(s.execute(sa.select(AuditEvent.hash).where(AuditEvent.chain == chain)
                              .order_by(AuditEvent.seq)).scalars())


def test_an_old_hmac_chain_continued_with_blake2b_links_verifies(engine, key_file):
    _old_chain_continued(engine, key_file)
    assert engine.verify_audit() is None
    with engine.db.read() as s:
        report = audit.verify_report(s)
    assert report.broken is None and report.generations == {1: report.events}


def test_in_a_continued_chain_an_altered_old_event_is_detected(engine, key_file):
    chain = _old_chain_continued(engine, key_file)
    with engine.db.write() as s:
        ev = s.execute(sa.select(AuditEvent).where(AuditEvent.chain == chain, AuditEvent.action == "completed")
                       .order_by(AuditEvent.seq).limit(1)).scalar_one()
        _forge_completion(ev)
        seq = ev.seq
    broken = engine.verify_audit()
    assert broken is not None and broken.seq == seq and "与它的签名不符" in broken.reason


@pytest.mark.parametrize("relabel", [lambda h: "1:" + h[3:], lambda h: "1b" + h[1:-1], lambda h: "1x" + h[2:]])
def test_a_hash_whose_scheme_is_relabelled_is_detected(engine, relabel):
    """The newest event's hash given another scheme's letter (HMAC's none, an unknown one): refused."""
    with engine.db.write() as s:
        ev = s.execute(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
        assert audit.signed_by(ev.hash) == (1, audit.BLAKE2B)
        ev.hash = relabel(ev.hash)[:64]
        set_audit_head(s, ev.chain, ev.hash)
        if audit.signed_by(ev.hash) is not None:
            assert audit.signed_by(ev.hash) == (1, audit.HMAC_SHA256)
    broken = engine.verify_audit()
    assert broken is not None and ("与它的签名不符" in broken.reason or "没有审计密钥的签名" in broken.reason)


def test_a_forged_hash_that_claims_the_blake2b_scheme_is_detected(engine):
    def claims_blake2b(*fields):
        return ("1b:" + _unkeyed(*fields))[:64]
    _rewrite_chain(engine, audit.case_chain(engine.case_id), _forge_completion, claims_blake2b)
    broken = engine.verify_audit()
    assert broken is not None and broken.seq == 1 and "与它的签名不符" in broken.reason


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text()
    | st.datetimes(timezones=st.just(timezone.utc)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_canonical_json_is_json_dumps(value):
    assert audit.canonical_json(value) == json.dumps(value, **_OPTIONS)


_event = st.fixed_dictionaries({
    "case_id": st.none() | st.integers(min_value=1, max_value=2**62),
    "actor": st.text(min_size=1, max_size=12), "action": st.text(min_size=1, max_size=12),
    "at": st.sampled_from([datetime(2026, 1, 1, tzinfo=timezone.utc),
                           datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=1)])
    | st.datetimes(timezones=st.just(timezone.utc)),
    "task_id": st.none() | st.text(max_size=36),
    "detail": st.dictionaries(st.text(max_size=8), _json, max_size=4)})


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=20), st.lists(_event, min_size=1, max_size=5), st.integers(0, 10**6))
def test_the_hot_path_links_as_the_old_formula(chain, events, seq):
    key = bytes(range(32))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DUBAN_AUDIT_KEY", key.hex())
        audit.forget_keys()  # the environment names other keys now (an engine being made does this)
        try:
            rows, last_seq, last = audit._linked(
                chain, [tuple(ev[f] for f in audit.EVENT_FIELDS) for ev in events], seq, audit.GENESIS)
        finally:
            audit.forget_keys()
    keys = {1: key}
    prev = audit.GENESIS
    for i, (row, ev) in enumerate(zip(rows, events), start=seq + 1):
        detail = json.dumps(ev["detail"], **_OPTIONS)
        assert row["hash"] == _reference_blake2b_link(keys[1], 1, chain, i, ev["case_id"], ev["at"], ev["actor"],
                                              ev["action"], ev["task_id"], detail, prev)
        assert (row["seq"], row["prev_hash"], row["detail"]) == (i, prev, detail)
        prev = row["hash"]
    assert (last_seq, last) == (seq + len(events), prev)


def _payload_reference(*fields) -> bytes:
    return json.dumps(list(fields), **_OPTIONS).encode("utf-8")


def test_the_payload_written_by_msgspec_is_json_dumps_for_every_code_point():
    """``audit._payload_bytes`` writes the hot path's payload with msgspec: byte for byte what
    ``json.dumps`` (the verifier's encoder) writes, for every code point in every text field —
    control characters, quotes, backslashes, U+2028, non-BMP — and for the ints and Nones beside them.
    A lone surrogate fails as it always did."""
    stamp = datetime(2026, 1, 1, tzinfo=timezone.utc).isoformat()
    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for i in range(0, len(points), 512):
        text = "".join(points[i:i + 512])
        fields = (f"case:{i}", i, i or None, stamp, text, text[:7], text[-36:], text, "0" * 64)
        assert audit._payload_bytes(*fields) == _payload_reference(*fields), hex(i)
    for value in ("\x00", '"', "\\", "\u2028\u2029\x7f", "审计😀", "", "a\nb\tc\r\x08\x0c"):
        fields = (value, 2**70, -1, stamp, value, value, value, value, value)
        assert audit._payload_bytes(*fields) == _payload_reference(*fields)
    for surrogate in ("\ud800", "a\udfffb"):
        with pytest.raises(UnicodeEncodeError):
            audit._payload_bytes("case:1", 1, 1, stamp, surrogate, "x", None, "{}", audit.GENESIS)
        with pytest.raises(UnicodeEncodeError):
            _payload_reference("case:1", 1, 1, stamp, surrogate, "x", None, "{}", audit.GENESIS)


class _Text(str):
    pass


class _Number(int):
    pass


@pytest.mark.parametrize("odd", [
    {"actor": _Text("zhang")}, {"case_id": True}, {"case_id": _Number(7)}, {"seq": 3.0}, {"task_id": 5},
    {"stamp": datetime(2026, 1, 1, tzinfo=timezone.utc)}, {"case_id": 1.5e16}])
def test_a_payload_field_of_another_type_is_written_by_the_json_encoder(odd):
    """Fields of types the hot path never gives (a str subclass, a bool, a float, a datetime...) are
    written by ``canonical_json``, as the verifier writes them: msgspec would write some otherwise."""
    fields = {"chain": "case:1", "seq": 1, "case_id": 1, "stamp": "2026-01-01T00:00:00+00:00", "actor": "a",
              "action": "b", "task_id": None, "text": "{}", "prev_hash": audit.GENESIS, **odd}
    assert audit._payload_bytes(*fields.values()) == _payload_reference(*fields.values())


_DETAILS = [
    {"意见": "同意", "金额": 1e16, "比例": 0.1, "零": -0.0, "大": 2**80, "负": -(2**70), "小": 1e-7, "inf": float("inf"),
     "nan": float("nan"), "嵌套": {"b": [1, 2.5, None, True, False, {"z": "乙", "a": "甲"}], "a": []}},
    {"due_at": datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc).isoformat(), "day": datetime(2026, 12, 1).date(),
     "when": datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc), "set": {1}, "tuple": (1, "二"), "bytes": b"x"},
    {"text": "引号\"反斜杠\\换行\n制表\t\x00\u2028😀", "": None, "1": 1, "A": 1.0, "a": 123456789.123456789},
]


@pytest.mark.parametrize("detail", _DETAILS)
def test_details_of_every_kind_link_as_the_reference_formula(detail):
    """Chinese text, floats (1e16, 0.1, -0.0, 1e-7, inf, nan), big ints, nested dicts and lists,
    None, bools and dates as the code renders them: the hot path's links are the reference's."""
    key = bytes(range(32))
    at = datetime(2026, 12, 4, 16, 0, 0, 123456, tzinfo=timezone.utc)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DUBAN_AUDIT_KEY", key.hex())
        audit.forget_keys()
        try:
            rows, _, last = audit._linked("case:9", [(9, "张三", "completed", at, "t-1", detail),
                                                     (9, "engine", "task_opened", at, None, detail)], 4, audit.GENESIS)
        finally:
            audit.forget_keys()
    prev = audit.GENESIS
    for i, row in enumerate(rows, start=5):
        text = json.dumps(detail, **_OPTIONS)
        assert row["detail"] == text
        assert row["hash"] == _reference_blake2b_link(key, 1, "case:9", i, 9, at, row["actor"], row["action"],
                                                      row["task_id"], text, prev)
        prev = row["hash"]
    assert last == prev



@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _json, max_size=5))
def test_an_event_detail_is_written_as_json_dumps(detail):
    """``audit.detail_text`` (msgspec, keys sorted, for details of text, ints, bools, None, lists
    and dicts) writes the bytes the verifier's ``json.dumps`` writes, whatever the detail holds."""
    assert audit.detail_text(detail) == json.dumps(detail, **_OPTIONS)


def test_detail_keys_of_every_plane_sort_as_json_dumps_sorts_them():
    """Keys sorted by code point as ``json.dumps(sort_keys=True)`` sorts them, also across planes
    (UTF-16 order would put U+1F600 before U+E000), control characters and quotes in keys and text."""
    keys = ["", "a", "B", "\x00", "\"", "\\", "\u2028", "\ue000", "\uffff", "\U0001f600", "审", "甲", "乙", "1", "10", "9"]
    detail = {key: {key: [key, len(key), None, True]} for key in keys}
    assert audit.detail_text(detail) == json.dumps(detail, **_OPTIONS)
    with pytest.raises(UnicodeEncodeError):  # a lone surrogate: the payload fails as it always did
        audit._linked("case:1", [(1, "a", "b", START, None, {"x": "\ud800"})], 0, audit.GENESIS)


def test_a_plain_detail_is_not_written_by_the_json_module(monkeypatch):
    """A step's details (text, None, a dict of the submitted text) are written by msgspec: the json
    module's encoder is not called for them (counted), only for a detail holding a float."""
    calls = []
    canonical = audit.canonical_json
    monkeypatch.setattr(audit, "canonical_json", lambda value: calls.append(value) or canonical(value))
    plain = {"task": "核查", "element": "t2", "data": {"意见": "同意", "份数": 2, "附件": ["a", None]}, "due_at": None}
    rows, _, _ = audit._linked("case:1", [(1, "zhang", "completed", START, "t-1", plain)], 0, audit.GENESIS)
    assert calls == [] and rows[0]["detail"] == json.dumps(plain, **_OPTIONS)
    audit._linked("case:1", [(1, "zhang", "completed", START, "t-1", {"金额": 0.5})], 0, audit.GENESIS)
    assert calls == [{"金额": 0.5}]

# -- key rotation by another process: seen within KEY_RECHECK_SECONDS --------------------------------

def _rotate_in_another_process() -> str:
    """``duban audit new-key`` as its own process (the CLI, the key file named by the environment)."""
    done = subprocess.run([sys.executable, "-m", "webui.cli", "audit", "new-key"], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, env=dict(os.environ), timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _newest_generation(engine) -> int:
    with engine.db.read() as s:
        newest = s.execute(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    return audit.generation_of(newest)


def test_a_rotation_by_another_process_signs_new_events_within_the_recheck_time(engine, monkeypatch):
    monkeypatch.setattr(audit, "KEY_RECHECK_SECONDS", 0.3)
    assert _newest_generation(engine) == 1
    assert "第 2 代审计密钥" in _rotate_in_another_process()
    time.sleep(audit.KEY_RECHECK_SECONDS)
    engine.directory.add_org("south", "南城区", parent="city", level="区", by="admin")
    assert _newest_generation(engine) == 2
    assert engine.verify_audit() is None


def test_within_the_recheck_time_the_old_generation_signs_and_everything_verifies(engine, key_file, monkeypatch):
    monkeypatch.setattr(audit, "KEY_RECHECK_SECONDS", 3600.0)
    engine.directory.add_org("south", "南城区", parent="city", level="区", by="admin")  # the keys read (cached)
    assert "第 2 代审计密钥" in _rotate_in_another_process()
    engine.directory.add_org("west", "西城区", parent="city", level="区", by="admin")
    assert _newest_generation(engine) == 1  # not looked at the file again yet: the bound is what is promised
    with engine.db.read() as s:
        report = audit.verify_report(s)  # verify reads the file as it is now
    assert report.broken is None and report.current == 2
    with open(key_file, "a", encoding="ascii") as fh:  # another writer adds generation 3 (keys cached: 2)
        fh.write(f"3 {secrets.token_hex(32)}\n")
    # a rotation in this process starts from the file, not from its cached keys: generation 4, not a second 3
    assert audit.new_key_generation() == 4
    assert sorted(_keys(key_file)) == [1, 2, 3, 4]
    engine.directory.add_org("north", "北城区", parent="city", level="区", by="admin")
    assert _newest_generation(engine) == 4  # and signs with it at once
    assert engine.verify_audit() is None
