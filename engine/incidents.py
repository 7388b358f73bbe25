"""Incidents (异常事件): a step the model's own code made fail, kept as a command to run again.

An incident stores what failed as a command — its ``action`` and the ``payload`` needed to redo it
(the submitted form, the timer's worker, the message...). A supervisor over the case retries it,
optionally with corrected data: the command is looked up in ``RETRY`` (action → handler) and run
again through the normal use case, recorded as the supervisor acting on behalf of the original
user; on success the incident is resolved. A new kind of step that can fail adds its handler with
``register_retry`` instead of another branch here. A retry that fails again updates the incident
it retried (``record``): one open incident for the step, its latest error and data, its failed
retries counted (``retries``), each attempt in the audit trail; not a second incident beside it.
"""
from __future__ import annotations

import ast
import builtins
import logging
import re
import traceback
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import (
    MultiInstanceTask, SequentialMultiInstanceTask, StandardLoopTask)

from . import audit, evaluator, feel_errors, incident_words, juel_methods, restricted, step, unstorable
from .dialects import NAME_EXPRESSION
from .directory import Principal
from .el_text import computed_name
from .errors import Conflict, EngineError, Forbidden, IncidentRaised, NotFound
from .expressions import YES_OR_NO
from .schema import Case, Incident
from .step import ProcessFailure

log = logging.getLogger("duban.incidents")


@dataclass(frozen=True)
class Command:
    """A failed step as stored: what to run again, for whom, with what."""
    action: str
    case_id: int | None
    task_id: str | None
    actor: str
    payload: dict


Handler = Callable[[Any, Command, str], Any]  # (engine, command, supervisor) -> result

RETRY: dict[str, Handler] = {
    "complete": lambda e, c, by: e.complete(c.task_id, c.actor, c.payload.get("data")),
    "timer": lambda e, c, by: e._fire_case_timers(c.case_id, worker="retry:" + by, force=True),
    "message": lambda e, c, by: e.correlate_message(c.payload["name"], by=c.actor, case_id=c.payload.get("case_id"),
                                                    correlation=c.payload.get("correlation"),
                                                    data=c.payload.get("data"), correlate_all=bool(c.payload.get("all"))),
    "signal": lambda e, c, by: e.broadcast_signal(c.payload["name"], by=c.actor, data=c.payload.get("data"),
                                                  org=c.payload.get("org")),
    "start": lambda e, c, by: e.start(c.payload["process_key"], by=c.actor, org=c.payload.get("org"),
                                      data=c.payload.get("data"), title=c.payload.get("title") or "",
                                      party=c.payload.get("party"), parent_case_id=c.payload.get("parent_case_id")),
}


@dataclass
class Attempt:
    """A command under way: what ``recorded`` stores if the model's code makes it fail. Fields
    learnt while it runs (the case of a task, the element) are set on it by the use case."""
    action: str
    actor: str
    payload: dict
    case_id: int | None = None
    task_id: str | None = None
    element_id: str | None = None


def recorded(engine, action: str, actor: str, payload: dict, case_id: int | None = None,
             task_id: str | None = None) -> "_Recording":
    """Run a use case; if the model's own code fails in it (``ProcessFailure``: the step was rolled
    back), store it as an incident (``record``) and raise ``IncidentRaised`` from the model's error.
    Every use case that runs model code goes through here: start, complete, messages, signals,
    external task results."""
    return _Recording(engine, Attempt(action, actor, payload, case_id, task_id))


class _Recording:
    """``recorded``'s context manager: ``with`` gives the attempt. A plain class, not a generator
    (``contextlib.contextmanager``), which made a helper object and a generator and resumed it twice
    on every completion."""
    __slots__ = ("engine", "attempt")

    def __init__(self, engine, attempt: Attempt):
        self.engine, self.attempt = engine, attempt

    def __enter__(self) -> Attempt:
        return self.attempt

    def __exit__(self, kind, failure, _tb) -> Literal[False]:
        if kind is not None and issubclass(kind, ProcessFailure):
            attempt = self.attempt
            raise record(self.engine, attempt.case_id, attempt.action, attempt.task_id, attempt.element_id,
                         attempt.actor, attempt.payload, failure.cause) from failure.cause
        return False


def register_retry(action: str, handler: Handler) -> None:
    RETRY[action] = handler


