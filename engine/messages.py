"""Messages and signals (消息与信号): delivering events to waiting cases, and starting cases by them.

- ``correlate_message(name, by, case_id=None, correlation=None, data=None)`` delivers a message to
  the one case waiting for it — a message catch event, receive task, message boundary event or
  event sub-process — chosen by case id and/or correlation values (SpiffWorkflow correlation
  properties of the catch event, or the case's own data fields: ``{"hazard_no": "YH-0001"}``), or
  starts a case at a message start event. No waiting case: ``NotFound`` naming the message and
  the keys; more than one: ``Conflict`` (a message goes to exactly one case). Within the case it
  goes to one waiting step: two receive tasks waiting for it behind a parallel gateway are
  ambiguous — ``Conflict`` naming both (Camunda 7's MismatchingMessageCorrelationException), where
  SpiffWorkflow completed both — unless the sender asks for every one (``correlate_all``, Camunda's
  ``correlateAll``; REST ``"all": true``), which also reaches every matching case.
- ``broadcast_signal(name, by, data=None, org=None)`` reaches every case waiting for the signal
  (in ``org`` and below), and starts a case of every model with that signal start event.
- Messages and signals a step throws that the case does not catch itself are delivered to other
  cases in the same transaction (``deliver_thrown``, called from the step pipeline). Its lookup of
  the waiting cases is rendered once (engine/sqlexec.py; built per throw with SQLAlchemy Core and
  an ORM session made for the depth counter, it cost ~0.3 ms CPU a throwing completion: 870 →
  560 µs on signal_throw.bpmn, 0.7–0.85 ms in an in-process A/B on a machine at load 9); a case reached by a chain of throws (a signal passed on, 接力)
  is reached once (``_deliver_each``).
- ``correlate_message``/``broadcast_signal`` use ``tx.orm`` (no ORM session unless a cache misses),
  a broadcast reads its waits with the directory counter, and neither builds a statement per call (a message
  by case id 32–120 µs CPU less a call, a broadcast to an org 0.4–1.2 ms less: docs/engine.md).

Who may send: a catch or start event's ``senderRoles`` property (role codes or names, comma
separated); without it any authenticated sender may. Every delivery is audited on the case.
Waiting cases are projected to the ``event_wait`` table after every step (``project_waits``, an
after-step hook), so a delivery finds its case with one indexed query.
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from SpiffWorkflow.bpmn.specs.control import StartEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import EscalationEventDefinition, SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from . import first_forms, model_forms, sqlexec, step
from .cases import STAMPS, retried
from .errors import Conflict, Forbidden, InvalidData, NotFound
from .interrupting import interrupted
from .policy import CaseHidden
from .schema import Case, EventWait
from .spec_facts import per_spec
from .state import all_workflows

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
MAX_THROW_DEPTH = 5
_WAIT = EventWait.__table__


def _kind(event_definition) -> str | None:
    if isinstance(event_definition, MessageEventDefinition):
        return "message"
    if isinstance(event_definition, SignalEventDefinition):
        return "signal"
    return None


def caught(spec, kind: str | None = None, name: str | None = None):
    """The message or signal definition a catch event waits for (of ``kind`` and ``name`` if given):
    its own, or one of an event-based gateway's (事件网关: SpiffWorkflow gathers the definitions of
    the events after it into one MultipleEventDefinition on the gateway)."""
    ed = getattr(spec, "event_definition", None)
    for d in (ed.event_definitions if isinstance(ed, MultipleEventDefinition) else [ed]):
        k = _kind(d)
        if k is not None and (not kind or k == kind) and (not name or d.name == name):
            return d
    return None


def _props(spec) -> dict:
    return (getattr(spec, "extensions", None) or {}).get("properties") or {}


def _roles(value: str | None) -> list[str] | None:
    names = [r.strip() for r in (value or "").replace("，", ",").split(",") if r.strip()]
    return names or None


def waiting_tasks(workflow, kind: str | None = None, name: str | None = None) -> list:
    found = []
    for wf in all_workflows(workflow):
        for task in wf.tasks.values():
            if task.state != TaskState.WAITING:
                continue
            if caught(task.task_spec, kind, name) is None:
                continue
            found.append(task)
    return found


def triggers(workflow, kind: str | None = None, name: str | None = None) -> list:
    """The start events of the event sub-processes (事件子流程) a message or signal starts (of
    ``kind`` and ``name`` if given): the process's, and those of each sub-process running in the case.
    SpiffWorkflow keeps them as its start's trigger specs, not as waiting tasks: the event creates the
    sub-process when it is caught."""
    return [start for _scope, _name, start in scoped_triggers(workflow, kind, name)]


def scoped_triggers(workflow, kind: str | None = None, name: str | None = None) -> list:
    """(scope workflow, event sub-process spec name, start event) for ``triggers``. SpiffWorkflow
    starts an event sub-process from its trigger specs only at the case's top (its
    ``update_collaboration``): one drawn inside a sub-process was never started — the message was
    refused as awaited by nobody (``start_inner``). A scope an interrupting event sub-process took over
    awaits none (engine/interrupting.interrupted): a second 撤回 restarted the handler, cancelling
    the first's work."""
    found = []
    scopes = all_workflows(workflow)
    for scope in scopes:
        names = getattr(scope.spec.start, "trigger_specs", None)
        if not names or scope.completed or interrupted(scope):
            continue
        for sp_name in names:
            sp_spec = workflow.subprocess_specs.get(sp_name)
            for start in getattr(sp_spec, "bpmn_start_events", None) or ():
                if caught(start, kind, name) is not None and not _started_early(scopes, scope, start):
                    found.append((scope, sp_name, start))
    return found


