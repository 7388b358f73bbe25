"""``duban audit verify`` says a broken audit chain (审计链断开) in Chinese an administrator can act on
(hsec7, session 22): what is wrong with that record, that the database may have been altered, and
what to do (从备份恢复, 联系安全管理员); the technical values (seq, the hashes cut short) follow in
「（技术信息：…）」. Each way of tampering is done on a real SQLite file and a real PostgreSQL database,
as someone who can write the database but not read the key file would, and the command's output
holds no English word of Python's or ours outside those values, the chain's name and the key's path.

等保 2.0 (GB/T 22239-2019) 8.1.4.3 安全审计 c): 应对审计记录进行保护，定期备份，避免受到未预期的删除、修改或覆盖等.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from engine import audit
from engine.schema import AuditEvent
from tests.support import BPMN, make_engine, set_audit_head
from webui.cli import main

_TECHNICAL = re.compile(r"（技术信息：[^）]*）")
_KEY_SOURCE = re.compile(r"密钥来自 [^，]*，")
_ENGLISH = ("mismatch", "expected", "hash", "seq", "error", "missing", "event", "key", "signed", "head")


@pytest.fixture
def world(database_url, tmp_path, monkeypatch):
    """A case registered and its hazard recorded (its chain: started … completed …), the audit key
    outside the database, ``duban`` pointed at the database."""
    monkeypatch.delenv("DUBAN_AUDIT_KEY", raising=False)
    monkeypatch.setenv("DUBAN_AUDIT_KEY_FILE", str(tmp_path / "keys" / "audit.key"))
    monkeypatch.setenv("DUBAN_AUDIT_HEADS_FILE", str(tmp_path / "keys" / "audit.heads"))
    monkeypatch.setenv("DUBAN_DATABASE_URL", database_url)
    engine = make_engine(database_url)
    engine.deploy(BPMN / "approval.bpmn", by="boss")
    case = engine.start("approval", by="zhang", org="east", data={"hazard": "消防通道堵塞"})
    engine.complete(engine.queue("zhang")[0].id, "zhang", {"location": "仓库"})
    engine.chain = audit.case_chain(case.id)
    yield engine
    engine.dispose()


def _verify() -> str:
    said = CliRunner().invoke(main, ["audit", "verify"], catch_exceptions=False)
    assert said.exit_code == 1, said.output
    return said.output


def _events(engine, s) -> list[AuditEvent]:
    return s.execute(sa.select(AuditEvent).where(AuditEvent.chain == engine.chain)
                     .order_by(AuditEvent.seq)).scalars().all()


def _assert_said_to_an_administrator(engine, output: str, *words: str) -> None:
    assert "审计日志已被篡改或损坏" in output or "审计日志无法核验" in output, output
    for word in words:
        assert word in output, (word, output)
    assert "联系安全管理员" in output, output
    assert "技术信息：" in output, output
    plain = _KEY_SOURCE.sub("", _TECHNICAL.sub("", output)).replace(f"审计链 {engine.chain} ", "")
    assert not [w for w in _ENGLISH if w in plain.lower()], plain
    # the frame's 「（记录 id …）」 aside, no Latin word at all
    assert not re.findall(r"[A-Za-z]{2,}", plain.replace("记录 id ", "")), plain


def test_an_event_whose_content_was_changed_is_said_altered_and_restore_from_backup(world):
    with world.db.write() as s:
        ev = next(e for e in _events(world, s) if e.action == "completed")
        ev.detail = ev.detail.replace("仓库", "办公室")
        seq = ev.seq
    output = _verify()
    _assert_said_to_an_administrator(world, output, f"第 {seq} 条", "内容与它的签名不符", "写入后被改动过",
                                     "数据库可能被改动过", "从备份恢复")


def test_an_event_deleted_from_the_middle_is_said_missing_by_its_number(world):
    with world.db.write() as s:
        events = _events(world, s)
        assert len(events) >= 3
        s.delete(events[1])
    output = _verify()
    _assert_said_to_an_administrator(world, output, "第 2 条记录不见了（被删除）", "直接接到了第 3 条", "从备份恢复",
                                     "应为 seq 2，实为 seq 3")


def test_an_event_linked_to_another_previous_one_is_said_not_to_follow_it(world):
    with world.db.write() as s:
        events = _events(world, s)
        events[2].prev_hash = events[0].hash
    output = _verify()
    _assert_said_to_an_administrator(world, output, "第 3 条", "接不上前一条", "从备份恢复")


def test_an_event_with_no_key_generation_is_said_unsigned(world):
    with world.db.write() as s:
        ev = _events(world, s)[0]
        ev.hash = "f" * 64
        s.execute(sa.update(AuditEvent).where(AuditEvent.chain == world.chain, AuditEvent.seq == 2)
                  .values(prev_hash=ev.hash))
    output = _verify()
    _assert_said_to_an_administrator(world, output, "第 1 条", "没有审计密钥的签名", "伪造的", "从备份恢复")


def test_an_event_signed_with_a_key_generation_the_key_file_lacks_says_check_the_key_file(world):
    with world.db.write() as s:
        events = _events(world, s)
        events[-1].hash = ("9b:" + events[-1].hash.partition(":")[2])[:64]
        set_audit_head(s, world.chain, events[-1].hash)
    output = _verify()
    _assert_said_to_an_administrator(world, output, "第 9 代审计密钥", "密钥文件里没有这一代密钥", "密钥备份恢复")


def test_the_newest_event_deleted_is_said_missing_with_the_count_the_head_keeps(world):
    with world.db.write() as s:
        events = _events(world, s)
        s.delete(events[-1])
        seq = events[-1].seq
    output = _verify()
    _assert_said_to_an_administrator(world, output, f"第 {seq} 条起的记录不见了", f"链头记着共 {seq} 条",
                                     f"现在只有 {seq - 1} 条", "从备份恢复")


def test_a_whole_chain_deleted_is_said_so(world):
    with world.db.write() as s:
        s.execute(sa.delete(AuditEvent).where(AuditEvent.chain == world.chain))
    output = _verify()
    _assert_said_to_an_administrator(world, output, "全部", "条记录都不见了", "从备份恢复")


def test_a_chain_whose_head_was_removed_is_said_so(world):
    with world.db.write() as s:
        set_audit_head(s, world.chain, None, seq=0)
    output = _verify()
    _assert_said_to_an_administrator(world, output, "链头（记着最后一条记录的那一行）不见了", "从备份恢复")


def test_a_head_naming_another_last_event_is_said_so(world):
    with world.db.write() as s:
        set_audit_head(s, world.chain, "1b:" + "0" * 61)
    output = _verify()
    _assert_said_to_an_administrator(world, output, "最后一条记录与链头记着的不是同一条", "从备份恢复")


def test_an_emptied_key_file_is_said_in_chinese_not_a_traceback(world, tmp_path):
    (tmp_path / "keys" / "audit.key").write_text("", encoding="utf-8")
    said = CliRunner().invoke(main, ["audit", "verify"])
    assert said.exception is None or isinstance(said.exception, SystemExit), said.exception
    assert said.exit_code == 1, said.output
    assert "读不到审计密钥" in said.output and "密钥备份恢复" in said.output, said.output
    assert "Traceback" not in said.output and "KeyUnavailable" not in said.output