def listing(engine, open_only: bool = True, case_id: int | None = None) -> list[Incident]:
    with engine.db.read() as s:
        q = sa.select(Incident)
        if open_only:
            q = q.where(Incident.resolved_at.is_(None))
        if case_id is not None:
            q = q.where(Incident.case_id == case_id)
        return list(s.execute(q.order_by(Incident.id.desc())).scalars())


def retry(engine, incident_id: int, by: str, data: dict | None = None):
    """Run the failed command again (optionally with corrected data); resolves the incident on success.

    The resolution is part of the command's own transaction (``step.RETRYING``): its first
    statement reads the incident under a row lock (``FOR UPDATE`` on PostgreSQL; SQLite's
    transactions hold the writer lock), a retry that finds it resolved is refused (``Conflict``) and
    runs nothing, else the incident is marked resolved with what the command writes. Two retries of
    one incident at once run the command once. A command of several transactions (a signal to many
    cases) has the incident resolved by the first that commits."""
    with engine.db.read() as s:
        inc = s.get(Incident, incident_id)
        if inc is None:
            raise NotFound(f"异常事件不存在: {incident_id}")
        if inc.resolved_at is not None:
            raise Conflict(ALREADY_RETRIED)
        check(engine, s, engine.directory.principal(by, s), inc)
        command = Command(inc.action, inc.case_id, inc.task_id, inc.actor, dict(inc.payload or {}))
    if data is not None:
        command.payload["data"] = data
    handler = RETRY.get(command.action)
    if handler is None:
        raise EngineError(f"unknown incident action {command.action}")
    resolved: list[bool] = []

    def in_transaction(tx) -> Callable[[], None] | None:
        if resolved:  # resolved by an earlier transaction of the command that committed
            return None
        row = tx.conn.execute(_LOCK_INCIDENT, {"id": incident_id}).first()
        if row is None or row.resolved_at is not None:
            raise Conflict(ALREADY_RETRIED)
        now = engine.clock.now()

        def resolve() -> None:
            tx.conn.execute(_RESOLVE, {"b_id": incident_id, "at": now, "by": by})
            if command.case_id is not None:
                tx.audit.case(command.case_id, actor=by, action="incident_resolved", at=now,
                              detail={"incident": incident_id})
            tx.info["after_commit"].append(lambda: resolved.append(True))
        return resolve

    token = step.RETRYING.set(in_transaction)
    again = _RETRYING.set(_Retrying(incident_id, by, resolved))
    try:
        with audit.on_behalf(by, of=command.actor):  # recorded as the supervisor acting for the original user
            result = handler(engine, command, by)
    finally:
        _RETRYING.reset(again)
        step.RETRYING.reset(token)
    if not resolved:  # the command wrote nothing through a step transaction: resolved on its own
        with step.transaction(engine) as tx:
            resolve = in_transaction(tx)
            if resolve is not None:
                resolve()
    return result


@dataclass
class _Retrying:
    """A supervisor's retry under way (``retry``): a failure of its command updates this incident."""
    incident_id: int
    by: str
    resolved: list[bool]  # an earlier transaction of the command committed and resolved it


_RETRYING: ContextVar[_Retrying | None] = ContextVar("duban_incident_retrying", default=None)
RETRIES = "retries"  # the payload's record of failed retries: {"count", "at", "by"}


def retries(incident: Incident) -> tuple[int, datetime | None, str | None]:
    """How often a supervisor's retry of ``incident`` failed again, when the last did, and who ran it
    (0, None, None: never retried)."""
    said = (incident.payload or {}).get(RETRIES) or {}
    at = said.get("at")
    return int(said.get("count") or 0), datetime.fromisoformat(at) if at else None, said.get("by")


ALREADY_RETRIED = "该异常事件已处理（已被重试），不再重复执行"
_INCIDENTS = Incident.__table__
_LOCK_INCIDENT = (sa.select(_INCIDENTS.c.resolved_at).where(_INCIDENTS.c.id == sa.bindparam("id"))
                  .with_for_update())
_RESOLVE = (sa.update(_INCIDENTS).where(_INCIDENTS.c.id == sa.bindparam("b_id"))
            .values(resolved_at=sa.bindparam("at"), resolved_by=sa.bindparam("by")))


