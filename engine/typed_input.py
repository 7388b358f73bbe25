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
是/否 (:func:`truth`), an amount in spoken shorthand (``五万五`` = 55,000, ``一万五``, ``1万5``:
:func:`spoken_amount`). A day without its year (``11月1日``) is refused, never guessed.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

DAY = r"([0-9]{4})\s*[-/年.]\s*([0-9]{1,2})\s*[-/月.]\s*([0-9]{1,2})\s*[日号]?"
"""A regular expression of one day as typed (three groups: year, month, day)."""

_DAY_ONLY = re.compile(rf"^{DAY}$")
_DAY_FIRST = re.compile(r"^([0-9]{1,2})\s*[-/.]\s*([0-9]{1,2})\s*[-/.]\s*([0-9]{4})$")  # 01/12/2026: Camunda's dd/MM/yyyy
_GROUPED = re.compile(r"^([+-]?)([0-9]{1,3}(?:[,' ][0-9]{3})+)(\.[0-9]+)?$")  # 5,000,000.50 / 5 000 000 / 5'000
_NUMBER_AND_UNIT = re.compile(r"^(.*?[0-9])\s*([^0-9]*)$")  # the number typed, then its unit (元, 万元, 人…)
_SEPARATOR = re.compile(r"[,' ]")
# 26/11/1, 26年11月1日, 1/11/26: a year of two digits — 2026-11-01, 2001-11-26 or 2026-01-11? Refused.
_SHORT_YEAR = re.compile(r"^[0-9]{2}\s*[-/年.]\s*[0-9]{1,2}\s*[-/月.]\s*[0-9]{1,2}\s*[日号]?$")
_SHORT_YEAR_LAST = re.compile(r"^[0-9]{1,2}\s*[-/.]\s*[0-9]{1,2}\s*[-/.]\s*[0-9]{2}$")
_NO_YEAR = re.compile(r"^([0-9]{1,2})\s*[-/月.]\s*([0-9]{1,2})\s*[日号]?$")
_MOMENT = re.compile(rf"^{DAY}\s*[T\s]?\s*(上午|早上|凌晨|中午|下午|晚上)?\s*([0-9]{{1,2}})\s*(?::\s*([0-9]{{1,2}})|[时点]\s*([0-9]{{1,2}}|半)?\s*分?)"
                     r"(?:\s*[:]\s*([0-9]{1,2})\s*秒?)?$")
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


OTHER_DIGITS = "含有无法识别的数字“{digit}”，数字请用 0–9 填写"
"""What a number, a day, a phone number or a code typed with digits of another script is told
(Arabic-Indic ``١٣٨``, Devanagari ``१``, Thai ``๑``: an input method or a pasted page gives them):
refused, never read. Python's ``\\d`` and ``int()`` take every script's digits, so ``010-٦٢٣٤٥٦٧٨`` was
stored as a phone number nobody can dial and ``٢٠٢٦-١١-٠١`` read as 2026-11-01 unseen. Full-width
digits (``１３８``) are ours: :func:`fold` makes them ASCII first."""


def other_digit(text: str) -> str | None:
    """The first digit in ``text`` that is neither ASCII nor full-width (``١``, ``१``), or None."""
    for ch in fold(text):
        if not ch.isascii() and ch.isdigit():
            return ch
    return None


def refuse_other_digits(text: str) -> None:
    """ValueError saying :data:`OTHER_DIGITS` when ``text`` holds a digit of another script."""
    digit = other_digit(text)
    if digit is not None:
        raise ValueError(OTHER_DIGITS.format(digit=digit))


NO_FIGURE_WORDS = frozenset({"无", "暂无", "没有", "不详", "/", "-", "—", "--", "——", "空"})
"""What a clerk types in a box for a number or a day that has none (``无``, ``/``): refused saying what
to do (:func:`none_refusal`), not 应为金额 — a word is never read as 0 or as no day unseen. Our forms
(workflows/forms/fields.py) and forms drawn in a model (engine/model_forms.py) alike."""


def none_refusal(typed: str, what: str, ways: list[str]) -> str | None:
    """What ``typed`` is told when it is one of ``NO_FIGURE_WORDS`` in a box for ``what`` (金额, 整数,
    数字, 日期, 时间): 「应为整数，不要填写“无”：没有的请填 0 或留空」, ``ways`` being what the field takes
    for none (填 0 where 0 is an answer, 留空 where it may be left empty); None for anything else."""
    said = fold(typed)
    if said not in NO_FIGURE_WORDS:
        return None
    ways = [w for w in ways if w]
    return f"应为{what}，不要填写“{said}”" + (f"：没有的请{' 或'.join(ways)}" if ways else "")


