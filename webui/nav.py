"""The navigation bar (导航), fitted to the roles a user holds (``items``): an enterprise user sees its
own tasks, cases and file; a third party its assigned work; officials their queues, cases and
enterprises; 科室负责人 and leaders approvals and the overdue board; administrators and designers
their tools and no empty queues. What a menu hides is still checked by each page and by the
engine's policy when a page is opened."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g, request

from engine.policy import ADMIN_ROLE, DESIGNER_ROLE


@dataclass(frozen=True)
class Item:
    endpoint: str
    label: str
    area: str  # the blueprint that marks the item active


def can_supervise(user) -> bool:
    return user is not None and not user.party and (bool(user.supervising_roles) or ADMIN_ROLE in user.roles)


def can_design(user) -> bool:
    """流程设计员 and administrators edit and deploy process models (webui/designer.py)."""
    return user is not None and not user.party and bool({DESIGNER_ROLE, ADMIN_ROLE} & set(user.roles))


def is_external(user) -> bool:
    """A third party (第三方评估机构): its assigned cases only — no starting, no registry."""
    if user is None:
        return False
    return current_app.extensions["duban_engine"].policy.is_external(user)


def can_start(user) -> bool:
    return user is not None and not user.party and bool(user.roles) and not is_external(user)


# Roles whose holders work cases' tasks (everyone else — 系统管理员, 流程设计员, 消息网关 — has no queue).
NO_TASK_ROLES = {ADMIN_ROLE, DESIGNER_ROLE, "gateway"}
# Leaders (with 科室负责人) see approvals, the overdue board and the cockpit (领导驾驶舱).
LEADER_ROLES = {"leader", "director", "government", "safety_office"}


def works_tasks(user) -> bool:
    return user is not None and bool(set(user.roles) - NO_TASK_ROLES)


def items(user) -> list[Item]:
    """The menu fitted to what ``user`` can use (every page still checks for itself):

    - 生产经营单位: 我的待办、已办、本企业案件、自查上报、本企业档案;
    - 第三方评估机构: 我的待办、已办、its assigned cases;
    - 执法人员 and other officials: + 组待办、发起案件、企业档案、隐患统计;
    - 科室负责人: + 审批、逾期督办、异常事件、驾驶舱; 分管领导/局长/政府: + 审批、逾期督办、驾驶舱;
    - 流程设计员: 流程设计; 系统管理员: 案件查询、异常事件、流程设计、系统管理 (no queues: it works no task).
    """
    if user is None:
        return []
    roles = set(user.roles)
    external = not user.party and is_external(user)
    out = []
    if works_tasks(user):
        out.append(Item("tasks.mine", "我的待办", "tasks.mine"))
        if not user.party and not external:
            out.append(Item("tasks.group", "组待办", "tasks.group"))
        out.append(Item("tasks.done", "已办", "tasks.done"))
    if user.party:
        out.append(Item("cases.search", "本企业案件", "cases.search"))
        out.append(Item("cases.start", "自查上报", "cases.start"))  # 隐患自查自报: its start names the enterprise role
        out.append(Item("enterprises.mine", "本企业档案", "enterprises.show"))
        return out
    if works_tasks(user) or ADMIN_ROLE in roles:
        out.append(Item("cases.search", "案件查询", "cases.search"))
    if external:
        return out
    officer = works_tasks(user)
    if can_start(user) and officer:
        out.append(Item("cases.start", "发起案件", "cases.start"))
    if officer:
        out.append(Item("enterprises.search", "企业档案", "enterprises.search"))
        out.append(Item("hazard_statistics.quarterly", "隐患统计", "hazard_statistics.quarterly"))
    supervising = can_supervise(user) and bool(roles - NO_TASK_ROLES - {"enterprise"})
    if supervising and (roles & ({"supervisor"} | LEADER_ROLES)):
        out += [Item("supervisor.approvals", "审批", "supervisor.approvals"),
                Item("supervisor.overdue", "逾期督办", "supervisor.overdue")]
    if can_supervise(user) and (ADMIN_ROLE in roles or "supervisor" in roles):
        out.append(Item("supervisor.incidents", "异常事件", "supervisor.incidents"))
    if supervising and roles & ({"supervisor"} | LEADER_ROLES):
        out.append(Item("leadership.dashboard", "驾驶舱", "leadership.dashboard"))
    if can_design(user):
        out.append(Item("designer.index", "流程设计", "designer.index"))
    if ADMIN_ROLE in roles:
        out.append(Item("admin.index", "系统管理", "admin"))
    return out


ADMIN_AREAS = {"admin", "admin_users", "admin_orgs", "admin_units", "admin_demo", "rules", "calendar"}  # under 系统管理


def install(app: Flask) -> None:
    @app.context_processor
    def _nav():
        user = g.get("user")
        area = "admin" if request.blueprint in ADMIN_AREAS else request.endpoint
        return {"nav_items": items(user), "current_endpoint": area,
                "can_supervise": can_supervise(user), "can_start": can_start(user),
                "is_admin": user is not None and ADMIN_ROLE in user.roles}