def visible(engine, p: Principal, open_only: bool = True, case_id: int | None = None) -> list[Incident]:
    """The incidents ``p`` may see and retry (``check``), newest first: the supervisor pages and the
    API list these, so the two never disagree."""
    found = listing(engine, open_only, case_id)
    shown = []
    with engine.db.read() as s:
        for inc in found:
            try:
                check(engine, s, p, inc)
            except (Forbidden, NotFound):
                continue
            shown.append(inc)
    return shown


def can_retry(engine, incident: Incident, username: str) -> bool:
    """May ``username`` see and retry this incident (a supervisor over its case's org unit, or
    over the org unit a failed start was for)?"""
    with engine.db.read() as s:
        try:
            check(engine, s, engine.directory.principal(username, s), incident)
            return True
        except (Forbidden, NotFound):
            return False


def check(engine, s: Session, p: Principal, inc: Incident) -> None:
    if inc.case_id is not None:
        engine.policy.check_supervise(s, p, s.get(Case, inc.case_id))
        return
    # A failed start has no case yet: it belongs to the org unit it was started for (the
    # starter's own unit when none was named), and only supervisors over that unit may retry it.
    org = (inc.payload or {}).get("org") or engine.directory.principal(inc.actor, s).org_code
    engine.policy.check_supervise(s, p, None, org_code=org)


def record(engine, case_id, action, task_id, element_id, actor, payload, exc) -> IncidentRaised:
    """Store the failed step as a command (its own transaction: the step itself was rolled back).

    A supervisor's retry that fails again (``retry``, before any transaction of its command
    committed) updates the incident it retried instead of opening a second one next to it: one open
    incident for the step, its error the latest, its payload what the retry ran (the corrected data:
    the next retry form shows it), its count of failed retries, when and by whom (``retries``);
    ``created_at`` stays when the step first failed. Each attempt is in the audit trail: an
    ``incident`` event of the case with ``attempt`` (1 the first failure, 2 the first retry...), or,
    for a start that made no case, an ``incident_retry_failed`` event of the system chain."""
    failed_spec = getattr(exc, "task_spec", None) or getattr(getattr(exc, "task", None), "task_spec", None)
    # a model's error may quote a NUL it made (``assert False, "甲\\x00"``): PostgreSQL would refuse the incident
    message = unstorable.without_nul(error_message(exc, failed_spec))
    log.warning("incident on case %s (%s %s): %s", case_id, action, task_id, message)
    retrying = _RETRYING.get()
    trace = unstorable.without_nul(traceback.format_exception_only(type(exc), exc)[-1].strip())
    with engine.db.write() as s:
        inc = None
        if retrying is not None and not retrying.resolved:
            inc = s.get(Incident, retrying.incident_id, with_for_update=True)
            if inc is not None and inc.resolved_at is not None:
                inc = None
        now = engine.clock.now()
        if inc is None:
            inc = Incident(case_id=case_id, action=action, task_id=task_id,
                           element_id=getattr(failed_spec, "bpmn_id", None) or element_id,
                           actor=actor, payload=payload, message=message, created_at=now)
            s.add(inc)
            s.flush()
            attempt = 1
        else:
            failed = retries(inc)[0] + 1
            inc.message = message
            inc.element_id = getattr(failed_spec, "bpmn_id", None) or element_id or inc.element_id
            inc.payload = {**(payload or {}), RETRIES: {"count": failed, "at": now.isoformat(), "by": retrying.by}}
            s.flush()
            attempt = failed + 1
        detail = {"incident": inc.id, "message": message, "trace": trace}
        if attempt > 1:
            detail["attempt"] = attempt
        if inc.case_id is not None:
            audit.append(s, chain=audit.case_chain(inc.case_id), case_id=inc.case_id, actor=actor, action="incident",
                         at=now, task_id=task_id, detail=detail)
        elif attempt > 1:  # a start retried: no case yet, its attempts go in the system chain
            audit.append(s, chain=audit.SYSTEM_CHAIN, actor=retrying.by if retrying else actor,
                         action="incident_retry_failed", at=now,
                         detail={**detail, "process": (payload or {}).get("process_key")})
        return IncidentRaised(inc.id, message, element_id=inc.element_id, case_id=inc.case_id)


# The engine's own refusals of model code an expression (not a script) may meet: SpiffWorkflow's
# ``evaluate`` wraps them keeping only their type's name (its ``exception`` is not kept).
_SAID_IN_CONTEXT = (evaluator.ScriptDataTooLarge, evaluator.WorkerInputTooLarge)