MISGROUPED = "无法确定数值：分隔符应每三位一组（如 5,000,000），小数点用“.”（如 1.5）"
"""What a number typed as ``1,5``, ``12,00`` or ``1.000.000`` (1.5 or 15?) is told (:func:`misgrouped`):
refused, never guessed — by our forms (workflows/forms/fields.py) and forms drawn in a model alike."""

_NUMERAL_DAY = re.compile(r"^(?:([0-9]{4}|[〇零一二三四五六七八九]{4})\s*年\s*)?([〇零一二两三四五六七八九十]{1,3})\s*月\s*"
                          r"([〇零一二两三四五六七八九十]{1,3})\s*[日号]$")
_NUMERAL_DIGIT = dict(zip("〇零一二三四五六七八九", (0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)))  # a year's, digit by digit


def _numeral_part(numerals: str) -> int | None:
    """A month or day in Chinese numerals (``十一``, ``二十一``, ``三十``, ``九``) as a number, read as
    :func:`chinese_numerals` reads one (cn2an's strict mode, :func:`_strict`); None when it is none
    (``十十``, ``二二``)."""
    value = _strict(numerals)
    return value if isinstance(value, int) else None


def numeral_day(text: str) -> str:
    """A day written in Chinese numerals, as a 文书 dates itself (``二〇二六年十一月一日``: the 成文日期 of
    GB/T 9704-1999, which a clerk copies; ``2026年十一月一日``), in digits (``2026年11月1日``); a day without its year (``十一月一日``) as ``11月1日``, for
    :func:`iso_day` to refuse saying the year is wanted; anything else returned as typed."""
    found = _NUMERAL_DAY.match(text)
    if not found:
        return text
    year, month, day = found.groups()
    month_n, day_n = _numeral_part(month), _numeral_part(day)
    if month_n is None or day_n is None:
        return text
    said = f"{month_n}月{day_n}日"
    return "".join(str(_NUMERAL_DIGIT.get(ch, ch)) for ch in year) + "年" + said if year else said


_WEEKDAY = re.compile(r"^(.*?[0-9日号])\s*[(（]?\s*(?:星期|周|礼拜)([一二三四五六日天])\s*[)）]?$")
_WEEKDAYS = "一二三四五六日"
_MONTH_ONLY = re.compile(r"^[0-9]{4}\s*[-/年.]\s*[0-9]{1,2}\s*月?$")


def _weekday_said(folded: str) -> tuple[str, str | None]:
    """(the day without the weekday typed after it, that weekday as 一…日 or None): a day copied from
    a notice or a calendar (``2026年11月1日（星期日）``, ``2026-11-01 周日``)."""
    found = _WEEKDAY.match(folded)
    if not found:
        return folded, None
    return found.group(1), "日" if found.group(2) == "天" else found.group(2)


def iso_day(text: str, label: str = "日期", *, day_first: bool = False) -> str:
    """``2026年11月1日`` (or ``二〇二六年十一月一日``) → ``2026-11-01`` (with ``day_first``, ``01/11/2026``
    too); ValueError (naming ``label``) when the text is not a real day so typed, or is typed with
    digits of another script (:data:`OTHER_DIGITS`). A weekday copied after the day
    (``2026年11月1日（星期日）``) is read when it is that day's and refused saying so when it is not
    (``2026年11月1日（星期一）``: which of the two was meant?); a month without its day (``2026年11月``)
    is refused saying the day is wanted, never read as the 1st."""
    digit = other_digit(text)
    if digit is not None:  # ٢٠٢٦-١١-٠١: int() reads it, nobody who reads the record does
        raise ValueError(f"{label}{OTHER_DIGITS.format(digit=digit)}")
    folded, weekday = _weekday_said(numeral_day(fold(text)))
    if weekday is not None:
        day = iso_day(folded, label, day_first=day_first)
        actual = _WEEKDAYS[dt.date.fromisoformat(day).weekday()]
        if actual != weekday:
            y, m, d = (int(p) for p in day.split("-"))
            raise ValueError(f"{label}{y}年{m}月{d}日是星期{actual}，不是星期{weekday}；请核对日期")
        return day
    if _MONTH_ONLY.match(folded):
        raise ValueError(f"{label or '日期'}须写明哪一日，如 2026年11月1日")
    found = _DAY_ONLY.match(folded)
    if found:
        year, month, day = (int(g) for g in found.groups())
    elif day_first and (found := _DAY_FIRST.match(folded)):
        day, month, year = (int(g) for g in found.groups())
    else:
        if _NO_YEAR.match(folded):
            raise ValueError(f"{label or '日期'}须写明年份，如 2026年11月1日")
        if _SHORT_YEAR.match(folded) or _SHORT_YEAR_LAST.match(folded):
            raise ValueError(f"{label}年份须写全四位，如 2026年11月1日（“{folded}”可读作不同的年月日）")
        spellings = "2026年11月1日、2026-11-01 或 01/11/2026（日/月/年）" if day_first else "2026年11月1日 或 2026-11-01"
        raise ValueError(f"{label}格式有误，请写成 {spellings} 这样的日期")
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


