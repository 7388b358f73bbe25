"""Case pages (案件): search, start, and the case page with its diagram, timeline, data and documents.

The case page is read through ``engine.case(id, username)``, which applies the one authorization
policy (another org unit's case is a 403). The diagram is the BPMN file the case runs on — the
version it started with, not the latest — drawn by bpmn-js in the browser with finished, active and
overdue elements marked; the marks are computed here (see ``webui.diagram``).
"""
from __future__ import annotations

import secrets

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, session, url_for

from engine import candidate_starters
from engine.errors import Forbidden, IncidentRaised, InvalidData, NotFound

from workflows import accident_supervision
from workflows.start_data import STARTED_BY_ANOTHER_CASE, start_data_with
from workflows.forms.context import COMPUTED_AMOUNTS, COMPUTED_COLUMNS, FACT_LABELS, KEY_FACTS, is_internal

from . import (auth, case_actions, case_data, diagram, display, documents, drawn_form, formspec, headers, incident_form, model_data, nav, overdue, parties,
               queries, redaction, taskcontext)
from .auth import engine
from .paging import paged

bp = Blueprint("cases", __name__, url_prefix="/cases")

STATUSES = [("running", "办理中"), ("completed", "已办结"), ("cancelled", "已撤销")]


@bp.get("/")
def search():
    f = {k: (request.args.get(k) or "").strip() or None for k in ("case_no", "party", "process", "status", "overdue")}
    now = display.now()
    # 当事企业 as an official types or picks it (a name, part of one, or the credit code); the box
    # keeps what was typed, the query takes the code
    party, party_error = parties.resolve(g.user, f["party"], fragment=True) if not g.user.party else (None, None)
    if f["overdue"] and not g.user.party:  # 逾期督办: the board's own rule and order (webui/overdue.py)
        below = overdue.units_below(engine(), g.user)  # from the directory's cache: no org unit read
        rows, page, more = paged(lambda limit, offset: overdue.most_overdue(
            engine(), g.user, now, limit=offset + limit, below=below)[0][offset:])
    else:
        rows, page, more = paged(lambda limit, offset: engine().cases(
            g.user.username, status=f["status"], process_key=f["process"], case_no=f["case_no"], party=party,
            limit=limit, offset=offset) if not party_error else [])
    parties.prime(c.party for c in rows)
    # The 逾期 filter's rows are overdue by that same rule, read at the same instant: no second read.
    late = ({c.id for c in rows} if f["overdue"] and not g.user.party else
            overdue.overdue_ids(engine(), [c.id for c in rows], now))
    # 当事企业's names are fetched as one types (webui/parties.py ``suggest``), not sent with every view
    return render_template("cases/search.html", cases=rows, more=more, page=page, late=late,
                           filters=f, party_error=party_error, statuses=STATUSES,
                           processes=display.process_choices())  # cached per deploy: no model read, no model files


TYPED_KEPT_FIELDS, TYPED_KEPT_CHARS = 100, 2000


def keep_typed_start(form, username: str | None) -> str:
    """A start form posted after its session ended: what was typed (案件名称, 当事企业, the start form's
    fields — not the form's one-time tokens) is kept in the new session on the server for the user
    whose session it was, and the start page shown after that user logs in again fills it in; nothing
    is started. Where the login page leads: the start page of the process. Not in the address: the
    typed data (a 举报人's name, an ID number) would stay in the proxy's access log and the browser's
    history, and another person logging in at that browser would have been shown it. Unknown whose
    session it was (logged out, ended by an administrator): nothing is kept."""
    typed = {k: v[:TYPED_KEPT_CHARS] for k, v in list(form.items())[:TYPED_KEPT_FIELDS]
             if k not in ("_csrf", "start_token", "form_of") and v.strip()}
    if username and typed:
        session[auth.TYPED_START_KEY] = {"by": username, "form": typed}
    process = typed.get("process", "")
    return url_for("cases.start", process=process) if process else url_for("cases.start")


START_FIELDS = ("process", "title", "party", "org")   # 流程, 案件名称, 当事企业, 办理单位
STARTED_KEY, STARTED_KEPT = "started_forms", 20
"""The session remembers the cases its last start forms started (the form's ``start_token`` -> case
id): a form sent twice starts one case."""