def _started_early(scopes, scope, start) -> bool:
    """Is a run of the event sub-process of ``start`` already there in ``scope``, its start event
    waiting? SpiffWorkflow links a triggered event sub-process to its scope's start on the spec the
    case runs on (``trigger_wf``, engine/triggered_specs.py), and the engine shares a model's spec
    between cases: a case started after another's first 补充材料 creates the run at its start, its
    start event waiting. That waiting start event is the trigger, not a second step waiting for the
    message (SpiffWorkflow's ``update_collaboration`` uses that run): counted twice, the case's first
    message was refused as ambiguous (「匹配到 2 个等待中的环节」)."""
    for sub in scopes:
        if sub is scope or getattr(sub, "parent_workflow", None) is not scope:
            continue
        for task in sub.tasks.values():
            if task.task_spec is start and task.state == TaskState.WAITING:
                return True
    return False


def start_inner(workflow, kind: str, name: str) -> None:
    """The event sub-processes inside running sub-processes that ``kind`` ``name`` starts, created in
    their scope (SpiffWorkflow's start task's ``trigger_wf``, as it does for the top's) so that their
    start event waits for the event and catches it next; the top's SpiffWorkflow creates itself."""
    for scope, sp_name, _start in scoped_triggers(workflow, kind, name):
        if scope is not workflow:
            scope.spec.start.trigger_wf(scope.task_tree, sp_name)


def _trigger_id(case_id: int, start) -> str:
    """The event_wait id of a case's event sub-process start (it has no task until it is caught)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"duban:event-subprocess:{case_id}:{start.bpmn_id or start.name}"))


def _correlation(task) -> dict:
    """The values this waiting task's correlation properties expect (evaluated on its data)."""
    ed = caught(task.task_spec)
    values = {}
    for props in (task.workflow.correlations or {}).values():
        if isinstance(props, dict):
            values.update(props)
    for prop in getattr(ed, "correlation_properties", None) or []:
        if prop.name in values:
            continue
        try:
            values[prop.name] = task.workflow.script_engine.environment.evaluate(prop.retrieval_expression,
                                                                                  dict(task.data))
        except Exception:  # the case does not know this key yet
            continue
    return step.jsonable(values) or {}


def may_catch_events(workflow) -> bool:
    """Whether any element of the case's processes (its own and those it may call or run as
    sub-processes) catches a message or signal — a catch event, receive task, boundary event,
    event gateway or event sub-process start. If none does, the case can wait for no event and
    ``project_waits`` looks through none of its tasks."""
    return _catches_events(workflow.spec) or any(_catches_events(spec) for spec in workflow.subprocess_specs.values())


@per_spec
def _catches_events(process_spec) -> bool:
    """A process spec with a task spec ``caught`` finds a message or signal for (a spec's event
    definitions are fixed when its model is parsed, and it lives as long as its model: asked once)."""
    return any(caught(spec) is not None for spec in process_spec.task_specs.values())


def project_waits(session, case, workflow) -> None:
    """After-step hook: the case's ``event_wait`` rows as its waiting message/signal events say."""
    want = {}
    if case.status == "running" and may_catch_events(workflow):
        for task in waiting_tasks(workflow):
            spec = task.task_spec
            ed = caught(spec)
            want[str(task.id)] = {
                "id": str(task.id), "case_id": case.id, "kind": _kind(ed),
                "name": ed.name, "element_id": spec.bpmn_id or spec.name,
                "org_code": case.org_code, "correlation": _correlation(task),
                "sender_roles": _roles(_props(spec).get("senderRoles"))}
        for start in triggers(workflow):
            ed = caught(start)
            tid = _trigger_id(case.id, start)
            want[tid] = {"id": tid, "case_id": case.id, "kind": _kind(ed), "name": ed.name,
                         "element_id": start.bpmn_id or start.name, "org_code": case.org_code, "correlation": {},
                         "sender_roles": _roles(_props(start).get("senderRoles"))}
    # The rows as last written ride on the workflow object, which the engine caches per case
    # version: an unchanged projection then costs no statement, and a changed one compares with
    # them instead of reading the rows (only this hook writes them). A workflow restored from rows
    # holds the ids and correlations stored (``_duban_waits_stored``: read with its rows in one
    # statement, engine/case_rows.py); any other reads them. The writes go with the step's next
    # round trip (engine/sqlexec.py ``defer``).
    last = getattr(workflow, "_duban_waits", None)
    if last is not None and last == want:
        return
    workflow._duban_waits = want
    conn = session.connection()
    if last is None:
        have = workflow.__dict__.pop("_duban_waits_stored", None)
        if have is None:
            have = {r.id: r.correlation for r in sqlexec.all_rows(conn, _WAITS_OF_CASE, {"case_id": case.id})}
    else:
        have = {tid: row["correlation"] for tid, row in last.items()}
    sqlexec.defer(conn, _DELETE_WAIT, [{"b_id": tid} for tid in have if tid not in want], many=True)
    sqlexec.defer(conn, _INSERT_WAIT, [row for tid, row in want.items() if tid not in have], many=True)
    sqlexec.defer(conn, _MOVE_WAIT, [{"b_id": tid, "correlation": row["correlation"]}
                                          for tid, row in want.items() if tid in have and have[tid] != row["correlation"]],
                       many=True)


# engine/step.py ``hooks_for``: a step of a case whose model catches no message or signal skips the hook.
project_waits.applies_to = may_catch_events  # type: ignore[attr-defined]


# The waits a sender's message or signal may reach, each with its case's party (``case_party``): who
# may send to a case is asked of the read policy (``_may_reach``) without reading the case again.
_CASE = Case.__table__
_WAITS_WITH_PARTY = sa.select(_WAIT, _CASE.c.party.label("case_party"), _CASE.c.process_key.label("case_process"),
                              _CASE.c.model_id.label("case_model")).join(_CASE, _CASE.c.id == _WAIT.c.case_id)
