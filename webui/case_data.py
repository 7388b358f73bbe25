"""案件数据: which of a case's data its page shows, under which Chinese label, and how a value reads.

A case of a model drawn in Camunda Modeler, Flowable or Zeebe gets its data from mappings, scripts
and the API as much as from forms. What an inspector should see of it is what the model (or our
forms) names in Chinese: a ``formField``'s label, a ``formProperty``'s name, a Camunda 8 form's label,
a data object's name, an input parameter named in Chinese, the words the model's documentation puts
before a variable (「每期金额 perInstallment」: ``webui.model_data``). Those are the facts the model's
author meant people to read, and the inspector reads them in his own words; values read as he writes
them: a day as 2026年12月6日, an amount as 5,000 元 (a number under a label of 金额、罚款、费用…),
是/否, a list as a list.

A value no label names anywhere is not for the inspector's main view: its name is a programmer's
(``perInstallment2``, ``tmpList``), it may be an intermediate value of a script, and shown under that
name it is a variable name on his page — what he cannot act on and should not have to read. It is
not hidden from those who can act on it: an administrator or a 流程设计员 (who would label it in the
model) finds it under 「其他数据」, collapsed, under its name. Our own engine's bookkeeping (案号,
机构, 当事人 as stored, a multi-instance's counters, names beginning with ``_``) is shown to nobody:
the page says those elsewhere in words (案号 and 当事企业 in the heading).
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from workflows.forms.context import HIDDEN

#: Our engine's bookkeeping in a case's data (engine/cases.py, multi-instance counters): shown to nobody.
ENGINE_KEYS = frozenset({"case_no", "org_code", "party", "loopCounter", "nrOfInstances", "nrOfActiveInstances",
                         "nrOfCompletedInstances"})
_MONEY_LABEL = re.compile(r"金额|罚款|罚金|费用|资金|款额|赔偿|（元）|\(元\)|万元")
#: The most digits (either side of the point) an amount is written out with: past it the text shows as typed.
AMOUNT_DIGITS = 30
_NOT_MONEY = re.compile(r"年度|年份|编号|代码|号码|序号|期数|次数|天数|人数|比例|率")


def bookkeeping(key: str) -> bool:
    """The engine's own variables (and ours: ranks, counters, who votes next): never on a page."""
    return key in ENGINE_KEYS or key in HIDDEN or key.startswith("_")


def amount(label: str, value) -> str | None:
    """A number under a label naming money, as people write it: ``5,000 元`` (``87.5`` → ``87.5 元``);
    None for anything else (a count, a year, a code, text that is no number)."""
    if not label or not _MONEY_LABEL.search(label) or _NOT_MONEY.search(label) or isinstance(value, bool):
        return None
    if not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or not -AMOUNT_DIGITS <= number.adjusted() <= AMOUNT_DIGITS:
        return None  # 「1e999999999」 is no amount: written out it is a billion digits (a hung page)
    text = f"{int(number):,}" if number == number.to_integral_value() else f"{number.normalize():,f}"
    return f"{text} 元"


def other(data: dict, labelled) -> list[tuple[str, object]]:
    """「其他数据」: the case's values no label names and that are no bookkeeping, by name, for an
    administrator or designer; an empty value is left out as the labelled ones are."""
    return sorted(((k, v) for k, v in data.items() if k not in labelled and not bookkeeping(k)
                   and v not in (None, "", [], {})), key=lambda kv: kv[0])
