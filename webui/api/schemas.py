"""Marshmallow schemas of the API: what requests may contain and what responses promise.

Inputs carry the same limits as the database columns they end up in (a 300-character title is
refused here with a message, not by PostgreSQL with a 500), and codes follow one pattern so they
can never smuggle control characters or path tricks. Output schemas mark every column that may be
empty as nullable, so the OpenAPI document tells clients the truth (schemathesis checks it).
"""
from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, pre_load, validate


CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
# an XML id as the models' tools write it: ASCII, or Chinese (a 钉钉-style export's 隐患整改延期审批, engine accepts any NCName)
KEY_PATTERN = r"^[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]*$"
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"  # one line of text: no control characters
CASE_STATUSES = ("running", "completed", "cancelled")


def code_field(max_length: int = 64, **kwargs) -> fields.String:
    """An identifier (org unit, role, user, credit code)."""
    return fields.String(validate=[validate.Length(min=1, max=max_length),
                                   validate.Regexp(CODE_PATTERN, error="只能包含字母、数字、下划线、点和短横线")],
                         **kwargs)


def key_field(**kwargs) -> fields.String:
    """A process or decision key: the id attribute of the model element."""
    return fields.String(validate=[validate.Length(min=1, max=128),
                                   validate.Regexp(KEY_PATTERN, error="流程标识格式不正确")], **kwargs)


def text_field(max_length: int, min_length: int = 0, **kwargs) -> fields.String:
    return fields.String(validate=[validate.Length(min=min_length or None, max=max_length),
                                   validate.Regexp(TEXT_PATTERN, error="不能包含控制字符")], **kwargs)


def _data_keys(value: dict) -> None:
    if len(value) > 500:
        raise ma.ValidationError("字段过多（上限 500）")
    for k in value:
        if not isinstance(k, str) or not k or len(k) > 128:
            raise ma.ValidationError(f"字段名长度须为 1 到 128: {str(k)[:40]}")
        if k.startswith("__"):
            raise ma.ValidationError(f"字段名不能以双下划线开头: {k[:40]}")


def form_data(**kwargs) -> fields.Dict:
    """Free-form case or task data (表单数据): any JSON object the process's forms define.

    Its keys are checked by ``_data_keys`` (text of 1 to 128 characters, not ``__…``), not by a
    ``keys=fields.String()`` field: that deserialized every key through marshmallow's field layers,
    ~1.4 µs a key (a form of 30 fields: 52 -> 10 µs a load), to prove what JSON already guarantees
    and ``_data_keys`` checks again. The OpenAPI document is the same (an object of any values)."""
    return fields.Dict(validate=_data_keys, **kwargs)


class Schema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


# -- paging and filters ------------------------------------------------------------------------------
class PageArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200),
                           metadata={"description": "每页条数"})
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000),
                            metadata={"description": "跳过的条数"})


class CaseFilter(PageArgs):
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    process_key = key_field()
    case_no = text_field(64, min_length=1, metadata={"description": "案号（包含匹配）"})
    party = code_field()
    org = code_field()


class QueueFilter(PageArgs):
    process_key = key_field()
    overdue_only = fields.Boolean(load_default=False)
    after = fields.String(validate=validate.Length(min=1, max=200),
                          metadata={"description": "接着翻页：上一页返回的 next_after（此时不用 offset），翻得再深也与第一页一样快"})


class IncidentFilter(PageArgs):
    open_only = fields.Boolean(load_default=True)
    case_id = fields.Integer(validate=validate.Range(min=1, max=2_147_483_647))


class TimerFilter(PageArgs):
    case_id = fields.Integer(validate=validate.Range(min=1, max=2_147_483_647))
    overdue_only = fields.Boolean(load_default=False, metadata={"description": "只列出已到期未触发的"})


class VersionArgs(Schema):
    version = fields.Integer(validate=validate.Range(min=1, max=1_000_000),
                             metadata={"description": "版本号，缺省为最新版本"})


