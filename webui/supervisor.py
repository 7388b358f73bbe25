"""Supervisor pages (督办): approvals waiting, the overdue board (with the 红 enterprises), incidents
with retry.

Only holders of a supervisory role (and administrators) get here; what each page lists is further
scoped to the user's org unit and those below it, and every action is checked again by the engine.
"""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine import incidents as incident_rules
from engine.errors import Conflict, Forbidden, IncidentRaised, InvalidData
from engine.queries import page_key
from workflows import calendar
from workflows.enterprises import Page, supervision

from . import diagram, display, incident_form, labels, nav, overdue as overdue_rule, parties, queries, redaction
from .auth import engine
from .paging import keyset_paged, paged

bp = Blueprint("supervisor", __name__, url_prefix="/supervise")


@bp.before_request
def _only_supervisors():
    if not nav.can_supervise(g.get("user")):
        raise Forbidden("只有负责人可以访问督办页面")


@bp.get("/approvals")
def approvals():
    # Paged on by key, as the queues are: 下一页 starts where this page ended (the due-date order).
    rows, page, more, after = keyset_paged(lambda limit, offset, after: queries.approvals(
        engine(), g.user, limit=limit, offset=offset, after=after), page_key)
    parties.prime(t.party for t in rows)
    return render_template("supervisor/approvals.html", tasks=rows, page=page, more=more, after=after,
                           late=overdue_rule.overdue_ids(engine(), {t.case_id for t in rows}, display.now()))


@bp.get("/overdue")
def overdue():
    eng = engine()
    now = display.now()
    org = request.args.get("org") or None
    process = request.args.get("process") or None
    # Each cell counts up to queries.BOARD_CAP tasks ("100+"); the unit picked (a click on its name)
    # is counted exactly, so the figure a leader asks for is always there.
    below = overdue_rule.units_below(eng, g.user)  # the user's org unit and those below, once for the whole page
    board = queries.overdue_board(eng, g.user, now, cap=queries.BOARD_CAP, below=below)
    if org is not None and any(not c.exact for c in board if c.org_code == org):
        board = [c for c in board if c.org_code != org] + queries.overdue_board(
            eng, g.user, now, org=org, cap=None, below=below)
    rows, page, more = paged(lambda limit, offset: queries.overdue_tasks(
        eng, g.user, now, org=org, process_key=process, limit=limit, offset=offset, below=below), TASKS_SHOWN)
    orgs = sorted({c.org_code for c in board})
    processes = sorted({c.process_key for c in board})
    grid = {(c.org_code, c.process_key): c for c in board}
    red, found = _red_enterprises()
    late_cases, lateness = overdue_rule.most_overdue(eng, g.user, now, limit=LATE_CASES_SHOWN, below=below)
    # Every party the page names (tasks, 红 enterprises, late cases) looked up at once: names and 失信 flags.
    parties.prime([*(t.party for t in rows), *(e.credit_code for e, _due in red), *(c.party for c in late_cases)])
    total, exact = overdue_rule.count(eng, g.user, now, below=below)
    listings = overdue_rule.listing_table(eng, g.user, parties.today(), below=below)  # 挂牌督办 by unit and 挂牌层级
    return render_template("supervisor/overdue.html", board=board, listings=listings, grid=grid, orgs=orgs, processes=processes,
                           tasks=rows, more=more, page=page, org=org, process=process,
                           total=total, total_exact=exact, late_tasks=sum(c.count for c in board),
                           late_exact=all(c.exact for c in board), board_cap=queries.BOARD_CAP,
                           late_cases=late_cases, lateness=lateness, red=red, red_total=found.total,
                           red_exact=found.exact, today=parties.today(),
                           calendar_warning=calendar.provisional_notice(parties.today()))


LATE_CASES_SHOWN = 20  # the longest overdue; the rest one click away in 案件查询 (逾期)
# The overdue tasks below the counts, a page at a time: the board is read for its counts and its longest
# overdue cases; a cell or a unit clicked lists its own tasks here, 下一页 the rest. Fifty rows a page cost
# 35 KB of the page and ~7 ms of rendering at a province's size (bench/pages.py), read by no one first.
TASKS_SHOWN = 20


RED_SHOWN = 20  # the rest are one click away in the enterprise list filtered by 红 (查看全部)
RED_COUNTED = 1000  # counted up to this many ("1000+" beyond), as the board's other totals: a province's
# 红 enterprises of a city run to thousands, and counting them all was a walk of 10,000 entries per view


