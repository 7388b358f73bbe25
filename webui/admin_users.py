"""用户管理 and 角色: the administrator's pages for accounts and who holds which role.

- 用户: a list searched by Chinese name (or login name), filtered by org unit and status; a new
  account gets an initial password under the policy (webui/accounts.py); an edit sets name, org unit
  (a tree picker), roles (check boxes by Chinese name), enterprise (by name) and optionally a new
  password.
- 停用 (deactivate): the user's open and claimed tasks are handed on (``Engine.hand_over``) to one
  person picked among the active holders of the user's roles in the same org unit — a task that
  person may not work goes back to its group queue — or all back to the queue; then the account is
  deactivated and every session and API token ended (``accounts.revoke_user``). 启用 reverses it.
- 角色: every role with its holders, by org unit.

Every change is made by the engine's directory, which audits who, when and old → new.
"""
from __future__ import annotations

import re

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine.errors import EngineError, InvalidData, NotFound
from workflows.enterprises import EnterpriseInvalid, assessors, credit_code
from workflows.forms.fields import name_as_written

from . import accounts, admin, admin_queries as queries, parties
from .auth import engine

bp = Blueprint("admin_users", __name__, url_prefix="/admin")
bp.before_request(admin.only_admins)

USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{1,63}$")
LISTED = 200  # users per listing; a search narrows it


def _roles() -> list:
    return engine().directory.roles()


