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


# An incident's error text (a Python exception from model code) read for a person: what went wrong
# in Chinese; the raw text stays available to administrators behind a toggle.
_INCIDENT_PATTERNS = [
    (r"name '([^']+)' is not defined", "流程脚本用到的数据“{0}”不存在：前面的环节没有填写或没有算出这一项"),
    (r"division by zero|ZeroDivisionError", "流程脚本计算时除数为零：请检查提交的数值"),
    (r"KeyError: '?([^'\s]+)'?", "流程脚本找不到数据项“{0}”"),
    (r"unsupported operand|TypeError|not supported between", "流程脚本计算时数据类型不符（如文字与数字相加）：请检查提交的数值"),
    (r"could not convert|invalid literal|ValueError", "流程脚本无法把提交的内容读成数值或日期：请检查格式"),
    (r"[Tt]imer|timeDate|timeDuration|timeCycle", "定时器的时间表达式无法计算：请检查模型中的期限设置"),
    (r"DMN|decision table|[Nn]o rule", "决策表没有匹配的规则：请检查提交的数据或决策表"),
    (r"[Tt]ime ?limit|timed out|[Tt]imeout", "流程脚本运行超时"),
]


def incident_explanation(message: str | None) -> str:
    import re
    text = message or ""
    for pattern, explanation in _INCIDENT_PATTERNS:
        match = re.search(pattern, text)
        if match:
            return explanation.format(*match.groups())
    return "流程执行出错（脚本、规则或定时器）：请管理员查看错误详情后处理"