def _red_enterprises() -> tuple[list[tuple], Page]:
    """红 (major-risk) enterprises of the user's org units, each with its next inspection date: the
    board is where a supervisor sees what needs watching, and a 红 enterprise always does.

    One page of the registry's search rather than ``red_enterprises()``, which loads every one:
    with 100,000 enterprises a city has thousands graded 红, and the board must stay fast.
    """
    registry = parties.registry()
    today = parties.today()
    found = registry.search(org=parties.org_scope(g.user), risk="红", per_page=RED_SHOWN, count_limit=RED_COUNTED)
    items = [(e, supervision.next_inspection_due(e.risk_level, e.last_inspected_on, today=today,
                                                 interval_months=registry.inspection_intervals))
             for e in found.items]
    return items, found


@bp.get("/incidents")
def incidents():
    return _incidents_page()


def _incidents_page(corrected: dict | None = None, status: int = 200):
    """Each incident explained in Chinese (the step by its name, a missing value by its label) with
    its retry form; ``corrected`` keeps a refused correction as typed, with its errors."""
    eng = engine()
    rows = eng.visible_incidents(g.user.username)  # own org units and below: the API's list too
    rows = redaction.incidents_for(eng, rows, g.user.roles)  # a whistleblower's phone quoted: hidden
    cases = queries.case_heads(eng, {i.case_id for i in rows})
    steps = {i.id: diagram.element_names(eng, cases[i.case_id][2]).get(i.element_id)
             for i in rows if i.case_id in cases and i.element_id}
    names: dict[int, dict] = {}
    of_case: dict = {}  # read once per case (per process for failed starts), shared by its incidents
    for i in rows:
        key = i.case_id or ("start", (i.payload or {}).get("process_key"))
        if key not in of_case:
            of_case[key] = incident_form.incident_labels(eng, i)
        names[i.id] = of_case[key]
    explained = {i.id: labels.incident_explanation(i.message, steps.get(i.id), names[i.id]) for i in rows}
    forms = {i.id: incident_form.build(eng, i, names[i.id], steps.get(i.id), g.user.roles) for i in rows}
    forms.update(corrected or {})
    retried = {i.id: incident_rules.retries(i) for i in rows}  # (failed retries, the last at, by whom)
    return render_template("supervisor/incidents.html", incidents=rows, cases=cases, steps=steps,
                           explained=explained, forms=forms, retried=retried), status


def _step_name(eng, incident) -> str | None:
    """The failed element's name in the model of the incident's case (None: no case, or unnamed)."""
    if not incident.case_id or not incident.element_id:
        return None
    return diagram.element_names(eng, queries.case_heads(eng, {incident.case_id})[incident.case_id][2]).get(
        incident.element_id)


@bp.post("/incidents/<int:incident_id>/retry")
def retry(incident_id: int):
    """Run the failed action again, with the submitted data as corrected in its form (修正数据后重试)."""
    eng = engine()
    incident = next((i for i in eng.incidents() if i.id == incident_id), None)
    data, form = None, None
    if incident is not None and eng.can_retry(incident, g.user.username):
        form = incident_form.build(eng, incident, incident_form.incident_labels(eng, incident),
                                   _step_name(eng, incident), g.user.roles)
        if form is not None:
            data, errors = incident_form.read(form, incident, request.form)
            if errors:
                flash("修正的数据有误，请按提示修改后重试。", "error")
                return _incidents_page({incident_id: form}, 422)
    try:
        # Authorized against the case's org unit, or a failed start's; recorded as done on the
        # original user's behalf (engine.retry_incident).
        eng.retry_incident(incident_id, by=g.user.username, data=data)
        flash(f"异常事件 #{incident_id} 已重试成功，流程已继续。", "ok")
    except InvalidData as exc:
        if form is None:
            flash("重试失败：" + "；".join(exc.errors.values()), "error")
        else:
            form.form.errors = exc.errors
            flash("修正的数据有误，请按提示修改后重试。", "error")
            return _incidents_page({incident_id: form}, 422)
    except IncidentRaised as exc:
        again = next((i for i in eng.incidents() if i.id == exc.incident_id), None)
        said = labels.incident_explanation(again.message if again else str(exc),
                                           _step_name(eng, again) if again else None,
                                           incident_form.incident_labels(eng, again) if again else None)
        if exc.incident_id == incident_id:  # the same incident, updated (engine/incidents.py ``record``)
            count = incident_rules.retries(again)[0] if again else 0
            flash(f"重试仍然失败（已重试 {count} 次），异常事件 #{incident_id} 仍待处理：{said}", "error")
        else:
            flash(f"重试仍然失败，已记录为异常事件 #{exc.incident_id}：{said}", "error")
    except Conflict as exc:
        flash(str(exc), "error")
    return redirect(url_for("supervisor.incidents"))
