"""Security review of issue 15's eighth session (安全复查八): the last session's landings attacked as a
hostile model designer, a hostile enterprise account, a curious official of another district and an
anonymous HTTP client, each hole on a real SQLite file and a real PostgreSQL database.

The audit chains' heads kept by the worker (定时任务记下审计链头). engine/audit_seal.py kept the heads
outside the database only when someone ran ``duban audit verify``: a backup restored in place after a
day of work nobody verified held every chain whole and behind nothing kept, and verify said
审计日志完整 — the day's 审批, a role taken away, gone without a word (等保 2.0 审计记录的完整性保护).
Now the timer worker (``duban worker``, and the one inside ``duban serve``) keeps the heads on its own
cadence (``--audit-heads-interval``), one writer at a time, and never moves a kept head back.

A whistleblower's phone quoted by an incident (异常说明引用的举报人信息). Since d219b36 an incident's
text says in Chinese the value a step failed on (脚本无法把「138-0013-8000」读成数字); the whistleblower's
identity is taken out of a case's data for everyone but the 举报受理员 (webui/redaction.py), yet the
incident's text on the case, in its history and in /api/incidents quoted it to the reported
enterprise's account, the inspector and the supervisor. Now the value reads 「（举报人信息已隐去）」 there.

A 双随机 draw's inputs given by the starter (发起人自带的抽查名录). POST /api/cases laid the client's data
over the enterprise and inspector lists the system takes at start: a 双随机抽查计划 drew from lists the
starter chose. Now a start giving what the system takes is refused, naming it.

A 案卷评查 naming another district's 承办人 by typed data (自填的被评查单位). The review model lets its
tasks name officials of the reviewed unit (``assigneeUnit`` = reviewed_org); started over the API with
that unit typed, any official pulled another district's 承办人 into his case. Now the reviewed unit
and 承办人 are those of the closed penalty case the start names.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import BPMN, make_engine
from tests.test_security_session_review7 import _audit_as_of_now, _restore_audit

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def audit_key(tmp_path, monkeypatch):
    """The audit key, and beside it the heads kept outside the database."""
    path = tmp_path / "keys" / "audit.key"
    monkeypatch.delenv("DUBAN_AUDIT_KEY", raising=False)
    monkeypatch.delenv("DUBAN_AUDIT_HEADS_FILE", raising=False)
    monkeypatch.setenv("DUBAN_AUDIT_KEY_FILE", str(path))
    return path


# --- the audit heads kept by the worker (定时任务记下审计链头) -------------------------------------------

def _worker(url: str, key: Path, log: Path) -> subprocess.Popen:
    env = dict(os.environ, DUBAN_DATABASE_URL=url, DUBAN_AUDIT_KEY_FILE=str(key), PYTHONPATH=str(ROOT))
    env.pop("DUBAN_AUDIT_KEY", None)
    env.pop("DUBAN_AUDIT_HEADS_FILE", None)
    return subprocess.Popen([sys.executable, "-m", "webui.cli", "-v", "worker", "--interval", "0.5",
                             "--audit-heads-interval", "1"], env=env, stdout=subprocess.DEVNULL,
                            stderr=log.open("w"), start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def _wait_for(check, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    return None


def test_an_older_backup_restored_after_the_worker_kept_the_heads_is_said_older_with_no_verify_run_since(
        database_url, audit_key, monkeypatch, tmp_path):
    """A day of work nobody verified, then the morning's backup restored in place: a real ``duban
    worker`` kept the heads meanwhile, so the first verify after the restore says in Chinese that the
    case's chain is older than its last kept head. A worker started on the restored database keeps
    nothing over them (a head never moves back) and says so in its log."""
    from click.testing import CliRunner

    from engine import audit, audit_seal
    from webui.cli import main
    engine = make_engine(database_url)
    proc = None
    try:
        engine.deploy(BPMN / "approval.bpmn", by="boss")
        case = engine.start("approval", by="zhang", org="east", data={"hazard": "消防通道堵塞"})
        backup = _audit_as_of_now(engine)  # the morning's backup
        engine.complete(engine.queue("zhang")[0].id, "zhang", {"location": "仓库"})
        chain = audit.case_chain(case.id)
        with engine.db.read() as s:
            newest = audit_seal.current_heads(s)[chain]
        assert not audit_seal.heads_file().exists()  # nobody ran verify

        proc = _worker(database_url, audit_key, tmp_path / "worker1.log")

        def kept():
            try:
                last = audit_seal.last_verified(database_url)
            except audit_seal.HeadsRefused:  # never half-written: moved over the old file whole
                raise
            return last is not None and last[1].get(chain) == newest
        assert _wait_for(kept), (tmp_path / "worker1.log").read_text()
        _stop(proc)

        _restore_audit(engine, backup)
        assert engine.verify_audit() is None  # each chain in itself holds: only a head kept elsewhere tells
        proc = _worker(database_url, audit_key, tmp_path / "worker2.log")
        said = _wait_for(lambda: "比最后一次记下的链头旧" in (tmp_path / "worker2.log").read_text(encoding="utf-8"))
        assert said, (tmp_path / "worker2.log").read_text()
        _stop(proc)
        assert audit_seal.last_verified(database_url)[1][chain] == newest  # not moved back

        monkeypatch.setenv("DUBAN_DATABASE_URL", database_url)
        restored = CliRunner().invoke(main, ["audit", "verify"], catch_exceptions=False)
        assert restored.exit_code == 1, restored.output
        assert "比最后一次核验时的链头旧" in restored.output and "可能恢复了旧备份" in restored.output, restored.output
        assert chain in restored.output, restored.output
    finally:
        if proc is not None:
            _stop(proc)
        engine.dispose()


def test_the_heads_are_kept_by_one_worker_at_a_time_and_never_moved_back(database_url, audit_key):
    """Two workers keeping at once: on PostgreSQL the second finds the first's advisory lock and keeps
    nothing (``busy``); one that comes just after finds them kept less than half a cadence ago
    (``recent``). A database behind its kept heads is never written over (``behind:`` the chain)."""
    from engine import audit, audit_seal
    engine = make_engine(database_url)
    try:
        engine.deploy(BPMN / "approval.bpmn", by="boss")
        case = engine.start("approval", by="zhang", org="east", data={"hazard": "消防通道堵塞"})
        backup = _audit_as_of_now(engine)
        url = engine.db.url
        if not engine.db.is_sqlite:
            with engine.db.engine.connect() as other:  # another host's worker, keeping now
                other.exec_driver_sql(f"SELECT pg_advisory_lock({audit_seal.KEEP_LOCK})")
                try:
                    assert audit_seal.keep(engine.db, url) == "busy"
                    assert not audit_seal.heads_file().exists()
                finally:
                    other.exec_driver_sql(f"SELECT pg_advisory_unlock({audit_seal.KEEP_LOCK})")
        assert audit_seal.keep(engine.db, url) == "kept"
        assert audit_seal.keep(engine.db, url) == "recent"
        assert audit_seal.keep(engine.db, url, every_seconds=0.001) == "same"
        engine.complete(engine.queue("zhang")[0].id, "zhang", {"location": "仓库"})
        assert audit_seal.keep(engine.db, url, every_seconds=0.001) == "kept"
        kept = audit_seal.last_verified(url)[1]
        _restore_audit(engine, backup)
        assert audit_seal.keep(engine.db, url, every_seconds=0.001) == f"behind:{audit.case_chain(case.id)}"
        assert audit_seal.last_verified(url)[1] == kept
        engine.complete(engine.queue("boss")[0].id, "boss", {"approved": True})  # past the kept head again
        assert audit_seal.keep(engine.db, url, every_seconds=0.001).startswith("behind:")
        assert audit_seal.last_verified(url)[1] == kept
    finally:
        engine.dispose()


# --- a whistleblower's phone quoted by an incident (异常说明引用的举报人信息) -----------------------------

def test_a_whistleblowers_phone_quoted_by_an_incident_is_read_by_the_intake_official_alone(database_url, tmp_path):
    """举报核查 (drawn as Camunda Modeler 5 draws it) whose script reads the tip's callback number
    as a whole number; 138-0013-8000 typed with dashes stops it, and the incident's text quotes the
    value (脚本无法把「138-0013-8000」读成数字). The reported enterprise's account, the inspector and the
    supervisor read the case with the whistleblower's fields taken out (webui/redaction.py), yet the
    incident on the case, in its history (message and trace) and in /api/incidents, on the case
    page and on the 异常事件 page, gave the number to each of them. The identity is for the 举报受理员
    alone (《安全生产领域举报奖励办法》: 不得泄露举报人的信息): now the others read 「（举报人信息已隐去）」
    where the text quoted it; the incident stored is unchanged, and the intake official reads it whole."""
    from engine.errors import IncidentRaised
    from tests.test_incident_texts_s22 import HEAD, script
    from tests.ui_support import ACME, api_client, client_login, make_world
    from webui.api import create_token
    phone, name = "138-0013-8000", "刘举报"
    world = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    e = world.engine
    try:
        e.directory.add_user("intake1", org="east", roles=["intake"], name="受理员", by="admin")
        e.deploy(HEAD.format(pid="tip_check", body=script("callback = int(whistleblower_phone)")), by="zhao",
                 filename="tip_check.bpmn")
        case = e.start("tip_check", by="zhang", org="east", title="甲化工有限公司举报核查", party=ACME,
                       data={"whistleblower_name": name, "whistleblower_phone": phone})
        (task,) = [t for t in e.queue("zhang") if t.case_id == case.id]
        with pytest.raises(IncidentRaised):
            e.complete(task.id, "zhang", {"hazard": "夜间违规动火"})
        (stored,) = e.incidents(case_id=case.id)
        assert phone in stored.message  # the value the step failed on, as the engine keeps it

        api = world.app.test_client()
        for who in ("acme", "zhang", "qian"):
            api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_token(e, who, name='测试')}"
            shown = api.get(f"/api/cases/{case.id}")
            assert shown.status_code == 200 and phone not in shown.get_data(as_text=True), (who, shown.get_json())
            assert "举报人信息已隐去" in shown.get_data(as_text=True), who
            listed = api.get("/api/incidents").get_data(as_text=True)
            assert phone not in listed, (who, listed)
        for who, page in (("acme", f"/cases/{case.id}"), ("qian", f"/cases/{case.id}"), ("qian", "/supervise/incidents")):
            html = client_login(world.app, who).get(page)
            assert html.status_code == 200 and phone not in html.get_data(as_text=True), (who, page)
        api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_token(e, 'intake1', name='测试')}"
        whole = api.get(f"/api/cases/{case.id}")
        assert whole.status_code == 200 and phone in whole.get_data(as_text=True), whole.get_json()
        (after,) = e.incidents(case_id=case.id)
        assert after.message == stored.message  # nothing lost
    finally:
        e.dispose()


# --- a 双随机 draw's inputs given by the starter (发起人自带的抽查名录) -----------------------------------

def test_a_random_inspection_plans_enterprise_and_inspector_lists_are_the_systems_not_the_starters(
        database_url, tmp_path):
    """双随机抽查计划 started through POST /api/cases with the starter's own 抽查企业名录 (one friendly
    enterprise) and 执法检查人员名录 (himself): the client's data was laid over the snapshot the system
    takes at start (workflows/start_data), so the draw would pick exactly whom he chose, and the case,
    which keeps the draw's inputs for an auditor to draw again, would prove it random (国办发〔2015〕58号:
    随机抽取检查对象，随机选派执法检查人员). Now such a start is refused (422) naming each list in Chinese
    and nothing is started; started without them, the lists are the registry's and the directory's."""
    from tests.ui_support import api_client, make_world
    world = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    e = world.engine
    try:
        api = api_client(world.app, e, 'qian')
        friendly = [{"credit_code": "91110101MA00000005", "name": "友好企业", "sector": "危化", "risk_level": "低",
                     "org_unit": "east"}]
        forged = api.post("/api/cases", json={
            "process_key": "inspection_plan", "title": "东城区第四季度双随机抽查计划",
            "data": {"draw_pool": friendly, "draw_inspectors": [{"username": "qian", "name": "钱科长", "conflicts": []}]}})
        assert forged.status_code == 422, forged.get_json()
        errors = forged.get_json()["errors"]
        assert "抽查企业名录" in errors["draw_pool"] and "执法检查人员名录" in errors["draw_inspectors"], errors
        assert e.cases("qian") == []
        plain = api.post("/api/cases", json={"process_key": "inspection_plan", "title": "东城区第四季度双随机抽查计划"})
        assert plain.status_code == 201, plain.get_json()
        data = e.case(plain.get_json()["id"]).data
        assert [p["name"] for p in data["draw_pool"]] != ["友好企业"]
        assert "qian" not in [i["username"] for i in data["draw_inspectors"]]  # a 科长, not an 执法人员 drawn
    finally:
        e.dispose()


# --- a 案卷评查 naming another district's 承办人 by typed data (自填的被评查单位) ---------------------------

def test_a_case_file_review_started_with_a_typed_reviewed_unit_names_no_other_districts_official(
        database_url, tmp_path):
    """执法案卷评查 (bpmn/case_file_review.bpmn) lets its first task's assignee come from the reviewed
    unit too (``assigneeUnit`` = reviewed_org: 交叉检查, 武进 2017). Started through POST /api/cases by
    西城's inspector 王五 with reviewed_org 东城 and case_handler 李四 typed, and no file under review,
    李四 was handed 「提交被评查案卷」 in 西城's case, a review nobody ordered (《安全生产法》第十条第一款:
    本行政区域内). Now such a start names the closed penalty case it reviews (reviewed_case_id) and the
    reviewed unit and 承办人 are that case's, as the 评查 sampling starts them (case_review.start_review);
    a start without one is refused in Chinese naming the field, nothing started."""
    from tests.ui_support import api_client, make_world
    world = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    e = world.engine
    try:
        api = api_client(world.app, e, 'wang')
        typed = api.post("/api/cases", json={"process_key": "case_file_review", "org": "west", "title": "案卷评查",
                                             "data": {"reviewed_org": "east", "case_handler": "li",
                                                      "review_mode": "交叉检查"}})
        assert typed.status_code == 422, typed.get_json()
        assert "已结案执法案件" in typed.get_json()["errors"]["reviewed_case_id"], typed.get_json()
        assert e.queue("li") == [] and e.cases("wang") == []
        someone_elses = api.post("/api/cases", json={"process_key": "case_file_review", "org": "west", "title": "案卷评查",
                                                     "data": {"reviewed_case_id": 424242, "case_handler": "li"}})
        assert someone_elses.status_code == 422 and e.queue("li") == [], someone_elses.get_json()
    finally:
        e.dispose()


def test_a_case_file_review_started_with_data_takes_the_reviewed_unit_and_handler_from_the_reviewed_case(
        database_url):
    """The same start naming a closed penalty case of 东城 (its 承办人 李四): the review's data holds
    东城 and 李四 as the sampling would (case_review.start_review); another 承办人 typed beside it is
    refused naming the field."""
    from engine.errors import InvalidData
    from tests.test_process_case_review import closed_penalty, world
    from workflows.start_data import start_data_with
    made = world(database_url)
    w = next(made)
    try:
        penalty = closed_penalty(w)
        data = start_data_with(w.engine, "case_file_review", "xicheng", {"reviewed_case_id": penalty,
                                                                          "review_mode": "交叉检查"})
        assert (data["reviewed_org"], data["case_handler"], data["review_mode"]) == ("dongcheng", "li_si", "交叉检查")
        with pytest.raises(InvalidData) as refused:
            start_data_with(w.engine, "case_file_review", "xicheng", {"reviewed_case_id": str(penalty),
                                                                      "case_handler": "wang_wu"})
        assert "与被评查案件" in refused.value.errors["case_handler"], refused.value.errors
    finally:
        made.close()


def test_the_retry_form_of_a_supervisor_holds_no_whistleblower_field_and_the_retry_keeps_them(database_url, tmp_path):
    """The 举报受理员 types the tip's 举报人 and phone with an amount 「五千」 the script cannot read; the
    supervisor's 异常事件 page offered the failed submit as its retry form with 举报人 刘举报 and the
    phone in boxes. Now those fields get no box for a reader who may not read them; the supervisor
    corrects the amount and retries, and the case keeps the whistleblower's fields as typed (the
    intake official reads them)."""
    from engine.errors import IncidentRaised
    from tests.test_incident_texts_s22 import HEAD, script
    from tests.ui_support import ACME, client_login, make_world
    phone, name = "138-0013-8000", "刘举报"
    world = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    e = world.engine
    try:
        e.directory.add_user("intake1", org="east", roles=["intake", "inspector"], name="受理员", by="admin")
        e.deploy(HEAD.format(pid="tip_fine", body=script("fine = int(amount) * 2")), by="zhao", filename="tip_fine.bpmn")
        case = e.start("tip_fine", by="intake1", org="east", title="甲化工有限公司举报核查", party=ACME)
        (task,) = [t for t in e.queue("intake1") if t.case_id == case.id]
        with pytest.raises(IncidentRaised):
            e.complete(task.id, "intake1", {"amount": "五千", "whistleblower_name": name, "whistleblower_phone": phone})
        (incident,) = e.incidents(case_id=case.id)
        qian = client_login(world.app, "qian")
        page = qian.get("/supervise/incidents").get_data(as_text=True)
        assert phone not in page and name not in page, page
        assert 'name="amount"' in page
        retried = qian.post(f"/supervise/incidents/{incident.id}/retry", data={"_csrf": qian.csrf, "amount": "5000"})
        assert retried.status_code in (200, 302, 303), retried.get_data(as_text=True)[-2000:]
        data = e.case(case.id).data
        assert data["fine"] == 10000 and data["whistleblower_phone"] == phone and data["whistleblower_name"] == name
    finally:
        e.dispose()