# -- requests ------------------------------------------------------------------------------------------
class StartCase(Schema):
    process_key = key_field(required=True)
    org = code_field(metadata={"description": "案件所属组织机构，缺省为本人所在机构"})
    party = code_field(allow_none=True, metadata={"description": "当事企业统一社会信用代码"})
    title = text_field(256, load_default="")
    data = form_data(load_default=dict)

    @pre_load
    def _party_as_registered(self, body, **_):
        """A credit code pasted in lower case, with blanks or full-width (``9111 0000 ...x``) names
        the enterprise the registry writes in upper case without blanks: read as that one, so the
        case is the enterprise's own (its users see it) — not refused, not stored as typed."""
        if isinstance(body, dict) and isinstance(body.get("party"), str) and body["party"].strip():
            from workflows.enterprises import credit_code
            body = {**body, "party": credit_code.normalize(body["party"])}
        return body


class CompleteTask(Schema):
    data = form_data(load_default=dict)


class RetryIncident(Schema):
    data = form_data(allow_none=True, load_default=None,
                     metadata={"description": "更正后的表单数据；缺省按原数据重试"})


class DeployForm(Schema):
    file = Upload(required=True, metadata={"description": ".bpmn 或 .dmn 文件（UTF-8，不超过 5 MB）"})
    forms = fields.List(Upload(), load_default=list, validate=validate.Length(max=50),
                        metadata={"description": "与 Camunda 8 模型一同部署的 .form 表单文件（可多个）：模型中以 formId "
                                                 "链接的表单嵌入该版本，办理时显示并检查"})


class NewUser(Schema):
    username = code_field(required=True)
    name = text_field(128, load_default="")
    org = code_field(required=True)
    roles = fields.List(text_field(128, min_length=1), load_default=list, validate=validate.Length(max=20),
                        metadata={"description": "角色代码或名称"})
    party = code_field(allow_none=True, load_default=None)
    password = fields.String(load_only=True, validate=validate.Length(min=8, max=128),
                             metadata={"description": "初始密码，可不设；须符合密码策略（至少 10 位，大写字母、小写字母、数字、其他字符中至少三类，不含用户名）"})


class NewOrg(Schema):
    code = code_field(required=True)
    name = text_field(128, min_length=1, required=True)
    parent = code_field(allow_none=True, load_default=None)
    level = text_field(16, allow_none=True, load_default=None, metadata={"description": "省/市/区/镇/村"})


class Login(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))
    name = text_field(128, load_default="", metadata={"description": "令牌用途说明"})


# -- responses ---------------------------------------------------------------------------------------
class Model(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "bpmn | dmn"})
    name = fields.String(required=True)
    version = fields.Integer(required=True)
    filename = fields.String(required=True)
    content_hash = fields.String(required=True)
    deployed_by = fields.String(required=True)
    deployed_at = fields.DateTime(required=True)


class ModelList(Schema):
    items = fields.List(fields.Nested(Model), required=True)


class Case(Schema):
    id = fields.Integer(required=True)
    case_no = fields.String(required=True)
    process_key = fields.String(required=True)
    status = fields.String(required=True)
    title = fields.String(required=True)
    org_code = fields.String(required=True)
    party = fields.String(allow_none=True)
    escalation_level = fields.Integer(required=True)
    started_by = fields.String(required=True)
    started_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    ended_at = fields.DateTime(allow_none=True)
    parent_case_id = fields.Integer(allow_none=True)


class Task(Schema):
    id = fields.String(required=True)
    case_id = fields.Integer(required=True)
    case_no = fields.String(required=True)
    case_title = fields.String(required=True)
    process_key = fields.String(required=True)
    spec_id = fields.String(required=True)
    name = fields.String(required=True)
    lane = fields.String(allow_none=True)
    role_code = fields.String(allow_none=True)
    org_code = fields.String(required=True)
    party = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    state = fields.String(required=True)
    form_key = fields.String(allow_none=True)
    priority = fields.Integer(required=True)
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    reminders = fields.Integer(required=True)


