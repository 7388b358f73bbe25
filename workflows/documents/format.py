"""Formatting case data for official documents (公文): dates, money in figures and in capitals,
numbered lists, and blanks (＿＿＿＿) where the case has no value yet."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Iterable

BLANK = "＿＿＿＿"
from engine.clock import SHANGHAI  # one zone for the whole project
DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ["", "拾", "佰", "仟"]
BIG_UNITS = ["", "万", "亿", "万亿"]


class Blanks(dict):
    """A context whose missing or empty values print as a blank to fill by hand."""

    def __missing__(self, key: str) -> str:
        return BLANK

    def __getitem__(self, key: str) -> Any:
        value = super().get(key)
        if value is None or value == "" or value == []:
            return BLANK
        return value


def cn_date(value: Any) -> str:
    """2026-05-11 (or an ISO datetime) -> 2026年5月11日, in China's calendar day."""
    if not value:
        return BLANK
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    else:
        text = str(value)
        if len(text) <= 10:
            d = dt.date.fromisoformat(text)
            return f"{d.year}年{d.month}月{d.day}日"
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(SHANGHAI)
    return f"{moment.year}年{moment.month}月{moment.day}日"


def cn_datetime(value: Any) -> str:
    if not value:
        return BLANK
    moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(SHANGHAI)
    return f"{cn_date(moment)}{moment.hour}时{moment.minute:02d}分"


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None


def money(value: Any) -> str:
    """50000 -> 50,000.00元"""
    amount = _decimal(value)
    return BLANK if amount is None else f"{amount:,.2f}元"


def yuan(value: Any) -> str:
    """An amount as a reader writes it in a sentence: 100000 -> 100,000元, 50000.5 -> 50,000.50元
    (no 「.00」 on a whole amount, as 「较大数额罚款（100,000元以上）」); blank if not a number."""
    amount = _decimal(value)
    if amount is None:
        return BLANK
    return f"{amount:,.0f}元" if amount == amount.to_integral_value() else f"{amount:,.2f}元"


def _four_digits(n: int) -> str:
    out, zero = "", False
    for i in range(3, -1, -1):
        d = n // 10 ** i % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[d] + SMALL_UNITS[i]
    return out


def money_upper(value: Any) -> str:
    """Amounts in capitals as on Chinese financial documents: 50000 -> 人民币伍万元整."""
    amount = _decimal(value)
    if amount is None:
        return BLANK
    yuan = int(amount)
    cents = int((amount - yuan) * 100)
    groups, text = [], ""
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    need_zero = False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            need_zero = bool(text)
            continue
        if text and (need_zero or g < 1000):
            text += "零"
        text += _four_digits(g) + BIG_UNITS[i]
        need_zero = False
    jiao, fen = cents // 10, cents % 10
    if not text:
        if not cents:
            return "人民币零元整"
        return "人民币" + (DIGITS[jiao] + "角" if jiao else "") + (DIGITS[fen] + "分" if fen else "")
    text += "元"
    if not cents:
        return f"人民币{text}整"
    text += DIGITS[jiao] + "角" if jiao else "零"
    if fen:
        text += DIGITS[fen] + "分"
    return f"人民币{text}"


def joined(values: Iterable[Any] | None, sep: str = "、") -> str:
    values = [str(v) for v in values or [] if v not in (None, "")]
    return sep.join(values) if values else BLANK


def numbered(lines: Iterable[str], indent: str = "    ") -> str:
    lines = list(lines)
    if not lines:
        return indent + BLANK
    return "\n".join(f"{indent}{i}. {line}" for i, line in enumerate(lines, 1))


def or_blank(value: Any) -> str:
    return BLANK if value in (None, "", []) else str(value)
