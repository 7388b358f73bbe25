"""Security review of what landed in issue 15's session (安全复查): each test is an attack on a new
surface, with real parts — real ``duban`` processes on real SQLite files, the Flask client on SQLite
and PostgreSQL.

``duban db backup`` (数据库备份, 4569777): the copy holds every case, the users' password hashes and
the audit chain; a backup folder is often shared (a mounted disk, a folder an operator's colleagues
read). The copy is its owner's only (0600), and the command follows no link planted at a name it
uses: not at the destination, not at its working file.

A start form sent after its session ended (261216f): what was typed is kept on the server for the
person whose session it was — not in the address (the proxy's access log, the browser's history, the
``next`` of the login page), and not shown to somebody else who logs in at that browser.

A step's documentation shown as its 办理规定 (dd46ede): a model's text is its author's; the task page
reads it without being held up by it.
"""
from __future__ import annotations

import gc
import os
import re
import sqlite3
import time
import stat
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from tests.interop_support import CORPUS
from tests.support import deploy, make_engine
from tests.ui_support import PASSWORD, ROOT, client_login, csrf_of, make_world, open_task
from webui.sessions import WebSession


def _duban(url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DUBAN_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "webui.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, preexec_fn=lambda: os.umask(0o022))


def _database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'duban.sqlite'}"
    engine = make_engine(url)
    deploy(engine, "timers_misc.bpmn")
    engine.start("wait_then_work", by="zhang", org="east")
    engine.dispose()
    return url


def test_a_backup_is_readable_by_its_owner_only(tmp_path):
    url = _database(tmp_path)
    target = tmp_path / "backup.sqlite"
    result = _duban(url, "db", "backup", str(target))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # with umask 022 the copy was 0644: world-readable
    assert [p.name for p in tmp_path.iterdir() if "backup" in p.name] == ["backup.sqlite"]  # nothing left beside


def test_a_link_planted_at_the_backups_working_file_is_not_written_through(tmp_path):
    """Someone who may write in the backup folder links ``<name>.partial`` to another database of the
    operator's (an older backup): the backup must not be copied over it."""
    url = _database(tmp_path)
    older = tmp_path / "older-backup.sqlite"
    with sqlite3.connect(older) as db:
        db.execute("CREATE TABLE kept (what TEXT)")
        db.execute("INSERT INTO kept VALUES ('上月的备份')")
    db.close()
    target = tmp_path / "backup.sqlite"
    target.with_name(target.name + ".partial").symlink_to(older)
    result = _duban(url, "db", "backup", str(target))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(older) as db:
        assert db.execute("SELECT what FROM kept").fetchall() == [("上月的备份",)]
    db.close()
    assert not target.is_symlink() and stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_link_at_the_destination_is_refused_and_left_alone(tmp_path):
    url = _database(tmp_path)
    elsewhere = tmp_path / "elsewhere" / "target.sqlite"  # a link leading nowhere (yet)
    target = tmp_path / "backup.sqlite"
    target.symlink_to(elsewhere)
    result = _duban(url, "db", "backup", str(target))
    assert result.returncode == 1 and "已存在" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert target.is_symlink() and not elsewhere.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


# --- a start form sent after the session ended (261216f) ------------------------------------------

def end_idle(engine, username: str) -> None:
    """The idle limit (30 minutes without a click) ends ``username``'s sessions."""
    with engine.db.write() as s:
        s.execute(sa.update(WebSession).where(WebSession.username == username)
                  .values(last_seen_at=datetime.now(timezone.utc) - timedelta(hours=1)))


@pytest.fixture
def world(tmp_path, database_url):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    w.engine.deploy(CORPUS / "flowable_leave.bpmn", by="zhao")
    yield w
    w.engine.dispose()


TYPED = {"process": "flowable_leave", "form_of": "flowable_leave", "title": "年休假申请（张三）", "party": "",
         "days": "12", "reason": "母亲住院手术，身份证号 110101195001011234"}


def _sent_after_idle(world):
    client = client_login(world.app, "zhang")
    client.get("/cases/new?process=flowable_leave")
    end_idle(world.engine, "zhang")
    sent = client.post("/cases/new", data={"_csrf": client.csrf, "start_token": "1" * 32, **TYPED})
    assert sent.status_code == 302 and sent.location.startswith("/login?next=")
    return client, sent


def test_what_was_typed_is_not_put_in_an_address(world):
    client, sent = _sent_after_idle(world)
    login = client.get(sent.location).get_data(as_text=True)
    back = client.post(sent.location, data={"_csrf": csrf_of(login), "username": "zhang", "password": PASSWORD})
    page = client.get(back.location).get_data(as_text=True)
    assert "110101195001011234" in page  # zhang is shown what zhang typed
    for address in (sent.location, back.location):  # the proxy logs both, the browser keeps both
        assert "110101195001011234" not in unquote(address) and "年休假申请" not in unquote(address), address


