"""统一社会信用代码 (unified social credit code) per GB 32100-2015.

Every enterprise in the registry is keyed by this code, and the engine's users and cases point at an
enterprise through it (their ``party``), so a mistyped code must be caught at the door: the 18th
character is a mod-31 check over the first 17, which catches any single wrong character and most
swaps. Messages are in Chinese because they are shown to clerks importing spreadsheets.

Layout: position 1 registration authority (登记管理部门代码), 2 organisation type (机构类别代码),
3-8 administrative division (登记管理机关行政区划码, digits), 9-17 organisation code (主体标识码),
18 check character (校验码).
"""
from __future__ import annotations

import re
import unicodedata

#: The 31 characters a code may use: digits and capitals without I, O, Z, S, V (too easily misread).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18

#: 登记管理部门代码 of GB 32100-2015 (with later assignments: A 中央军委改革和编制办公室, N 农业).
AUTHORITIES = {
    "1": "机构编制", "2": "外交", "3": "司法行政", "4": "文化", "5": "民政", "6": "旅游",
    "7": "宗教", "8": "工会", "9": "工商（市场监管）", "A": "中央军委改革和编制办公室", "N": "农业",
    "Y": "其他",
}


class CreditCodeError(ValueError):
    """A code that is not a valid 统一社会信用代码; ``str(err)`` is the reason in Chinese."""


def normalize(code: str) -> str:
    """Strip blanks and fold full-width and lower-case characters, as clerks type them in Excel; the
    characters a pasted code carries unseen (a zero-width space, a BOM, a tab) dropped too."""
    from engine.typed_input import fold
    return re.sub(r"\s+", "", fold(str(code))).upper()


def as_typed(code: str) -> str:
    """A whole code as a form or ``validate`` reads it: ``normalize``d, and a hyphen dropped
    (``91110101-MA0000000-5``, the old 组织机构代码's ``XXXXXXXX-X`` of GB 11714 copied into it): GB 32100's
    code is 18 characters of digits and capitals, no hyphen among them, so one separates as a blank
    does. (A search's code prefix keeps it: ``91-44`` is no prefix of any code.)"""
    return normalize(code).replace("-", "")


def check_char(first17: str) -> str:
    """The 18th character for the first 17: 31 - (Σ value·weight mod 31), with 31 written as 0."""
    if len(first17) != LENGTH - 1:
        raise CreditCodeError(f"计算校验码需要前17位，实际为{len(first17)}位")
    total = 0
    for pos, (ch, weight) in enumerate(zip(first17, WEIGHTS), start=1):
        if ch not in _VALUE:
            raise CreditCodeError(_illegal_char(pos, ch))
        total += _VALUE[ch] * weight
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str) -> str:
    """Return the normalized code, or raise :class:`CreditCodeError` saying what is wrong.

    Checks run from coarse to fine so the first message names the real mistake: length, then
    characters outside the alphabet, then the structure of positions 1 and 3-8, then the check char.
    """
    if code is None:
        raise CreditCodeError("统一社会信用代码不能为空")
    norm = as_typed(code)
    if not norm:
        raise CreditCodeError("统一社会信用代码不能为空")
    if len(norm) != LENGTH:
        raise CreditCodeError(f"统一社会信用代码应为18位，实际为{len(norm)}位")
    for pos, ch in enumerate(norm, start=1):
        if ch not in _VALUE:
            raise CreditCodeError(_illegal_char(pos, ch))
    if norm[0] not in AUTHORITIES:
        raise CreditCodeError(f"第1位登记管理部门代码“{norm[0]}”不存在")
    for pos in range(3, 9):
        if not norm[pos - 1].isdigit():
            raise CreditCodeError(f"第3至8位为行政区划码，应为数字，第{pos}位为“{norm[pos - 1]}”")
    expected = check_char(norm[:17])
    if norm[17] != expected:
        raise CreditCodeError(f"校验码错误：第18位应为“{expected}”，实际为“{norm[17]}”")
    return norm


def is_valid(code: str) -> bool:
    """True when :func:`validate` accepts the code (for filters that must not raise)."""
    try:
        validate(code)
    except CreditCodeError:
        return False
    return True


def complete(first17: str) -> str:
    """The full code for 17 given characters: used to build test and demo codes, never to repair input."""
    first17 = normalize(first17)
    return first17 + check_char(first17)


def _illegal_char(pos: int, ch: str) -> str:
    hint = "（代码不使用字母 I、O、Z、S、V）" if ch in "IOZSV" else ""
    return f"第{pos}位字符“{ch}”不合法{hint}"
