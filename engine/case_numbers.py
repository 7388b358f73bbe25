"""The 案号 prefix of a process: ``<prefix>-<year>-<serial>`` (engine/cases.py takes the number).

A model may declare its prefix on its process element (``spiffworkflow:property
name="caseNumberPrefix"``): 2 to 6 letters or digits, a letter first, kept upper-case (typed
full-width or lower-case it is read as ＨＳＳ → HSS). Else the prefix is the process key's initials
(``hazard_self_report`` → HSR), as every case had before 2026-12-07. The deploy stores the declared
prefix with the model version (``process_model.case_prefix``, revision 0032) and refuses one that
another deployed process already gives its cases, naming both (engine/models.py); the counter
reads it from the deployed model, never from a running case. A case keeps the number it was given:
a new prefix numbers the cases started after its deploy, from 1 in its own counter.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from .clock import SHANGHAI

PROPERTY = "caseNumberPrefix"
LONGEST = 6
_FORM = re.compile(r"[A-Z][A-Z0-9]{1,5}")


def derived(process_key: str) -> str:
    """The prefix of a process that declares none: its key's initials, at most four (else C)."""
    return "".join(w[0] for w in process_key.split("_") if w).upper()[:4] or "C"


def read(value: str | None) -> tuple[str | None, str | None]:
    """A declared prefix as stored (upper-case, half-width), or what is wrong with it (Chinese)."""
    text = unicodedata.normalize("NFKC", value or "").strip().upper()
    if not text:
        return None, None
    if not _FORM.fullmatch(text):
        return None, (f"「{value.strip() if value else ''}」不可用：须为 2～{LONGEST} 位英文字母或数字，"
                      "以字母开头（如 HSS）")
    return text, None


def effective(process_key: str, declared: str | None) -> str:
    """The prefix a new case of ``process_key`` gets: the declared one, else the key's initials."""
    return declared or derived(process_key)


def counter_name(prefix: str, now: datetime) -> tuple[int, str]:
    """The year in China and the counter's name, ``case_no:<prefix>:<year>`` — also the name of
    the case anchor's chain (engine/case_anchor.py)."""
    year = now.astimezone(SHANGHAI).year
    return year, f"case_no:{prefix}:{year}"
