"""系统管理 › 审计链校验: when the audit chains were last verified, by whom, what was found — 完整, or
断裂 at which case and which step, in words — and a button to verify them now.

A verification walks every event of every chain and checks its MAC (engine/audit.py ``verify_report``,
what ``duban audit verify`` runs): a few tens of µs an event, so a province's million events take
minutes. No request waits for it: 立即校验 records that it started (who, when) on the ``system`` audit
chain and walks the chains in a thread of the serving process; the page says 校验中 and reloads itself
until the outcome is recorded there too (``audit_verify_started``, ``audit_verified``). The outcome is
on the audit chain itself, so it is as tamper-evident as what it vouches for, readable by every process
of the server, and needs no table of its own. As the command does, a verification that finds every
chain whole keeps their heads outside the database (engine/audit_seal.py), and the next one is checked
against them. A verification whose process ended before it finished (a restart) shows as 未完成 after
``STALE_AFTER`` and another may be started.

Administrators only (``admin.only_admins``): anyone else is told so in Chinese (403).
"""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import Blueprint, flash, g, redirect, render_template, url_for

from engine import audit, audit_seal
from engine.schema import AuditEvent, Case

from . import display, labels
from .admin import only_admins
from .auth import engine

log = logging.getLogger("duban.audit")

bp = Blueprint("admin_audit", __name__, url_prefix="/admin/audit")
bp.before_request(only_admins)

STARTED, VERIFIED = "audit_verify_started", "audit_verified"
STALE_AFTER = timedelta(hours=6)  # a verification not finished by then was cut off (its process ended)
RELOAD_SECONDS = 5  # how often the page looks again while a verification runs
WAIT_SECONDS = 1.0  # how long 立即校验 waits for the outcome before answering 校验中

# Chains other than a case's, by what they hold (engine/audit.py, webui/accounts.py, engine/case_anchor.py).
CHAIN_NAMES = {audit.SYSTEM_CHAIN: "系统记录（流程部署、机构和用户变更等）", "auth": "登录与令牌记录"}


@dataclass(frozen=True)
class Run:
    """The last verification: started (when, by whom), and its outcome once recorded."""
    started_at: datetime
    started_by: str
    finished_at: datetime | None = None
    outcome: str | None = None  # intact | broken | failed; None: still running (or cut off)
    detail: dict | None = None

    def cut_off(self, now: datetime) -> bool:
        return self.outcome is None and now - _aware(self.started_at) > STALE_AFTER


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at  # SQLite hands back naive UTC


def last_run(eng) -> Run | None:
    """The newest verification recorded on the ``system`` chain (two rows of ix_audit_event_action)."""
    with eng.db.read() as s:
        rows = s.execute(sa.select(AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.detail)
                         .where(AuditEvent.chain == audit.SYSTEM_CHAIN, AuditEvent.action.in_([STARTED, VERIFIED]),
                                AuditEvent.case_id.is_(None))
                         .order_by(AuditEvent.id.desc()).limit(2)).all()
    if not rows:
        return None
    newest = rows[0]
    detail = _loads(newest.detail)
    if newest.action == STARTED:
        return Run(newest.at, newest.actor)
    started_at = _parse_time(detail.get("started_at")) or newest.at
    return Run(started_at, detail.get("started_by") or newest.actor, newest.at, detail.get("outcome"), detail)


