"""How often an enterprise is inspected, by its risk level (分级分类监管).

Higher risk means more frequent checks. The intervals differ between provinces and change with
policy, so they are configuration passed in by the caller; :data:`DEFAULT_INTERVALS` is only the
usual starting point (红 monthly, 橙 every two months, 黄 quarterly, 蓝 twice a year).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from dateutil.relativedelta import relativedelta

from .terms import RiskLevel

#: Months between routine inspections per risk level.
DEFAULT_INTERVALS: Mapping[RiskLevel, int] = {
    RiskLevel.RED: 1,
    RiskLevel.ORANGE: 2,
    RiskLevel.YELLOW: 3,
    RiskLevel.BLUE: 6,
}


def intervals(overrides: Mapping[RiskLevel | str, int] | None = None) -> dict[RiskLevel, int]:
    """The defaults with ``overrides`` applied; keys may be the enum or its Chinese value ("红")."""
    merged = dict(DEFAULT_INTERVALS)
    for level, months in (overrides or {}).items():
        months = int(months)
        if months < 1:
            raise ValueError(f"检查间隔应至少为1个月：{RiskLevel(level).value}为{months}")
        merged[RiskLevel(level)] = months
    return merged


def next_inspection_due(level: RiskLevel | str | None, last_inspected_on: dt.date | None,
                        today: dt.date, interval_months: Mapping[RiskLevel | str, int] | None = None
                        ) -> dt.date | None:
    """The date the next routine inspection falls due.

    An enterprise never inspected is due ``today``: there is no earlier check to count from.
    An ungraded one (no risk level) has no routine schedule and gets None. Month arithmetic clamps
    to the month's end (31 Jan + 1 month = 28/29 Feb), so a due date never skips a month.
    """
    if level is None:
        return None
    if last_inspected_on is None:
        return today
    months = intervals(interval_months)[RiskLevel(level)]
    return last_inspected_on + relativedelta(months=months)
