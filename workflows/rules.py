"""Rules in force by date (规则版本): every deadline constant a process uses, with its legal source and
the day each version took effect.

A case uses the version in force on the day its clock started (立案 for the penalty rules, 挂牌 for the
hazard rules, 批复 for the assessment): ``in_force(key, on)``. The change of the penalty rules on
2026-02-01 (应急管理部令第18号 replacing 原国家安全监管总局令第15号/第77号) is two versions of the same
keys, so a case filed on 2026-01-31 keeps the old limits to its end.

Local rules (a province's or city's own choice, marked ``local=True``) have one version here, the
national default; a province changes them by adding a version with a later ``effective_from``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

BEGINNING = dt.date(2000, 1, 1)
PENALTY_RULES_2026 = dt.date(2026, 2, 1)   # 应急管理部令第18号 in force


@dataclass(frozen=True)
class Version:
    effective_from: dt.date
    value: Any
    source: str


@dataclass(frozen=True)
class Rule:
    key: str
    label: str          # Chinese, for pages
    unit: str           # 工作日 / 日 / 月 / 比例 / 顺序 / 方式
    versions: tuple[Version, ...]
    local: bool = False

    def in_force(self, on: dt.date) -> Version:
        current = None
        for v in sorted(self.versions, key=lambda v: v.effective_from):
            if v.effective_from <= on:
                current = v
        if current is None:
            raise LookupError(f"{self.label}：{on.isoformat()} 无有效规则")
        return current


OLD_PENALTY = "《安全生产违法行为行政处罚办法》（原国家安全监管总局令第15号，第77号修正）"
NEW_PENALTY = "《安全生产违法行为行政处罚办法》（应急管理部令第18号，2026年2月1日施行）"

RULES: dict[str, Rule] = {r.key: r for r in [
    Rule("penalty.case_limit_days", "办案期限（立案至作出处罚决定）", "日", (
        Version(BEGINNING, {"base": 30, "head": 90, "upper": 180},
                f"{OLD_PENALTY}：立案之日起30日内作出决定，负责人同意延长至90日，上一级批准延长至180日"),
        Version(PENALTY_RULES_2026, {"base": 90, "head": 120, "upper": 180},
                f"《行政处罚法》第六十条；{NEW_PENALTY}：立案之日起90日内作出决定，"
                "负责人批准延长至120日，上一级批准延长至180日"),
    )),
    Rule("penalty.statement_workdays", "陈述申辩期限", "工作日", (
        Version(BEGINNING, 3, f"{OLD_PENALTY}：收到告知书之日起3日内（《行政处罚法》第八十五条：工作日）"),
        Version(PENALTY_RULES_2026, 5, f"{NEW_PENALTY}：收到告知书之日起5个工作日内"),
    )),
    Rule("penalty.hearing_request_workdays", "申请听证期限", "工作日", (
        Version(BEGINNING, 5, "《行政处罚法》第六十四条第（一）项：告知后5日内提出（第八十五条：工作日）；"
                              "旧办法的3日与上位法抵触，不再适用"),
    )),
    Rule("hazard.plan_due_days", "整改方案报送期限（挂牌后）", "日", (
        Version(BEGINNING, 15, "地方挂牌督办办法（默认15日）"),), local=True),
    Rule("hazard.progress_report_days", "整改进展报送周期", "日", (
        Version(BEGINNING, 30, "地方挂牌督办办法（默认每30日）"),), local=True),
    Rule("accident.publish_days", "事故调查报告公开期限（批复后）", "日", (
        Version(BEGINNING, 30, "《生产安全事故调查报告公开办法》及地方规定（默认批复后30日内）"),), local=True),
    Rule("assessment.start_months", "一年内评估开始时间（批复后）", "月", (
        Version(BEGINNING, 10, "地方评估工作安排（默认批复后10个月开始，12个月内完成，安全生产法第八十六条）"),),
        local=True),
    Rule("enforcement.quorum", "集体讨论法定到会比例", "比例", (
        Version(BEGINNING, "2/3", "地方行政处罚集体讨论制度（默认不少于组成人员三分之二）"),), local=True),
]}


def rule(key: str) -> Rule:
    try:
        return RULES[key]
    except KeyError:
        raise LookupError(f"未定义的规则：{key}") from None


def in_force(key: str, on: Any) -> Any:
    """The value of rule ``key`` in force on day ``on`` (a date, datetime or ISO string)."""
    return rule(key).in_force(_as_date(on)).value


def source(key: str, on: Any) -> str:
    """The legal source of the version of ``key`` in force on ``on``."""
    return rule(key).in_force(_as_date(on)).source


def _as_date(value: Any) -> dt.date:
    from .functions import as_day
    return as_day(value)
