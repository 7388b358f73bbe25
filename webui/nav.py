"""The navigation bar (导航), by role: everybody works queues and looks up cases; officials start
cases and look up enterprises (an enterprise user its own file); holders of a supervisory role
(科室负责人、领导…) also see approvals, the overdue board and incidents. What a menu hides is still
checked by the engine's policy when a page is opened."""
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


def items(user) -> list[Item]:
    if user is None:
        return []
    out = [Item("tasks.mine", "我的待办", "tasks.mine"), Item("tasks.group", "组待办", "tasks.group"),
           Item("tasks.done", "已办", "tasks.done"), Item("cases.search", "案件查询", "cases.search")]
    if can_start(user):
        out.append(Item("cases.start", "发起案件", "cases.start"))
    elif user.party:  # models whose start event names the enterprise role (隐患自查自报)
        out.append(Item("cases.start", "自查上报", "cases.start"))
    if user.party:
        out.append(Item("enterprises.mine", "本企业档案", "enterprises.show"))
    elif not is_external(user):
        out.append(Item("enterprises.search", "企业档案", "enterprises.search"))
    if not user.party:
        out.append(Item("hazard_statistics.quarterly", "隐患统计", "hazard_statistics.quarterly"))
    if can_supervise(user):
        out += [Item("supervisor.approvals", "审批", "supervisor.approvals"),
                Item("supervisor.overdue", "逾期督办", "supervisor.overdue"),
                Item("supervisor.incidents", "异常事件", "supervisor.incidents"),
                Item("leadership.dashboard", "驾驶舱", "leadership.dashboard")]
    if can_design(user):
        out.append(Item("designer.index", "流程设计", "designer.index"))
    if not user.party and ADMIN_ROLE in user.roles:
        out.append(Item("rules.index", "规则配置", "rules.index"))
        out.append(Item("calendar.index", "节假日日历", "calendar.index"))
    return out


def install(app: Flask) -> None:
    @app.context_processor
    def _nav():
        user = g.get("user")
        return {"nav_items": items(user), "current_endpoint": request.endpoint,
                "can_supervise": can_supervise(user), "can_start": can_start(user),
                "is_admin": user is not None and ADMIN_ROLE in user.roles}
