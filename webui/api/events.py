"""/api/messages and /api/signals — other systems (the 12350 hotline, an SMS gateway, the provincial
data exchange) send events to waiting cases through the engine (engine/messages.py).

A message goes to exactly one waiting step of one case — by case id and/or correlation values — or
starts a case at a message start event: 404 when no case waits, 409 when several cases or steps do
(named), unless ``"all": true`` asks for every one of them. A signal reaches every waiting
case in the org unit given (and below). Who may send is the catch event's ``senderRoles``.
"""
from __future__ import annotations

from marshmallow import fields, validate

from . import schemas
from .blueprint import bp, engine, principal

EVENTS = ["events"]


class SendMessage(schemas.Schema):
    name = schemas.text_field(256, min_length=1, required=True, metadata={"description": "消息名称（模型中 message 的 name）"})
    case_id = fields.Integer(validate=validate.Range(min=1, max=2_147_483_647), load_default=None,
                             metadata={"description": "送达的案件；缺省按关联值查找"})
    correlation = schemas.form_data(load_default=dict, metadata={"description": "关联值，如 {\"hazard_no\": \"YH-0001\"}"})
    data = schemas.form_data(load_default=dict, metadata={"description": "随消息送达的数据，并入案件数据"})
    correlate_all = fields.Boolean(data_key="all", load_default=False, metadata={
        "description": "送达全部：案件中有多个环节（或有多个案件）在等待这条消息时，同时送达每一个；"
                       "缺省只送达唯一等待的环节，有多个时拒绝（409）并列出它们"})


class MessageResult(schemas.Schema):
    case_id = fields.Integer(required=True)
    started = fields.Boolean(required=True, metadata={"description": "true：消息开始了一个新案件"})
    case_ids = fields.List(fields.Integer(), metadata={"description": "消息送达的全部案件（送达全部时可有多个）"})


class BroadcastSignal(schemas.Schema):
    name = schemas.text_field(256, min_length=1, required=True, metadata={"description": "信号名称"})
    org = schemas.code_field(load_default=None, metadata={"description": "只送达该组织机构及其下级的案件"})
    data = schemas.form_data(load_default=dict)


class SignalResult(schemas.Schema):
    delivered = fields.List(fields.Integer(), required=True, metadata={"description": "收到信号的案件"})
    started = fields.List(fields.Integer(), required=True, metadata={"description": "信号开始的新案件"})


@bp.route("/messages", methods=["POST"], tags=EVENTS)
@bp.arguments(SendMessage)
@bp.response(200, MessageResult)
def send_message(body):
    """发送消息：送达唯一等待它的案件中唯一等待它的环节（all 为 true 时送达全部），或在消息开始事件处发起新案件。"""
    return engine().correlate_message(body["name"], by=principal().username, case_id=body["case_id"],
                                      correlation=body["correlation"], data=body["data"],
                                      correlate_all=body["correlate_all"])


@bp.route("/signals", methods=["POST"], tags=EVENTS)
@bp.arguments(BroadcastSignal)
@bp.response(200, SignalResult)
def broadcast_signal(body):
    """广播信号：送达所有等待它的案件（可限定组织机构），并在信号开始事件处发起新案件。"""
    return engine().broadcast_signal(body["name"], by=principal().username, data=body["data"], org=body["org"])
