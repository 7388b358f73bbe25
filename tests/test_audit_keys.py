"""The audit keys as the hot path holds them (issue 15): the link's HMAC, keyed once and copied per event,
gives hmac.new's bytes for keys of every length, and the keys a process holds between looks are the ones its
environment names when an engine is made — on a real SQLite file, a real key file each."""
from __future__ import annotations

import hashlib
import hmac

import pytest

from engine import audit
from tests.support import deploy, make_engine


@pytest.mark.parametrize("length", [0, 1, 31, 32, 63, 64, 65, 100, 200])
def test_the_signer_is_hmac_sha256_for_keys_of_every_length(length):
    key = bytes((7 * i + 3) % 256 for i in range(length))
    sign = audit._Signer(12, key)
    for payload in ("", "a", '["case:7",1,7,"2026-12-03T02:00:00","张三","completed",null,"{}","0"]', "审计" * 80):
        expected = "12:" + hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()
        assert sign(payload) == expected[:audit.HASH_LENGTH]


@pytest.mark.parametrize("length", [0, 1, 31, 32, 63, 64, 65, 100, 200])
def test_the_blake2b_signer_is_keyed_blake2b_for_keys_of_every_length(length):
    """New events' scheme: keyed BLAKE2b-256, personalized; a key longer than BLAKE2b takes (64
    bytes) is hashed to 64 first. ``12b:`` names generation 12 and the scheme."""
    key = bytes((7 * i + 3) % 256 for i in range(length))
    sign = audit._Signer(12, key, audit.BLAKE2B)
    keyed = key if length <= 64 else hashlib.blake2b(key, digest_size=64, person=b"duban audit").digest()
    for payload in ("", "a", '["case:7",1,7,"2026-12-03T02:00:00","张三","completed",null,"{}","0"]', "审计" * 80):
        mac = hashlib.blake2b(payload.encode("utf-8"), key=keyed, digest_size=32, person=b"duban audit")
        assert sign(payload) == ("12b:" + mac.hexdigest())[:audit.HASH_LENGTH]
        assert audit.signed_by(sign(payload)) == (12, audit.BLAKE2B)
    assert audit.Keyring({12: key}, "test").current_signer.prefix == "12b:"


def _signed_by_its_own_key(tmp_path, monkeypatch, name: str) -> None:
    monkeypatch.delenv("DUBAN_AUDIT_KEY", raising=False)
    monkeypatch.setenv("DUBAN_AUDIT_KEY_FILE", str(tmp_path / f"{name}.key"))
    engine = make_engine(f"sqlite:///{tmp_path / name}.sqlite")
    try:
        deploy(engine, "approval.bpmn")
        engine.start("approval", by="zhang", org="east", data={"hazard": "消防通道堵塞"})
        assert engine.verify_audit() is None  # verify reads the key file the environment names now
    finally:
        engine.dispose()


def test_an_engine_made_signs_with_the_keys_its_environment_names_at_once(tmp_path, monkeypatch):
    """Two engines made one after the other, each with its own key file, well within
    KEY_RECHECK_SECONDS: the second signs with its own key, not the first one's held keys."""
    monkeypatch.setattr(audit, "KEY_RECHECK_SECONDS", 3600.0)
    _signed_by_its_own_key(tmp_path, monkeypatch, "first")
    _signed_by_its_own_key(tmp_path, monkeypatch, "second")