_MESSAGE_WAITS = sqlexec.Sql(_WAITS_WITH_PARTY.where(_WAIT.c.kind == "message", _WAIT.c.name == sa.bindparam("name")))
_MESSAGE_WAITS_OF_CASE = sqlexec.Sql(_WAITS_WITH_PARTY.where(
    _WAIT.c.kind == "message", _WAIT.c.name == sa.bindparam("name"), _WAIT.c.case_id == sa.bindparam("case_id")))
_SIGNAL_WAITS = sqlexec.Sql(sa.select(_WAIT.c.case_id, _WAIT.c.org_code, _WAIT.c.sender_roles,
                                      _CASE.c.party.label("case_party"), _CASE.c.process_key.label("case_process"),
                                      _CASE.c.model_id.label("case_model"))
                            .join(_CASE, _CASE.c.id == _WAIT.c.case_id)
                            .where(_WAIT.c.kind == "signal", _WAIT.c.name == sa.bindparam("name")))
# correlate_message: the data of the cases a message's correlation values are matched against (an
# expanding IN: run by SQLAlchemy from its compiled cache, the construct built once).
_DATA_OF_CASES = sqlexec.Sql(sa.select(Case.__table__.c.id, Case.__table__.c.data).where(
    Case.__table__.c.id.in_(sa.bindparam("ids", expanding=True))))
_WAITS_OF_CASE = sqlexec.Sql(sa.select(_WAIT.c.id, _WAIT.c.correlation).where(_WAIT.c.case_id == sa.bindparam("case_id")))
# deliver_thrown: the other cases waiting for a thrown event (what it needs of them: the case and its
# correlation values), a statement rendered once (engine/sqlexec.py) where building it on every throw
# cost ~100 µs CPU a throwing completion.
_THROWN_WAITS = sqlexec.Sql(sa.select(_WAIT.c.case_id, _WAIT.c.correlation).where(
    _WAIT.c.kind == sa.bindparam("kind"), _WAIT.c.name == sa.bindparam("name"), _WAIT.c.case_id != sa.bindparam("case_id")))
_WAITS_OF_CASE_FOR = sqlexec.Sql(sa.select(_WAIT.c.id).where(
    _WAIT.c.case_id == sa.bindparam("case_id"), _WAIT.c.kind == sa.bindparam("kind"), _WAIT.c.name == sa.bindparam("name")))
_WAIT_COLUMNS = ("id", "case_id", "kind", "name", "element_id", "org_code", "correlation", "sender_roles")
_INSERT_WAIT = sqlexec.Sql(sa.insert(_WAIT), keys=_WAIT_COLUMNS)
_DELETE_WAIT = sqlexec.Sql(sa.delete(_WAIT).where(_WAIT.c.id == sa.bindparam("b_id")))
_MOVE_WAIT = sqlexec.Sql(sa.update(_WAIT).where(_WAIT.c.id == sa.bindparam("b_id"))
                              .values(correlation=sa.bindparam("correlation")))


# --- who may send ---------------------------------------------------------------------------------
def _check_sender(engine, session, principal, sender_roles: list[str] | None, what: str,
                  directory_version: int | None = None) -> None:
    """``directory_version``: the directory counter read in this transaction, so the roles may come
    from the directory's cache (``Directory.role_for_lane``); None: read afresh."""
    if not sender_roles or "admin" in principal.roles:
        return
    if engine.directory.holds_a_lane(session, principal, sender_roles, directory_version):
        return
    raise Forbidden(f"用户 {principal.username} 无权发送{what}（须为：{'、'.join(sender_roles)}）")


class _CaseRef:
    """What the read policy asks of a case (``Policy.check_case_view``), from a wait row: its process
    too (a process kept from its party, ``partyReads`` 否, takes no message from the party)."""
    __slots__ = ("id", "org_code", "party", "process_key", "model_id")

    def __init__(self, row):
        self.id, self.org_code, self.party = row.case_id, row.org_code, row.case_party
        self.process_key, self.model_id = row.case_process, row.case_model


def _may_reach(engine, session, principal, row, directory_version: int | None, stamps=None) -> bool:
    """May ``principal`` send to the case of wait ``row``? Only to a case it may see
    (``Policy.check_case_view``: officials of the case's org unit or above, an enterprise user for
    its own enterprise's cases, a third party for the cases assigned to it); the catch event's
    ``senderRoles`` say which roles may send, not to whose cases. Before, a 西城区 inspector (or any
    user, where the model names no sender) could move a 东城区 case by its id."""
    try:
        engine.policy.check_case_view(session, principal, _CaseRef(row), directory_version,
                                      None if stamps is None else (stamps.models_count, stamps.models_newest))
    except Forbidden:
        return False
    return True


def _matches(row, case_data: dict, correlation: dict) -> bool:
    for key, value in correlation.items():
        have = (row.correlation or {}).get(key, case_data.get(key))
        if have is None or str(have) != str(value):
            return False
    return True


def _describe(name: str, correlation: dict | None, case_id) -> str:
    keys = "，".join(f"{k}={v}" for k, v in (correlation or {}).items())
    where = []
    if case_id is not None:
        where.append(f"案件 {case_id}")
    if keys:
        where.append(f"关联值 {keys}")
    return f"消息「{name}」" + (f"（{'，'.join(where)}）" if where else "")


class AmbiguousMessage(Conflict):
    """A message matching more than one waiting step of one case (``_catch`` with ``one``): ``case_no``
    the case's 案号, ``steps`` the steps by name."""

    def __init__(self, message: str, case_no: str | None, steps: list[str]):
        super().__init__(message)
        self.case_no, self.steps = case_no, steps


class ThrownMessageAmbiguous(Exception):
    """A message a case's step threw (an intermediate throw or end event with ``messageRef``, a send
    task) that matches two or more waiting steps — of one case, or of two or more cases: the incident
    on the thrower (``task_spec``: the throwing element), in Chinese naming what it matched."""

    def __init__(self, message: str, task_spec=None):
        self.task_spec = task_spec
        super().__init__(message)