def test_what_was_typed_is_not_shown_to_another_who_logs_in_at_that_browser(world):
    client, sent = _sent_after_idle(world)
    login = client.get(sent.location).get_data(as_text=True)  # zhang walks away; li logs in here
    back = client.post(sent.location, data={"_csrf": csrf_of(login), "username": "li", "password": PASSWORD})
    assert back.status_code == 302
    page = client.get(back.location).get_data(as_text=True)
    assert "110101195001011234" not in page and "母亲住院" not in page and "年休假申请（张三）" not in page
    assert "110101195001011234" not in client.get("/cases/new?process=flowable_leave").get_data(as_text=True)


# --- a step's documentation on its task page (dd46ede) ---------------------------------------------

def test_a_crafted_documentation_does_not_hold_up_the_task_page(world, tmp_path):
    """A designer's model whose step documents itself with 「（a_ba_b…」 (48 KB) and a run of 100,000
    spaces: the names-from-code filter (webui/diagram.readable_rule) backtracked over them for 27 s
    and 89 s of a web worker's CPU at the first view of the task page, each of the model's
    documented steps again; the page now answers at once, the rule's Chinese shown, escaped."""
    crafted = "（" + "a_b" * 16000 + "中" + " " * 100000 + "《安全生产法》第六十五条<script>alert(1)</script>"
    model = (Path(__file__).resolve().parent / "bpmn" / "approval.bpmn").read_text(encoding="utf-8")
    model = model.replace('"approval"', '"rule_probe"').replace(
        '<bpmn:userTask id="register" name="登记隐患" />',
        f'<bpmn:userTask id="register" name="登记隐患"><bpmn:documentation>{crafted.replace("<", "&lt;")}'
        '</bpmn:documentation></bpmn:userTask>')
    path = tmp_path / "rule_probe.bpmn"
    path.write_text(model, encoding="utf-8")
    world.engine.deploy(path, by="zhao")
    case = world.engine.start("rule_probe", by="zhang", org="east", title="办理规定探针")
    task = open_task(world.engine, case.id, "register")
    zhang = client_login(world.app, "zhang")
    gc.collect()                      # a collection of the worker's earlier garbage is not this page's
    began = time.thread_time()        # this thread's CPU: the test client serves in it; another test's
    page = zhang.get(f"/tasks/{task.id}")   # leftover threads (4.0 s in stop 44's CI) are not counted
    spent = time.thread_time() - began
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert spent < 3, f"{spent:.1f} s of CPU for one task page"
    rule = re.search(r'<dd id="task-rule">(.*?)</dd>', text, re.S)
    assert rule and "《安全生产法》第六十五条" in rule.group(1) and "<script>" not in rule.group(1)


def test_a_condition_read_for_the_next_step_does_not_backtrack():
    """webui/decision_paths (bd37272) reads the conditions after a step to say where 提交 leads: a
    ``${`` and 4,000 spaces with no closing brace (a condition the deploy refuses, in a model stored
    before that check or by a tool that skips it) took 31 s of CPU (cubic); now linear. What it
    reads is unchanged for the conditions models write."""
    from webui.decision_paths import _says
    began = time.process_time()
    assert not _says("${" + " " * 4000 + "ok", "ok", True) and not _says("#{" + " " * 4000 + "x", "ok", "是")
    assert time.process_time() - began < 1
    assert _says("${  ok  }", "ok", True) and _says("${ !ok }", "ok", False) and _says("#{ok == 'true'}", "ok", True)
    assert _says("${decision == '退回'}", "decision", "退回") and not _says("${ok}", "ok", False)


# --- a file linked by a step with no form (a0e300f) -------------------------------------------------

def test_a_step_with_no_form_links_no_file_it_did_not_upload(world, tmp_path):
    """webui/attachments.foreign_links checked the file fields a step's form declares; a step with no
    form (a model drawn without one takes any data) took ``{"evidence": ["attachment:<id>/…"]}``
    through POST /api/tasks/{id}/complete — another case's file or a made-up one, stored as the
    step's evidence and shown as a file of this case. Now refused as on a form's file field."""
    from webui.api.auth import create_token
    model = (Path(__file__).resolve().parent / "bpmn" / "approval.bpmn").read_text(encoding="utf-8")
    path = tmp_path / "file_probe.bpmn"
    path.write_text(model.replace('"approval"', '"file_probe"'), encoding="utf-8")
    world.engine.deploy(path, by="zhao")
    case = world.engine.start("file_probe", by="zhang", org="east", title="附件探针")
    task = open_task(world.engine, case.id, "register")
    token = create_token(world.engine, "zhang", "probe")
    made_up = "attachment:" + "0" * 32 + "/现场照片.jpg"
    r = world.app.test_client().post(f"/api/tasks/{task.id}/complete", headers={"Authorization": f"Bearer {token}"},
                                     json={"data": {"evidence": [made_up], "approved": True}})
    assert r.status_code == 422, r.get_data(as_text=True)
    said = r.get_data(as_text=True)
    assert "现场照片.jpg" in said and "不是本环节上传的文件" in said and "evidence" not in said.replace('"evidence"', "")
    assert "evidence" not in world.engine.case(case.id).data