@bp.route("/new", methods=["GET", "POST"])
def start():
    eng = engine()
    processes = [m for m in eng.models.list() if m.kind == "bpmn" and m.key not in STARTED_BY_ANOTHER_CASE]
    if g.user.party:  # an enterprise user: only models whose start event names its role (隐患自查自报)
        with eng.db.read() as s:
            processes = [m for m in processes if eng.policy.party_may_start(s, g.user, m.key)]
        if not processes:
            raise Forbidden("企业用户不能在此发起案件")
    elif not nav.can_start(g.user):
        raise Forbidden("没有发起案件的权限")
    with eng.db.read() as s:  # a model's candidate starters (Camunda/Flowable): only theirs is offered
        processes = [m for m in processes if candidate_starters.may_start(eng.directory, s, g.user, m.key, m.content_hash)]
        units = eng.policy.start_units(s, g.user)   # 办理单位: the units the user may open a case in, their own chosen
    values = {k: request.args.get(k, "").strip() for k in START_FIELDS}
    values["org"] = values["org"] or g.user.org_code
    typed: dict = {}
    if request.method == "GET" and auth.TYPED_START_KEY in session:  # typed before the session ended
        kept = session.pop(auth.TYPED_START_KEY)
        if isinstance(kept, dict) and kept.get("by") == g.user.username:
            typed = {k: str(v) for k, v in (kept.get("form") or {}).items()}
            values.update({k: typed[k].strip() for k in START_FIELDS if typed.get(k)})
    errors: dict = {}
    # a start form drawn in the model (Camunda formField / Flowable formProperty on the start event)
    chosen = next((m for m in processes if m.key == (request.form.get("process", "").strip()
                                                     if request.method == "POST" else values["process"])), None)
    drawn = drawn_form.start_fields(eng, chosen) if chosen is not None else None
    drawn_values = {f["name"]: f["default"] for f in drawn or []}
    if typed:  # what was typed before the session ended (``keep_typed_start``), shown again
        drawn_values.update({f["name"]: typed[f["name"]] for f in drawn or [] if not f["readonly"] and typed.get(f["name"])})
    token = request.form.get("start_token", "")[:64] if request.method == "POST" else ""
    started = dict(session.get(STARTED_KEY) or {})
    if token in started:  # sent again (a double click, 后退 and 发起 again): the case it started, not a second
        flash("该案件已发起，未重复发起", "info")
        return redirect(url_for("cases.show", case_id=started[token]))
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in START_FIELDS}
        values["org"] = values["org"] or g.user.org_code
        if units and values["org"] not in units:   # a unit off the picker (typed into the request): named, not started
            errors["org"] = "办理单位：只能在本单位、上级或下级单位发起案件（《中华人民共和国安全生产法》第九条第二款）"
        drawn_values.update({f["name"]: request.form.get(f["name"], "") for f in drawn or []
                             if not f["readonly"] and f["name"] in request.form})
        party, reason = parties.resolve(g.user, values["party"]) if not g.user.party else (None, None)
        if reason:
            errors["party"] = reason
        if not values["process"]:
            errors["process"] = "请选择流程"
        elif values["process"] in STARTED_BY_ANOTHER_CASE:
            errors["process"] = STARTED_BY_ANOTHER_CASE[values["process"]]
        elif drawn and request.form.get("form_of") != values["process"]:
            # the process has a start form the page did not show yet (chosen without the page's script):
            # shown now, nothing started
            flash("请填写发起表单后再发起", "info")
        elif not errors:
            try:
                data = start_data_with(eng, values["process"], values["org"],   # e.g. the 双随机 draw's snapshot
                                       {f["name"]: drawn_values[f["name"]] for f in drawn or [] if f["name"] in request.form})
                case = engine().start(values["process"], by=g.user.username, title=values["title"], data=data,
                                      party=party, org=values["org"])
            except InvalidData as exc:
                errors = exc.errors
            except NotFound as exc:
                errors["process"] = str(exc)
            except IncidentRaised as exc:
                flash(f"发起失败：流程执行出错，已记录为异常事件 #{exc.incident_id}", "error")
            else:
                if token:
                    started[token] = case.id
                    session[STARTED_KEY] = dict(list(started.items())[-STARTED_KEPT:])
                flash(f"已发起案件 {case.case_no}", "ok")
                return redirect(url_for("cases.show", case_id=case.id))
    enterprises = [] if g.user.party else parties.pick_options(g.user)
    return render_template("cases/start.html", processes=processes, values=values, errors=errors, units=units,
                           enterprises=enterprises, drawn=drawn or [], drawn_values=drawn_values,
                           form_of=chosen.key if drawn else "", start_token=token or secrets.token_hex(16),
                           with_form={m.key for m in processes if drawn_form.has_start_form(eng, m)}), \
        (422 if errors else 200)