def _quoted(names: list[str]) -> str:
    return "、".join(f"「{n}」" for n in names)


# --- delivery into one case -----------------------------------------------------------------------
def _deliver(engine, tx, case_id: int, kind: str, name: str, data: dict | None, actor: str,
             correlation: dict | None = None, known=None, one: bool = False) -> None:
    """Lock the case, let its waiting tasks catch the event, run it to its next wait, write.
    ``known``: the case as this transaction locked and read it (``step.case_locked_ahead``);
    ``one``: the event is for one waiting step only (a message sent without ``correlate_all``)."""
    with step.locked_step(engine, tx, case_id, actor, known=known) as st:
        _catch(st, kind, name, data, correlation, waiting_tasks(st.loaded.workflow, kind, name), one)


def _catch(st: step.Step, kind: str, name: str, data: dict | None, correlation: dict | None, catching: list,
           one: bool = False) -> None:
    """The locked case's waiting tasks ``catching`` — and its event sub-processes this event starts
    (``triggers``) — catch the event; the case runs to its next wait. ``one``: more than one of them
    waiting is refused, naming them."""
    with step.StepRequests() as requests:
        _caught(st, kind, name, data, correlation, catching, one)
        st.write(requests=requests)


def _caught(st: step.Step, kind: str, name: str, data: dict | None, correlation: dict | None, catching: list,
            one: bool = False) -> None:
    """``_catch`` without the write: the event caught, audited; the caller's step writes (and runs on)."""
    workflow = st.loaded.workflow
    starting = triggers(workflow, kind, name)
    if not catching and not starting:
        raise Conflict(f"案件 {st.case.id} 已不再等待{'消息' if kind == 'message' else '信号'}「{name}」")
    if one and len(catching) + len(starting) > 1:
        steps = [spec.bpmn_name or spec.bpmn_id for spec in [t.task_spec for t in catching] + starting]
        raise AmbiguousMessage(
            f"消息「{name}」在案件 {st.case.id} 中匹配到 {len(steps)} 个等待中的环节（{_quoted(steps)}），"
            "一条消息只能送达其中一个；如需同时送达全部，请选择送达全部（接口参数 \"all\": true）",
            st.case.case_no, steps)
    ed = caught(catching[0].task_spec if catching else starting[0], kind, name)
    correlations = dict(workflow.correlations or {})
    data = step.without_system_keys(data or {})  # the sender's 案号/单位/企业 never become this case's
    for start in starting:  # an event sub-process's start event drawing a form: its data checked as a
        drawn = model_forms.drawn_on(start)  # task's is, choices from the case's lists (valuesKey) too
        if drawn:
            data = model_forms.check(drawn, data, case_data=st.case.data)
    event = BpmnEvent(ed, payload=dict(data), correlations=correlations)
    if starting:
        step.run_model_code(start_inner, workflow, kind, name)
    step.run_model_code(workflow.catch, event)
    catching = catching + [t for w in all_workflows(workflow) for t in w.tasks.values()
                           if t.task_spec in starting and t.state == TaskState.READY]  # the sub-processes started
    for task in catching:  # a model without a message variable still gets the data
        if task.state != TaskState.WAITING and data and getattr(ed, "message_var", None) is None \
                and getattr(ed, "variable", None) is None:
            task.data.update(data)
    st.audit(f"{kind}_received", detail={"name": name, "correlation": step.jsonable(correlation or {}),
                                         "data": step.jsonable(data or {}),
                                         "elements": sorted({t.task_spec.bpmn_id or "" for t in catching})})


def _deliver_each(engine, tx, targets: list[int], kind: str, name: str, data: dict | None, actor: str,
                  one: bool = False) -> list[int]:
    """Deliver the event to each of ``targets`` (the cases its rows said wait for it, read before
    any was reached) in turn; returns those reached. A delivery may reach further cases itself —
    a case that catches a signal and throws it on (接力) reaches the others waiting for it, in the
    same transaction (``deliver_thrown``) — so once one did, each next target is asked again
    whether it still waits (one statement) and left out if the event reached it already: before,
    the step that threw the first signal failed with Conflict (案件已办结) on the case that had
    already caught it, and nothing of it was written. ``one``: as ``_deliver``'s (a thrown message)."""
    delivered: list[int] = []
    recheck = False
    for target in targets:
        if recheck and not sqlexec.all_rows(tx.conn, _WAITS_OF_CASE_FOR,
                                            {"case_id": target, "kind": kind, "name": name}):
            continue
        before = tx.info.get("duban_deliveries", 0)
        _deliver(engine, tx, target, kind, name, data, actor, one=one)
        info = tx.info  # the session's, if the delivery made one
        count = info["duban_deliveries"] = info.get("duban_deliveries", 0) + 1
        recheck = recheck or count != before + 1
        delivered.append(target)
    return delivered


def _start_models(engine, session, kind: str, name: str, models_stamp: tuple | None) -> list[tuple[str, list[str] | None]]:
    """(process key, sender roles) of every latest model whose start event waits for ``name``;
    parsed once per models' stamp (``models_stamp``: read in this transaction)."""
    return engine.models.found_in_latest(("start", kind, name), models_stamp,
                                         lambda: _find_start_models(engine, session, kind, name))