class HistoryEvent(Schema):
    seq = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    task_id = fields.String(allow_none=True)
    detail = fields.Raw(allow_none=True)


class Incident(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(allow_none=True)
    action = fields.String(required=True)
    task_id = fields.String(allow_none=True)
    element_id = fields.String(allow_none=True)
    actor = fields.String(required=True)
    message = fields.String(required=True, metadata={"description": "出了什么错、该怎么办（中文，环节按名称、数据按标签）"})
    detail = fields.String(required=True, metadata={"description": "技术详情：引擎记录的原始错误（供流程设计员、管理员排查）"})
    created_at = fields.DateTime(required=True)
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    retries = fields.Integer(attribute="payload.retries.count", dump_default=0, dump_only=True,
                             metadata={"description": "重试后仍失败的次数（同一环节只保留这一条异常事件，message 为最近一次的错误）"})


class Timer(Schema):
    id = fields.String(required=True)
    case_id = fields.Integer(required=True)
    element_id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    attached_to = fields.String(allow_none=True)
    due_at = fields.DateTime(required=True)
    parked = fields.Boolean(required=True, metadata={"description": "触发时出错，等待异常事件重试"})


class CaseDetail(Case):
    model_version = fields.Integer(required=True)
    data = fields.Dict(required=True)
    tasks = fields.List(fields.Nested(Task), required=True)
    history = fields.List(fields.Nested(HistoryEvent), required=True)
    incidents = fields.List(fields.Nested(Incident), required=True)
    timers = fields.List(fields.Nested(Timer), required=True)


class CompleteResult(Schema):
    case = fields.Nested(Case, required=True)
    next_tasks = fields.List(fields.Nested(Task), required=True,
                             metadata={"description": "办理后本案件中本人现在可以办理的任务（下一步），没有则为空"})


class RetryResult(Schema):
    incident = fields.Nested(Incident, required=True)


def page_of(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    return type(name, (Schema,), {"items": fields.List(fields.Nested(item), required=True),
                                  "limit": fields.Integer(required=True), "offset": fields.Integer(required=True)})


CasePage = page_of(Case, "CasePage")
TaskPage = page_of(Task, "TaskPage")
QueuePage = type("QueuePage", (TaskPage,), {"next_after": fields.String(
    allow_none=True, required=True, metadata={"description": "下一页的 after；本页不满 limit 条时为空"})})
IncidentPage = page_of(Incident, "IncidentPage")
TimerPage = page_of(Timer, "TimerPage")


class User(Schema):
    username = fields.String(required=True)
    name = fields.String(required=True)
    org_code = fields.String(required=True)
    party = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    roles = fields.List(fields.String(), required=True)


class Me(Schema):
    username = fields.String(required=True)
    name = fields.String(required=True)
    org_code = fields.String(required=True)
    party = fields.String(allow_none=True)
    roles = fields.List(fields.String(), required=True)
    supervising_roles = fields.List(fields.String(), required=True)
    auth = fields.String(required=True, metadata={"description": "token | session"})


class Org(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    parent_code = fields.String(allow_none=True)
    path = fields.String(required=True)
    level = fields.String(allow_none=True)


class Role(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    sees_subordinate_orgs = fields.Boolean(required=True)


class UserList(Schema):
    items = fields.List(fields.Nested(User), required=True)


class OrgList(Schema):
    items = fields.List(fields.Nested(Org), required=True)


class RoleList(Schema):
    items = fields.List(fields.Nested(Role), required=True)


class IssuedToken(Schema):
    token = fields.String(required=True, metadata={"description": "只显示这一次，请妥善保存"})
    username = fields.String(required=True)
    expires_at = fields.DateTime(allow_none=True)