@bp.get("/users")
def users():
    eng = engine()
    q = (request.args.get("q") or "").strip()
    org = request.args.get("org") or ""
    status = request.args.get("status") or "active"
    roles_of = eng.directory.user_roles()
    orgs = admin.org_choices()
    scope = None
    if org:
        path = next((o.path for o in orgs if o.code == org), None)
        scope = {o.code for o in orgs if path and o.path.startswith(path)}
    rows = []
    for u in eng.directory.users():
        if q and q not in u.name and q.lower() not in u.username:
            continue
        if scope is not None and u.org_code not in scope:
            continue
        if (status == "active" and not u.active) or (status == "inactive" and u.active):
            continue
        rows.append((u, roles_of.get(u.username, [])))
    rows.sort(key=lambda r: (not r[0].active, r[0].org_code, r[0].name))
    parties.prime(u.party for u, _ in rows[:LISTED] if u.party)
    return render_template("admin/users.html", rows=rows[:LISTED], total=len(rows), q=q, org=org, status=status,
                           orgs=orgs)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    eng = engine()
    values = {"username": "", "name": "", "org": "", "roles": [], "party_name": "", "firm": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = _posted()
        username = values["username"]
        if not USERNAME.match(username):
            errors["username"] = "登录名应为小写字母开头的 2–64 位小写字母、数字、下划线或点，如 zhang_san"
        elif _exists(username):
            errors["username"] = f"登录名 {username} 已被使用"
        if not values["name"]:
            errors["name"] = "请填写姓名"
        if not values["org"]:
            errors["org"] = "请选择组织机构"
        if not values["roles"]:
            errors["roles"] = "请至少选择一个角色"
        party = _party(values, errors)
        _firm(values, errors)
        password = _checked_password(username, errors, required=True)
        if not errors:
            try:
                eng.directory.add_user(username, org=values["org"], roles=values["roles"], name=values["name"],
                                       party=party, by=g.user.username)
                accounts.set_password(eng, username, password, by=g.user.username)
                if values["firm"]:
                    assessors.link(eng, username, values["firm"], by=g.user.username)
            except (InvalidData, EnterpriseInvalid) as exc:
                errors.update(exc.errors)
            else:
                flash(f"已创建用户 {values['name']}，登录名 {username}；请将登录名和初始密码当面告知本人，"
                      "并提醒其登录后修改密码", "ok")
                return redirect(url_for("admin_users.users", q=values["name"]))
    return render_template("admin/user_form.html", user=None, values=values, errors=errors,
                           orgs=admin.org_choices(), roles=_roles(), enterprises=parties.pick_options(g.user),
                           firms=_firms()), 400 if errors else 200


@bp.route("/users/<username>", methods=["GET", "POST"])
def edit_user(username: str):
    eng = engine()
    user = _user_or_404(username)
    roles_now = eng.directory.user_roles().get(username, [])
    with eng.db.read() as s:
        firm_now = assessors.firm_of(s, username)
    values = {"username": username, "name": user.name, "org": user.org_code, "roles": roles_now,
              "party_name": (parties.party(user.party).name or user.party) if user.party else "",
              "firm": firm_now.credit_code if firm_now is not None else ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {**_posted(), "username": username}
        if not values["name"]:
            errors["name"] = "请填写姓名"
        if not values["roles"]:
            errors["roles"] = "请至少选择一个角色"
        party = _party(values, errors)
        _firm(values, errors)
        password = _checked_password(username, errors, required=False)
        if not errors:
            try:
                changes = eng.directory.update_user(username, name=values["name"], org=values["org"] or None,
                                                    roles=values["roles"], by=g.user.username)
                if party != user.party:
                    eng.directory.add_user(username, org=values["org"] or user.org_code,
                                           roles=values["roles"], name=values["name"], party=party,
                                           by=g.user.username)
                    changes["party"] = [user.party, party]
                if values["firm"] != (firm_now.credit_code if firm_now is not None else ""):
                    assessors.link(eng, username, values["firm"] or None, by=g.user.username)
                    changes["firm"] = True
                if password:
                    accounts.set_password(eng, username, password, by=g.user.username)
                    changes["password"] = True
            except (InvalidData, EnterpriseInvalid) as exc:
                errors.update(exc.errors)
            else:
                said = _changed_text(values["name"], changes)
                if changes.get("password"):  # accounts.set_password ended the account's sessions and tokens
                    said += (f"；新密码已生效，其原有登录已退出。请将新密码当面告知本人（登录名 {username}），"
                             "并提醒其登录后修改")
                flash(said, "ok")
                return redirect(url_for("admin_users.edit_user", username=username))
    history = queries.directory_history(eng, username)
    return render_template("admin/user_form.html", user=user, values=values, errors=errors,
                           orgs=admin.org_choices(), roles=_roles(), history=history,
                           enterprises=parties.pick_options(g.user), firms=_firms()), 400 if errors else 200


@bp.route("/users/<username>/deactivate", methods=["GET", "POST"])
def deactivate(username: str):
    eng = engine()
    user = _user_or_404(username)
    if username == g.user.username:
        flash("不能停用自己的账号", "error")
        return redirect(url_for("admin_users.edit_user", username=username))
    if not user.active:
        flash(f"{user.name} 已停用", "error")
        return redirect(url_for("admin_users.edit_user", username=username))
    roles = eng.directory.user_roles().get(username, [])
    candidates = handover_candidates(user, roles)
    tasks = queries.claimed_tasks(eng, username)
    error = ""
    if request.method == "POST":
        to = request.form.get("handover") or ""
        reason = (request.form.get("reason") or "").strip()
        if to and to not in {c for c, _ in candidates}:
            error = "接手人须从列表中选择（同一组织机构、同一角色的在岗人员），或选择退回组待办"
        else:
            try:
                moved = eng.hand_over(username, to or None, by=g.user.username,
                                      reason=reason or f"{user.name}停用，工作交接")
            except EngineError as exc:
                error = str(exc)
            else:
                eng.directory.set_active(username, False, by=g.user.username, reason=reason)
                ended = accounts.revoke_user(eng, username, by=g.user.username, reason=reason or "停用")
                parts = [f"已停用 {user.name}"]
                if moved["to"]:
                    parts.append(f"{len(moved['to'])} 项任务已转交 {dict(candidates)[to]}")
                if moved["queue"]:
                    parts.append(f"{len(moved['queue'])} 项任务已退回组待办")
                parts.append(f"已注销其 {ended['sessions']} 个登录会话、{ended['tokens']} 个接口令牌")
                flash("，".join(parts), "ok")
                return redirect(url_for("admin_users.users"))
    return render_template("admin/user_deactivate.html", user=user, roles=roles, candidates=candidates,
                           tasks=tasks, error=error), 400 if error else 200


@bp.post("/users/<username>/reactivate")
def reactivate(username: str):
    user = _user_or_404(username)
    if engine().directory.set_active(username, True, by=g.user.username):
        flash(f"已启用 {user.name}；如其忘记密码，可在下方设置新密码", "ok")
    return redirect(url_for("admin_users.edit_user", username=username))


@bp.get("/roles")
def roles():
    eng = engine()
    users = {u.username: u for u in eng.directory.users() if u.active}
    holders: dict[str, dict[str, list]] = {}
    for username, codes in eng.directory.user_roles().items():
        if username not in users:
            continue
        for code in codes:
            holders.setdefault(code, {}).setdefault(users[username].org_code, []).append(users[username])
    order = {o.code: i for i, o in enumerate(admin.org_choices())}
    table = []
    for role in _roles():
        by_org = sorted(holders.get(role.code, {}).items(), key=lambda kv: order.get(kv[0], 0))
        table.append((role, [(org, sorted(people, key=lambda u: u.name)) for org, people in by_org]))
    return render_template("admin/roles.html", table=table)


def handover_candidates(user, roles: list[str]) -> list[tuple[str, str]]:
    """Who may take over ``user``'s work: active holders of one of their roles in their org unit."""
    d = engine().directory
    names = {u.username: u.name for u in d.users()}
    found = {u for r in roles for u in d.users_with_role(r, user.org_code) if u != user.username}
    return sorted(((u, names.get(u, u)) for u in found), key=lambda c: c[1])


def _checked_password(username: str, errors: dict, *, required: bool) -> str:
    """The posted new password, its policy problems and a mismatched repeat put into errors by field."""
    password = request.form.get("password") or ""
    if not password and not required:
        return password
    problems = accounts.password_problems(password, username)
    if problems:
        errors["password"] = "；".join(problems)
    elif password != (request.form.get("password2") or ""):
        errors["password2"] = "两次输入的密码不一致"
    return password


def _posted() -> dict:
    return {"username": (request.form.get("username") or "").strip().lower(),
            "name": name_as_written(request.form.get("name") or ""),  # 欧阳 娜娜 → 欧阳娜娜, 阿卜杜•热合曼
            "org": request.form.get("org") or "",
            "roles": [r for r in request.form.getlist("roles") if r],
            "party_name": (request.form.get("party_name") or "").strip(),
            "firm": (request.form.get("firm") or "").strip()}


ASSESSOR_ROLE = "assessor"  # 第三方评估机构


def _firms() -> list[tuple[str, str]]:
    """[(credit code, name)] of the registered 安全评价检测检验机构 an assessor account may work for."""
    with engine().db.read() as s:
        return assessors.bodies(s)


def _firm(values: dict, errors: dict) -> None:
    """所属评估机构: only for a 第三方评估机构 account, and one of the registered bodies."""
    if not values["firm"]:
        return
    if ASSESSOR_ROLE not in values["roles"]:
        errors["firm"] = "只有“第三方评估机构”角色的用户才能关联所属评估机构"
    elif values["firm"] not in {code for code, _name in _firms()}:
        errors["firm"] = "请从已登记的安全评价检测检验机构中选择所属评估机构"


def _party(values: dict, errors: dict) -> str | None:
    """The enterprise an enterprise user acts for, picked by name (or credit code) from the registry."""
    text = values["party_name"]
    if "enterprise" not in values["roles"]:
        if text:
            errors["party_name"] = "只有“生产经营单位”角色的用户才能关联企业"
        return None
    if not text:
        errors["party_name"] = "企业用户须关联所属企业：请输入企业名称"
        return None
    code = credit_code.normalize(text)
    if len(code) == 18 and code.isalnum() and (wrong := parties.code_refusal(code, "所属企业")):
        errors["party_name"] = wrong  # a code typed with a character wrong: say which, not 未找到
        return None
    found = parties.registry().search(text, per_page=5).items
    exact = [e for e in found if e.name == text or e.credit_code == text.upper()]
    if len(exact) == 1 or len(found) == 1:
        return (exact or found)[0].credit_code
    errors["party_name"] = (f"未找到名称含“{text}”的企业" if not found
                            else f"有多家企业名称含“{text}”，请输入完整名称：" + "、".join(e.name for e in found))
    return None


def _exists(username: str) -> bool:
    try:
        engine().directory.user(username)
        return True
    except NotFound:
        return False


def _user_or_404(username: str):
    try:
        return engine().directory.user(username)
    except NotFound:
        raise NotFound("没有这个用户") from None


FIELD_NAMES = {"name": "姓名", "org": "组织机构", "roles": "角色", "party": "所属企业", "firm": "所属评估机构",
               "password": "密码"}


def _changed_text(name: str, changes: dict) -> str:
    if not changes:
        return "没有修改"
    return f"已保存 {name} 的" + "、".join(FIELD_NAMES[k] for k in changes)