def _find_start_models(engine, session, kind: str, name: str) -> list[tuple[str, list[str] | None]]:
    found = []
    for model in engine.models._latest_all(session, "bpmn"):
        pf = engine.models._read(model.content.encode("utf-8"), model.filename)
        if model.key not in pf.keys:
            continue
        root = pf.root
        refs = {m.get("id"): m.get("name") or m.get("id")
                for m in root.iter(f"{BPMN}{'message' if kind == 'message' else 'signal'}")}
        process = next((p for p in root.iter(f"{BPMN}process") if p.get("id") == model.key), None)
        if process is None:
            continue
        for start in process.findall(f"{BPMN}startEvent"):
            for ed in start.findall(f"{BPMN}{kind}EventDefinition"):
                ref = ed.get(f"{kind}Ref")
                if refs.get(ref, ref) == name:
                    roles = None
                    for prop in start.iter("{http://spiffworkflow.org/bpmn/schema/1.0/core}property"):
                        if prop.get("name") == "senderRoles":
                            roles = _roles(prop.get("value"))
                    found.append((model.key, roles))
    return found


def start_at_event(workflow, kind: str, name: str) -> dict:
    """A new case's workflow, before its first engine steps, made to start at the start event that
    catches ``kind`` ``name``: a process with several start events (SpiffWorkflow puts a split before
    them and a join after, the first to finish cancelling the rest) has its Start and split run — no
    model code in either — and each none start event, ready to run by itself, cancelled
    (``Task.cancel``), so the event's start event waits for the event (caught next,
    ``_start_by_event``) and its flow runs, not the none start's. Before, a message start beside a
    none start (camunda7_report_or_message: 群众举报) ran the none start's flow (现场复查) and the
    join cancelled the message start. A process with one start event is left as it is. Returns the
    ``started`` audit detail naming the start event (its element id and name)."""
    starts = model_forms.start_events(workflow.spec)
    chosen = [ts for ts in starts if caught(ts, kind, name) is not None]
    if not chosen:
        return {}
    if isinstance(workflow.spec.start.outputs[0], StartEventSplit) and any(
            isinstance(ts.event_definition, NoneEventDefinition) for ts in starts):
        start = next(t for t in workflow.tasks.values() if t.task_spec is workflow.spec.start)
        start.run()
        (split,) = start.children
        split.run()
        for task in split.children:
            if isinstance(task.task_spec.event_definition, NoneEventDefinition) and task.state == TaskState.READY:
                task.cancel()
    ts = chosen[0]
    return {"start_event": {"element": ts.bpmn_id or ts.name, "name": ts.bpmn_name or "", "kind": kind,
                            "event": name}}


def _start_by_event(engine, tx, principal, key: str, kind: str, name: str, data: dict | None, org: str | None,
                    correlation: dict | None, stamps) -> step.CaseRow:
    """A case of ``key`` started by the event; if the new case then waits for the event (a start
    event that only starts it, a catch right after), it catches it in the same transaction — the
    case as this transaction made it, no lock or read needed (nobody else can see it yet).
    ``stamps``: the directory counter and the models' stamp read in this transaction."""
    s = tx.orm
    org = org or principal.org_code
    version, models_stamp = stamps.directory_version or 0, (stamps.models_count, stamps.models_newest)
    try:
        engine.directory.cached_org_path(s, org, version)
    except NotFound:
        raise InvalidData({"org": f"组织机构不存在: {org}"}) from None
    engine.policy.check_start(s, principal, org, principal.party, key, version=version, models_stamp=models_stamp)
    # The data the event brings, checked against the form drawn on the start event that catches it
    # (required fields, types, as typed: 2026年12月1日), as 发起案件's data is against the none start's;
    # what is checked is what the case starts with and what the catch delivers. The event's data is
    # the case's data: a field whose choices come from the case (valuesKey) takes them from the list
    # the event brings, and a value outside it is refused as on a task's form.
    _model, bundle = engine.models.bundle_for_start(s, key, models_stamp)
    spec, _subprocess_specs = engine.models.specs(s, bundle)
    drawn = model_forms.event_start_form(spec, lambda ts: caught(ts, kind, name) is not None)
    if drawn:
        data = model_forms.check(drawn, dict(data or {}), case_data=dict(data or {}))
    if data:  # what else it brings, as the first tasks after that start event read it (engine/first_forms.py)
        event = next((ts for ts in model_forms.start_events(spec) if caught(ts, kind, name) is not None), None)
        if event is not None:
            data = first_forms.check(engine.forms, spec, event, dict(data), skip=model_forms.field_ids(drawn))
    return step.start_in(engine, tx, key, principal, org, dict(data or {}), "", principal.party,
                         models_stamp=models_stamp, org_checked=True, by_event=True,
                         start_at=lambda workflow: start_at_event(workflow, kind, name),
                         on_first_wait=_catch_at_start(principal.username, kind, name, data, correlation))


def _catch_at_start(actor: str, kind: str, name: str, data: dict | None, correlation: dict | None):
    """What a case just started by the event does at its first wait (``step.start_in``'s
    ``on_first_wait``): if it then waits for the event (a start event that only starts it, a catch
    right after), it catches it — the case as this transaction is making it, no lock or read needed
    (nobody else can see it yet), and its start and the catch written once. Before 2026-12-08 the
    catch was a second step of the new case, written again in full after its start had been (its
    task rows, projections, case row: bpmnio_two_pools_message_flow's completion throwing 整改指令书
    paid 1.6 ms CPU where the naive app's paid 0.8)."""
    def catch(st: step.Step) -> None:
        workflow = st.loaded.workflow
        if step.workflow_completed(workflow):
            return
        catching = waiting_tasks(workflow, kind, name)
        if catching or triggers(workflow, kind, name):
            _caught(step.Step(st.engine, st.tx, st.case, st.loaded, actor), kind, name, data, correlation, catching)
    return catch


