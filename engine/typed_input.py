"""Input as officials type it (录入规整): dates, amounts and counts folded to one plain form.

A tired official types ``2026年11月1日``, ``２０２６／１１／０１`` or ``2026.11.1`` for a date and
``5,000,000`` or ``12，000.50元`` for an amount. Every place that reads such text
(form fields, the rules and calendar pages, the leadership pages) folds it here, so all of them
accept the same spellings and refuse the rest with the same message. marshmallow has no locale
parsing of this kind and Babel's number parser does not know 元 or full-width separators, hence our
own few lines. In engine/ (it depends on nothing) so that a completion's check of a form drawn in the
model (engine/model_forms.py) reads what the pages read.
A form drawn in Camunda 7 writes a day as ``dd/MM/yyyy`` (Camunda's date pattern), so a date field
of such a form also takes ``01/12/2026`` as 1 December (``day_first``); elsewhere a day is year first.

What a tired official also types, read as meant: ``2026年11月1号`` (号 for 日), an amount in 万
(``500万`` / ``1.5万元`` = 5,000,000 / 15,000 元, exactly, by Decimal), a yuan sign (``￥5,000``,
``人民币5000元``), a time as ``2026年11月1日 9:30`` / ``2026/11/1 9时30分`` (:func:`iso_moment`), a yes/no as
是/否 (:func:`truth`). A day without its year (``11月1日``) is refused, never guessed.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

DAY = r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*[日号]?"
"""A regular expression of one day as typed (three groups: year, month, day)."""

_DAY_ONLY = re.compile(rf"^{DAY}$")
_DAY_FIRST = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})$")  # 01/12/2026: Camunda's dd/MM/yyyy
_GROUPED = re.compile(r"^([+-]?)(\d{1,3}(?:[,' ]\d{3})+)(\.\d+)?$")  # 5,000,000.50 / 5 000 000 / 5'000
_NUMBER_AND_UNIT = re.compile(r"^(.*?\d)\s*(\D*)$")  # the number typed, then its unit (元, 万元, 人…)
_SEPARATOR = re.compile(r"[,' ]")
_NO_YEAR = re.compile(r"^(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*[日号]?$")
_MOMENT = re.compile(rf"^{DAY}\s*[T\s]?\s*(上午|早上|凌晨|中午|下午|晚上)?\s*(\d{{1,2}})\s*(?::\s*(\d{{1,2}})|[时点]\s*(\d{{1,2}}|半)?\s*分?)"
                     r"(?:\s*[:]\s*(\d{1,2})\s*秒?)?$")
_AFTERNOON = frozenset({"中午", "下午", "晚上"})
# The most characters a time is typed with (「2026年11月1日 下午3点30分15秒」 has 22). _MOMENT's blanks
# (``\s*`` on either side of each part) split a run of blanks every which way before it fails:
# 「2026-11-01」 and 200 blanks and 「x」 took 16 s, 1,000 blanks hours — a page's or the API's
# date-time field held a server thread for good. A run of blanks is read as one blank.
MOMENT_CHARACTERS = 64
_BLANKS = re.compile(r"\s+")
_COUNT_UNITS = frozenset("人名天日卷家个分%次件项处")
_WAN = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(万|亿)$")
_MULTIPLIER = {"万": 10_000, "亿": 100_000_000}
TRUE = frozenset({"true", "yes", "y", "1", "是", "对", "有", "on"})
FALSE = frozenset({"false", "no", "n", "0", "否", "不", "无", "没有", "off"})


# Characters a page or a Word document pastes that nobody sees: the zero-width space, the word
# joiner, the byte-order mark and the soft hyphen (Word's optional hyphen). ``138\u200b0013 8000``
# looked like a phone number and was refused as none; ``张三\u200b`` was stored as another 张三.
_UNSEEN = str.maketrans({"\u200b": None, "\u2060": None, "\ufeff": None, "\u00ad": None})
# In a number, a day or a code the zero-width (non-)joiners are unseen too (in text they join emoji).
_UNSEEN_IN_FIGURES = str.maketrans({"\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None,
                                    "\ufeff": None, "\u00ad": None})


def unseen_dropped(text: str) -> str:
    """``text`` without the characters pasted text carries unseen (``_UNSEEN``), and with Windows' and
    old Macs' line ends (``\r\n``, ``\r``; a browser sends a text area's lines so) as ``\n``."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_UNSEEN)


