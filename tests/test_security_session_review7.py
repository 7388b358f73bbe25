"""Security review of issue 15's seventh session (安全复查七): the last session's landings attacked as
a hostile model designer, a hostile enterprise account, a curious official of another district and
an anonymous HTTP client — each hole on a real SQLite file and a real PostgreSQL database, with real
models.

An official of another district named by case data (案件数据指定的外区人员). An assignee or candidate
computed from case data (``flowable:assignee="${applicant}"``, the countersign's ``${experts}``) is
data a start form, a 12350 message or an import sets. bea2e28 dropped another enterprise's account;
an official of another branch of the org tree (西城区's 王五 on 东城区's case) was still named, and
the task handed him the case to read (``policy._works_on``) and work. Who may act on a case is the
territory's own department (《中华人民共和国安全生产法》第十条第一款: 县级以上地方各级人民政府应急管理部门
对本行政区域内安全生产工作实施综合监督管理; 《中华人民共和国行政处罚法》第二十二条: 行政处罚由违法行为发生地的
行政机关管辖): the case's unit, the units above it and the units below it. Now such a name is dropped
as an unknown one is (the queue, else the starter).

An older backup restored in place (在原处恢复旧备份). Every chain's head is kept in the database, so a
backup of the morning put back over the afternoon's database holds each chain whole and
``duban audit verify`` said 审计日志完整. Now each successful verify keeps the heads it found outside
the database, beside the audit key and signed with it (engine/audit_seal.py), and the next one says
in Chinese which chain is older than its last verified head.

A name or id longer than the rows keep (超长的名称与 ID). A task, lane or process name past 256
characters (128 for a lane), an element id past 200 or a process id past 128 deployed, and on
PostgreSQL every start failed with the driver's English 「value too long」 (a 500); now the deploy
refuses it naming the element and the limit (engine/validation._check_lengths).
"""
from __future__ import annotations

import pytest

from engine.errors import Forbidden
from tests.support import BPMN, make_engine


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


# --- an official of another district named by case data (案件数据指定的外区人员) ----------------------

def test_an_official_of_another_district_named_by_case_data_is_not_assigned_work_safety_law_art10(engine):
    """整改复查申请 (Flowable 6.8, ``flowable:assignee="${applicant}"``) on 东城区's case naming 西城区's
    王五: he was assigned the task and with it the case to read. Now the task goes where an unknown
    name goes (the starter) and 王五 reads nothing; the city's 赵局 (above) and 东城区's 李四 are still
    named (安全生产法第十条第一款: 本行政区域内)."""
    engine.deploy(BPMN / "interop" / "flowable_assignee_from_data.bpmn", by="boss")
    case = engine.start("flowable_assignee_from_data", by="zhang", org="east", data={"applicant": "wang"})
    assert [t.assignee for t in engine.case(case.id).tasks] == ["zhang"]
    assert engine.queue("wang") == []
    with pytest.raises(Forbidden):
        engine.case(case.id, "wang")
    for name in ("boss", "li"):
        named = engine.start("flowable_assignee_from_data", by="zhang", org="east", data={"applicant": name})
        assert [t.assignee for t in engine.case(named.id).tasks] == [name]


# --- an older backup restored in place (在原处恢复旧备份) -------------------------------------------

def _audit_as_of_now(engine) -> dict:
    """What a backup taken now holds of the audit: the events, ``audit_head`` and the case rows' heads."""
    import sqlalchemy as sa

    from engine.schema import AuditEvent, AuditHead, Case
    with engine.db.read() as s:
        return {"last_event": s.execute(sa.select(sa.func.max(AuditEvent.id))).scalar_one(),
                "heads": [(h.chain, h.seq, h.hash) for h in s.execute(sa.select(AuditHead)).scalars()],
                "cases": s.execute(sa.select(Case.id, Case.audit_seq, Case.audit_hash)).all()}


def _restore_audit(engine, backup: dict) -> None:
    """The backup's audit put back over the database in place, as a restore of the whole older
    backup leaves it: the newer events gone, every head where it was."""
    import sqlalchemy as sa

    from engine.schema import AuditEvent, AuditHead, Case
    with engine.db.write() as s:
        s.execute(sa.delete(AuditEvent).where(AuditEvent.id > backup["last_event"]))
        s.execute(sa.delete(AuditHead))
        for chain, seq, hash_ in backup["heads"]:
            s.add(AuditHead(chain=chain, seq=seq, hash=hash_))
        for case_id, seq, hash_ in backup["cases"]:
            s.execute(sa.update(Case).where(Case.id == case_id).values(audit_seq=seq, audit_hash=hash_))


@pytest.fixture
def audit_key(tmp_path, monkeypatch):
    """The audit key (and beside it what ``duban audit verify`` last saw) outside the database."""
    path = tmp_path / "keys" / "audit.key"
    monkeypatch.delenv("DUBAN_AUDIT_KEY", raising=False)
    monkeypatch.setenv("DUBAN_AUDIT_KEY_FILE", str(path))
    return path


