"""/api/me, /api/users, /api/orgs, /api/roles — the directory (人员、角色、组织机构).

Reading org units and roles is open to every signed-in user (forms need them to pick an org unit);
users and every change are for administrators (``Policy.check_admin``). Writes go through the
engine's Directory, which validates org units and roles and writes the audit log.
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import g
from werkzeug.security import generate_password_hash

from engine.errors import InvalidData
from engine.schema import OrgUnit, UserRole
from workflows.enterprises import credit_code

from .. import accounts
from ..parties import code_refusal
from . import schemas
from .blueprint import bp, engine, principal

TAG = ["directory"]


@bp.route("/me", methods=["GET"], tags=TAG)
@bp.response(200, schemas.Me)
def me():
    """当前用户：角色、组织机构、所属企业，以及认证方式。"""
    p = principal()
    return {"username": p.username, "name": p.name, "org_code": p.org_code, "party": p.party,
            "roles": sorted(p.roles), "supervising_roles": sorted(p.supervising_roles), "auth": g.api_auth}


@bp.route("/users", methods=["GET"], tags=TAG)
@bp.response(200, schemas.UserList)
def list_users():
    """全部用户及其角色（系统管理员）。"""
    eng = engine()
    eng.policy.check_admin(principal())
    return {"items": _with_roles(eng, eng.directory.users())}


@bp.route("/users", methods=["POST"], tags=TAG)
@bp.arguments(schemas.NewUser)
@bp.response(201, schemas.User)
def save_user(body):
    """新建或修改用户（系统管理员）：组织机构、角色、所属企业，可设初始密码（须符合密码策略：至少 10 位，
    大写字母、小写字母、数字、其他字符中至少三类，不含用户名，不是演示密码）。"""
    eng = engine()
    p = principal()
    eng.policy.check_admin(p)
    password = body.get("password")
    if password and (problems := accounts.password_problems(password, body["username"])):
        # the policy the 用户管理 page and ``duban user add`` apply (等保: 口令复杂度)
        raise InvalidData({"password": "；".join(problems)})
    party = credit_code.normalize(body["party"]) if body["party"] is not None else None
    if party is not None and (wrong := code_refusal(party, "所属企业")):
        # as POST /api/cases checks a 当事企业 (GB 32100-2015 第18位校验码): a mistyped code ties the
        # enterprise user to nobody, who then sees no case of their own enterprise
        raise InvalidData({"party": wrong})
    eng.directory.add_user(body["username"], org=body["org"], roles=body["roles"], name=body["name"],
                           party=party, password_hash=generate_password_hash(password) if password else None,
                           by=p.username)
    return _with_roles(eng, [eng.directory.user(body["username"])])[0]


def _with_roles(eng, users) -> list[dict]:
    names = [u.username for u in users]
    roles = defaultdict(list)
    with eng.db.read() as s:
        for username, role in s.execute(sa.select(UserRole.username, UserRole.role_code)
                                        .where(UserRole.username.in_(names)).order_by(UserRole.role_code)):
            roles[username].append(role)
    return [{"username": u.username, "name": u.name, "org_code": u.org_code, "party": u.party,
             "active": u.active, "roles": roles[u.username]} for u in users]


@bp.route("/orgs", methods=["GET"], tags=TAG)
@bp.response(200, schemas.OrgList)
def list_orgs():
    """组织机构树（按路径排序：市 > 区 > 镇 > 村）。"""
    return {"items": engine().directory.orgs()}


@bp.route("/orgs", methods=["POST"], tags=TAG)
@bp.arguments(schemas.NewOrg)
@bp.response(201, schemas.Org)
def save_org(body):
    """新建或修改组织机构（系统管理员）。"""
    eng = engine()
    p = principal()
    eng.policy.check_admin(p)
    if body["parent"] is not None:
        with eng.db.read() as s:
            if s.get(OrgUnit, body["parent"]) is None:
                raise InvalidData({"parent": f"上级组织机构不存在: {body['parent']}"})
    eng.directory.add_org(body["code"], body["name"], parent=body["parent"], level=body["level"], by=p.username)
    return next(o for o in eng.directory.orgs() if o.code == body["code"])


@bp.route("/roles", methods=["GET"], tags=TAG)
@bp.response(200, schemas.RoleList)
def list_roles():
    """角色列表；泳道按角色代码或名称绑定角色。"""
    return {"items": engine().directory.roles()}
