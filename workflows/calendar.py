"""放假调休 notices entered by an administrator (节假日日历), stored and loaded into engine/workdays.py.

chinese-calendar ships the years whose State Council notice was out at its release (through 2026 in
1.11.0). When the next notice is published, an administrator enters its 法定节假日 and 调休上班日
(``enter_year``, page ``/admin/calendar``); every process loads the stored years at start
(``load``). Until a year is entered, its working days are counted Monday–Friday and the overdue
board and the log say those dates are provisional (``engine.workdays.is_provisional``).

Deadlines already computed with the provisional calendar keep their dates; the page lists how many
open tasks fall due in the year so they can be reviewed (recomputation of stored due dates is not
automatic yet).
"""
from __future__ import annotations

import datetime as dt
import json
import re

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine import workdays
from workflows import typed_input

_DAY = typed_input.DAY


class CalendarBase(DeclarativeBase):
    pass


class HolidayNotice(CalendarBase):
    __tablename__ = "holiday_notice"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    holidays: Mapped[str] = mapped_column(sa.Text)         # JSON list of YYYY-MM-DD
    makeup_workdays: Mapped[str] = mapped_column(sa.Text)  # JSON list of YYYY-MM-DD
    note: Mapped[str] = mapped_column(sa.Text, default="")
    entered_by: Mapped[str] = mapped_column(sa.String(64))
    entered_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


def create_tables(sa_engine) -> None:
    from engine.migrate import upgrade  # one path for every table: the Alembic revisions
    upgrade(sa_engine)


def parse_days(text: str) -> list[dt.date]:
    """Days as officials type them: one day or a range per item (``2027-10-01至2027-10-07``,
    ``2027年2月6日~2027年2月12日``), items separated by commas, 、 or new lines."""
    days: list[dt.date] = []
    for item in re.split(r"[,，、;；\n]+", typed_input.fold(text)):
        item = item.strip()
        if not item:
            continue
        found = re.fullmatch(rf"{_DAY}(?:\s*(?:至|~|—|到)\s*{_DAY})?", item)
        if not found:
            raise ValueError(f"无法识别的日期：{item}（应为 2027-10-01 或 2027-10-01至2027-10-07）")
        g = [int(x) if x else None for x in found.groups()]
        try:
            first = dt.date(g[0], g[1], g[2])
            last = dt.date(g[3], g[4], g[5]) if g[3] else first
        except ValueError:
            raise ValueError(f"不是有效的日期：{item}") from None
        if last < first:
            raise ValueError(f"日期范围颠倒：{item}")
        while first <= last:
            days.append(first)
            first += dt.timedelta(days=1)
    return days


def enter_year(sa_engine, year: int, holidays: str, makeup_workdays: str, by: str, now: dt.datetime,
               note: str = "") -> HolidayNotice:
    """Store (or correct) ``year``'s notice and make it known to the working-day arithmetic at once."""
    hol, work = parse_days(holidays), parse_days(makeup_workdays)
    if not hol:
        raise ValueError("请填写法定节假日")
    workdays.register_year(year, hol, work)  # validates years and overlaps before anything is stored
    row = HolidayNotice(year=year, holidays=json.dumps([d.isoformat() for d in sorted(set(hol))]),
                        makeup_workdays=json.dumps([d.isoformat() for d in sorted(set(work))]),
                        note=note.strip(), entered_by=by, entered_at=now)
    with sa.orm.Session(sa_engine, expire_on_commit=False) as s, s.begin():
        s.merge(row)
    return row


def load(sa_engine) -> list[int]:
    """Register every stored year with engine/workdays.py; returns the years loaded."""
    with sa.orm.Session(sa_engine) as s:
        rows = list(s.execute(sa.select(HolidayNotice)).scalars())
        for r in rows:
            workdays.register_year(r.year, [dt.date.fromisoformat(d) for d in json.loads(r.holidays)],
                                   [dt.date.fromisoformat(d) for d in json.loads(r.makeup_workdays)])
        return [r.year for r in rows]


def entered(sa_engine) -> list[HolidayNotice]:
    with sa.orm.Session(sa_engine, expire_on_commit=False) as s:
        rows = list(s.execute(sa.select(HolidayNotice).order_by(HolidayNotice.year)).scalars())
        s.expunge_all()
        return rows


def provisional_notice(today: dt.date) -> str | None:
    """The warning pages show while next year's notice is missing, or None."""
    for year in (today.year, today.year + 1):
        if not workdays.is_known_year(year):
            return (f"{year}年放假调休安排尚未录入：{year}年的工作日期限暂按周一至周五计算，"
                    f"以国务院通知为准，请系统管理员在“节假日日历”中录入。")
    return None
