"""Validation of enterprise data (marshmallow 4), shared by the registry API and the spreadsheet import.

One schema means a row in a spreadsheet and a call to ``EnterpriseRegistry.add`` are held to the
same rules, and every message a clerk sees is Chinese. Keys are the model's attribute names; the
spreadsheet module maps its Chinese column headers onto them.
"""
from __future__ import annotations

import re

from dateutil.relativedelta import relativedelta
from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from engine.excerpt import excerpt

from . import credit_code
from .terms import UNIT_KIND_HINT, RiskLevel, Sector, Size, UnitKind, choices, unit_kind_of

#: The Chinese name of each field, for messages and spreadsheet headers.
FIELD_LABELS = {
    "credit_code": "统一社会信用代码",
    "name": "企业名称",
    "address": "地址",
    "org_unit": "属地代码",
    "sector": "行业类别",
    "size": "企业规模",
    "legal_rep": "法定代表人",
    "legal_rep_phone": "法定代表人电话",
    "safety_manager": "安全负责人",
    "safety_manager_phone": "安全负责人电话",
    "risk_level": "风险等级",
    "last_inspected_on": "最近检查日期",
    "dishonest": "严重失信",
    "dishonest_from": "失信列入日期",
    "dishonest_until": "失信移出日期",
    "kind": "单位类别",
    "changed_by": "变更人",
    "reason": "变更原因",
}

#: How long a 严重失信主体 stays listed when the decision gives no end date (应急管理部令第11号: 3年).
DEFAULT_DISHONEST_YEARS = 3

_PHONE = re.compile(r"(?:\+?86[- ]?)?(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(?:-[0-9]{1,6})?|[0-9]{7,8}|400-?[0-9]{3}-?[0-9]{4})")

_MESSAGES = {
    "required": "必填",
    "null": "不能为空",
    "invalid": "格式不正确",
}


def _text(max_len: int, *, required: bool = False) -> fields.Str:
    kwargs = {"required": True} if required else {"load_default": ""}
    return fields.Str(validate=validate.Length(min=1 if required else 0, max=max_len,
                                               error=f"长度应在{1 if required else 0}至{max_len}个字符之间"),
                      error_messages={**_MESSAGES, "invalid": "应为文本"}, **kwargs)


def _choice(enum_cls, *, required: bool = True) -> fields.Enum:
    extra = {"required": True} if required else {"load_default": None, "allow_none": True}
    return fields.Enum(enum_cls, by_value=True,
                       error_messages={**_MESSAGES, "unknown": f"应为以下之一：{choices(enum_cls)}"}, **extra)


def _date() -> fields.Date:
    """A day as a clerk types it into a cell formatted as text (``2026年11月1日``, ``２０２６／１１／０１``,
    ``2026.11.1``): read as the task forms read it (workflows/forms/fields.OfficialDate); a day that
    does not exist or has no year refused saying so."""
    from workflows.forms.fields import DAY_SPELLINGS, OfficialDate
    return OfficialDate(load_default=None, allow_none=True,
                        error_messages={**_MESSAGES, "invalid": DAY_SPELLINGS, "format": DAY_SPELLINGS})


class CreditCodeField(fields.Str):
    """统一社会信用代码, normalized and checked per GB 32100-2015 (see credit_code)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return credit_code.validate(text)
        except credit_code.CreditCodeError as err:
            raise ValidationError(str(err)) from None


class UnitKindField(fields.Field):
    """单位类别 as officials write it (``terms.unit_kind_of``: 评价机构, 检测检验机构, …); dumped as its value."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else UnitKind(value).value

    def _deserialize(self, value, attr, data, **kwargs):
        kind = unit_kind_of(value) if isinstance(value, (str, UnitKind)) else None
        if kind is None:
            raise ValidationError(f"“{excerpt(value, 40)}”不是单位类别，{UNIT_KIND_HINT}")
        return kind


_PEOPLE = frozenset({"legal_rep", "safety_manager"})  # names: 欧阳 娜娜 → 欧阳娜娜, 阿卜杜拉・买买提 → ·