@bp.get("/<int:case_id>")
def show(case_id: int):
    eng = engine()
    case = redaction.case_for(eng, case_id, g.user)
    marks = diagram.marks(eng, case)
    docs = documents.available(case.process_key, case.data)
    incidents = [i for i in case.incidents if i.resolved_at is None]
    task_forms = queries.task_form_keys(eng, case.id)  # read once: the facts' labels and the steps
    form_keys = _form_keys_in_order(task_forms, case.history)
    parties.prime([case.party, *(t.party for t in case.tasks)])
    party_view = bool(g.user.party)
    # 研判结果: what the process computed (grade, 管辖, 迟报, 上报对象…) as labelled facts on top; then
    # everything the forms filled and the rest of the computed values, each under its Chinese label.
    key_facts = KEY_FACTS.get(case.process_key, ())
    # a model drawn in Camunda Modeler or Flowable labels its data itself (its form fields, data objects)
    drawn = model_data.model_data(eng, case.model_id)
    form_labels = {**drawn.labels, **formspec.data_labels(eng.forms, form_keys)}
    facts = [(k, FACT_LABELS.get(k) or form_labels.get(k)) for k in key_facts
             if case.data.get(k) not in (None, "", []) and (k in FACT_LABELS or k in form_labels)]
    labels = {k: v for k, v in {**form_labels, **{k: FACT_LABELS[k] for k in case.data if k in FACT_LABELS}}.items()
              if not case_data.bookkeeping(k) and k not in key_facts and not (party_view and is_internal(k))}
    steps = taskcontext.steps(eng, case, task_forms)
    file_fields = {k for s in steps for k, kind in s.kinds.items() if kind == "attachments"}
    labels = {k: v for k, v in labels.items() if k not in file_fields}  # files are listed per step below
    money = {k for s in steps for k, kind in s.kinds.items() if kind == "money"} | COMPUTED_AMOUNTS  # 10,000,000.00
    # a model's amount (a number under 金额、罚款…) reads 5,000 元, also one a mapping or a script computed
    drawn_values = {k: shown for k, label in labels.items()
                    if (shown := (None if k in money else case_data.amount(label, case.data.get(k)))
                        or drawn.shown(k, case.data.get(k), case.data)) is not None}
    amounts = {k: formspec.money_text(case.data[k]) for k, _ in facts if k in money}  # 研判结果's 加处罚款 too
    drawn_values.update({k: formspec.money_text(case.data[k]) for k in labels
                         if k in money and k not in drawn_values and case.data.get(k) not in (None, "")})
    files = [f for s in steps for f in s.files()]
    opinions = {s.seq: s.opinions(party_view) for s in steps}
    # derived and related cases (派生案件, 关联案件): only those the viewer may open are named; the
    # others (another unit's, a higher unit's) are counted, never titled
    spawned = {no: found for no, found in queries.cases_by_number(
        eng, [e["detail"].get("case_no") for e in case.history if e["action"] == "case_spawned"]).items()
        if eng.can_view(found[0], g.user.username)}
    moved = queries.transfers(eng, case)   # 移送至西城区应急管理局 / 由东城区应急管理局移送, in the 办理记录
    parent = None
    if case.parent_case_id and eng.can_view(case.parent_case_id, g.user.username):
        parent = eng.case(case.parent_case_id)
    children = queries.child_cases(eng, case.id)
    related = [c for c in children if eng.can_view(c.id, g.user.username)]
    related_hidden = len(children) - len(related)
    can_list = not party_view and accident_supervision.may_list(eng, g.user.username, case)
    actions = case_actions.offered(eng, case, g.user)  # 案件操作: what the model offers this official here
    names = diagram.element_names(eng, case.model_id)
    waits = [] if case.tasks or case.status != "running" else sorted(
        ((t.name or names.get(t.element_id) or "定时等待", t.due_at) for t in case.timers if t.due_at is not None),
        key=lambda w: w[1])
    # an incident, and one in the timeline, names a missing value by its label (the model's own too)
    incident_names = incident_form.case_labels(eng, case) if case.incidents else {}
    # 待办取消, 到期提醒 and 逾期升级 name their task as 生成待办 did (the audit records only its id)
    task_names = {e["task_id"]: (e.get("detail") or {}).get("task") for e in case.history
                  if e["action"] == "task_opened" and e.get("task_id")}
    return render_template("cases/show.html", case=case, marks=marks, documents=docs, incidents=incidents,
                           incident_names=incident_names, task_names=task_names, moved=moved, waits=waits, step_names=names, related=related, related_hidden=related_hidden, can_list=can_list, actions=actions,
                           labels=labels, drawn_values=drawn_values, facts=facts, amounts=amounts, files=files, opinions=opinions, spawned=spawned, parent=parent,
                           columns={**COMPUTED_COLUMNS, **formspec.table_columns(eng.forms, form_keys)},
                           workable=_workable(eng, case.tasks),
                           other_data=case_data.other(case.data, {*labels, *key_facts, *file_fields})
                           if nav.can_design(g.user) else [])


