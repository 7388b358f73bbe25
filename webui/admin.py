"""系统管理 (administration): the administrator's landing page, and what the admin pages share.

The pages themselves are one module each: users and roles (``admin_users``), org units
(``admin_orgs``), demo time (``admin_demo``), local rules (``rules``) and the holiday calendar
(``calendar``). Each refuses anyone but a 系统管理员 (``only_admins``); every change they make goes
through the engine's directory, which audits who changed what, when, from what to what.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, g, render_template

from engine.errors import Forbidden
from engine.policy import ADMIN_ROLE

from .auth import engine

bp = Blueprint("admin", __name__, url_prefix="/admin")

LEVELS = ["省", "市", "区县", "乡镇", "村"]  # 行政层级 of an org unit, top down
LEVEL_NAMES = {"区": "区县", "县": "区县", "镇": "乡镇", "乡": "乡镇"}  # older spellings, shown in the new


def is_admin(user) -> bool:
    return user is not None and not user.party and ADMIN_ROLE in user.roles


def only_admins() -> None:
    """A blueprint's ``before_request``: administrators only, in Chinese."""
    if not is_admin(g.get("user")):
        raise Forbidden("只有系统管理员可以访问系统管理页面")


bp.before_request(only_admins)


@dataclass(frozen=True)
class OrgChoice:
    code: str
    name: str
    level: str
    depth: int
    path: str

    @property
    def label(self) -> str:  # the tree drawn in a <select>: 示范省 / 　示范市 / 　　东城区
        return "\u3000" * self.depth + self.name + (f"（{self.level}）" if self.level else "")


def org_choices() -> list[OrgChoice]:
    """Every org unit in tree order (by materialised path), with its depth — for pickers and the tree."""
    return [OrgChoice(o.code, o.name, level_name(o.level), o.path.count("/") - 2, o.path)
            for o in sorted(engine().directory.orgs(), key=lambda o: o.path)]  # Python order: PG collations skip "/"


def level_name(level: str | None) -> str:
    return LEVEL_NAMES.get(level or "", level or "")


@bp.get("")
def index():
    from workflows import demo_clock
    return render_template("admin/index.html", demo=demo_clock.is_demo(engine()))


def _names(codes, name) -> str:
    return "、".join(name(c) for c in codes or []) or "无"


@bp.app_template_filter("account_change")
def account_change(change) -> str:
    """One audited account or org-unit change in Chinese: what it was, what it became."""
    from .display import org_name, role_name
    d, action = change.detail, change.action
    shown = {"name": lambda v: v or "", "org": org_name, "parent": org_name, "level": level_name,
             "roles": lambda v: _names(v, role_name), "party": lambda v: v or "无"}
    labels = {"name": "名称" if action.startswith("org_") else "姓名", "org": "组织机构", "roles": "角色",
              "party": "所属企业", "parent": "上级机构", "level": "层级"}
    if action in ("user_updated", "org_renamed"):
        parts = [f"{labels.get(k, k)}：{shown.get(k, str)(old)} → {shown.get(k, str)(new)}"
                 for k, (old, new) in d.get("changes", {}).items()]
        prefix = "" if action == "user_updated" else f"{org_name(d.get('code'))} "
        return prefix + "；".join(parts)
    if action == "org_moved":
        old, new = d.get("parent") or [None, None]
        return f"{org_name(d.get('code'))} 上级机构：{org_name(old)} → {org_name(new)}"
    if action == "org_saved":
        return f"新增或保存机构 {d.get('name')}（上级：{org_name(d.get('parent')) or '无'}）"
    if action == "org_deleted":
        return f"删除机构 {d.get('name')}"
    if action == "user_saved":
        return f"保存账号：{org_name(d.get('org'))}，角色 {_names(d.get('roles'), role_name)}"
    if action == "user_moved":
        return f"调动：{org_name(d.get('from'))} → {org_name(d.get('to'))}"
    if action == "user_roles_set":
        return f"角色设为 {_names(d.get('roles'), role_name)}"
    if action == "user_deactivated":
        return "在岗 → 停用" + (f"（{d['reason']}）" if d.get("reason") else "")
    if action == "user_reactivated":
        return "停用 → 在岗"
    if action == "password_changed":
        return f"设置新密码（注销登录会话 {d.get('sessions', 0)} 个、接口令牌 {d.get('tokens', 0)} 个）"
    if action == "access_revoked":
        return f"注销登录会话 {d.get('sessions', 0)} 个、接口令牌 {d.get('tokens', 0)} 个"
    return "其他账号变更"