_YUAN_SIGNS = ("人民币", "¥", "￥", "RMB", "CNY")  # RMB5000, ￥5,000: the currency written before an amount


def plain_number(text: str) -> str:
    """``5,000,000`` / ``１２，０００．５０元`` / ``￥5,000`` → ``5000000`` / ``12000.50`` / ``5000``:
    thousands separators, blanks, a yuan sign and a trailing 元 dropped; ``500万`` / ``1.5万元`` /
    ``1.2亿元`` → ``5000000`` / ``15000`` / ``120000000`` (exactly: Decimal, never a float); what is
    left is for the field to judge.

    A separator is dropped only where it groups thousands (``5,000,000``, ``5 000 000``): ``1,5``,
    ``12,00`` or ``1 5`` could mean 1.5 or 15 and are left as typed (:func:`misgrouped`), so the field
    refuses them rather than guess; so is ``1.000.000`` (European grouping), which no field reads."""
    t = fold(text)
    for sign in _YUAN_SIGNS:
        if t.upper().startswith(sign):
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
    (``五万五``) stays as typed: :func:`spoken_amount` reads it, for an amount only."""
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


SPOKEN_UNCLEAR = "无法确定金额，请写成数字，如 55000 或 5.5万"
"""What an amount in spoken shorthand that cannot be read one way only is told (``十万五``, ``五万五元``,
``1万50``): how to write it, as a person recognises it."""
_UNIT = {"亿": 100_000_000, "万": 10_000, "千": 1_000, "仟": 1_000, "百": 100, "佰": 100}
_ONE_DIGIT = {**{str(d): d for d in range(1, 10)}, **dict(zip("一二三四五六七八九", range(1, 10))),
              **dict(zip("壹贰叁肆伍陆柒捌玖", range(1, 10))), "两": 2}
_FIGURES = re.compile(r"^[0-9.零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+$")
_ARABIC_HEAD = re.compile(r"^([0-9]+)([亿万千百])$")
_ARABIC_RUN = re.compile(r"[0-9]+")
_SAID_WITH_YUAN = re.compile(r"^(.*?)\s*(元整|元)?$")


def spoken_amount(text: str) -> str:
    """An amount in spoken shorthand (口语简写), as officials type it, in plain digits: ``五万五`` /
    ``一万五`` / ``两万五`` / ``三千五`` / ``两百五`` / ``一亿五`` → ``55000`` / ``15000`` / ``25000`` / ``3500`` /
    ``250`` / ``150000000``; ``1万5`` / ``12万5`` / ``1万5千`` / ``1万5000`` / ``伍万伍`` → ``15000`` /
    ``125000`` / ``15000`` / ``15000`` / ``55000``. Anything not so typed is returned as typed, for
    :func:`chinese_numerals` and :func:`plain_number` (``伍万伍仟元整``, ``1.5万``, ``5万元``).

    Why reading it is safe for a fine or a 直接经济损失: in spoken and written Chinese alike one digit
    after a unit (万, 千, 百, 亿) is a count of the next lower unit — 一万五 is 一万五千, 三千五 is 三千五百,
    一亿五 is 一亿五千万. The other reading (五万五 as 50,005) is never meant: that number is written
    五万零五 (the 零 is required, and cn2an's strict mode reads it so), so no one who types 五万五 means
    it. The reading is taken only where it is the one: one digit, 1 to 9, right after a unit that itself
    follows a digit (五万五, 十五万五 = 155,000; 1万5 or 12万5 in digits). Refused with
    ``SPOKEN_UNCLEAR`` (请写成 55000 或 5.5万), never guessed: a unit after a unit (``十万五``,
    ``一百万五``: 10.5万 or 一百五十万?), 元 right after the digit (``五万五元``: 元 where 千 was meant, or
    50,005 without its 零?), and digits after a unit that fill neither one place nor all of them
    (``1万50``, ``1万500``: 10,050 or 15,000?; ``1.5万5``). A number of Arabic digits before the unit
    (``10万5``) is one count of that unit, 10.5万."""
    folded = fold(text)
    for sign in _YUAN_SIGNS:
        if folded.upper().startswith(sign):
            folded = folded[len(sign):].lstrip()
    core, yuan = _SAID_WITH_YUAN.match(folded).groups("")  # (.*?) always matches
    if not core or not _FIGURES.match(core) or not any(unit in core for unit in "亿万千百仟佰"):
        return text
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?[万亿]", core) or _strict(core) is not None:
        return text  # 5万元, 1.5万, 伍万伍仟元整: read as before by plain_number and chinese_numerals
    said = _shorthand(core)
    if said is not None and not yuan:
        return str(said)
    if said is None and "." not in core and _ARABIC_RUN.search(core):
        whole = _strict(_ARABIC_RUN.sub(_in_numerals, core))
        if isinstance(whole, int):
            return f"{whole}{yuan}"  # 1万5千, 1万5000元: the digits are the places they fill
    raise ValueError(SPOKEN_UNCLEAR)


def _shorthand(core: str) -> int | None:
    """``五万五`` → 55000 by the rule in :func:`spoken_amount`; None when ``core`` is not so typed."""
    head, last = core[:-1], core[-1]
    if last not in _ONE_DIGIT or len(head) < 2 or head[-1] not in _UNIT:
        return None
    unit = _UNIT[head[-1]]
    arabic = _ARABIC_HEAD.match(head)
    if arabic:
        return int(arabic.group(1)) * unit + _ONE_DIGIT[last] * unit // 10
    if head[-2] not in _ONE_DIGIT or _ARABIC_RUN.search(head):
        return None  # 十万五, 一百万五: a unit after a unit; 1万5千5: digits and numerals mixed
    value = _strict(head)
    return value + _ONE_DIGIT[last] * unit // 10 if isinstance(value, int) else None


def _strict(numerals: str) -> int | float | None:
    """``numerals`` read by cn2an in its strict mode, or None."""
    if not any(ch in numerals for ch in "零一二两三四五六七八九十〇壹贰叁肆伍陆柒捌玖拾"):
        return None
    import cn2an  # 0.4 s to import: only when a number is typed in Chinese numerals
    try:
        return cn2an.cn2an(numerals.translate(_CHINESE_DIGIT), "strict")
    except (ValueError, KeyError, IndexError):
        return None


def _in_numerals(found: re.Match) -> str:
    import cn2an
    return cn2an.an2cn(found.group(0))


def misgrouped(text: str) -> bool:
    """Is ``text`` a number whose separators group no thousands (``1,5``, ``12,00``, ``1 5``,
    ``1.000.000``)? Such a number could be read two ways; a field refuses it saying so."""
    t = plain_number(text)
    return bool(re.fullmatch(r"[+-]?[0-9][0-9,' 、]*(?:\.[0-9]+)?[^0-9]*", t) and re.search(r"[,' 、]", t)) \
        or bool(re.fullmatch(r"[+-]?[0-9]+(?:\.[0-9]+){2,}[^0-9]*", t))


def plain_count(text: str) -> str:
    """A count as typed with its unit: ``3人``, ``30天``, ``2卷``, ``80%`` → ``3``, ``30``, ``2``, ``80``
    (one unit character after the digits; ``1个月``, ``30个工作日`` or ``3周`` keep theirs and are refused
    by the field, never converted)."""
    t = plain_number(text)
    return t[:-1] if len(t) > 1 and t[-1] in _COUNT_UNITS and t[-2] in "0123456789" else t


def number_text(text: str, *, spoken: bool = True, counted: bool = True) -> str:
    """A number as typed, in plain digits for the field to judge — the one reader of our forms
    (workflows/forms/fields.py), forms drawn in a model (engine/model_forms.py) and a call activity's
    typed mapping (engine/flowable_types.py): digits of another script refused (:data:`OTHER_DIGITS`);
    with ``spoken`` an amount in spoken shorthand read (``五万五`` = 55000, :func:`spoken_amount`); Chinese
    numerals (``伍仟元``, ``三人``: :func:`chinese_numerals`); ``1,5`` refused (:data:`MISGROUPED`); then
    :func:`plain_number` (``5,000,000``, ``500万元``, ``￥5000``), with ``counted`` a count's unit dropped
    (``3人``: :func:`plain_count`). ValueError with the reason in Chinese where it is refused saying why."""
    refuse_other_digits(text)
    if spoken:
        text = spoken_amount(text)
    text = chinese_numerals(text)
    if misgrouped(text):
        raise ValueError(MISGROUPED)
    return plain_count(text) if counted else plain_number(text)


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


_NAME_DOT = re.compile(r"(?<=[\u3400-\u9fff])\s*[•・‧∙⋅●·･]\s*(?=[\u3400-\u9fff])")
_BLANK_IN_NAME = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def name_dots(text: str) -> str:
    """The dot of a name typed as ``•``, ``・`` or ``･`` between Chinese characters, or the 间隔号 with
    blanks around it (阿卜杜 · 热合曼), as the 间隔号 ``·`` every record writes (阿卜杜·热合曼)."""
    if "•" in text or "・" in text or "‧" in text or "∙" in text or "⋅" in text or "●" in text \
            or "·" in text or "･" in text:  # a few ``in`` tests: a tenth of the regex
        return _NAME_DOT.sub("·", text)
    return text


def person_name(typed: str) -> str:
    """A person's 姓名 as every record writes it (forms' 姓名/负责人, 系统管理 › 用户; the reader for a
    task's candidate named by 姓名 to be matched with, engine/assignment.py): unseen characters and the blanks around it dropped, the dot as
    ``·`` (:func:`name_dots`), and a blank between its Chinese characters (``欧阳 娜娜``, ``张　三`` typed
    to line up two-character names) no part of it, so one person is one name to match. A blank
    between Latin letters (``John Smith``) is kept."""
    return _BLANK_IN_NAME.sub("", name_dots(unseen_dropped(typed or "").strip()))


_PERSON_OR_UNIT = re.compile(r"[\u3400-\u9fff]+(?:\s+[\u3400-\u9fff]+)+")
_BLANKS_IN_LINE = re.compile(r"[^\S\n]+")


def party_name(typed: str) -> str:
    """A 当事人 as typed: a person or a unit, told apart by what was typed. Two to four Chinese
    characters with blanks between them (``张　三``, ``欧阳 娜娜``) are a person's name, joined as
    :func:`person_name` joins it — no unit's name is so short, and a person's never holds a blank.
    Anything else is a unit (``某某化工有限公司``, ``ACME Chemical Co., Ltd.``) or a longer name: its
    blanks are kept where typed, since a unit's registered name may hold one, but as one ordinary
    blank each (a run of blanks, a full-width or no-break space is one blank; a line end stays, as in
    any text), and none around it, so the same 当事人 is written alike in every record and found by a
    search."""
    text = name_dots(unseen_dropped(typed or "").strip())
    if _PERSON_OR_UNIT.fullmatch(text) and 2 <= len(_BLANKS.sub("", text)) <= 4:
        return _BLANK_IN_NAME.sub("", text)
    return unit_name(text)


_HALF_BRACKETS = str.maketrans({"(": "（", ")": "）"})
_CHINESE = re.compile(r"[\u3400-\u9fff]")
_BLANKS_AT_BRACKETS = re.compile(r"\s*([（）])\s*")


def unit_name(typed: str) -> str:
    """A unit's name (企业、单位: 生产经营单位名称, 被举报单位, 供电企业, a 当事人 that is a unit) as the
    registry writes it: trimmed, each run of blanks one blank (:func:`party_name`), and in a Chinese name
    the brackets full-width with no blank beside them — ``甲化工(北京)有限公司``, ``甲化工 （北京） 有限公司``
    → ``甲化工（北京）有限公司``, the form registered names take; typed both ways the one enterprise was two
    names in the records, and 发起案件's 当事企业 found no enterprise so named. A Latin name's brackets
    (``ACME (China) Co.``) stay as typed."""
    text = _BLANKS_IN_LINE.sub(" ", name_dots(unseen_dropped(typed or "").strip()))
    if _CHINESE.search(text) and any(ch in text for ch in "()（）"):
        text = _BLANKS_AT_BRACKETS.sub(r"\1", text.translate(_HALF_BRACKETS))
    return text


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
