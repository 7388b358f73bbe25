"""Roles (角色) of the work-safety supervision processes.

A BPMN lane is bound to the role whose code or Chinese name equals the lane's name; our models name
lanes in Chinese (``执法人员``), so the Chinese names below are part of the models' contract: renaming
one means renaming the lanes that use it.
"""
from __future__ import annotations

ROLES: list[tuple[str, str]] = [
    ("inspector", "执法人员"),            # registers hazards, investigates enforcement cases
    ("investigator", "事故调查人员"),      # accident investigation team (调查组) and its leader (组长)
    ("supervisor", "科室负责人"),          # department head: approvals, 立案审批, 销号
    ("leader", "分管领导"),                # deputy director: listings, 约谈, escalations
    ("director", "局长"),                  # head of the bureau: 曝光, 停产停业, 停止供电, 重大处罚
    ("legal_reviewer", "法制审核员"),      # 法制审核, every enforcement case (一案一审)
    ("hearing_officer", "听证主持人"),     # hosts hearings; never one of the case's investigators
    ("committee", "集体讨论成员"),         # votes in 集体讨论决定; only the bureau's 负责人 (行政处罚法 Art 57)
    ("enterprise", "生产经营单位"),        # the party: plans, progress, 陈述申辩, payment
    ("assessor", "第三方评估机构"),        # verifies major-hazard rectification
    ("evaluator", "评估组成员"),           # post-case (结案后一年内) assessment team
    ("government", "人民政府"),            # forms investigation teams, 批复, decides closures
    ("safety_office", "安委会办公室"),     # receives escalations of overdue assessments
    ("intake", "举报受理员"),             # 12350 举报受理; alone reads the whistleblower's identity
    ("gateway", "消息网关"),               # service account of the SMS gateway / mail relay (/api/outbox)
    ("designer", "流程设计员"),
    ("admin", "系统管理员"),
]

ROLE_NAMES: dict[str, str] = dict(ROLES)
ROLE_CODES: dict[str, str] = {name: code for code, name in ROLES}


def role_code(lane_name: str) -> str:
    """The role code of a lane named by code or by Chinese name."""
    if lane_name in ROLE_NAMES:
        return lane_name
    return ROLE_CODES[lane_name]

