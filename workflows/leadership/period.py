"""Reporting periods (统计期间): a year, a quarter or a month, bounded in China's time (Asia/Shanghai)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from engine.clock import SHANGHAI  # one zone for the whole project
FULL_WIDTH = str.maketrans("０１２３４５６７８９－ＱｑＭ", "0123456789-QqM")


@dataclass(frozen=True)
class Period:
    kind: str      # year | quarter | month
    year: int
    number: int    # quarter 1-4, month 1-12; 0 for a year

    @property
    def code(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        return f"{self.year}Q{self.number}" if self.kind == "quarter" else f"{self.year}-{self.number:02d}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.year}年"
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度" if self.kind == "quarter" else f"{self.year}年{self.number}月"

    @property
    def first_day(self) -> date:
        if self.kind == "year":
            return date(self.year, 1, 1)
        if self.kind == "quarter":
            return date(self.year, 3 * self.number - 2, 1)
        return date(self.year, self.number, 1)

    @property
    def end_day(self) -> date:
        """The day after the period (exclusive end)."""
        if self.kind == "year":
            return date(self.year + 1, 1, 1)
        months = 3 if self.kind == "quarter" else 1
        m = self.first_day.month + months
        return date(self.year + (m - 1) // 12, (m - 1) % 12 + 1, 1)

    @property
    def start(self) -> datetime:
        return _utc(self.first_day)

    @property
    def end(self) -> datetime:
        return _utc(self.end_day)

    def months(self) -> list[str]:
        """The months of the period as "2026-11"."""
        out, d = [], self.first_day
        while d < self.end_day:
            out.append(f"{d.year}-{d.month:02d}")
            d = date(d.year + d.month // 12, d.month % 12 + 1, 1)
        return out

    def previous(self) -> "Period":
        if self.kind == "year":
            return Period("year", self.year - 1, 0)
        if self.kind == "quarter":
            return Period("quarter", self.year - (self.number == 1), (self.number - 2) % 4 + 1)
        return Period("month", self.year - (self.number == 1), (self.number - 2) % 12 + 1)


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).astimezone(timezone.utc)


def quarter_of(moment: datetime) -> Period:
    local = moment.astimezone(SHANGHAI)
    return Period("quarter", local.year, (local.month - 1) // 3 + 1)


def parse(text: str | None, now: datetime) -> Period:
    """"2026", "2026Q4", "2026-Q4", "2026年第四季度", "2026-11", "2026年11月"; empty: the current quarter.
    Raises ValueError with a Chinese message naming the field."""
    if not text or not text.strip():
        return quarter_of(now)
    t = text.strip().translate(FULL_WIDTH).replace("年", "-").replace("月", "").replace("第", "")
    for word, n in (("一季度", 1), ("二季度", 2), ("三季度", 3), ("四季度", 4)):
        t = t.replace(word, f"Q{n}")
    t = t.rstrip("-")
    if m := re.fullmatch(r"(\d{4})", t):
        return Period("year", int(m[1]), 0)
    if m := re.fullmatch(r"(\d{4})-?[Qq]([1-4])", t):
        return Period("quarter", int(m[1]), int(m[2]))
    if (m := re.fullmatch(r"(\d{4})-(\d{1,2})", t)) and 1 <= int(m[2]) <= 12:
        return Period("month", int(m[1]), int(m[2]))
    raise ValueError(f"统计期间格式不正确：{text}（例如 2026、2026Q4、2026-11）")


def recent_quarters(now: datetime, count: int = 8) -> list[Period]:
    q, out = quarter_of(now), []
    for _ in range(count):
        out.append(q)
        q = q.previous()
    return out