def test_an_older_backup_restored_in_place_is_said_older_than_the_last_verified_head(
        database_url, audit_key, monkeypatch):
    """A backup of the morning restored over the database in the afternoon (by mistake, or to undo
    what the afternoon recorded: a 审批 done, a user's role taken away): every chain in it holds, so
    ``duban audit verify`` said 审计日志完整. The heads ``verify`` last found are now kept outside the
    database, beside the key; a database whose chains are behind them is said to be older than its
    last verified head, in Chinese, naming the chain."""
    from click.testing import CliRunner

    from webui.cli import main
    engine = make_engine(database_url)
    try:
        engine.deploy(BPMN / "approval.bpmn", by="boss")
        case = engine.start("approval", by="zhang", org="east", data={"hazard": "消防通道堵塞"})
        backup = _audit_as_of_now(engine)
        engine.complete(engine.queue("zhang")[0].id, "zhang", {"location": "仓库"})
        engine.directory.add_org("south", "南城区", parent="city", level="区", by="admin")
        monkeypatch.setenv("DUBAN_DATABASE_URL", database_url)
        runner = CliRunner()
        seen = runner.invoke(main, ["audit", "verify"], catch_exceptions=False)
        assert seen.exit_code == 0 and "审计日志完整" in seen.output, seen.output
        _restore_audit(engine, backup)
        assert engine.verify_audit() is None  # each chain in itself holds: only a head kept elsewhere tells
        restored = runner.invoke(main, ["audit", "verify"], catch_exceptions=False)
        assert restored.exit_code == 1, restored.output
        assert "比最后一次核验时的链头旧" in restored.output and "可能恢复了旧备份" in restored.output, restored.output
        assert f"case:{case.id}" in restored.output or "system" in restored.output
        again = runner.invoke(main, ["audit", "verify"], catch_exceptions=False)
        assert again.exit_code == 1, again.output  # what was seen is not forgotten by being refused
    finally:
        engine.dispose()


def test_the_verified_heads_edited_without_the_key_are_refused(database_url, audit_key, monkeypatch):
    """Whoever restores the backup may edit the heads file back too: it is signed with the audit key,
    and a file edited without it is refused in Chinese, not taken as the new truth."""
    import json

    from click.testing import CliRunner

    from engine import audit_seal
    from webui.cli import main
    engine = make_engine(database_url)
    try:
        engine.deploy(BPMN / "approval.bpmn", by="boss")
        monkeypatch.setenv("DUBAN_DATABASE_URL", database_url)
        runner = CliRunner()
        assert runner.invoke(main, ["audit", "verify"], catch_exceptions=False).exit_code == 0
        path = audit_seal.heads_file()
        assert path.parent == audit_key.parent and oct(path.stat().st_mode & 0o777) == "0o600"
        entries = json.loads(path.read_text(encoding="utf-8"))
        (entry,) = entries.values()
        entry["heads"]["system"][0] -= 1
        path.write_text(json.dumps(entries), encoding="utf-8")
        refused = runner.invoke(main, ["audit", "verify"], catch_exceptions=False)
        assert refused.exit_code == 1 and "已被改动，或不是用本系统的审计密钥签名" in refused.output, refused.output
        path.unlink()  # lost: nothing to compare, the chains themselves still checked; kept again
        assert runner.invoke(main, ["audit", "verify"], catch_exceptions=False).exit_code == 0
        assert path.exists()
    finally:
        engine.dispose()


def test_the_last_case_deleted_with_its_chain_and_its_anchor_is_said_older_than_the_last_verified_head(
        database_url, audit_key, monkeypatch):
    """Each chain's head in the database is a copy of its last event's seq and hash, which anyone who
    can write the database can read: the newest case deleted with every event of its chain, its
    anchor (the last event of its counter's chain, engine/case_anchor.py) and that chain's head set
    back one event left every chain whole, and verify said 审计日志完整. Since a verify saw the case,
    the next one says the anchor chain is older than its last verified head."""
    import sqlalchemy as sa
    from click.testing import CliRunner

    from engine.schema import AuditEvent, AuditHead
    from tests.test_guards import _delete_case_and_its_chain
    from webui.cli import main
    engine = make_engine(database_url)
    try:
        engine.deploy(BPMN / "approval.bpmn", by="boss")
        engine.start("approval", by="zhang", org="east")
        gone = engine.start("approval", by="zhang", org="east")
        monkeypatch.setenv("DUBAN_DATABASE_URL", database_url)
        runner = CliRunner()
        assert runner.invoke(main, ["audit", "verify"], catch_exceptions=False).exit_code == 0
        _delete_case_and_its_chain(engine, gone.id)
        with engine.db.write() as s:
            anchor = s.execute(sa.select(AuditEvent).where(AuditEvent.case_id == gone.id)).scalar_one()
            before = s.execute(sa.select(AuditEvent).where(AuditEvent.chain == anchor.chain,
                                                           AuditEvent.seq == anchor.seq - 1)).scalar_one()
            s.execute(sa.update(AuditHead).where(AuditHead.chain == anchor.chain)
                      .values(seq=before.seq, hash=before.hash))
            s.delete(anchor)
        assert engine.verify_audit() is None  # whole in itself
        said = runner.invoke(main, ["audit", "verify"], catch_exceptions=False)
        assert said.exit_code == 1 and "比最后一次核验时的链头旧" in said.output, said.output
        assert "case_no:" in said.output or f"case:{gone.id}" in said.output, said.output
    finally:
        engine.dispose()


