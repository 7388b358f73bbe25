"""Task pages (待办): my queue, group queues per role, done, and the task form itself.

我的待办 is the engine's queue (claimed and claimable, by due date). 组待办 shows one role's unclaimed
tasks to claim; 已办 what the user completed. The task page renders the task's form from the forms
registry — or, for a task with no form of ours, the fields drawn in its model (webui/drawn_form.py)
— and hands the posted data to ``engine.complete``; validation errors come back from the
engine in Chinese and are shown next to their fields with everything typed kept.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from engine.clock import SHANGHAI
from engine.errors import Conflict, Forbidden, IncidentRaised, InvalidData

from . import overdue as late_cases
from . import assessor_firm, attachments, decision_paths, diagram, display, drawn_form, formspec, nav, parties, queries, redaction, task_reach, taskcontext
from engine.queries import page_key
from workflows.forms.deadlines import FROM_TODAY

from .paging import keyset_paged, paged
from .auth import engine

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

@bp.get("/")
def mine():
    process = request.args.get("process") or None
    overdue = request.args.get("overdue") == "1"
    rows, page, more, after = keyset_paged(lambda limit, offset, after: engine().queue(
        g.user, limit=limit, offset=offset, process_key=process, overdue_only=overdue, after=after), page_key)
    parties.prime(t.party for t in rows)
    return render_template("tasks/mine.html", tasks=rows, page=page, more=more, after=after, process=process,
                           overdue=overdue,
                           late=late_cases.overdue_ids(engine(), {t.case_id for t in rows}, display.now()),
                           processes=_process_choices(process))


# An enterprise's queue is its own few tasks: read whole for the 流程 filter's choices.
PARTY_QUEUE_READ = 500


def _process_choices(chosen: str | None) -> list[tuple[str, str]]:
    """The 流程 filter of 我的待办. An official chooses among the bureau's processes; an enterprise
    account (当事企业) only among those its own tasks are in (and the one chosen), not the bureau's
    internal ones (执法案卷评查, 12350举报核查, 领导带队督查…), which it has no part in: listed, they were
    names it could not act on, and a 12350 process beside its own cases (hux12, 2026-12-07)."""
    choices = display.process_choices()
    if not g.user.party:
        return choices
    keys = {t.process_key for t in engine().queue(g.user, limit=PARTY_QUEUE_READ)} | {chosen}
    return [(key, name) for key, name in choices if key in keys]


@bp.get("/group")
def group():
    roles = sorted(g.user.roles)
    if not roles:
        return render_template("tasks/group.html", tasks=[], roles=[], role=None, page=1, more=False)
    role = request.args.get("role") or roles[0]
    if role not in g.user.roles:
        abort(404)
    rows, page, more, after = keyset_paged(lambda limit, offset, after: queries.group_queue(
        engine(), g.user, role, limit=limit, offset=offset, after=after), page_key)
    parties.prime(t.party for t in rows)
    return render_template("tasks/group.html", tasks=rows, roles=roles, role=role, page=page, more=more, after=after,
                           late=late_cases.overdue_ids(engine(), {t.case_id for t in rows}, display.now()))


@bp.get("/done")
def done():
    rows, page, more = paged(lambda limit, offset: engine().done_by(g.user.username, limit=limit, offset=offset))
    parties.prime(t.party for t in rows)
    return render_template("tasks/done.html", tasks=rows, page=page, more=more)


@bp.post("/<task_id>/claim")
def claim(task_id: str):
    task_reach.hidden(engine(), task_id, g.user)  # an enterprise's: 404 as for none (webui/task_reach.py)
    try:
        task = engine().claim(task_id, g.user.username)
        flash(f"已认领：{task.name}", "ok")
    except Conflict as exc:
        flash(str(exc), "error")
        return redirect(_back(url_for("tasks.group")))
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/<task_id>/release")
def release(task_id: str):
    task_reach.hidden(engine(), task_id, g.user)
    task = engine().release(task_id, g.user.username)
    flash(f"已退回组待办：{task.name}", "ok")
    return redirect(_back(url_for("tasks.mine")))


@bp.post("/<task_id>/reassign")
def reassign(task_id: str):
    """转办: a supervisor hands a stuck task (claimed by someone absent, or assigned to a member who
    cannot act) to another holder of its role; the engine checks both sides."""
    to_user = (request.form.get("to_user") or "").strip()
    if not to_user:
        flash("请选择转办给谁", "error")
    else:
        try:
            task = engine().reassign(task_id, to_user, by=g.user.username,
                                     reason=(request.form.get("reason") or "").strip())
        except (Forbidden, Conflict) as exc:
            flash(str(exc), "error")
        else:
            flash(f"已转办：{task.name} → {display.user_name(to_user)}", "ok")
    return redirect(url_for("tasks.show", task_id=task_id))


def _assessors(eng) -> list[str]:
    """The registered 安全评价检测检验机构 a 评估机构名称 is picked from (workflows/enterprises/assessors.py)."""
    from workflows.enterprises import assessors
    with eng.db.read() as s:
        return assessors.names(s)


def _back(default: str) -> str:
    target = request.form.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default


@bp.route("/<task_id>", methods=["GET", "POST"])
def show(task_id: str):
    eng = engine()
    task_reach.hidden(eng, task_id, g.user)  # an enterprise's: 404 as for none, not 「案件不存在」
    task = eng.task(task_id)
    case = redaction.case_for(eng, task.case_id, g.user)  # Forbidden (403) for another org's case
    may_work = task.state == "open" and eng.may_work(task_id, g.user.username)
    fields = formspec.fields_for(eng.forms, task.form_key)
    # No form of ours: the fields drawn in the model (Camunda formData, Flowable formProperty), if any
    drawn = drawn_form.fields(eng, task, case.model_id, case.data) if fields is None else None
    fields = fields if drawn is None else drawn
    locked = assessor_firm.values(eng, fields, g.user.username) if may_work else {}
    if locked:  # an assessor's own firm: filled and fixed, not picked and typed each time
        fields = [dict(f, locked=True, help=assessor_firm.HELP) if f["name"] in locked else f for f in fields or []]
    form = formspec.Form(fields, title=formspec.title_for(eng.forms, task.form_key) or task.name,
                         people={**formspec.people_options(eng.directory, fields, case.org_code, task.org_code),
                                 **formspec.name_choices(eng.directory, fields, case.data, case.org_code, task.org_code)},
                         orgs=formspec.org_options(eng.directory, fields),
                         enterprises=[(code, name) for name, code in parties.pick_options(g.user)]
                         if formspec.has_kind(fields, "enterprise") or formspec.names_enterprise(fields) else [],
                         assessors=_assessors(eng) if formspec.has_kind(fields, "assessment_body") else [])
    status = 200
    if request.method == "POST":
        if task.state != "open":
            raise Conflict("任务已办结，不能重复提交")
        if not may_work:
            raise Forbidden("您无权办理此任务")
        names = [f["name"] for f in fields or [] if f["type"] == "attachments"]
        # written only if the form passes; held for this task and person if it is refused
        pending = attachments.PendingUploads(request.files, names, task.id, g.user.username, request.form)
        posted = request.form.copy()
        for name, value in locked.items():  # whatever the page posted: the firm's
            posted.setlist(name, [value])
        data, form.values, form.errors = formspec.read(fields, posted, pending.refs)
        form.errors = {**pending.gone, **form.errors}  # a held file gone: not submitted without it
        if not form.errors:  # a file of another step, case or submit linked by a posted reference
            form.errors, foreign = attachments.foreign_links(eng, task, fields, data, pending.all_refs())
            for name in form.errors:  # not offered again: the file to link is chosen and uploaded here
                form.values[name] = [r for r in form.values.get(name) or [] if r not in foreign]
        if not form.errors:
            try:
                pending.save(case.id, g.user.username, eng.clock.now())
                eng.complete(task_id, g.user.username, data)
            except InvalidData as exc:
                pending.discard(keep=True)
                form.errors = exc.errors
            except Conflict as exc:
                pending.discard()
                flash(str(exc), "error")
                status = 409
            except IncidentRaised as exc:
                attachments.drop_held(task.id, g.user.username)
                flash(f"已提交，但流程执行出错，已记录为异常事件 #{exc.incident_id}；负责人处理后流程将继续。", "error")
                return redirect(url_for("cases.show", case_id=case.id))
            else:
                attachments.drop_held(task.id, g.user.username)
                return _after_submit(eng, task, case)
        if form.errors:
            status = 422
            unsaved = pending.all_refs()
            for name in names:  # files of a refused submit are listed as held, not as linked
                form.values[name] = [r for r in form.values.get(name) or [] if r not in unsaved]
            form.held = pending.hold()
            if drawn:  # read-only fields post nothing: show them as they were
                form.values.update(drawn_form.readonly_values(drawn, case.data))
            flash(_refused(form.wrong_labels()) + _held_note(form.held, pending.not_held), "error")
    else:
        # Nothing typed yet: start from the case data where field names match (a case started from an
        # accident or a hazard already knows party_name, violation_facts…), a delegate's draft over it.
        form.values = formspec.prefill(fields, {**_own_data(eng, case, task, fields), **(task.draft or {})})
        form.values.update(formspec.prefill(fields, taskcontext.prefill(task, case.data)))
        if drawn:
            form.values = drawn_form.start_values(drawn, form.values, case.data)
        form.values.update(locked)
        if may_work and any(f["type"] == "attachments" for f in fields or []):
            form.held = attachments.held_files(task.id, g.user.username)  # a refused submit's, page left and opened again
    parties.prime([case.party])
    context = taskcontext.build(eng, case, task, g.user)
    handover = []
    if task.state == "open" and nav.can_supervise(g.user):
        names = {u.username: u.name for u in eng.directory.users()}
        handover = [(u, names.get(u, u)) for u in eng.directory.users_with_role(task.role_code, task.org_code)
                    if u != task.assignee] if task.role_code else []
    rule = diagram.step_rule(eng, case.model_id, task.spec_id, task.name)
    outcomes, routed = _outcomes(eng, case, task, form) if may_work else ([], None)
    return render_template("tasks/show.html", task=task, case=case, form=form, may_work=may_work,
                           context=context, handover=handover, rule=rule, outcomes=outcomes, routed=routed,
                           submitted=taskcontext.submitted_before(case, task)), status


REFUSED_NAMED = 4  # a refused submit's message names this many fields to correct, then 等N项


def _refused(labels: list[str]) -> str:
    """「表单有误：「整改期限」「罚款金额」需要修改，请按提示修改后重新提交。」: what to correct, said where
    the page opens (a phone shows the first field's message only after scrolling)."""
    if not labels:
        return "表单有误，请按提示修改后重新提交。"
    named = "".join(f"「{label}」" for label in labels[:REFUSED_NAMED])
    more = f"等{len(labels)}项" if len(labels) > REFUSED_NAMED else ""
    return f"表单有误：{named}{more}需要修改，请按提示修改后重新提交。"


def _held_note(held: dict, not_held: list[str]) -> str:
    """What the refusal says of the files chosen: kept (暂存) and going in with the form, or which were not."""
    note = f"已选择的{sum(map(len, held.values()))}个附件已暂存，修改后提交即一并上传，无需重新选择。" if held else ""
    if not_held:
        note += f"附件「{'、'.join(not_held)}」超过暂存上限（50 MB）未能暂存，请修改后重新选择。"
    return note


def _outcomes(eng, case, task, form) -> tuple[list, dict | None]:
    """Where the buttons lead (webui/decision_paths.py): each decision button's, or for a form with
    no decision, 提交's by the first required 是/否 the gateway after the step routes on (that field)."""
    d = form.decision
    if d:
        return decision_paths.outcomes(eng, case.model_id, task.spec_id, task.name, d["name"], d["choices"]), None
    for f in form.fields or []:
        if f["type"] == "boolean" and f.get("required"):
            found = decision_paths.outcomes(eng, case.model_id, task.spec_id, task.name, f["name"], [True, False])
            if found:
                return found, f
    return [], None


def _own_data(eng, case, task, fields) -> dict:
    """Case data to start the form from, where field names match — except files: an attachment
    field starts from what *this* step uploaded before (a returned plan keeps its 整改方案), never
    from another step's field of the same name (the enterprise's 整改方案 is not the assessor's
    评估报告)."""
    files = {f["name"] for f in fields or [] if f["type"] == "attachments"}
    data = {k: v for k, v in case.data.items() if k not in files and not _deadline_passed(k, v, fields)}
    if files and task.form_key:
        mine = [s for s in taskcontext.steps(eng, case) if s.form_key == task.form_key]
        if mine:
            data.update({k: v for k, v in mine[-1].data.items() if k in files})
    return data


def _deadline_passed(name: str, value, fields) -> bool:
    """A deadline field whose value in the case has already passed: not offered again. Offered, it was
    the missed deadline in 一般隐患逾期督促's 新的整改期限, which a 科长 choosing 继续限期整改 submitted as it
    stood, and the hazard was overdue again at once; and 调查超期督办's 限期提交报告日期 the 60th day just
    missed. A deadline is a field its form makes one (``fields.deadline``: not before today — 限期…日期,
    批准延长至, 计划督查日期 too), or a date a model drawn elsewhere labels 期限 or 时限."""
    field = next((f for f in fields or [] if f["name"] == name), None)
    if field is None or field["type"] != "date" or not (
            field.get(FROM_TODAY) or any(w in field.get("label", "") for w in ("期限", "时限"))):
        return False
    try:
        return date.fromisoformat(str(value)[:10]) < display.now().astimezone(SHANGHAI).date()
    except ValueError:
        return False


def _after_submit(eng, task, case):
    """Back to the case — unless a gate sent the step straight back (四不放过核验 found gaps): then
    say so, name what is missing, and open the step again."""
    gate = taskcontext.context_for(task.form_key).gate
    if gate:
        after = eng.case(case.id)
        missing = after.data.get(gate) or []
        again = [t for t in after.tasks if t.spec_id == task.spec_id]
        if missing and again:
            flash(f"未通过核验，已退回本环节：{'；'.join(map(str, missing))}", "error")
            return redirect(url_for("tasks.show", task_id=again[0].id))
    flash(f"已提交：{task.name}", "ok")
    return redirect(url_for("cases.show", case_id=case.id))
