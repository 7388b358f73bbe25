"""A person's phone number and 居民身份证号码 as typed (联系电话、身份证号): folded to the one way the
records write them, or refused saying what is wrong, in Chinese.

A phone number: a mobile ``138 0013 8000``, ``138-0013-8000``, ``+86 13800138000``, ``１３８００１３８０００``
is stored as its 11 digits (``13800138000``); a fixed line with its area code ``010 6234 5678``,
``(010)62345678``, ``０１０－６２３４５６７８`` as ``010-62345678`` (an extension after 转 or a third ``-``
kept: ``010-62345678-801``); a local number without area code (``62345678``) and a service number
(``400-810-8888``, ``12345``) as their digits and dashes. Letters, or too few or too many digits,
are refused: a 举报人 who cannot be called back cannot be told the result (《安全生产领域举报奖励办法》
第十五条: 答复举报人).

A 身份证号 (GB 11643-1999): 18 characters, the last a check character (ISO 7064 MOD 11-2) that may
be ``X`` — typed ``x``, ``ｘ`` or with blanks it is stored upper case without them; the check
character and the date of birth in positions 7–14 are checked, so a digit mistyped is caught when
the tip-off is registered, not when the reward is paid (第二十一条: 领取奖励时核对身份). The 15-digit
numbers of the first generation are read too (all digits, a date of birth ``YYMMDD``).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from engine import typed_input

_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9][0-9]{9})$")
_EXTENSION = re.compile(r"^(.*?)(?:\s*(?:转|分机)\s*([0-9]{1,6}))?$")
_SERVICE = re.compile(r"^([48]00)([0-9]{3})([0-9]{4})$")  # 400-810-8888
_LOCAL = re.compile(r"^[2-9][0-9]{6,7}$")  # 62345678: a fixed line of the caller's own city
_SHORT = re.compile(r"^(?:1[0-9]{4}|9[0-9]{4})$")  # 12345, 12350, 95588
PHONE_HINT = "应为手机号（如 138 0013 8000）或带区号的座机号（如 010-62345678）"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def _fold(text: str) -> str:
    """``text`` with full-width digits as ASCII; ValueError when it holds digits of another script
    (``١٣٨…``, Arabic-Indic: ``\\d`` took them, and ``010-٦٢٣٤٥٦٧٨`` was stored, a number nobody dials)."""
    typed_input.refuse_other_digits(text)
    return unicodedata.normalize("NFKC", text).strip()


def phone(text: str) -> str:
    """The number as the records write it (see the module), or ValueError with the reason."""
    folded = _fold(text).replace("－", "-").replace("—", "-")
    if re.search(r"[A-Za-z]", folded):
        raise ValueError(PHONE_HINT)
    if re.search(r"[0-9]\s*[、,;/]\s*[0-9]", folded) or (re.search(r"[0-9]{7,}\D+[0-9]{7,}", folded)
                                                     and not re.search(r"转|分机", folded)):
        raise ValueError("请只填写一个联系电话（如 13800138000）")
    bare = re.sub(r"[\s\-()]", "", folded)
    mobile = _MOBILE.match(bare)
    if mobile:
        return mobile.group(1)
    found = _EXTENSION.match(folded)
    body, extension = found.groups() if found else (folded, None)
    fixed = _fixed(body, extension)
    trailing = None if extension else re.match(r"^(.*[0-9])\s*-\s*([0-9]{1,6})$", body)
    if fixed is None and trailing:  # 010-62345678-801: the third part is the extension
        fixed = _fixed(*trailing.groups())
    if fixed:
        return fixed
    service = _SERVICE.match(bare)
    if service:
        return "-".join(service.groups())
    if _LOCAL.match(bare) or _SHORT.match(bare):
        return bare
    if bare.startswith("1") and bare.isascii() and bare.isdigit():
        raise ValueError(f"手机号应为11位数字，实际为{len(bare)}位")
    raise ValueError(PHONE_HINT)


def _fixed(body: str, extension: str | None) -> str | None:
    """``010 6234 5678`` → ``010-62345678``: the area code is 3 digits for 010 and 020–029, else 4."""
    digits = re.sub(r"[\s\-()]", "", body)
    if not (digits.isascii() and digits.isdigit()) or not digits.startswith("0") or len(digits) < 3:
        return None
    area_len = 3 if digits[1] in "12" else 4
    area, number = digits[:area_len], digits[area_len:]
    if not 7 <= len(number) <= 8:
        return None
    return f"{area}-{number}" + (f"-{extension}" if extension else "")


def id_number(text: str) -> str:
    """The 身份证号 upper case without blanks, or ValueError naming what is wrong. The check character
    ten is the Roman numeral X (GB 11643-1999, its 校验码: 10 用罗马数字 X 表示); typed as ``x`` or as the ``×`` an input
    method gives for it, it can be nothing else and is written X."""
    code = re.sub(r"\s+", "", _fold(text)).upper()
    if code.endswith("×"):
        code = code[:-1] + "X"
    if len(code) == 15:
        if not code.isdigit():
            raise ValueError("15位身份证号应全为数字")
        _birth("19" + code[6:12])
        return code
    if len(code) != 18:
        raise ValueError(f"身份证号应为18位，实际为{len(code)}位")
    if not code[:17].isdigit() or not (code[17].isdigit() or code[17] == "X"):
        raise ValueError("身份证号前17位应为数字，第18位为数字或X")
    _birth(code[6:14])
    expected = _CHECK[sum(int(ch) * w for ch, w in zip(code, _WEIGHTS)) % 11]
    if code[17] != expected:
        raise ValueError(f"身份证号校验码不符（第18位应为“{expected}”，实际为“{code[17]}”），请核对")
    return code


def _birth(yyyymmdd: str) -> None:
    try:
        dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise ValueError(f"身份证号中的出生日期 {yyyymmdd} 不是有效的日期") from None
