"""/api/incidents and /api/timers — what supervisors watch (督办): failed steps and pending timers.

Incidents: those the engine's rule lets the caller retry (engine/incidents.py ``visible``: a
supervisory role at the case's org unit or above — for a failed start, the org unit it was started
for — or an administrator), the same list the supervisor pages show. Timers: the engine has no
cross-case listing, so this module reads the timer table itself, read-only, under the engine's read
policy (``engine.queries.Scope.cases``, as ``Engine.cases``: org unit and below, own enterprise, a
third party's assigned cases).
"""
from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa

from engine import incidents as incident_rules
from engine.errors import Forbidden, NotFound
from engine.queries import Scope
from engine.schema import Case, Incident, Timer

from .. import incident_form, labels, nav, redaction
from . import schemas
from .blueprint import bp, engine, page, principal

INCIDENTS = ["incidents"]
TIMERS = ["timers"]
PARKED = "incident"  # lease owner of a timer whose firing failed (Engine._park_timers)


@bp.route("/incidents", methods=["GET"], tags=INCIDENTS)
@bp.arguments(schemas.IncidentFilter, location="query")
@bp.response(200, schemas.IncidentPage)
def list_incidents(args):
    """异常事件：本人可处理的，最新的在前；缺省只列未处理的。"""
    eng = engine()
    p = principal()
    visible = incident_rules.visible(eng, p, open_only=args["open_only"], case_id=args.get("case_id"))
    limit, offset = args["limit"], args["offset"]
    return page(said(eng, visible[offset:offset + limit]), limit, offset)


@bp.route("/incidents/<int(max=2147483647):incident_id>/retry", methods=["POST"], tags=INCIDENTS)
@bp.arguments(schemas.RetryIncident)
@bp.response(200, schemas.RetryResult)
def retry_incident(body, incident_id):
    """重试：再次执行失败的步骤（可附更正后的数据）；成功后异常事件标记为已处理。"""
    eng = engine()
    eng.retry_incident(incident_id, by=principal().username, data=body.get("data"))
    with eng.db.read() as s:
        inc = s.get(Incident, incident_id)
        if inc is None:
            raise NotFound(f"异常事件不存在: {incident_id}")
    return {"incident": said(eng, [inc])[0]}


def history_said(history: list) -> list:
    """A case's history as one who is not a designer or an administrator reads it through the API: an
    incident event's ``message`` in the Chinese words the incident page says, without its ``trace``
    (Python's English and the model's code; ``said`` gives the incidents themselves so)."""
    shown = []
    for entry in history:
        detail = entry.get("detail") if isinstance(entry, dict) else None
        if isinstance(detail, dict) and entry.get("action") in ("incident", "incident_retry_failed"):
            detail = {k: v for k, v in detail.items() if k != "trace"}
            if isinstance(detail.get("message"), str):
                detail["message"] = labels.incident_explanation(detail["message"])
            entry = {**entry, "detail": detail}
        shown.append(entry)
    return shown


def said(eng, incidents: list[Incident]) -> list[SimpleNamespace]:
    """Each incident as the API gives it: ``message`` in Chinese as the incident page says it (the
    step by its name, the cause in plain words, data by its label: webui/labels.incident_explanation),
    ``detail`` the technical text the engine stored, for the designer and the administrator
    (``nav.can_design``, as the pages show 技术详情 to them only); anyone else — an inspector, a
    section head, an enterprise's account — gets the Chinese words there too: the technical text is
    Python's English, and may name the model's code and data an enterprise has no business reading."""
    labels_of: dict = {}  # read once per case (per process for failed starts)
    shown = []
    p = principal()
    technical = nav.can_design(p)
    for inc in redaction.incidents_for(eng, incidents, p.roles):  # a whistleblower's phone quoted: hidden
        key = inc.case_id or (inc.payload or {}).get("process_key")
        if key not in labels_of:
            labels_of[key] = incident_form.incident_labels(eng, inc)
        row = {a.key: getattr(inc, a.key) for a in Incident.__mapper__.column_attrs}
        message = labels.incident_explanation(inc.message, names=labels_of[key])
        row.update(message=message, detail=inc.message if technical else message)
        shown.append(SimpleNamespace(**row))
    return shown


@bp.route("/timers", methods=["GET"], tags=TIMERS)
@bp.arguments(schemas.TimerFilter, location="query")
@bp.response(200, schemas.TimerPage)
def list_timers(args):
    """定时器：本人可见案件中等待触发的定时器，按到期时间排序。"""
    eng = engine()
    p = principal()
    limit, offset = args["limit"], args["offset"]
    with eng.db.read() as s:
        q = sa.select(Timer).join(Case, Case.id == Timer.case_id).where(Scope(s, p, eng.policy).cases())
        if args.get("case_id") is not None:
            q = q.where(Timer.case_id == args["case_id"])
        if args["overdue_only"]:
            q = q.where(Timer.due_at <= eng.clock.now())
        rows = s.execute(q.order_by(Timer.due_at, Timer.id).limit(limit).offset(offset)).scalars()
        return page([timer_dict(t) for t in rows], limit, offset)


def timer_dict(t: Timer) -> dict:
    return {"id": t.id, "case_id": t.case_id, "element_id": t.element_id, "name": t.name, "kind": t.kind,
            "attached_to": t.attached_to, "due_at": t.due_at, "parked": t.lease_owner == PARKED}