def _loads(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _parse_time(text) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _record(eng, action: str, by: str, detail: dict) -> None:
    with eng.db.write() as s:
        audit.append(s, chain=audit.SYSTEM_CHAIN, actor=by, action=action, at=eng.clock.now(), detail=detail)


def verify_now(eng, by: str) -> dict:
    """Walk every chain (``verify_report`` against the heads kept outside the database), record the
    outcome on the ``system`` chain and return its detail. What the thread of 立即校验 runs."""
    started = eng.clock.now()
    began = time.monotonic()
    detail: dict = {"started_at": started.isoformat(), "started_by": by}
    url = eng.db.url
    try:
        last = audit_seal.last_verified(url)
        with eng.db.read(snapshot=True) as s:  # heads and events as of one moment, as the command reads them
            report = audit.verify_report(s, last[1] if last else None)
        detail.update(events=report.events, chains=len(report.heads))
        if report.broken is None:
            audit_seal.record(url, report.heads)
            detail["outcome"] = "intact"
        else:
            b = report.broken
            detail.update(outcome="broken", chain=b.chain, seq=b.seq, event_id=b.event_id, reason=b.reason)
    except audit_seal.HeadsRefused as exc:
        detail.update(outcome="failed", reason=f"最后一次核验时记下的链头无法读取：{exc}")
    except audit.KeyUnavailable as exc:
        detail.update(outcome="failed", reason=f"读不到审计密钥。请确认审计密钥文件在原处且未被改动（必要时从密钥备份恢复），"
                                                f"并联系安全管理员（技术信息：{exc}）")
    except Exception as exc:  # noqa: BLE001 - the page must learn that the walk stopped, and why
        log.exception("审计链校验未能完成")
        detail.update(outcome="failed", reason=f"校验中途出错：{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    detail["seconds"] = round(time.monotonic() - began, 1)
    _record(eng, VERIFIED, by, detail)
    return detail


def _run_in_background(eng, by: str) -> threading.Thread:
    thread = threading.Thread(target=verify_now, args=(eng, by), name="duban-audit-verify", daemon=True)
    thread.start()
    return thread


@dataclass(frozen=True)
class Break:
    """Where a chain broke, in words: which record (a case by its title and number, or what the
    chain holds), which step of it, and why."""
    where: str
    step: str
    reason: str


def describe_break(eng, detail: dict) -> Break:
    chain, seq = str(detail.get("chain") or ""), detail.get("seq")
    step = ""
    with eng.db.read() as s:
        event = None
        if isinstance(seq, int):
            event = s.execute(sa.select(AuditEvent.at, AuditEvent.action, AuditEvent.detail)
                              .where(AuditEvent.chain == chain, AuditEvent.seq == seq)).first()
        if event is not None:
            said = _loads(event.detail)
            task = said.get("task") if isinstance(said.get("task"), str) else ""
            step = f"{labels.audit_action(event.action)}{f'「{task}」' if task else ''}"
        elif isinstance(seq, int):
            step = f"第 {seq} 条记录（已不存在）"
        if chain.startswith(audit.CASE_CHAIN_PREFIX) and chain[len(audit.CASE_CHAIN_PREFIX):].isdigit():
            case = s.execute(sa.select(Case.case_no, Case.title)
                             .where(Case.id == int(chain[len(audit.CASE_CHAIN_PREFIX):]))).first()
            where = (f"案件「{display.case_title(case.title)}」（{case.case_no}）" if case is not None
                     else "一件案件（案件记录已不存在）")
        elif chain.startswith(audit.ANCHOR_CHAIN_PREFIX):
            where = "案号登记记录"
        else:
            where = CHAIN_NAMES.get(chain, "其他审计记录")
    if isinstance(seq, int) and event is not None:
        step = f"第 {seq} 条记录：{step}"
    return Break(where, step, str(detail.get("reason") or ""))


@bp.get("/")
def index():
    eng = engine()
    run = last_run(eng)
    now = eng.clock.now()
    broken = describe_break(eng, run.detail) if run and run.outcome == "broken" and run.detail else None
    running = run is not None and run.outcome is None and not run.cut_off(now)
    return render_template("admin/audit.html", run=run, broken=broken, running=running,
                           cut_off=run is not None and run.cut_off(now), reload_seconds=RELOAD_SECONDS)


@bp.post("/verify")
def verify():
    eng = engine()
    run = last_run(eng)
    if run is not None and run.outcome is None and not run.cut_off(eng.clock.now()):
        flash("审计链校验正在进行，请等它完成后再校验", "error")
        return redirect(url_for("admin_audit.index"))
    _record(eng, STARTED, g.user.username, {})
    # A small database's chains are walked in well under a second: the page that follows shows the
    # outcome. A large one's keep walking after this wait, bounded, and the page says 校验中.
    walking = _run_in_background(eng, g.user.username)
    walking.join(WAIT_SECONDS)
    if walking.is_alive():
        flash("审计链校验已开始，完成后本页显示结果", "ok")
    return redirect(url_for("admin_audit.index"))