def fold(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), surrounding blanks (a no-break space, a
    full-width space) and pasted characters nobody sees (a zero-width space, a BOM) dropped."""
    return unicodedata.normalize("NFKC", (text or "").translate(_UNSEEN_IN_FIGURES)).strip()


def iso_day(text: str, label: str = "日期", *, day_first: bool = False) -> str:
    """``2026年11月1日`` → ``2026-11-01`` (with ``day_first``, ``01/11/2026`` too); ValueError
    (naming ``label``) when the text is not a real day so typed."""
    folded = fold(text)
    found = _DAY_ONLY.match(folded)
    if found:
        year, month, day = (int(g) for g in found.groups())
    elif day_first and (found := _DAY_FIRST.match(folded)):
        day, month, year = (int(g) for g in found.groups())
    else:
        if _NO_YEAR.match(folded):
            raise ValueError(f"{label or '日期'}须写明年份，如 2026年11月1日")
        spellings = "2026-11-01、2026年11月1日 或 01/11/2026（日/月/年）" if day_first else "2026-11-01 或 2026年11月1日"
        raise ValueError(f"{label}格式应为 {spellings}")
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"{label}{year}年{month}月{day}日不是有效的日期") from None


def parse_day(text: str, label: str = "日期") -> dt.date:
    """Like :func:`iso_day`, as a date."""
    return dt.date.fromisoformat(iso_day(text, label))


def iso_moment(text: str) -> str | None:
    """``2026年11月1日 9:30`` / ``2026/11/1 9时30分`` / ``2026年11月1日下午3点半`` → ``2026-11-01T09:30`` /
    ``…T09:30`` / ``…T15:30`` (no zone: the field reads it as Beijing time; 下午/晚上 add twelve hours
    to 1–11 o'clock, 中午1点 is 13:00); None when the text is not so typed (the field judges it as it is)."""
    folded = fold(text)
    if len(folded) > MOMENT_CHARACTERS:
        return None  # no time is typed so long: the pattern's blanks would be tried every which way
    found = _MOMENT.match(one_blank(folded))
    if not found:
        return None
    year, month, day = (int(g) for g in found.groups()[:3])
    part, hour_text, minute_colon, minute_said, second_text = found.groups()[3:]
    hour = int(hour_text)
    minute = int(minute_colon or (30 if minute_said == "半" else minute_said or 0))
    if part and (hour > 12 and part not in _AFTERNOON or part == "晚上" and hour == 12):
        return None  # 上午15点 says two things; 晚上12点 is this day's end or the next's start
    if part in _AFTERNOON and 1 <= hour <= 11:
        hour += 12
    try:
        return dt.datetime(year, month, day, hour, minute, int(second_text or 0)).isoformat()
    except ValueError:
        return None


def one_blank(text: str) -> str:
    """``text`` with each run of blanks one blank: a pattern with ``\\s*`` beside ``\\s*`` then tries
    a few ways to place it, not every way to split a run."""
    return _BLANKS.sub(" ", text)


def plain_number(text: str) -> str:
    """``5,000,000`` / ``１２，０００．５０元`` / ``￥5,000`` → ``5000000`` / ``12000.50`` / ``5000``:
    thousands separators, blanks, a yuan sign and a trailing 元 dropped; ``500万`` / ``1.5万元`` /
    ``1.2亿元`` → ``5000000`` / ``15000`` / ``120000000`` (exactly: Decimal, never a float); what is
    left is for the field to judge.

    A separator is dropped only where it groups thousands (``5,000,000``, ``5 000 000``): ``1,5``,
    ``12,00`` or ``1 5`` could mean 1.5 or 15 and are left as typed (:func:`misgrouped`), so the field
    refuses them rather than guess; so is ``1.000.000`` (European grouping), which no field reads."""
    t = fold(text)
    for sign in ("人民币", "¥", "￥"):
        if t.startswith(sign):
            t = t[len(sign):].lstrip()
    split = _NUMBER_AND_UNIT.match(t)
    if not split:
        return t
    number, unit = split.groups()
    if _SEPARATOR.search(number):
        grouped = _GROUPED.match(number)
        if not grouped:
            return t  # 1,5 / 12,00 / 1 5: not a grouping of thousands; refused by the field
        number = grouped.group(1) + _SEPARATOR.sub("", grouped.group(2)) + (grouped.group(3) or "")
    unit = unit.strip()
    unit = unit[:-1] if unit.endswith("元整") else unit  # 伍仟元整 style, in digits: 5000元整
    unit = unit[:-1] if unit.endswith("元") else unit
    t = number + unit
    wan = _WAN.match(t)
    if wan:
        from decimal import Decimal
        t = format(Decimal(wan.group(1)) * _MULTIPLIER[wan.group(2)], "f")
        t = t.rstrip("0").rstrip(".") if "." in t else t
    return t


_CHINESE_NUMERAL = re.compile(r"^(人民币|[¥￥])?\s*([零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点]+)(.*)$")
_CHINESE_DIGIT = str.maketrans({"两": "二", "〇": "零"})


def chinese_numerals(text: str) -> str:
    """``伍佰万元`` / ``五百万`` / ``三人`` / ``壹拾贰万叁仟肆佰伍拾陆点柒捌`` → ``5000000元`` / ``5000000`` /
    ``3人`` / ``123456.78``: a number written in Chinese numerals (小写 or 大写, as a 文书 writes an
    amount) read by cn2an (PyPI, maintained) in its strict mode, what follows it (元, 人…) kept for the
    field to judge; anything else returned as typed. Spoken shorthand cn2an's strict mode does not take
    (``五万五``: 55,000 or 50,005?) stays as typed and is refused by the field, never guessed."""
    folded = fold(text)
    found = _CHINESE_NUMERAL.match(folded)
    if not found or not any(ch in found.group(2) for ch in "零一二三四五六七八九十两〇壹贰叁肆伍陆柒捌玖拾"):
        return text
    import cn2an  # 0.4 s to import: only when a number is typed in Chinese numerals
    try:
        value = cn2an.cn2an(found.group(2).translate(_CHINESE_DIGIT), "strict")
    except (ValueError, KeyError, IndexError):
        return text
    from decimal import Decimal
    number = format(Decimal(repr(value)), "f") if isinstance(value, float) else str(value)
    return number + found.group(3)


def misgrouped(text: str) -> bool:
    """Is ``text`` a number whose separators group no thousands (``1,5``, ``12,00``, ``1 5``,
    ``1.000.000``)? Such a number could be read two ways; a field refuses it saying so."""
    t = plain_number(text)
    return bool(re.fullmatch(r"[+-]?\d[\d,' 、]*(?:\.\d+)?\D*", t) and re.search(r"[,' 、]", t)) \
        or bool(re.fullmatch(r"[+-]?\d+(?:\.\d+){2,}\D*", t))


def plain_count(text: str) -> str:
    """A count as typed with its unit: ``3人``, ``30天``, ``2卷``, ``80%`` → ``3``, ``30``, ``2``, ``80``
    (one unit character after the digits; ``1个月``, ``30个工作日`` or ``3周`` keep theirs and are refused
    by the field, never converted)."""
    t = plain_number(text)
    return t[:-1] if len(t) > 1 and t[-1] in _COUNT_UNITS and t[-2].isdigit() else t


def truth(value: object) -> bool | None:
    """A yes/no as typed or sent (True, "是", "否", "true", 1, "ｙｅｓ"…); None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if not isinstance(value, str):
        return None
    text = fold(value).lower()
    return True if text in TRUE else False if text in FALSE else None


_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
_UNFIT = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def has_controls(text: str) -> bool:
    """Whether ``text`` holds a character ``without_controls`` would change."""
    return _CONTROL.search(text) is not None


def without_controls(text: str) -> str:
    """Text as pasted, fit for a record and an Office file (录入文本中的控制字符): Word's manual line
    break and page break (U+000B, U+000C) become line breaks; NUL and every other control character,
    the non-characters U+FFFE/U+FFFF and lone surrogates are dropped (PostgreSQL refuses a NUL in text,
    and neither a .docx nor an .xlsx can hold any of them); tab, line feed and carriage return stay."""
    return _UNFIT.sub("", text.translate(_BREAKS)) if _CONTROL.search(text) else text
