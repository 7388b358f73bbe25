"""/api/outbox — the message centre's outbox for delivery systems (消息外发): the bureau's SMS gateway
(topic ``sms``) or a mail relay (topic ``email``) fetches pending messages with a lease, sends them and
reports each one sent or failed, the way an external-task worker serves a topic
(``workflows.messages.channels``: fetch_and_lock / complete / fail).

Only a service account holding the ``gateway`` role (消息网关) or an administrator may call these: the
items carry people's phone numbers and e-mail addresses.
"""
from __future__ import annotations

from flask_smorest import abort
from marshmallow import fields, validate

from engine.policy import ADMIN_ROLE
from workflows.messages import channels

from . import schemas
from .blueprint import bp, engine, principal

TAG = ["outbox"]
GATEWAY_ROLE = "gateway"


class FetchRequest(schemas.Schema):
    worker = schemas.code_field(required=True, metadata={"description": "取件方标识，如 sms-gateway-1"})
    max_items = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    lease_seconds = fields.Integer(load_default=120, validate=validate.Range(min=10, max=3600))


class OutboxItemOut(schemas.Schema):
    id = fields.Integer(required=True)
    topic = fields.String(required=True)
    recipient = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    attempts = fields.Integer(required=True)


class FetchResponse(schemas.Schema):
    items = fields.List(fields.Nested(OutboxItemOut), required=True)


class Report(schemas.Schema):
    worker = schemas.code_field(required=True)
    error = fields.String(load_default="", validate=validate.Length(max=2000))


class Reported(schemas.Schema):
    ok = fields.Boolean(required=True)


def ensure_tables(engine) -> None:
    """The message centre's tables, for an engine built without ``workflows.runtime`` (idempotent)."""
    from workflows.messages import create_tables
    create_tables(engine.db.engine)


def _only_gateways():
    p = principal()
    if GATEWAY_ROLE not in p.roles and ADMIN_ROLE not in p.roles:
        abort(403, message="只有消息网关或系统管理员可以取用待发消息")


@bp.route("/outbox/<any(sms, email):topic>/fetch-and-lock", methods=["POST"], tags=TAG)
@bp.arguments(FetchRequest)
@bp.response(200, FetchResponse)
def fetch_and_lock(body, topic):
    """取出本主题待发送的消息并加租约；发送后逐条报告结果。"""
    _only_gateways()
    items = channels.fetch_and_lock(engine(), topic, body["worker"], limit=body["max_items"],
                                    lease_seconds=body["lease_seconds"])
    return {"items": items}


@bp.route("/outbox/items/<int(max=2147483647):item_id>/complete", methods=["POST"], tags=TAG)
@bp.arguments(Report)
@bp.response(200, Reported)
def complete(body, item_id):
    """报告一条消息已发送。租约已过期或已被他人取走时返回 409。"""
    _only_gateways()
    if not channels.complete(engine(), item_id, body["worker"]):
        abort(409, message="该消息不在本取件方的租约中（已过期、已发送或不存在）")
    return {"ok": True}


@bp.route("/outbox/items/<int(max=2147483647):item_id>/failure", methods=["POST"], tags=TAG)
@bp.arguments(Report)
@bp.response(200, Reported)
def failure(body, item_id):
    """报告一条消息发送失败（写明原因）；未满5次的将再次发送。"""
    _only_gateways()
    if not channels.fail(engine(), item_id, body["worker"], body["error"] or "发送失败"):
        abort(409, message="该消息不在本取件方的租约中（已过期、已发送或不存在）")
    return {"ok": True}