def error_message(exc: BaseException, spec=None) -> str:
    """The incident text: the element by name (「计算罚款」出错, a timer's 「逾期10日」的定时器出错), the
    error, and the model code's own error that SpiffWorkflow wrapped (a timeout, a refused construct, a
    result that is not data)."""
    text = str(exc) or exc.__class__.__name__
    cause = getattr(exc, "exception", None)
    if cause is None and isinstance(exc.__context__, _SAID_IN_CONTEXT):  # SpiffWorkflow's evaluate keeps
        cause = exc.__context__  # only the type's name of what it wraps: the engine's own words are said
    if cause is not None and str(cause) and str(cause) not in text:
        text += f" — {type(cause).__name__}: {cause}"
    notes = getattr(exc, "__notes__", None)
    if notes:
        text += " — " + "; ".join(notes)
    if restricted.ABSENT_AS_NULL in text:  # translated FEEL's first line is for the evaluator, not for people
        text = re.sub(re.escape(restricted.ABSENT_AS_NULL) + r"[^\n]*\n", "", text)
    text = re.sub(re.escape(feel_errors.SOURCE) + r"[^\n]*\n", "", text)  # the FEEL as written, said in words where it failed
    text = text.replace(f"  {YES_OR_NO}", "")  # a translated flow condition's mark (engine/gateways._holds)
    # a loop's count or condition, or a comparison reading text as a number, said as such first
    # (会签人数…是文字; 条件把案件数据「days」当作数字比较…), before a FEEL or JUEL stop's
    # general words for the same failure (engine/feel_errors.py); else a JUEL method Java would refuse
    # (on null, or one the value lacks: engine/juel_methods.py), wherever the expression is (a count, a
    # completion condition, an assignee); a gateway's says it itself
    looped = _missing_loop_input(exc)
    if looped is None:
        looped = _text_compared_as_number(exc)
    missing = looped if looped is not None else juel_methods.said_of(exc)
    if looped is None and missing is not None and missing in text and f"{juel_methods.JuelMethodError.__name__}: {missing}" not in text:
        missing = None  # said in words already (a gateway's); behind the technical text it is said first
    if missing is not None and text.startswith("决策表「"):
        missing = None  # a decision table's own words name the table, the row, the input and the value (engine/dmn.py)
    if missing is None:
        missing = _missing_task_attribute_input(exc, spec)
    if missing is None:
        missing = _python_error_in_words(exc, spec, text)
    said = text  # whether the error already names the element is asked of it, not of our words (会签人数 has 会签)
    if missing is not None:
        # SpiffWorkflow's 「Did you mean one of '[...]'?」 lists the case's variable names in English; ours named the data
        text = f"{missing} — {_DID_YOU_MEAN.sub('', text).rstrip()}"
    name = _shown_name(exc, spec)
    if name and name not in said:  # a timer's expression is said to be one (webui/labels reads it so)
        timer = isinstance(getattr(spec, "event_definition", None), TimerEventDefinition)
        text = f"「{name}」{'的定时器' if timer else ''}出错: {text}"
    return text[:2000]


_DID_YOU_MEAN = re.compile(r"\s*Did you mean one of '\[.*?\]'\?", re.S)


def _python_error_in_words(exc: BaseException, spec, text: str) -> str | None:
    """A Python error of the model's code (a script, a mapping, a condition, a timer's period) said
    in Chinese first (engine/incident_words.py); the technical text stays behind it. A condition
    whose data the case lacks names the data (SpiffWorkflow's text names only the expression)."""
    expression = _failed_expression(exc)
    # the failed expression aside too: its own Chinese text (``level == '重大'``) is not our words, and
    # its quotes inside SpiffWorkflow's quotes leave 重大 unquoted
    words = text.replace(expression.replace(f"  {YES_OR_NO}", ""), "") if expression else text
    if re.search(r"[\u4e00-\u9fff]", re.sub(r"「[^」]*」|'[^']*'|\"[^\"]*\"", "", words)):  # values as Python quotes them aside
        return None  # the engine's own Chinese says it already (a refused construct, a timeout, a FEEL error)
    task = getattr(exc, "task", None)
    data = task.data if isinstance(getattr(task, "data", None), dict) else None
    cause = getattr(exc, "exception", None) or exc.__cause__ or exc.__context__
    technical = text if cause is None else f"{text} {type(cause).__name__}: {cause}"
    if isinstance(getattr(spec, "event_definition", None), TimerEventDefinition):
        what = "定时器的期限"
    elif re.search(r"Error occurred in the (?:Pre|Post)-Script", text):
        what = "输入输出映射"
    elif expression is not None:
        what = "条件" if "Gateway" in type(spec).__name__ else "表达式"
    else:
        what = "脚本"
    if text.startswith("Expected an output item"):  # SpiffWorkflow: an instance completed without its result
        loop = getattr(getattr(task, "parent", None), "task_spec", None)
        item = getattr(loop, "output_item", None)
        name = getattr(item, "bpmn_name", None) or getattr(item, "bpmn_id", None)
        return incident_words.no_output_item(name.lstrip("= ").strip() if isinstance(name, str) else None)
    said = incident_words.plain_cause(technical, data, what)
    if said is None and expression is not None and task is not None:
        absent = _absent_names(expression, task)
        if absent:
            said = incident_words.absent(what, absent, data)
    return said


