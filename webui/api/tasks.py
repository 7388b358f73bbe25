"""/api/tasks — tasks (任务): my queue, done, one task, claim, release, complete.

Every change goes through the engine, which authorizes it in the same transaction that makes it
(lane role, org scope, enterprise, assignee) — the API adds no second opinion that could drift.
Showing one task needs a rule the engine has no call for: the user may work it, or may see its case.
"""
from __future__ import annotations

from flask import g

from engine.errors import Forbidden, InvalidData
from engine.queries import page_key

from .. import assessor_firm, attachments, formspec, paging, task_reach
from . import schemas
from .blueprint import bp, engine, page, principal, username

TAG = ["tasks"]


@bp.route("/tasks", methods=["GET"], tags=TAG)
@bp.arguments(schemas.QueueFilter, location="query")
@bp.response(200, schemas.QueuePage)
def queue(args):
    """我的待办：本人认领的任务，以及本人角色和组织机构可办的未认领任务，按期限排序。

    翻页：offset 跳过若干条；或把上一页的 next_after 作为 after 传回，接着往下翻（深页也快）。
    """
    try:
        after = paging.parse_token(args["after"]) if args.get("after") else None
    except ValueError:
        raise InvalidData({"after": "翻页参数无效，请用上一页返回的 next_after"}) from None
    rows = engine().queue(principal(), limit=args["limit"], offset=0 if after else args["offset"],
                          process_key=args.get("process_key"), overdue_only=args["overdue_only"], after=after)
    return {**page(rows, args["limit"], args["offset"]),
            "next_after": paging.token(page_key(rows[-1])) if len(rows) == args["limit"] else None}


@bp.route("/tasks/done", methods=["GET"], tags=TAG)
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.TaskPage)
def done(args):
    """我的已办：本人完成的任务，最新的在前。"""
    return page(engine().done_by(username(), limit=args["limit"], offset=args["offset"]),
                args["limit"], args["offset"])


@bp.route("/tasks/<uuid:task_id>", methods=["GET"], tags=TAG)
@bp.response(200, schemas.Task)
def show_task(task_id):
    """一个任务：本人可办理，或可查看其案件时可见。企业用户看不到的任务答 404，与不存在的任务相同。"""
    eng = engine()
    task_reach.hidden(eng, task_id, principal())
    row = eng.task(str(task_id))
    if not (eng.may_work(row.id, username()) or eng.can_view(row.case_id, username())):
        raise Forbidden("无权查看该任务")
    return row


@bp.route("/tasks/<uuid:task_id>/claim", methods=["POST"], tags=TAG)
@bp.response(200, schemas.Task)
def claim(task_id):
    """认领：任务离开组待办，只等本人办理。"""
    task_reach.hidden(engine(), task_id, principal())
    return engine().claim(str(task_id), username())


@bp.route("/tasks/<uuid:task_id>/release", methods=["POST"], tags=TAG)
@bp.response(200, schemas.Task)
def release(task_id):
    """退回组待办：放弃本人认领的任务。"""
    task_reach.hidden(engine(), task_id, principal())
    return engine().release(str(task_id), username())


@bp.route("/tasks/<uuid:task_id>/complete", methods=["POST"], tags=TAG)
@bp.arguments(schemas.CompleteTask)
@bp.response(200, schemas.CompleteResult)
def complete(body, task_id):
    """办理：提交表单数据，流程运行到下一个等待点。

    数据按任务的表单校验（422，errors 指明字段）；脚本出错时案件保持原状并记录异常事件（422，incident_id）。
    返回案件，以及本案件中本人现在可以接着办理的任务（next_tasks：下一步由本人办理时不必再查询案件）。
    """
    eng, who, task_id = engine(), principal(), str(task_id)  # each looked up once (context-local proxies)
    task_reach.hidden(eng, task_id, who)
    data = body["data"]
    if _links_files(data) and eng.may_work(task_id, who.username):  # else refused by complete
        task = eng.task(task_id)  # a file linked must be this step's own (webui/attachments.foreign_links)
        foreign, _refs = attachments.foreign_links(eng, task, formspec.fields_for(eng.forms, task.form_key), data)
        if foreign:
            raise InvalidData(foreign)
    if who.holds("assessor"):  # a linked assessor files under its own firm, as on the page
        fields = formspec.fields_for(eng.forms, eng.task(task_id).form_key)
        data = {**data, **assessor_firm.values(eng, fields, who.username)}
    try:
        case = eng.complete(task_id, who.username, data)
    except InvalidData as exc:
        exc.said = formspec.refusal_named(formspec.fields_for(eng.forms, eng.task(task_id).form_key), exc.errors)
        raise
    # the policy's names and org paths from the directory's cache at the counter read with the token
    return {"case": case, "next_tasks": eng.next_tasks(case.id, who, g.get("api_directory_version"))}


def _links_files(data: dict) -> bool:
    """Does ``data`` name an uploaded file (``attachment:…`` in a list)? Most completions do not."""
    return any(isinstance(v, list) and any(isinstance(r, str) and r.startswith(attachments.PREFIX) for r in v)
               for v in data.values())