# --- public use cases -----------------------------------------------------------------------------
def correlate_message(engine, name: str, by: str, case_id: int | None = None, correlation: dict | None = None,
                      data: dict | None = None, correlate_all: bool = False) -> dict:
    """Deliver message ``name`` to the one waiting step of the one case waiting for it (every one of
    them: ``correlate_all``), or start a case at a message start event. Returns {"case_id",
    "started"} (and with ``correlate_all`` ``case_ids``: every case reached). One transaction."""
    correlation = dict(correlation or {})
    step.refuse_function_names(engine, data or {})

    def run() -> dict:
        with step.transaction(engine) as tx:
            s = tx.orm  # an ORM session only if a cache misses (engine/step.py LazySession)
            # With the directory counter and the models' stamp, in one round trip: the sender and
            # the roles then come from the directory's cache, a model to start from the models'.
            # A message to a named case locks and reads that case first, in the same round trip.
            ahead = None if case_id is None else step.lock_case_ahead(tx, case_id)
            waits = (sqlexec.defer(tx.conn, _MESSAGE_WAITS, {"name": name}) if case_id is None
                     else sqlexec.defer(tx.conn, _MESSAGE_WAITS_OF_CASE, {"name": name, "case_id": case_id}))
            stamps = sqlexec.first(tx.conn, STAMPS)
            rows = waits.all()
            version = tx.directory_version = stamps.directory_version or 0
            principal = engine.directory.cached_principal(by, s, version)
            data_of = {}
            # The case data only of the cases whose wait does not hold every key itself (a key the
            # catch event's correlation properties give is in the row), by a statement built once.
            ids = sorted({r.case_id for r in rows if not correlation.keys() <= (r.correlation or {}).keys()})
            if ids:
                data_of = {cid: d or {} for cid, d in sqlexec.all_rows(tx.conn, _DATA_OF_CASES, {"ids": ids})}
            matching = [r for r in rows if _matches(r, data_of.get(r.case_id, {}), correlation)]
            # only the cases the sender may see: another unit's or enterprise's case waiting for the
            # same message is not there for it (by its id: refused, as the case page refuses it)
            reached = [r for r in matching if _may_reach(engine, s, principal, r, version, stamps)]
            if case_id is not None and matching and not reached:
                if principal.party:  # to an enterprise another's case, or one kept from it, is not there
                    raise CaseHidden(f"没有等待{_describe(name, correlation, case_id)}的案件，也没有以该消息开始的流程")
                raise Forbidden(f"无权向该案件发送消息「{name}」：案件属于其他组织机构或企业")
            matching = reached
            cases = sorted({r.case_id for r in matching})
            if len(cases) > 1 and not correlate_all:
                raise Conflict(f"{_describe(name, correlation, case_id)}匹配到 {len(cases)} 个等待中的案件，"
                               "一条消息只能送达一个案件，请给出案件或更多关联值；如需同时送达全部，请选择送达全部"
                               "（接口参数 \"all\": true）")
            if cases:
                for each in cases:  # the sender may send to every one before any is reached
                    _check_sender(engine, s, principal, next((r.sender_roles for r in matching
                                                              if r.case_id == each and r.sender_roles), None),
                                  f"消息「{name}」", version)
                target = cases[0]
                _deliver(engine, tx, target, "message", name, data, by, correlation,
                         step.case_locked_ahead(ahead) if case_id is not None else None, one=not correlate_all)
                for other in cases[1:]:
                    _deliver(engine, tx, other, "message", name, data, by, correlation)
                started = False
            else:
                starts = _start_models(engine, s, "message", name, (stamps.models_count, stamps.models_newest)) \
                    if case_id is None else []
                if not starts:
                    raise NotFound(f"没有等待{_describe(name, correlation, case_id)}的案件，也没有以该消息开始的流程")
                if len(starts) > 1:
                    raise Conflict(f"消息「{name}」可以开始 {len(starts)} 个流程（{'、'.join(k for k, _ in starts)}），"
                                   "一条消息只能开始一个")
                key, roles = starts[0]
                _check_sender(engine, s, principal, roles, f"消息「{name}」", version)
                target = _start_by_event(engine, tx, principal, key, "message", name, data, None, correlation,
                                         stamps).id
                started = True
        step.commit_cache(engine, tx)
        if correlate_all:
            return {"case_id": target, "started": started, "case_ids": cases if not started else [target]}
        return {"case_id": target, "started": started}

    return retried(run, f"消息「{name}」")  # a deadlock's victim (a first case of a 案号 prefix) runs again


def broadcast_signal(engine, name: str, by: str, data: dict | None = None, org: str | None = None) -> dict:
    """Signal ``name`` to every case waiting for it (in ``org`` and below) and start a case of every
    model whose start event waits for it. Returns {"delivered": [case ids], "started": [case ids]}.
    One transaction, as ``correlate_message``."""
    step.refuse_function_names(engine, data or {})

    def run() -> dict:
        with step.transaction(engine) as tx:
            s = tx.orm  # an ORM session only if a cache misses (engine/step.py LazySession)
            waits = sqlexec.defer(tx.conn, _SIGNAL_WAITS, {"name": name})  # with the stamps: one round trip
            stamps = sqlexec.first(tx.conn, STAMPS)
            rows = waits.all()
            version = tx.directory_version = stamps.directory_version or 0
            principal = engine.directory.cached_principal(by, s, version)
            if org:  # the org unit and those below it from the directory's cache at this counter
                d = engine.directory
                below = set(d.cached_org_codes_below(s, d.cached_org_path(s, org, version), version))
                rows = [r for r in rows if r.org_code in below]
            rows = [r for r in rows if _may_reach(engine, s, principal, r, version, stamps)]  # cases it may see
            by_case: dict[int, list] = {}
            for r in rows:
                by_case.setdefault(r.case_id, []).append(r)
            for case_rows in by_case.values():
                _check_sender(engine, s, principal, next((r.sender_roles for r in case_rows if r.sender_roles), None),
                              f"信号「{name}」", version)
            delivered = _deliver_each(engine, tx, sorted(by_case), "signal", name, data, by)
            started = []
            for key, roles in _start_models(engine, s, "signal", name, (stamps.models_count, stamps.models_newest)):
                _check_sender(engine, s, principal, roles, f"信号「{name}」", version)
                started.append(_start_by_event(engine, tx, principal, key, "signal", name, data, org, None, stamps).id)
        step.commit_cache(engine, tx)
        return {"delivered": delivered, "started": started}

    return retried(run, f"信号「{name}」")