def _shown_name(exc: BaseException, spec) -> str | None:
    """The element's name as people see it: a task name holding ``${...}`` computed from the failed
    task's data (「第2轮复查：华东化工」, as its queue row shows it: engine/el_text.computed_name), else
    the name as drawn, else its id."""
    drawn = getattr(spec, "bpmn_name", None)
    python = ((getattr(spec, "extensions", None) or {}).get("properties") or {}).get(NAME_EXPRESSION)
    task = getattr(exc, "task", None)
    if python and drawn and task is not None and task.task_spec is spec:
        return computed_name(task, python, drawn, task.workflow.script_engine.evaluate)
    return drawn or getattr(spec, "bpmn_id", None)


# A human task's attributes computed from the case's data when it opens (engine/projection.py), and
# what a person calls each (the attribute in brackets for the designer).
TASK_ATTRIBUTE_WORDS = {"assignee": "办理人（assignee）", "candidateUsers": "候选办理人（candidateUsers）",
                        "candidateGroups": "候选组（candidateGroups）",
                        "candidateGroupsExpression": "候选组（candidateGroups）", "dueDate": "办理期限（dueDate）",
                        "followUpDate": "跟进日期（followUpDate）"}


def _missing_task_attribute_input(exc: BaseException, spec) -> str | None:
    """A user task whose assignee, candidates or dates are read from case data the case does not
    have (Flowable's and Activiti's ``${applicant}``, ``${approver}`` given at the start in their
    tutorials), said in Chinese naming the attribute and the data: SpiffWorkflow says 「Error
    evaluating expression 'applicant'」, which the page read as 条件无法计算 — there is no condition.
    None when the error is not that."""
    props = (getattr(spec, "extensions", None) or {}).get("properties") or {}
    task = getattr(exc, "task", None)
    expression = _failed_expression(exc)
    if not props or task is None or expression is None:
        return None
    for key, what in TASK_ATTRIBUTE_WORDS.items():
        if (props.get(key) or "").strip() != expression:
            continue
        absent = _absent_names(expression, task)
        if not absent:
            return _entry_not_there(expression, task, what.split('（')[0])
        fixed = "固定的期限（如 P5D，即 5 天）" if key in ("dueDate", "followUpDate") else "固定的人员或角色"
        return (f"{what.split('（')[0]}取自案件数据「{absent[0]}」，它在案件中没有值；请在发起案件或此前的环节填写它，"
                f"或请流程设计员把该任务的{what}改为{fixed}")
    return None


