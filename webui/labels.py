"""Chinese words for the engine's codes (状态、操作), so templates never show raw identifiers.

Codes the engine does not know in advance — roles, org units, process keys — come from the
directory and the model store instead (see ``webui.display``).
"""
from __future__ import annotations

CASE_STATUS = {"running": "办理中", "completed": "已办结", "cancelled": "已撤销"}
TASK_STATE = {"open": "待办", "completed": "已办", "cancelled": "已取消"}

AUDIT_ACTION = {
    "started": "发起",
    "task_opened": "生成待办",
    "claimed": "认领",
    "released": "退回组待办",
    "completed": "办理",
    "task_cancelled": "待办取消",
    "reminded": "到期提醒",
    "escalated": "逾期升级",
    "timer_fired": "定时触发",
    "incident": "异常",
    "incident_resolved": "异常已处理",
    "case_completed": "办结",
    "cancelled": "撤销",
    "reassigned": "转办",
    "delegated": "委托",
    "resolved": "委托办毕",
    "priority_set": "调整优先级",
    "follow_up_set": "设置跟进日期",
    "case_spawned": "派生案件",
}

INCIDENT_ACTION = {"complete": "提交任务", "timer": "定时器", "start": "发起案件"}

ESCALATION = {0: "未升级", 1: "一级督办", 2: "二级督办", 3: "三级督办"}


def escalation(level: int | None) -> str:
    level = int(level or 0)
    return ESCALATION.get(level, f"{level}级督办")


def case_status(code: str | None) -> str:
    return CASE_STATUS.get(code or "", code or "")


def task_state(code: str | None) -> str:
    return TASK_STATE.get(code or "", code or "")


def incident_action(code: str | None) -> str:
    return INCIDENT_ACTION.get(code or "", code or "")


def audit_action(code: str | None) -> str:
    return AUDIT_ACTION.get(code or "", code or "")
