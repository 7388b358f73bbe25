"""Deadlines a person sets (期限): a day that must not be before today.

A 整改期限, 督办期限 or 限期 set on a form is a day still to come when it is set: an order to remove
a hazard names 立即 (today) or a 期限 after it (《安全生产法》第一百零二条 责令立即消除或者限期消除), and
an extension or an urging order moves a deadline forward, never back. A past day typed there
(「2026年11月1日」 for 新的整改期限 on 6 December) made the case overdue the moment it was submitted.

"Today" is the engine's clock (``Engine.clock``, moved by tests and by the demo's 演示时间), read as a
day in Beijing time; forms hold no clock of their own (``FormRegistry.validate(..., today=)``).
Each field declares its basis (``fields.deadline(label, basis=...)``), the law or rule that makes it
a deadline, kept in its metadata for docs/processes.md and the tests named after it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

FROM_TODAY = "not_before_today"
"""The metadata key of a field whose day may not be before today; its value is the field's basis."""
UNTIL_TODAY = "not_after_today"
"""The metadata key of a field recording a day already lived (批复日期) that may not be after today;
its value is the law that hangs a period on it."""


def chinese_day(day: dt.date) -> str:
    """2026-12-06 → 2026年12月6日, as the refusal names today."""
    return f"{day.year}年{day.month}月{day.day}日"


def _day_of(value: Any) -> dt.date | None:
    """The day a loaded value falls on: a date; a time's day in Beijing (听证时间 at 09:00 +08:00)."""
    if isinstance(value, dt.datetime):
        from engine.clock import SHANGHAI
        return value.astimezone(SHANGHAI).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    return None


def before_today(fields: dict, loaded: dict, today: dt.date) -> dict[str, str]:
    """{field: Chinese reason} for each deadline field of ``fields`` (a schema's fields) whose value
    in ``loaded`` falls before ``today``: 「新的整改期限」不能早于今天（2026年12月6日）; and for each day
    recorded as lived (``fields.lived_day``) that falls after it: 「批复日期」不能晚于今天（…）."""
    errors: dict[str, str] = {}
    for name, field in fields.items():
        row_schema = field.metadata.get("row_schema")
        if row_schema is not None:  # a table's rows (整改和防范措施: each 完成时限)
            table = field.metadata.get("label", name)
            for number, row in enumerate(loaded.get(name) or []):
                for column, reason in before_today(row_schema._declared_fields, row or {}, today).items():
                    errors[f"{name}.{number}.{column}"] = f"「{table}」第{number + 1}行{reason}"
            continue
        if FROM_TODAY in field.metadata:
            day = _day_of(loaded.get(name))
            if day is not None and day < today:
                errors[name] = f"「{field.metadata.get('label', name)}」不能早于今天（{chinese_day(today)}）"
        elif UNTIL_TODAY in field.metadata:
            day = _day_of(loaded.get(name))
            if day is not None and day > today:
                errors[name] = f"「{field.metadata.get('label', name)}」不能晚于今天（{chinese_day(today)}）"
    return errors


def has_deadline(fields: dict) -> bool:
    """Does a schema's fields (or a table's columns) hold a deadline field?"""
    return any(FROM_TODAY in f.metadata or UNTIL_TODAY in f.metadata or (f.metadata.get("row_schema") is not None
                                            and has_deadline(f.metadata["row_schema"]._declared_fields))
               for f in fields.values())


# The bases named by the forms' deadline fields (docs/processes.md, 期限不能早于今天).
RECTIFY = ("《安全生产法》第一百零二条：事故隐患责令立即消除或者限期消除；期限自责令之日起算，"
           "最早为当日（立即消除）")
EXTENSION = "原总局令第16号；地方挂牌督办办法（本地规定）：批准延期后督办期限向后顺延，延长至的日期不能是已过去的日子"
URGING = "逾期督办（催办）责令限期完成：期限自督办之日起算，不能是已过去的日子"
ACCIDENT_REPORT = ("《生产安全事故报告和调查处理条例》第二十九条：调查报告自事故发生之日起60日内提交，"
                   "延长不超过60日；限期提交自督办之日起算")
ACCIDENT_APPROVAL = ("《生产安全事故报告和调查处理条例》第三十二条：收到调查报告之日起15日内批复"
                     "（特别重大事故30日）；限期批复自督办之日起算")
ACCIDENT_APPROVED = ("《生产安全事故报告和调查处理条例》第三十二条：批复期限自收到调查报告之日起计；"
                     "《安全生产法》第八十六条：批复之日起一年内评估；批复日期是已作出批复的日子，不能晚于今天")
MEASURE = ("《生产安全事故报告和调查处理条例》第三十三条：事故发生单位应当认真吸取事故教训，落实防范和整改措施；"
           "调查报告确定的整改措施完成时限自报告之日起算，不能是已过去的日子")
HEARING = "《行政处罚法》第六十四条第（二）项：行政机关应当在举行听证的七日前通知当事人听证的时间、地点"


HEARING_NOTICE_DAYS = 7
"""《行政处罚法》第六十四条第（二）项 七日前通知; 第八十五条: the 七日 are 工作日."""


def hearing_notice_refusal(hearing_at: Any, served_on: Any) -> str | None:
    """Why a hearing at ``hearing_at`` comes too soon after its notice served on ``served_on``, or None.

    《行政处罚法》第六十四条第（二）项: 行政机关应当在举行听证的七日前，通知当事人及有关人员听证的时间、地点;
    第八十五条: 七日 are 工作日. The rule is the one the model's 核对听证安排 applies afterwards
    (``workflows.functions.hearing_schedule_problems``): the notice is served no later than the 7th
    工作日 before the hearing's day, so a notice served on Monday 12-07 allows a hearing on 12-16
    (its 7th 工作日 after) and refuses one on 12-15. The refusal names both fields, the earliest day
    and the articles, so the form is refused on the page with what was typed kept."""
    from engine import workdays
    hearing_day, served = _day_of(hearing_at), _day_of(served_on)
    if hearing_day is None or served is None:
        return None
    if workdays.workdays_before(hearing_day, HEARING_NOTICE_DAYS) >= served:
        return None
    earliest = workdays.workdays_after(served, HEARING_NOTICE_DAYS)
    while workdays.workdays_before(earliest, HEARING_NOTICE_DAYS) < served:  # served on a day off
        earliest += dt.timedelta(days=1)
    return (f"「听证时间」应在「听证通知书送达日期」（{chinese_day(served)}）七个工作日后"
            f"（不早于{chinese_day(earliest)}），《行政处罚法》第六十四条第（二）项、第八十五条")