def _entry_not_there(expression: str, task, what: str) -> str | None:
    """A task attribute read from an entry of case data (Camunda's ``${point.inspector}``, each
    instance's item of a 会签 over a list of maps) where the data is no map (「zhang」: the list held
    names) or lacks the entry: said naming the data, the entry and the value. SpiffWorkflow said only
    「Error evaluating expression 'point['inspector']'」 (found by bench/interop --walk, probe 17).
    None when the expression reads no such entry."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return None
    data = task.data if isinstance(getattr(task, "data", None), dict) else {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str) and node.value.id in data):
            continue
        name, entry, value = node.value.id, node.slice.value, data[node.value.id]
        if isinstance(value, dict) and entry in value:
            continue
        held = (f"「{name}」中没有「{entry}」这一项" if isinstance(value, dict)
                else f"「{name}」的值「{str(value)[:40]}」不是含「{entry}」的数据项")
        return (f"{what}取自案件数据「{name}」的「{entry}」，但{held}；请检查提交的数据（如会签集合的每一项都应有「{entry}」）"
                f"后重试，或请流程设计员修改该任务的{what}")
    return None


def _failed_expression(exc: BaseException) -> str | None:
    """The expression SpiffWorkflow says it failed to evaluate (「Error evaluating expression '…'.」)."""
    failed = re.search(r"Error evaluating expression '(.*?)'\.", str(exc), re.S)
    return failed.group(1).strip() if failed else None


# Counters Camunda, Flowable and Activiti give a multi-instance completion condition (engine/parser.py
# InstanceCounters): read beside the case's data, never missing from it.
_INSTANCE_COUNTERS = frozenset({"nrOfInstances", "nrOfCompletedInstances", "nrOfActiveInstances", "loopCounter"})


def _missing_loop_input(exc: BaseException) -> str | None:
    """A multi-instance task's count (Camunda 7's and Flowable's ``loopCardinality`` ``${nrOfLoops}``)
    or completion condition, or a standard loop's condition, reading case data the case does not
    have, said in Chinese naming what was being computed — 会签人数 (a human task's parallel
    instances), 循环次数, 完成条件, 循环条件 — and the data in brackets: SpiffWorkflow says 「Error
    evaluating expression 'nrOfLoops'」, which the page read as 条件无法计算. (A missing collection
    is said by engine/parser.py before anything is evaluated; ``loopMaximum`` is a number in the
    file.) None when the error is not that."""
    task = getattr(exc, "task", None)
    expression = _failed_expression(exc)
    if task is None or expression is None:
        return None
    # the count and a loop's condition fail on the loop's own task; a completion condition on the
    # instance that just completed (engine/parser.py), whose parent is the loop's
    for owner in (task, getattr(task, "parent", None)):
        loop = getattr(owner, "task_spec", None)
        if isinstance(loop, MultiInstanceTask):
            said = {"cardinality": _count_words(loop, owner), "condition": "完成条件"}
        elif isinstance(loop, StandardLoopTask):
            said = {"condition": "循环条件"}
        else:
            continue
        for attribute, what in said.items():
            if (getattr(loop, attribute, None) or "").strip() != expression:
                continue
            absent = [n for n in _absent_names(expression, task) if n not in _INSTANCE_COUNTERS]
            if not absent:
                return _text_as_number(exc, expression, task, what)
            verb = "取自" if attribute == "cardinality" else "用到"
            return (f"{what}{verb}案件数据「{absent[0]}」，但案件中没有这个值；请在此前的环节填写它，"
                    f"或请流程设计员修改该任务的{what}")
    return None


def _text_as_number(exc: BaseException, expression: str, task, what: str) -> str | None:
    """A loop's count or condition over case data typed as text (「三」, or 「2」 from a text field)
    where a number is wanted: Python refuses ``nrOfCompletedInstances >= "2"`` with a TypeError.
    Said naming the data and its text; None when no data it reads is text."""
    cause = _python_cause(exc)
    # ValueError: a multi-instance count's ``int(...)`` over text that spells no whole number (engine/parser.whole_count)
    if not isinstance(cause, (TypeError, ValueError)) or not isinstance(task.data, dict):
        return None
    texts = [n for n in _absent_names(expression, task, present=True) if isinstance(task.data.get(n), str)]
    if not texts:
        return None
    return (f"{what}把案件数据「{texts[0]}」当作数字，但它的值「{task.data[texts[0]][:40]}」是文字；请改为数字后重试，"
            "或请流程设计员把该表单字段设为数字类型")


def _count_words(loop: MultiInstanceTask, task) -> str:
    """What a person calls a multi-instance task's count: 会签人数 when people work its instances at
    once (会签), else 循环次数."""
    inner = task.workflow.spec.task_specs.get(loop.task_spec)
    if getattr(inner, "manual", False) and not isinstance(loop, SequentialMultiInstanceTask):
        return "会签人数"
    return "循环次数"


def _absent_names(expression: str, task, present: bool = False) -> list[str]:
    """The names ``expression`` reads that the task's data does not hold (builtins aside), each once
    (``present``: those it holds); [] when it is not a Python expression."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return []
    data = task.data if isinstance(getattr(task, "data", None), dict) else {}
    # a called name is a function, not data: our translations' helpers (duban_el_compare, duban_juel_call…)
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in called]
    return [n for n in dict.fromkeys(names) if (n in data) == present and n not in _BUILTIN_NAMES]