def deliver_thrown(engine, tx, case, events: list, workflow=None, actor: str | None = None) -> None:
    """Messages and signals a step threw that its own case did not catch: to other waiting cases,
    in the same transaction (a message to one waiting step of one case, a signal to all). Audited on
    the throwing case; chains of cases throwing to each other stop after MAX_THROW_DEPTH hops.
    ``workflow``: the throwing case's, to name the throwing element in an incident.

    A thrown message follows the rule a sent one does (``correlate_message`` without
    ``correlate_all``): it is for one waiting step. Matching two or more — two receive tasks of one
    case behind a parallel gateway, or the waiting steps of two cases its correlation does not tell
    apart — it is an incident on the thrower (``ThrownMessageAmbiguous``: the step that threw it is
    rolled back, nothing is delivered) naming the throwing element and the steps or cases it
    matched, in Chinese, for the process designer to give the message correlation values or to
    throw a signal. Not a broadcast: a message has one sender and one receiver (BPMN 2.0.2 §9.3
    Message Flow; Camunda 8: "a single sender to a single recipient relationship (1:1), as the
    message cannot have more than one recipient"), and Camunda 7's ``correlate()`` — what a Java
    delegate behind a message throw event calls — refuses two matches with
    MismatchingMessageCorrelationException, the failure becoming the thrower's incident;
    ``correlateAll`` is a sender's explicit choice, which a model's throw cannot make. A signal
    (BPMN's broadcast, §10.5.4) reaches every waiting case. Before, the message reached the
    waiting case with the lowest id only, and in it every matching step. Nothing waiting: the
    message starts a case of the one model whose start event waits for it, as a sent message does
    (``_start_by_thrown_message``); no such model, or several: not delivered (Camunda 8 discards
    it), said in the thrower's record. ``actor``: whose step threw them (a case they start is
    started by that person: ``_starter``)."""
    # The depth rides on the transaction's ``info`` (the session's once it has one: a delivery may
    # make it, so ``tx.info`` is asked afresh each time), not on ``tx.session``: a throwing step
    # whose case and catchers need no ORM session then makes none.
    depth = tx.info.get("duban_throw_depth", 0)
    if depth >= MAX_THROW_DEPTH:
        return
    tx.info["duban_throw_depth"] = depth + 1
    try:
        _deliver_thrown(engine, tx, case, events, workflow, _starter(case, actor))
    finally:
        tx.info["duban_throw_depth"] = depth


# The actors of steps no person took: a delivery of a message or signal, a timer's firing.
_ENGINE_ACTORS = frozenset({"engine", "timer"})


def _starter(case, actor: str | None) -> str:
    """Who starts the cases a thrown message or signal starts: the person whose step threw it, else
    (a timer fired, or a delivery threw on) the one who started the throwing case. Not "engine":
    a task of the new case that names no role, lane or person goes to its starter
    (engine/projection.py), and "engine" is nobody who can log in — a bpmn.io collaboration without
    lanes (送达指令书 to the enterprise pool's 收到指令书) stalled at its first task."""
    return actor if actor and actor not in _ENGINE_ACTORS else case.started_by


def _deliver_thrown(engine, tx, case, events: list, workflow, starter: str) -> None:
    for event in events:
        ed = event.event_definition
        kind = _kind(ed)
        if kind is None:
            if isinstance(ed, EscalationEventDefinition):  # nobody caught it: the case goes on, said in its record
                tx.audit.case(case.id, actor="engine", action="escalation_not_caught", at=engine.clock.now(),
                              detail={"name": ed.name, "code": ed.code})
            continue
        payload = event.payload if isinstance(event.payload, dict) else (
            {} if event.payload is None else {"payload": event.payload})
        params = {"kind": kind, "name": ed.name, "case_id": case.id}
        stamps = None
        if kind == "signal":  # the models' stamp (the models a signal starts) with the lookup: one round trip
            waits = sqlexec.defer(tx.conn, _THROWN_WAITS, params)
            stamps = sqlexec.first(tx.conn, STAMPS)
            rows = waits.all()
        else:
            rows = sqlexec.all_rows(tx.conn, _THROWN_WAITS, params)
        if kind == "message":
            flat = {}
            for props in (event.correlations or {}).values():
                if isinstance(props, dict):
                    flat.update(props)
            rows = [r for r in rows if all(str((r.correlation or {}).get(k, v)) == str(v) for k, v in flat.items())]
        targets = sorted({r.case_id for r in rows})
        if kind == "message" and len(targets) > 1:
            raise step.ProcessFailure(_ambiguous_throw(tx, workflow, ed, cases=targets))
        try:
            delivered = _deliver_each(engine, tx, targets, kind, ed.name, payload, "engine", one=kind == "message")
        except AmbiguousMessage as ambiguous:
            raise step.ProcessFailure(_ambiguous_throw(tx, workflow, ed, steps=ambiguous.steps,
                                                       case_no=ambiguous.case_no)) from None
        detail = {"name": ed.name, "delivered_to": delivered}
        if kind == "signal":
            started = _start_by_thrown_signal(engine, tx, case, ed.name, payload, stamps, starter)
            if started:
                detail["started"] = started
        elif not targets and (started := _start_by_thrown_message(engine, tx, case, ed.name, payload, starter)):
            detail["started"] = started
        tx.audit.case(case.id, actor="engine", action=f"{kind}_thrown", at=engine.clock.now(), detail=detail)


