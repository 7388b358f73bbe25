"""/api/external-tasks — another system's workers do service tasks (fetch-and-lock, engine/external_tasks.py).

``POST /external-tasks/fetch-and-lock`` takes free tasks of a topic for a lease; ``.../{id}/complete``
reports the result (the case runs on); ``.../{id}/failure`` reports a failure (offered again while
attempts remain, then an incident; its ``variables`` go into the case data); ``.../{id}/bpmnError``
reports a business error whose BPMN error the task's boundary event or an event sub-process catches
(Camunda 7's ``POST /external-task/{id}/bpmnError``). Callers must hold the task's ``workerRoles`` or be administrators,
and see only the tasks of cases they may see (engine/policy.py).
"""
from __future__ import annotations

from marshmallow import fields, validate

from . import schemas
from .blueprint import bp, engine, principal

EXTERNAL = ["external-tasks"]
TASK_ID = "<uuid:task_id>"


class FetchAndLock(schemas.Schema):
    topic = schemas.text_field(256, min_length=1, required=True, metadata={"description": "主题（camunda:topic）"})
    worker = schemas.code_field(128, required=True, metadata={"description": "工作者标识"})
    lease = fields.Integer(load_default=300, validate=validate.Range(min=1, max=86_400),
                           metadata={"description": "锁定秒数"})
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))


class LockedTask(schemas.Schema):
    id = fields.String(required=True)
    case_id = fields.Integer(required=True)
    topic = fields.String(required=True)
    element_id = fields.String(required=True)
    name = fields.String(required=True)
    lock_until = fields.DateTime(required=True)
    retries = fields.Integer(allow_none=True)
    variables = fields.Dict(required=True, metadata={"description": "案件数据"})


class LockedTasks(schemas.Schema):
    items = fields.List(fields.Nested(LockedTask), required=True)


class CompleteExternal(schemas.Schema):
    worker = schemas.code_field(128, required=True)
    data = schemas.form_data(load_default=dict, metadata={"description": "结果数据，并入案件数据"})


class FailExternal(schemas.Schema):
    worker = schemas.code_field(128, required=True)
    message = schemas.text_field(2000, min_length=1, required=True, metadata={"description": "失败原因"})
    retries = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=100),
                             metadata={"description": "还可重试的次数，缺省为剩余次数减一"})
    retry_in = fields.Integer(load_default=0, validate=validate.Range(min=0, max=86_400),
                              metadata={"description": "多少秒后再次提供"})
    details = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20_000),
                                 metadata={"description": "失败详情（Camunda 的 errorDetails），错误事件定义的表达式可读 externalTask.errorDetails"})
    variables = schemas.form_data(load_default=dict, metadata={
        "description": "并入案件数据的变量（Camunda 7 的 variables），下次获取该任务时可见"})


class BpmnErrorExternal(schemas.Schema):
    worker = schemas.code_field(128, required=True)
    errorCode = schemas.text_field(256, min_length=1, required=True, metadata={
        "description": "错误代码（BPMN 错误的 errorCode），由任务的错误边界事件或事件子流程捕获"})
    errorMessage = schemas.text_field(2000, load_default=None, allow_none=True, metadata={
        "description": "错误说明，捕获事件的 camunda:errorMessageVariable 可读"})
    variables = schemas.form_data(load_default=dict, metadata={"description": "抛出错误前并入案件数据的变量"})


class ExternalCompleteResult(schemas.Schema):
    case_id = fields.Integer(required=True)


class ExternalBpmnErrorResult(schemas.Schema):
    caught = fields.Integer(required=True, metadata={"description": "捕获该错误的事件数；0 表示无人捕获，已转为异常事件"})
    incident_id = fields.Integer(allow_none=True, metadata={"description": "无人捕获时的异常事件编号"})


class ExternalFailResult(schemas.Schema):
    retries = fields.Integer(required=True)
    incident_id = fields.Integer(allow_none=True)
    thrown = fields.String(metadata={"description": "任务的错误事件定义成立时抛出的错误（错误结束事件的名称）"})


@bp.route("/external-tasks/fetch-and-lock", methods=["POST"], tags=EXTERNAL)
@bp.arguments(FetchAndLock)
@bp.response(200, LockedTasks)
def fetch_and_lock(body):
    """获取并锁定：取该主题下空闲的外部任务，锁定给本工作者。"""
    items = engine().fetch_and_lock(body["topic"], body["worker"], body["lease"], by=principal().username,
                                    limit=body["limit"])
    return {"items": items}


@bp.route(f"/external-tasks/{TASK_ID}/complete", methods=["POST"], tags=EXTERNAL)
@bp.arguments(CompleteExternal)
@bp.response(200, ExternalCompleteResult)
def complete_external(body, task_id):
    """完成外部任务：结果并入案件数据，流程继续。"""
    return {"case_id": engine().complete_external(str(task_id), body["worker"], body["data"], by=principal().username)}


@bp.route(f"/external-tasks/{TASK_ID}/failure", methods=["POST"], tags=EXTERNAL)
@bp.arguments(FailExternal)
@bp.response(200, ExternalFailResult)
def fail_external(body, task_id):
    """外部任务失败：任务的错误事件定义成立时抛出该错误；否则次数未用完则稍后再次提供，用完转为异常事件。"""
    return engine().fail_external(str(task_id), body["worker"], body["message"], body["retries"], body["retry_in"],
                                  by=principal().username, details=body["details"], variables=body["variables"])


@bp.route(f"/external-tasks/{TASK_ID}/bpmnError", methods=["POST"], tags=EXTERNAL)
@bp.arguments(BpmnErrorExternal)
@bp.response(200, ExternalBpmnErrorResult)
def bpmn_error_external(body, task_id):
    """外部任务报告业务错误：变量并入案件数据后，在该任务处抛出该错误代码的 BPMN 错误，由错误边界事件或事件子流程捕获；无人捕获则转为异常事件。"""
    return engine().bpmn_error_external(str(task_id), body["worker"], body["errorCode"], body["errorMessage"],
                                        body["variables"], by=principal().username)