def _text_compared_as_number(exc: BaseException) -> str | None:
    """A JUEL comparison with a number (engine/expressions.py reads text as the number it spells,
    ``(int(days) if str(days) == days else days)``, ``float`` against 1.5) over text that spells none
    (「五天」, or 「3.5」 against a whole number, as EL's Long.valueOf): said in
    Chinese naming the data and the text; the page read it as 条件用到的数据在案件中没有值, though
    the case has the value. None when the error is not that."""
    task = getattr(exc, "task", None)
    failed = re.search(r"Error evaluating expression '(.*?)'\.", str(exc), re.S)
    if task is None or not isinstance(getattr(task, "data", None), dict):
        return None
    what, source = "条件", failed.group(1) if failed is not None else None
    if source is None:  # a Camunda input/output mapping's JUEL (the task's pre- or post-script, engine/dialects.py)
        spec = getattr(task, "task_spec", None)
        what, source = "表达式", "\n".join(filter(None, (getattr(spec, "prescript", None), getattr(spec, "postscript", None))))
    for kind, name in re.findall(r"(float|int)\((\w+)\) if str\(\2\) == \2", source):
        value = task.data.get(name)
        if not isinstance(value, str):
            continue
        try:
            float(value)
        except ValueError:
            return (f"{what}把案件数据「{name}」当作数字比较，但它的值「{value[:40]}」不是数字；请改为数字后重试，"
                    "或请流程设计员把该表单字段设为数字类型")
        try:
            if kind == "int":  # compared with a whole number: EL reads the text as a Long (engine/expressions.py)
                int(value)
        except ValueError:
            return (f"{what}把案件数据「{name}」与整数比较，但它的值「{value[:40]}」不是整数（Camunda、Flowable 同样停在这里）；"
                    "请改为整数后重试，或请流程设计员把该表单字段设为数字类型")
    # arithmetic (``${amount * 2}``): the read is ``(float(amount) if '.' in amount … else int(amount)) if
    # str(amount) == amount`` (engine/expressions.py as_operand), text that spells no number stops as in EL
    for name in re.findall(r"else int\((\w+)\)\) if str\(\1\) == \1", source):
        value = task.data.get(name)
        if isinstance(value, str) and not _spells_number(value):
            return (f"{what}把案件数据「{name}」当作数字计算，但它的值「{value[:40]}」不是数字（Camunda、Flowable 同样停在这里）；"
                    "请改为数字后重试，或请流程设计员把该表单字段设为数字类型")
    return _text_in_python_comparison(exc, task, failed.group(1)) if failed is not None else None


def _spells_number(text: str) -> bool:
    """Whether arithmetic reads ``text`` as a number: with ``.``, ``e`` or ``E`` a Double, else a Long."""
    try:
        float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return False
    return True


def _python_cause(exc: BaseException) -> BaseException | None:
    """The Python error under SpiffWorkflow's (it raises its own in ``except``), under FEEL's words
    for it too (engine/evaluator._feel_failed raises them from it)."""
    cause = getattr(exc, "exception", None) or exc.__cause__ or exc.__context__
    if cause is not None and not isinstance(cause, (TypeError, ValueError)) and cause.__cause__ is not None:
        return cause.__cause__
    return cause


def _text_in_python_comparison(exc: BaseException, task, expression: str) -> str | None:
    """A Python condition (bpmn.io's ``oxygen < 19.5``) over case data sent as text ("18.5", "5,000":
    an API client's JSON string where no form types the value): Python refuses to compare text with a
    number (TypeError), which the page read as 条件用到的数据在案件中没有值, though the case has it.
    Said naming the data and its text; None when the error is not that."""
    cause = _python_cause(exc)
    if not isinstance(cause, TypeError) or "'str'" not in str(cause):
        return None
    name = feel_errors.text_ordered_against_number(expression, task.data)
    if name is None:
        return None
    return (f"条件把案件数据「{name}」当作数字比较，但它的值「{task.data[name][:40]}」不是数字（是文字）；"
            "请改为数字后重试，或请流程设计员把该表单字段设为数字类型")



_BUILTIN_NAMES = frozenset(dir(builtins)) | {"true", "false", "null"}