def _start_by_thrown_signal(engine, tx, case, name: str, data: dict, stamps, starter: str) -> list[int]:
    """A case of every model whose start event waits for the signal a step threw, in the thrower's
    org unit and for its party, started for ``starter`` with the signal's variables (a Camunda 7
    ``camunda:in``, Zeebe's input mappings: engine/dialects._signal_variables; none: no data), as
    Camunda 7, Camunda 8 and Flowable start them (BPMN 2.0 §10.5.4: a signal start event catches a
    thrown signal as a sent one). Before, only a signal sent from outside (``broadcast_signal``)
    started cases: 寒潮预警 thrown by 发布寒潮预警 reached no 企业防冻自查."""
    models_stamp = (stamps.models_count, stamps.models_newest)  # read with the lookup of its catchers
    started = []
    for key, _roles in _start_models(engine, tx.orm, "signal", name, models_stamp):
        new = step.start_in(engine, tx, key, None, case.org_code, dict(data), "", case.party, actor=starter,
                            models_stamp=models_stamp, org_checked=True, by_event=True,
                            start_at=lambda workflow: start_at_event(workflow, "signal", name),
                            on_first_wait=_catch_at_start("engine", "signal", name, data, None))
        started.append(new.id)
    return started


def _start_by_thrown_message(engine, tx, case, name: str, data: dict, starter: str) -> list[int]:
    """A message a step threw that no case waits for starts a case of the one model whose start
    event waits for it, in the thrower's org unit and for its party, as a message sent from outside
    does (``correlate_message``), Camunda 8's publish and Camunda 7's correlate do, and as a
    collaboration's message flow from one pool to another's message start means (bpmn.io's two
    executable pools: 送达指令书 to 收到指令书). Models of several such processes: none is started,
    as before (the thrower's record says it was delivered to nobody). Before, a thrown message with
    nothing waiting was delivered to nobody even when a model starts with it. Read only then."""
    stamps = sqlexec.first(tx.conn, STAMPS)
    models_stamp = (stamps.models_count, stamps.models_newest)
    starts = _start_models(engine, tx.orm, "message", name, models_stamp)
    if len(starts) != 1:
        return []
    new = step.start_in(engine, tx, starts[0][0], None, case.org_code, dict(data), "", case.party, actor=starter,
                        models_stamp=models_stamp, org_checked=True, by_event=True,
                        start_at=lambda workflow: start_at_event(workflow, "message", name),
                        on_first_wait=_catch_at_start("engine", "message", name, data, None))
    return [new.id]


# By 案号 only: the cases a thrown message matched may be another unit's, whose titles (an
# enterprise's name, a 举报's words) the thrower's supervisors may not read (policy.check_case_view).
_CASE_NUMBERS = sqlexec.Sql(sa.select(Case.__table__.c.case_no)
                            .where(Case.__table__.c.id.in_(sa.bindparam("ids", expanding=True)))
                            .order_by(Case.__table__.c.id))


def _ambiguous_throw(tx, workflow, ed, cases: list[int] | None = None, steps: list[str] | None = None,
                     case_no: str | None = None) -> ThrownMessageAmbiguous:
    """The incident of a thrown message matching two or more cases (``cases``) or two or more steps
    of one case (``steps``, the case's ``case_no``), naming the throwing element."""
    spec = _thrower(workflow, ed)
    who = f"「{spec.bpmn_name or spec.bpmn_id}」抛出的" if spec is not None else _called_thrower(workflow, ed)
    if cases:
        names = [f"「{no}」" for (no,) in sqlexec.all_rows(tx.conn, _CASE_NUMBERS, {"ids": cases})]
        matched = f"匹配到 {len(cases)} 个等待中的案件（{'、'.join(names)}），一条消息只能送达一个案件"
        fix = "请流程设计员为该消息设置关联值以区分这些案件，或改用信号（送达全部等待的案件）"
    else:
        matched = (f"在案件「{case_no}」中匹配到 {len(steps or [])} 个等待中的环节（{_quoted(steps or [])}），"
                   "一条消息只能送达其中一个")
        fix = "请流程设计员为这些环节设置不同的消息，或改用信号（送达全部等待的环节）"
    return ThrownMessageAmbiguous(f"{who}消息「{ed.name}」{matched}，未送达；{fix}", spec)


def _called_thrower(workflow, ed) -> str:
    """Who threw ``ed`` when no running (sub)process holds it: a called process's message end event
    — its step ended the called process, which is pruned from the case by then. Named as the called
    process and the event, from the case's called-process specs (「被调用流程「通知整改完成」的结束事件
    「发出整改完成」抛出的」): before, the incident said 「本案件抛出的」 and a designer had to find which
    of the case's processes threw it. The spec that holds the very definition, else the one element
    of those processes throwing a message of that name; none (or several): the case itself."""
    specs = getattr(workflow, "subprocess_specs", None) or {}
    found = [(process, spec) for process in specs.values() for spec in process.task_specs.values()
             if getattr(spec, "event_definition", None) is ed]
    if not found:
        found = [(process, spec) for process in specs.values() for spec in process.task_specs.values()
                 if isinstance(getattr(spec, "event_definition", None), type(ed))
                 and getattr(spec.event_definition, "name", None) == ed.name
                 and getattr(spec, "bpmn_id", None) and not getattr(spec, "catch", False)]
    if len(found) != 1:
        return "本案件抛出的"
    process, spec = found[0]
    kind = "结束事件" if isinstance(spec, EndEvent) else "环节"
    return (f"被调用流程「{process.description or process.name}」的{kind}"
            f"「{spec.bpmn_name or spec.bpmn_id}」抛出的")


def _thrower(workflow, ed):
    """The element of ``workflow`` that threw the event ``ed`` defines (the spec holds its definition)."""
    if workflow is None:
        return None
    for w in all_workflows(workflow):
        for spec in w.spec.task_specs.values():
            if getattr(spec, "event_definition", None) is ed:
                return spec
    return None