def _form_keys_in_order(task_forms: dict[str, str | None], history: list[dict]) -> list[str]:
    """The form keys of the case's user tasks, open and done, in the order the audit log opened them
    (as ``queries.case_form_keys``, from the task forms already read)."""
    order = {e["task_id"]: e["seq"] for e in history if e["action"] == "task_opened" and e.get("task_id")}
    return [key for _id, key in sorted(task_forms.items(), key=lambda item: order.get(item[0], 1 << 30)) if key]


def _workable(eng, tasks) -> set[str]:
    """The open tasks the viewer may work (the form, not just the task's name): the policy's task
    check on the rows the case page read, with the viewer's principal and org paths from the
    directory's cache at the counter read with the session row, and exclusions and candidacies
    in one statement (was ``may_work`` per task: five statements each)."""
    if not tasks:
        return set()
    with eng.db.read() as s:
        return eng.policy.workable(s, g.user, tasks, getattr(session, "directory_version", None))


@bp.post("/<int:case_id>/list-for-supervision")
def list_for_supervision(case_id: int):
    """事故查处挂牌督办: a superior bureau's 局长 or 分管负责人 lists this accident investigation (the
    button on the accident's page); the listing opens linked to it."""
    eng = engine()
    case = redaction.case_for(eng, case_id, g.user)
    if not accident_supervision.may_list(eng, g.user.username, case):
        raise Forbidden("只有上级应急管理部门负责人可以对办理中的事故调查挂牌督办")
    listing = accident_supervision.list_accident(eng, g.user.username, case.id)
    flash(f"已挂牌督办，督办案件 {listing.case_no}", "ok")
    return redirect(url_for("cases.show", case_id=listing.id))


@bp.post("/<int:case_id>/actions/<element_id>")
def take_action(case_id: int, element_id: str):
    """案件操作: the button a waiting case's model offers (``webui.case_actions``), confirmed on the page."""
    eng = engine()
    case = redaction.case_for(eng, case_id, g.user)
    try:
        action = case_actions.take(eng, case, g.user, element_id)
    except LookupError:
        raise Forbidden("该操作现在不能办理：案件已不再等待此操作，或只有本单位相应岗位的工作人员可以办理") from None
    flash(f"已发起「{action.label}」", "ok")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.get("/<int:case_id>/diagram.bpmn")
def model_xml(case_id: int):
    eng = engine()
    case = redaction.case_for(eng, case_id, g.user)
    model = diagram.model_of(eng, case)
    if model is None:
        abort(404)
    # the model's XML is read by the diagram's script; opened by itself it is a file, never a page
    # (an XHTML <script> drawn into a model would run in this origin: headers.DOWNLOAD_CSP's sandbox)
    return Response(model.content, mimetype="application/xml",
                    headers={"Cache-Control": "private, max-age=3600", "Content-Security-Policy": headers.DOWNLOAD_CSP})


@bp.get("/<int:case_id>/documents/<doc_key>")
def document(case_id: int, doc_key: str):
    case = redaction.case_for(engine(), case_id, g.user)
    offered = {d.key: d for d in documents.available(case.process_key, case.data)}
    if doc_key not in offered:
        abort(404)
    rendered = documents.render(doc_key, case.data, title=offered[doc_key].title,
                                issuer=display.org_name(case.org_code))
    if rendered is None:
        abort(404)
    return documents.download(rendered)
