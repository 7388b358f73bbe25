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
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

DAY = r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?"
"""A regular expression of one day as typed (three groups: year, month, day)."""

_DAY_ONLY = re.compile(rf"^{DAY}$")
_DAY_FIRST = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})$")  # 01/12/2026: Camunda's dd/MM/yyyy
_THOUSANDS = re.compile(r"[,，、'\s]")


def fold(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), surrounding blanks dropped."""
    return unicodedata.normalize("NFKC", text or "").strip()


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
        spellings = "2026-11-01、2026年11月1日 或 01/11/2026（日/月/年）" if day_first else "2026-11-01 或 2026年11月1日"
        raise ValueError(f"{label}格式应为 {spellings}")
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"{label}{year}年{month}月{day}日不是有效的日期") from None


def parse_day(text: str, label: str = "日期") -> dt.date:
    """Like :func:`iso_day`, as a date."""
    return dt.date.fromisoformat(iso_day(text, label))


def plain_number(text: str) -> str:
    """``5,000,000`` / ``１２，０００．５０元`` → ``5000000`` / ``12000.50``: thousands separators,
    blanks and a trailing 元 dropped; what is left is for the field to judge."""
    t = _THOUSANDS.sub("", fold(text))
    return t[:-1] if t.endswith("元") else t
