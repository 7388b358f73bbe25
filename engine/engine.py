"""``Engine``: the facade of the BPMN runtime — one name per use case, each a call into the module
that does it (a newcomer finds each by file name):

| use case | module |
| --- | --- |
| start, read, list, withdraw cases; case numbers | ``cases.py`` |
| queue, claim, complete, reassign, delegate, follow-up, priority | ``tasks.py`` |
| incidents: list, retry (stored commands, a handler map) | ``incidents.py`` |
| timers: sweep due timers in batches with leases | ``timer_sweep.py`` |
| models: deploy, versions, dry run | ``models.py``, ``dryrun.py`` |
| messages and signals; external tasks | ``messages.py``; ``external_tasks.py`` |
| read queries for pages and API under one policy | ``queries.py`` |

Every call that changes a case is one pass of the step pipeline (engine/step.py) in one
transaction: lock the case, authorize, validate, load, run, write, project, audit, commit. Any
failure rolls all of it back; a failing script leaves an incident instead. This module holds only
the wiring: the database, clock, directory, policy, model store and the restored-workflow cache.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from . import audit, cases, checkpoint, external_tasks, incidents, messages, queries, sqlexec, tasks, timer_sweep
from . import state as wfstate
from .case_log import script_print
from .cases import CaseView
from .clock import SystemClock
from .database import Database
from .directory import Directory, Principal
from .external_tasks import project_external
from .messages import project_waits
from .models import ModelStore
from .policy import Policy
from .schema import Case, HumanTask, Incident
from .scripting import DubanScriptEngine
from .stall import check as stall_check
from .step import CaseRow, build_readers, jsonable, prepare_case_writes
from .workflow_cache import WORKFLOW_CACHE_BYTES, WorkflowCache, configured_bytes  # noqa: F401

__all__ = ["Engine", "CaseView"]

log = logging.getLogger("duban.engine")


class Engine:
    """Public API of the BPMN runtime. See README for a tour and docs/engine.md for the modules."""

    def __init__(self, database_url: str, clock=None, forms=None, functions: dict[str, Callable] | None = None,
                 cache_size: int | None = None, cache_bytes: int | None = None):
        budget = configured_bytes() if cache_bytes is None else cache_bytes  # (a bad setting refused first)
        self.db = Database(database_url)
        # SQLite file: WAL checkpoints on a thread, off the completions' COMMIT (engine/checkpoint.py)
        self.checkpointer = checkpoint.start_for(self, database_url)
        self.clock = clock or SystemClock()
        self.forms = forms
        self.script_engine = DubanScriptEngine(self.clock, {"print": script_print, **(functions or {})})
        # Service task handlers by name (engine/service_tasks.py), registered by the workflows layer.
        self.service_handlers: dict[str, Callable] = {}
        self.script_engine.service_handlers = self.service_handlers
        self.directory = Directory(self)
        self.policy = Policy(self.directory)
        self.models = ModelStore(self)
        # Restored workflows kept (engine/workflow_cache.py): sized by memory, ``WORKFLOW_CACHE_BYTES`` (128 MiB)
        # unless ``DUBAN_WORKFLOW_CACHE_MB`` or ``cache_bytes`` says otherwise; ``cache_size`` caps their
        # count too (0: none kept, every step restores its case from its rows).
        self.workflow_cache = WorkflowCache(cache_size, budget)
        audit.forget_keys()  # the audit keys its environment names are looked for at its first event
        # After every step: a running case must wait on something, else incident 流程停滞 (engine/stall.py).
        # and its message/signal waits are projected to ``event_wait`` (engine/messages.py).
        # and its external tasks to ``external_task`` (engine/external_tasks.py).
        self.after_step_hooks: list[Callable[[Session, Case, BpmnWorkflow], None]] = [
            stall_check, project_waits, project_external]
        # The org unit an enterprise (a case's party, 当事企业) belongs to and its name, or None when unknown: the
        # domain's registry (workflows/enterprises), registered by workflows/runtime.py; read by
        # step.check_spawn_org so model code opens no case against another unit's enterprise.
        self.party_unit: Callable[[Session, str], tuple[str, str] | None] | None = None

    def warm(self) -> int:
        """What a serving process does once it is ready, before its first request (webui/wsgi.py,
        ``duban serve --dev``, ``duban worker``): every statement the engine sends rendered for this
        database (engine/sqlexec.render_all), so the first completion after a start costs what the
        others cost (it was 5.8–7.6 ms CPU against 0.3 ms). Never by ``Engine()`` itself: a CLI
        command or a test that sends a few statements should not pay for all of them. On SQLite the
        statements a completion sends that can run matching no row are prepared on the writer
        connection too (``step.prepare_case_writes``; the case-row UPDATEs that carry the hazard-facts
        program ~1.2 ms each, once a connection), and the step's case-row makers are compiled. The
        latest models' scripts, conditions and IO mappings are compiled and planned too
        (engine/precompile.py: 1.5–3 ms of a model's first completion otherwise)."""
        rendered = sqlexec.render_all(self.db.engine.dialect)
        prepare_case_writes(self.db)
        build_readers()
        self.models.warm_code()
        return rendered

    # -- set-up and models (engine/models.py) ------------------------------------------------------
    def create_all(self) -> list[str]:
        return self.db.create_all()

    def register_service(self, name: str, handler: Callable) -> None:
        """A Python handler service tasks name (``serviceTaskOperator id`` or ``camunda:class``):
        ``handler(data, **params)`` returns a dict merged into the case data, or a value."""
        self.service_handlers[name] = handler

    def deploy(self, source, by: str = "system", filename: str | None = None, strict: bool = False,
               forms: list[tuple[str, bytes]] | None = None):
        """Store a model as its next version; ``strict`` holds it to the designer's standard
        (forms on user tasks, roles on lanes: ``engine.validation.check_bpmn``). ``forms``: Camunda 8
        ``.form`` files ((file name, content)) deployed with it, embedded where its tasks link them
        (engine/camunda_forms.py ``link_forms``)."""
        if forms:
            from pathlib import Path

            from .camunda_forms import FormError, link_forms
            from .errors import InvalidModel
            if isinstance(source, (str, Path)) and not (isinstance(source, str) and source.lstrip().startswith("<")):
                path = Path(source)
                source, filename = path.read_bytes(), filename or path.name
            raw = source.encode("utf-8") if isinstance(source, str) else source
            try:
                source = link_forms(raw, forms)
            except FormError as exc:
                raise InvalidModel(str(exc), filename=filename or "upload.bpmn") from None
        return self.models.deploy(source, by=by, filename=filename, strict=strict)

    def dry_run(self, content: bytes | str, filename: str, data_by_task: dict | None = None,
                start_data: dict | None = None, by: str = "designer", decisions: list | None = None) -> dict:
        """Walk a draft model on a throw-away database (see engine/dryrun.py); audited as ``by``'s.
        ``decisions``: the draft's own DMN files ((file name, content)), deployed there before it."""
        from .dryrun import dry_run
        return dry_run(self, content, filename, data_by_task, start_data, by=by, decisions=decisions)

    # -- cases (engine/cases.py) -------------------------------------------------------------------
    def start(self, process_key: str, by: str, org: str | None = None, data: dict | None = None,
              title: str = "", party: str | None = None, parent_case_id: int | None = None) -> CaseRow:
        """Start a case (立案/登记) of the latest version of ``process_key``; ``parent_case_id`` links it
        to the case it is about (a 挂牌督办 of an accident investigation)."""
        return cases.start(self, process_key, by, org, data, title, party, parent_case_id)

    def case(self, case_id: int, username: str | None = None) -> CaseView:
        """A case with its open tasks, data, timers, incidents and history (the audit events)."""
        return cases.case(self, case_id, username)

    def case_elements(self, case_id: int) -> dict[str, list[str]]:
        """The model elements a case has been through (for the diagram): completed, active, cancelled."""
        return cases.case_elements(self, case_id)

    def cases(self, username: str | None = None, *, status: str | None = None, process_key: str | None = None,
              case_no: str | None = None, party: str | None = None, org: str | None = None,
              limit: int = 50, offset: int = 0) -> list[Case]:
        return cases.listing(self, username, status=status, process_key=process_key, case_no=case_no,
                             party=party, org=org, limit=limit, offset=offset)

    def cancel(self, case_id: int, by: str, reason: str = "") -> None:
        """Withdraw a case (撤销): every open task and timer is cancelled."""
        cases.cancel(self, case_id, by, reason)

    def can_view(self, case_id: int, username: str) -> bool:
        return cases.can_view(self, case_id, username)

    def _next_case_no(self, s: Session, process_key: str, now: datetime) -> str:
        return cases.next_case_no(s, process_key, now)

    # -- tasks (engine/tasks.py) -------------------------------------------------------------------
    QUEUE_SORTS = tasks.QUEUE_SORTS

    def queue(self, username: "str | Principal", limit: int = 50, offset: int = 0, process_key: str | None = None,
              overdue_only: bool = False, org: str | None = None, sort: str = "due",
              follow_up_due: bool = False, after: tuple | None = None) -> list[HumanTask]:
        """Tasks this user (a username, or a principal already read) may work now, sorted by due date
        unless ``sort`` says otherwise (tasks.queue)."""
        return tasks.queue(self, username, limit, offset, process_key, overdue_only, org, sort, follow_up_due, after)

    def task(self, task_id: str) -> HumanTask:
        return tasks.task(self, task_id)

    def done_by(self, username: str, limit: int = 50, offset: int = 0) -> list[HumanTask]:
        """已办: tasks this user completed, newest first."""
        return tasks.done_by(self, username, limit, offset)

    def next_tasks(self, case_id: int, who: "str | Principal", directory_version: int | None = None) -> list:
        """The open tasks of a case this user (a username, or a principal already read) may work now:
        the next step after a completion, where it is theirs (queries.workable_in_case).
        ``directory_version``: the directory counter the principal was read at (a web request's, read
        with its token or session row): the policy's names and org paths come from the directory's
        cache at it, not read afresh for each task the user may not work."""
        p = who if not isinstance(who, str) else self.directory.principal(who)
        return queries.workable_in_case(self, p, case_id, directory_version)

    def may_work(self, task_id: str, username: str) -> bool:
        return tasks.may_work(self, task_id, username)

    def claim(self, task_id: str, username: str) -> HumanTask:
        """认领: the task leaves the group queue and waits for this user alone."""
        return tasks.claim(self, task_id, username)

    def release(self, task_id: str, username: str) -> HumanTask:
        """退回组待办: give a claimed task back to the group queue."""
        return tasks.release(self, task_id, username)

    def complete(self, task_id: str, username: str, data: dict | None = None) -> CaseRow:
        """Complete a user task with the submitted form data, and run the process on to its next wait."""
        return tasks.complete(self, task_id, username, data)

    def reassign(self, task_id: str, to_user: str, by: str, reason: str = "") -> HumanTask:
        """A supervisor hands an open task to another user who holds its role (转办)."""
        return tasks.reassign(self, task_id, to_user, by, reason)

    def reassign_all(self, from_user: str, to_user: str, by: str, reason: str = "") -> int:
        """Move every open task claimed by or assigned to ``from_user`` (absent) to ``to_user``, at once."""
        return tasks.reassign_all(self, from_user, to_user, by, reason)

    def hand_over(self, from_user: str, to_user: str | None, by: str, reason: str = "") -> dict[str, list[str]]:
        """交接 (a user leaving: 停用、调离): each open task of ``from_user`` to ``to_user`` where they
        may work it, else back to its group queue (tasks.hand_over)."""
        return tasks.hand_over(self, from_user, to_user, by, reason)

    def delegate(self, task_id: str, by: str, to_user: str, reason: str = "") -> HumanTask:
        """委托: the assignee asks ``to_user`` to work the task; it comes back to them to confirm."""
        return tasks.delegate(self, task_id, by, to_user, reason)

    def resolve(self, task_id: str, by: str, data: dict | None = None) -> HumanTask:
        """The delegate hands the task back with their work saved as a draft for the owner (办理完毕退回)."""
        return tasks.resolve(self, task_id, by, data)

    def set_follow_up(self, task_id: str, by: str, when: datetime | None) -> HumanTask:
        return tasks.set_follow_up(self, task_id, by, when)

    def set_priority(self, task_id: str, by: str, priority: int) -> HumanTask:
        return tasks.set_priority(self, task_id, by, priority)

    def release_ineligible_claims(self, s: Session, username: str) -> list[str]:
        """After a role or org change: claims the user may no longer hold go back to the group queue."""
        return tasks.release_ineligible_claims(self, s, username)

    # -- messages and signals (engine/messages.py); external tasks (engine/external_tasks.py) -------
    def correlate_message(self, name: str, by: str, case_id: int | None = None, correlation: dict | None = None,
                          data: dict | None = None, correlate_all: bool = False) -> dict:
        """Deliver message ``name`` to the one waiting step of the one waiting case (by case id and/or
        correlation values), or start a case at a message start event. NotFound if none waits;
        Conflict if several cases or steps do, unless ``correlate_all`` (then every one of them)."""
        payload = {"name": name, "case_id": case_id, "correlation": jsonable(correlation), "data": jsonable(data)}
        if correlate_all:
            payload["all"] = True
        with incidents.recorded(self, "message", by, payload, case_id=case_id):
            return messages.correlate_message(self, name, by, case_id, correlation, data, correlate_all)

    def broadcast_signal(self, name: str, by: str, data: dict | None = None, org: str | None = None) -> dict:
        """Signal ``name`` to every waiting case (in ``org`` and below) and start cases at signal
        start events; returns the case ids delivered to and started."""
        with incidents.recorded(self, "signal", by, {"name": name, "org": org, "data": jsonable(data)}):
            return messages.broadcast_signal(self, name, by, data, org)

    def fetch_and_lock(self, topic: str, worker: str, lease: int = 300, by: str = "admin",
                       limit: int = 10) -> list[dict]:
        """Lock up to ``limit`` free external tasks of ``topic`` to ``worker`` for ``lease`` seconds."""
        return external_tasks.fetch_and_lock(self, topic, worker, lease, by, limit)

    def complete_external(self, task_id: str, worker: str, data: dict | None = None, by: str = "admin") -> int:
        """The worker's result: the case runs on (model failures become an incident)."""
        with incidents.recorded(self, "external_complete", by, {"worker": worker, "data": jsonable(data)},
                                task_id=str(task_id)):
            return external_tasks.complete_external(self, str(task_id), worker, data, by)

    def fail_external(self, task_id: str, worker: str, message: str, retries: int | None = None,
                      retry_in: int = 0, by: str = "admin", details: str | None = None,
                      variables: dict | None = None) -> dict:
        """The worker could not do it: offered again while attempts remain, then an incident (unless an
        error definition of the task holds: its error is thrown, engine/external_tasks.py);
        ``variables`` go into the case data either way."""
        return external_tasks.fail_external(self, str(task_id), worker, message, retries, retry_in, by, details,
                                            variables)

    def bpmn_error_external(self, task_id: str, worker: str, code: str, message: str | None = None,
                            variables: dict | None = None, by: str = "admin") -> dict:
        """The worker reports a business error: the BPMN error ``code`` is thrown at the task (caught by
        a boundary event or event sub-process; caught by none, an incident naming the task and code)."""
        with incidents.recorded(self, "external_bpmn_error", by, {"worker": worker, "code": code, "message": message,
                                                                  "data": jsonable(variables)}, task_id=str(task_id)):
            return external_tasks.bpmn_error_external(self, str(task_id), worker, code, message, variables, by)

    # -- incidents (engine/incidents.py) -----------------------------------------------------------
    def incidents(self, open_only: bool = True, case_id: int | None = None) -> list[Incident]:
        return incidents.listing(self, open_only, case_id)

    def visible_incidents(self, username: str, open_only: bool = True, case_id: int | None = None) -> list[Incident]:
        """The incidents ``username`` may see and retry (a supervisor over the case's org unit)."""
        return incidents.visible(self, self.directory.principal(username), open_only, case_id)

    def retry_incident(self, incident_id: int, by: str, data: dict | None = None):
        """Run the failed command again (engine/incidents.py); resolves the incident on success."""
        return incidents.retry(self, incident_id, by, data)

    def can_retry(self, incident: Incident, username: str) -> bool:
        return incidents.can_retry(self, incident, username)

    def _check_incident(self, s: Session, p: Principal, inc: Incident) -> None:
        incidents.check(self, s, p, inc)

    def _record_incident(self, case_id, action, task_id, element_id, actor, payload, exc):
        return incidents.record(self, case_id, action, task_id, element_id, actor, payload, exc)

    # -- timers (engine/timer_sweep.py) ------------------------------------------------------------
    def run_due_timers(self, worker: str | None = None, limit: int = timer_sweep.CLAIM, lease_seconds: int = 60,
                       most: int | None = None) -> int:
        """Fire every timer due on the engine clock (at most ``most``); returns how many fired. Safe
        to run from many workers (engine/timer_sweep.py)."""
        return timer_sweep.run_due_timers(self, worker, limit, lease_seconds, most=most)

    def _claim_due_timers(self, worker: str, limit: int, lease_seconds: int) -> list[tuple[int, str]]:
        return timer_sweep.claim_due(self, worker, limit, lease_seconds)

    def _fire_case_timers(self, case_id: int, worker: str, force: bool = False) -> int:
        return timer_sweep.fire_case(self, case_id, worker, force)

    # -- restored workflows, by case id and version (engine/workflow_cache.py; used by step.py) ----
    def _cache_take(self, case_id: int, version: int):
        return self.workflow_cache.take(case_id, version)

    def _evict(self, case_id: int) -> None:
        self.workflow_cache.evict(case_id)

    # -- audit and shutdown ------------------------------------------------------------------------
    def verify_audit(self):
        # one snapshot: heads, then events — a step committing between them is no broken chain
        with self.db.read(snapshot=True) as s:
            return audit.verify(s)

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.db.dispose()