def _phone_ok(value: str) -> bool:
    return not value or bool(_PHONE.fullmatch(value.replace(" ", ""))) or _phone(value) is not None


def _phone(value: str) -> str | None:
    """The number as every record writes it (workflows/forms/contacts.phone: ``138-0013-8000`` →
    ``13800138000``, ``0571-8888 8888 转 123`` → ``0571-88888888-123``), or None when it reads none."""
    from workflows.forms.contacts import phone
    try:
        return phone(value)
    except ValueError:
        return None


class EnterpriseSchema(Schema):
    """One enterprise (一企一档). Blank optional values count as absent, as in spreadsheets."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "未知字段", "type": "数据格式不正确"}

    credit_code = CreditCodeField(required=True, error_messages={**_MESSAGES, "invalid": "应为文本"})
    name = _text(200, required=True)
    address = _text(300)
    org_unit = _text(64, required=True)
    sector = _choice(Sector)
    size = _choice(Size)
    legal_rep = _text(50)
    legal_rep_phone = _text(30)
    safety_manager = _text(50)
    safety_manager_phone = _text(30)
    risk_level = _choice(RiskLevel, required=False)
    last_inspected_on = _date()
    dishonest = fields.Bool(load_default=False,
                            truthy={True, "是", "true", "True", "TRUE", "1", 1, "Y", "y"},
                            falsy={False, "否", "false", "False", "FALSE", "0", 0, "N", "n"},
                            error_messages={**_MESSAGES, "invalid": "应为“是”或“否”"})
    dishonest_from = _date()
    dishonest_until = _date()
    kind = UnitKindField(load_default=UnitKind.ENTERPRISE, error_messages=_MESSAGES)

    @pre_load
    def _blank_is_absent(self, data, **kwargs):
        """Spreadsheet cells come as strings: trim them, and drop blanks so defaults apply."""
        if not isinstance(data, dict):
            return data
        from engine.typed_input import unseen_dropped
        from workflows.forms.fields import name_as_written
        cleaned = {}
        for key, value in data.items():
            if isinstance(value, str):  # a zero-width space pasted into a cell is no part of it (危化\u200b)
                value = name_as_written(value) if key in _PEOPLE else unseen_dropped(value).strip()
                if value == "":
                    continue
            cleaned[key] = value
        return cleaned

    @validates_schema
    def _consistent(self, data, **kwargs):
        errors = {}
        for key in ("legal_rep_phone", "safety_manager_phone"):
            if key in data and not _phone_ok(data[key]):
                errors[key] = ["电话号码格式不正确（手机11位，或区号-号码）"]
            elif data.get(key):
                data[key] = _phone(data[key]) or data[key]
        if data.get("dishonest") and not data.get("dishonest_from"):
            errors["dishonest_from"] = ["列入严重失信主体名单时须填写列入日期"]
        start, end = data.get("dishonest_from"), data.get("dishonest_until")
        if start and end and end < start:
            errors["dishonest_until"] = ["移出日期不能早于列入日期"]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _default_listing_end(self, data, **kwargs):
        if data.get("dishonest") and data.get("dishonest_from") and not data.get("dishonest_until"):
            data["dishonest_until"] = data["dishonest_from"] + relativedelta(years=DEFAULT_DISHONEST_YEARS)
        return data


def load_enterprise(data: dict, *, partial: bool = False) -> dict:
    """Validated attributes, or :class:`marshmallow.ValidationError` with Chinese messages per field."""
    return EnterpriseSchema().load(data, partial=partial)


def first_messages(messages: dict) -> dict[str, str]:
    """``{field: first message}`` from marshmallow's nested error dict, for one-line reports."""
    flat = {}
    for key, value in messages.items():
        while isinstance(value, (list, dict)) and value:
            value = value[0] if isinstance(value, list) else next(iter(value.values()))
        flat[key] = str(value)
    return flat


__all__ = ["FIELD_LABELS", "EnterpriseSchema", "load_enterprise", "first_messages", "ValidationError"]