# --- a name or id longer than the rows keep (超长的名称与 ID) ----------------------------------------

def _approval_with(old: str, new: str) -> bytes:
    """tests/bpmn/approval.bpmn (登记审批) with ``old`` written as ``new``."""
    source = (BPMN / "approval.bpmn").read_text(encoding="utf-8")
    assert old in source
    return source.replace(old, new).encode("utf-8")


@pytest.mark.parametrize("old, new, said", [
    ('name="登记隐患"', 'name="%s"' % ("登记隐患" * 70), "用户任务「登记隐患登记隐患"),  # 280: a clause pasted as the name
    ('"register"', '"%s"' % ("register_" * 30), "的ID有 270 个字符，超过 200 个"),
    ('name="执法人员"', 'name="%s"' % ("执法人员" * 40), "泳道「执法人员执法人员"),
    ('name="登记审批"', 'name="%s"' % ("登记审批" * 70), "流程「登记审批登记审批"),
    ('"approval"', '"%s"' % ("approval" * 20), "的流程 ID有 160 个字符，超过 128 个"),
])
def test_a_name_or_id_longer_than_the_rows_keep_is_refused_at_deploy(engine, old, new, said):
    """A task, lane or process named with 280 characters (a tired designer pasting the clause), an id
    of 270: on PostgreSQL the model deployed (or the deploy was a 500) and every start failed with the
    driver's English 「value too long for type character varying(256)」 — a 500, nothing started; SQLite
    kept it. Now the deploy refuses it on both, naming the element and the limit; nothing deployed."""
    from engine.errors import InvalidModel
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(_approval_with(old, new), by="boss", filename="登记审批.bpmn")
    assert said in str(refused.value) and "无法保存" in str(refused.value), str(refused.value)
    engine.deploy(BPMN / "approval.bpmn", by="boss")  # the model as drawn: deploys and starts
    case = engine.start("approval", by="zhang", org="east")
    assert [t.name for t in engine.case(case.id).tasks] == ["登记隐患"]


# --- a task of no role handed over (无角色任务的工作交接) ---------------------------------------------

def test_a_task_of_no_role_handed_over_goes_to_someone_who_may_work_it(engine):
    """提交整改报告 of 整改复查申请 (Flowable 6.8, ``flowable:assignee="${applicant}"``, no lane: no role)
    named 李四, who leaves (工作交接 to 张三): the successor could not take it (the task has no role to
    hold), so it went 退回组待办 — with no role, nobody's queue: nobody, not even a supervisor, could
    open or work it and the case stalled. Now it goes to the successor; handed back to nobody, to the
    case's starter, else the supervisor handing over. Nothing is lost, and it is recorded."""
    engine.deploy(BPMN / "interop" / "flowable_assignee_from_data.bpmn", by="boss")
    case = engine.start("flowable_assignee_from_data", by="zhang", org="east", data={"applicant": "li"})
    (task,) = engine.case(case.id).tasks
    assert (task.assignee, task.role_code) == ("li", None)
    assert engine.hand_over("li", "eastboss", by="boss") == {"to": [task.id], "queue": []}
    assert engine.may_work(task.id, "eastboss") and not engine.may_work(task.id, "li")
    assert engine.hand_over("eastboss", None, by="boss") == {"to": [task.id], "queue": []}
    assert engine.case(case.id).tasks[0].assignee == "zhang"  # the starter
    assert engine.hand_over("zhang", None, by="boss") == {"to": [task.id], "queue": []}
    assert engine.case(case.id).tasks[0].assignee == "boss"  # the starter is the one leaving
    engine.complete(task.id, "boss", {})
    assert [t.name for t in engine.case(case.id).tasks] == ["现场复查"]
    history = [(e["action"], (e["detail"] or {}).get("to")) for e in engine.case(case.id).history]
    assert [("reassigned", "eastboss"), ("reassigned", "zhang"), ("reassigned", "boss")] == \
        [h for h in history if h[0] == "reassigned"]
