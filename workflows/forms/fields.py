"""Field builders for task forms (表单字段), with Chinese labels and Chinese error messages.

Each builder returns a marshmallow field whose ``metadata`` carries the Chinese ``label`` and a
``kind`` the web UI renders from (text, textarea, choice, multichoice, boolean, date, datetime,
money, integer, attachments, names, people, person, org, enterprise, assessment_body, table). Optional fields load as ``None`` when left out, so
scripts and decision tables can always read them.
"""
from __future__ import annotations

import decimal
import re
from typing import Any, Iterable

from marshmallow import Schema, ValidationError, fields, validate

from engine import typed_input

REQUIRED = "此项为必填项"
DAY_SPELLINGS = "应为日期，如 2026年11月1日 或 2026-11-01"
"""What a day that is no day is told (``2026年11月``, ``26年11月1日``, ``11/1/2026``): how to write it,
in the forms people use, the one they write first — not the pattern ``YYYY-MM-DD``, which names
letters nobody types."""
AMOUNT_SPELLINGS = "应为金额（元），如 12,000 或 1.2万"
"""What an amount that is no amount is told (``伍佰万左右``, ``随便``): amounts as people write them,
grouped by thousands or in 万 — not ``12000.50``, a figure only a program writes."""
TIME_SPELLINGS = "时间应写成 2026年11月1日 9:30 或 2026-11-01 09:30"
BASE_MESSAGES = {"required": REQUIRED, "null": REQUIRED, "validator_failed": "取值无效"}
MESSAGES = {
    fields.String: {"invalid": "应为文本", "invalid_utf8": "文本编码无效"},
    fields.Integer: {"invalid": "应为整数", "too_large": "数值过大"},
    fields.Decimal: {"invalid": AMOUNT_SPELLINGS, "too_large": "金额过大",
                     "special": "金额无效"},
    fields.Date: {"invalid": DAY_SPELLINGS, "format": DAY_SPELLINGS},
    fields.AwareDateTime: {"invalid": TIME_SPELLINGS, "invalid_awareness": TIME_SPELLINGS, "format": TIME_SPELLINGS},
    fields.Boolean: {"invalid": "应为“是”或“否”"},
    fields.List: {"invalid": "应为列表"},
    fields.Nested: {"type": "格式无效"},
}


class _BlankIsEmpty:
    """A value that is only blanks (``""``, ``" "``, a full-width space) is left empty, as the page
    reads an input left empty: an optional field loads as None (an optional yes/no as False), a
    required one says 此项为必填项 — not 应为整数 or 日期格式应为 YYYY-MM-DD, as a REST client sending
    ``""`` for a count it leaves empty was told."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, str) and not value.strip():
            value = None
        return super().deserialize(value, attr, data, **kwargs)  # type: ignore[misc]


class OfficialText(fields.String):
    """Text as typed: blanks around it (a full-width space, a trailing newline) are not part of it,
    through the API as on the page (which strips every input), and text of blanks only is left
    empty (``_BlankIsEmpty``); the dot of a name typed as ``•`` or ``・`` between Chinese characters
    (阿卜杜•热合曼) is the 间隔号 ``·`` every other record writes, so the same person is named alike."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, str):
            value = typed_input.name_dots(typed_input.unseen_dropped(value).strip()) or None
        return super().deserialize(value, attr, data, **kwargs)


class PersonName(OfficialText):
    """A person's name (姓名、负责人、记录人): read as ``OfficialText``, and a blank typed between its
    Chinese characters (``欧阳 娜娜``, ``张　三`` to line up two-character names in a list) is not part
    of it: one person is one name in every record, and 欧阳娜娜 is found by a search for her. A blank
    between Latin letters (``John Smith``) is kept. The reader is ``typed_input.person_name``, which
    the engine's assignment of a task to a person named by 姓名 may use alike."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        loaded = super().deserialize(value, attr, data, **kwargs)
        return typed_input.person_name(loaded) if isinstance(loaded, str) else loaded


class PartyName(OfficialText):
    """A 当事人, a person or a unit (``typed_input.party_name``): ``张　三`` is 张三, `` 某某化工有限公司 ``
    and ``某某化工　 有限公司`` are trimmed and their blanks one blank each."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        loaded = super().deserialize(value, attr, data, **kwargs)
        return typed_input.party_name(loaded) if isinstance(loaded, str) else loaded


class UnitName(OfficialText):
    """A unit's name (生产经营单位名称、被举报单位、供电企业): read by ``typed_input.unit_name`` — trimmed, blanks
    one each, a Chinese name's brackets full-width (``甲化工(北京)有限公司`` → ``甲化工（北京）有限公司``), as
    the registry writes it."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        loaded = super().deserialize(value, attr, data, **kwargs)
        return typed_input.unit_name(loaded) if isinstance(loaded, str) else loaded


def name_as_written(typed: str) -> str:
    """A person's name typed anywhere else (系统管理 › 用户's 姓名) read as ``PersonName`` reads it."""
    return typed_input.person_name(typed)


MISGROUPED = typed_input.MISGROUPED  # the same words for a form drawn in a model (engine/model_forms.py)
"""A number typed as ``1,5``, ``12,00`` or ``1.000.000``: 1.5 or 15? Refused, never guessed."""
_PLAIN_DECIMAL = re.compile(r"[+-]?\d+(?:\.\d+)?")


def _refuse_other_digits(value: str) -> None:
    """A field of figures (a time, a code) typed with digits of another script (``٠٩:٣٠``) is refused
    saying so (``typed_input.OTHER_DIGITS``), not read by Python's ``\\d`` as 09:30 nor stored as typed."""
    try:
        typed_input.refuse_other_digits(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


NO_FIGURE_WORDS = typed_input.NO_FIGURE_WORDS  # 无, 暂无, /: said as forms drawn in a model say it


def _refuse_none_word(field: fields.Field, value: str, what: str, none: str) -> None:
    if any(isinstance(v, validate.Range) and v.min is not None and v.min > 0 for v in field.validators):
        none = ""  # 延期天数 (1–30): 0 is no answer either
    said = typed_input.none_refusal(value, what, [none, "" if field.required else "留空"])
    if said is not None:
        raise ValidationError(said)


class OfficialDecimal(_BlankIsEmpty, fields.Decimal):
    """An amount as typed: ``5,000,000``, ``１２，０００．５０元``, ``500万``, ``1.2亿元``, ``￥5000`` (see
    engine.typed_input). More decimals than the field keeps (``12.345`` 元: no such amount, the 分 is
    the smallest) are refused, not rounded away unseen; so are ``1,5`` and ``1.000.000`` (1.5 or 15?
    a million or one?) and ``1e3`` (nobody writes an amount so), which Python's Decimal would read.
    An amount in Chinese numerals, as a 文书 writes it (``伍佰万元``, ``壹拾贰万叁仟肆佰伍拾陆点柒捌``), is
    read by ``typed_input.chinese_numerals``; spoken shorthand (``五万五``, ``一万五``, ``1万5``) is the
    amount it says (``typed_input.spoken_amount``: one digit after a unit counts the next lower unit),
    and refused saying how to write it where it could say two (``十万五``, ``五万五元``, ``1万50``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            _refuse_none_word(self, value, "金额", "填 0")
            try:
                value = typed_input.number_text(value, counted=False)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None
            if not _PLAIN_DECIMAL.fullmatch(value) and value.lower() not in ("nan", "inf", "infinity"):
                raise self.make_error("invalid")
        loaded = super()._deserialize(value, attr, data, **kwargs)
        if self.places is not None and isinstance(value, (str, int, float)):
            try:
                exact = decimal.Decimal(str(value))
            except decimal.InvalidOperation:
                return loaded
            if exact.is_finite() and exact != exact.quantize(self.places):  # places is Decimal("0.01")
                raise ValidationError("金额最多两位小数（精确到分）")
        return loaded


class OfficialInteger(_BlankIsEmpty, fields.Integer):
    """A count as typed: ``1,200``, full-width digits, with its unit (``3人``, ``30天``, ``80%``). A
    fraction sent as a JSON number (``3.5`` deaths) is refused like the typed ``3.5``, not cut to 3
    (marshmallow's non-strict Integer truncates); ``3.0`` is 3. ``1,5`` or ``12,00`` (15? 1200?) is
    refused, never guessed. A count in Chinese numerals (``三``, ``三人``, ``十二项``) is the count: a
    clerk who types 三 for 死亡人数 means 3."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            _refuse_none_word(self, value, "整数", "填 0")
            try:
                value = typed_input.number_text(value, spoken=False)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None
        elif isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class OfficialDate(_BlankIsEmpty, fields.Date):
    """A day as typed: ``2026年11月1日``, ``２０２６／１１／０１``, ``2026.11.1``, ``2026年11月1号``.
    A day without its year (``11月1日``) or one that does not exist (``2026-02-30``) is refused saying
    so, not with the bare format."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            _refuse_none_word(self, value, "日期", "")
            try:
                value = typed_input.iso_day(value, "")
            except ValueError as exc:
                if any(said in str(exc) for said in ("年份", "有效", "无法识别的数字", "星期", "哪一日")):
                    # 11月1日, 26/11/1, 2月30日, 2026年11月1日（星期一） (a Sunday), 2026年11月: why, not the bare format
                    raise ValidationError(str(exc)) from None
                # the field's own message (DAY_SPELLINGS) answers the rest (20261101 is read by it)
        return super()._deserialize(value, attr, data, **kwargs)


DAY_WITHOUT_TIME = "须写明几点几分，如 2026年11月1日 9:30（只写日期无法确定时刻）"


class OfficialDateTime(_BlankIsEmpty, fields.AwareDateTime):
    """A time as typed: ``2026年11月1日 9:30``, ``2026/11/1 9时30分``, ``2026-11-01 09:30``,
    ``2026年11月1日下午3点半``. A day without its time (``2026-11-01``, ``2026年11月1日``) is refused,
    not read as midnight: 事故发生时间 at 00:00 moved the hour within which it had to be reported
    (《生产安全事故报告和调查处理条例》第九条), 听证时间 at 00:00 is no time a party can attend."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            _refuse_none_word(self, value, "时间", "")
            _refuse_other_digits(value)
            moment = typed_input.iso_moment(value)
            if moment is None and _is_day(value):
                raise ValidationError(DAY_WITHOUT_TIME)
            value = moment or value.strip()
        return super()._deserialize(value, attr, data, **kwargs)


def _is_day(text: str) -> bool:
    """Is ``text`` a day and nothing more (``2026-11-01``, ``2026年11月1日``, ``20261101``)?"""
    if re.fullmatch(r"\d{8}", typed_input.fold(text)):
        return True
    try:
        typed_input.iso_day(text)
    except ValueError:
        return False
    return True


class OfficialBoolean(fields.Boolean):
    """A yes/no as typed or sent: ``是``/``否`` (what the message asks for), ``true``, 1, ``ｙｅｓ``.
    An optional flag sent as JSON ``null`` is unticked (False), as when left out — not 此项为必填项."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, str) and not value.strip():
            value = None
        if value is None and not self.required and self.load_default is False:
            return False
        return super().deserialize(value, attr, data, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        read = typed_input.truth(value)
        if read is None:
            raise self.make_error("invalid", input=value)
        return read


_CHOICE_TAILS = ("事故隐患", "事故", "隐患", "级")


def read_choice(value: str, choices: list[str]) -> str:
    """The choice a person means by what was typed or sent (a REST client, an import): blanks and
    unseen characters around it dropped (`` 同意 ``, a full-width space, a zero-width space); the same
    choice in full-width (``１２３５０电话``); the start of exactly one choice, two characters or more
    (``重大`` for 重大事故隐患, ``市级`` for 市级挂牌督办); or a choice with its kind's word after it
    (``重大事故`` for the grade 重大, ``县级`` being a choice itself). Anything else is returned as
    sent, for the field to refuse naming the choices."""
    value = typed_input.unseen_dropped(value).strip()
    if value in choices or not value:
        return value
    folded = typed_input.fold(value)
    same = [c for c in choices if typed_input.fold(c) == folded]
    if len(same) == 1:
        return same[0]
    if len(folded) >= 2:
        starting = [c for c in choices if typed_input.fold(c).startswith(folded)]
        if len(starting) == 1:
            return starting[0]
    for tail in _CHOICE_TAILS:
        if folded.endswith(tail) and folded[:-len(tail)] in choices:
            return folded[:-len(tail)]
    return value


class OfficialChoice(_BlankIsEmpty, fields.String):
    """A choice as sent, read by ``read_choice`` among ``choices`` (the field's own)."""

    def __init__(self, *args, choices: Iterable[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self._choices = list(choices)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = read_choice(value, self._choices)
        return super()._deserialize(value, attr, data, **kwargs)


class FormSchema(Schema):
    """Base of every task form: unknown fields are refused in Chinese."""

    class Meta:
        unknown = "raise"

    error_messages = {"unknown": "表单中没有此字段", "type": "表单数据格式无效"}


def _messages(cls) -> dict:
    msgs = dict(BASE_MESSAGES)
    for klass in cls.__mro__:
        if klass in MESSAGES:
            msgs.update(MESSAGES[klass])
            break
    return msgs


def _field(cls, label: str, kind: str, required: bool, validators=(), help: str | None = None,
           **kw) -> fields.Field:
    meta = {"label": label, "kind": kind}
    if help:
        meta["help"] = help
    if not required:
        kw.setdefault("load_default", None)
        kw.setdefault("allow_none", True)
    return cls(required=required, validate=list(validators) or None, error_messages=_messages(cls),
               metadata=meta, **kw)


def not_blank(value: str) -> None:
    if not str(value).strip():
        raise ValidationError(REQUIRED)


def text(label: str, required: bool = True, long: bool = False, max_len: int = 5000, help=None):
    validators = [validate.Length(max=max_len, error="不能超过{max}个字")]
    if required:
        validators.insert(0, not_blank)
    return _field(OfficialText, label, "textarea" if long else "text", required, validators, help)


def person_name(label: str, required: bool = True, max_len: int = 50, help=None):
    """A person's name (``PersonName``): 阿卜杜拉·买买提 however its dot was typed, 欧阳娜娜 typed
    ``欧阳 娜娜``."""
    validators = [validate.Length(max=max_len, error="不能超过{max}个字")]
    if required:
        validators.insert(0, not_blank)
    return _field(PersonName, label, "text", required, validators, help)


def party_name(label: str = "当事人", required: bool = True, max_len: int = 5000, help=None):
    """A 当事人 (``PartyName``): a person's name joined (``张　三``), a unit's trimmed, blanks one each."""
    validators = [validate.Length(max=max_len, error="不能超过{max}个字")]
    if required:
        validators.insert(0, not_blank)
    return _field(PartyName, label, "text", required, validators, help)


def unit_name(label: str, required: bool = True, max_len: int = 5000, help=None):
    """A unit's name (``UnitName``): 甲化工（北京）有限公司 however its brackets were typed."""
    validators = [validate.Length(max=max_len, error="不能超过{max}个字")]
    if required:
        validators.insert(0, not_blank)
    return _field(UnitName, label, "text", required, validators, help)


def choice(label: str, choices: Iterable[str], required: bool = True, help=None):
    choices = list(choices)
    one_of = validate.OneOf(choices, error="应为以下之一：" + "、".join(choices))
    f = _field(OfficialChoice, label, "choice", required, [one_of], help, choices=choices)
    f.metadata["choices"] = choices
    return f


def multichoice(label: str, choices: Iterable[str], required: bool = True, min_items: int = 1, help=None):
    choices = list(choices)
    inner = OfficialChoice(validate=validate.OneOf(choices, error="应为以下之一：" + "、".join(choices)),
                           error_messages=_messages(fields.String), choices=choices)
    validators = [validate.Length(min=min_items, error=f"至少选择{min_items}项")] if required else []
    f = _field(fields.List, label, "multichoice", required, validators, help, cls_or_instance=inner)
    f.metadata["choices"] = choices
    return f


def boolean(label: str, required: bool = True, help=None):
    """A yes/no answer. Optional ones are flags: left out (an unticked box) they load as False."""
    if required:
        return _field(OfficialBoolean, label, "boolean", True, (), help)
    return _field(OfficialBoolean, label, "boolean", False, (), help, load_default=False, allow_none=False)


def date(label: str, required: bool = True, help=None):
    return _field(OfficialDate, label, "date", required, (), help)


def deadline(label: str, basis: str, required: bool = True, help=None):
    """A day a person sets as a deadline (整改期限, 督办期限, 限期…): a date not before today on the
    engine's clock (workflows/forms/deadlines.py). ``basis``: the law or rule that makes it one."""
    from .deadlines import FROM_TODAY
    f = date(label, required, help)
    f.metadata[FROM_TODAY] = basis
    return f


def lived_day(label: str, basis: str, required: bool = True, help=None):
    """A day something was done (批复日期) that periods are counted from: a date not after today on
    the engine's clock (workflows/forms/deadlines.py). ``basis``: the law that counts from it."""
    from .deadlines import UNTIL_TODAY
    f = date(label, required, help)
    f.metadata[UNTIL_TODAY] = basis
    return f


def moment(label: str, required: bool = True, help=None, basis: str | None = None):
    """A date and time; a time without a zone is read as Beijing time (+08:00). ``basis``: a time to
    come (听证时间), whose day may not be before today, and the rule that makes it so."""
    from zoneinfo import ZoneInfo
    f = _field(OfficialDateTime, label, "datetime", required, (), help,
               default_timezone=ZoneInfo("Asia/Shanghai"))
    if basis:
        from .deadlines import FROM_TODAY
        f.metadata[FROM_TODAY] = basis
    return f


def money(label: str, required: bool = True, help=None):
    """An amount in yuan, two decimals, never negative."""
    rng = validate.Range(min=0, error="金额不能为负数")
    return _field(OfficialDecimal, label, "money", required, [rng], help, places=2)


def integer(label: str, required: bool = True, minimum: int = 0, maximum: int | None = None, help=None):
    if maximum is None:
        rng = validate.Range(min=minimum, error=f"不能小于{minimum}")
    else:
        rng = validate.Range(min=minimum, max=maximum, error=f"应在{minimum}到{maximum}之间")
    return _field(OfficialInteger, label, "integer", required, [rng], help, strict=False)


def attachments(label: str = "附件", required: bool = False, min_items: int = 1, help=None):
    """References to uploaded files (attachment ids or URLs), not the files themselves. A required one
    left without a file is told so in one wording, naming the field (``files_missing``), whether it
    was left out (the page sends no file) or sent empty (a REST client's ``[]``)."""
    inner = fields.String(validate=not_blank, error_messages=_messages(fields.String))
    missing = files_missing(label, min_items)
    validators = [validate.Length(min=min_items, error=missing)] if required else []
    field = _field(fields.List, label, "attachments", required, validators, help, cls_or_instance=inner)
    if required:
        field.error_messages.update(required=missing, null=missing)
    return field


def files_missing(label: str, min_items: int = 1) -> str:
    """What a required file field left without its files says: 请上传证据材料 (请上传至少2个…)."""
    return f"请上传{label}" if min_items <= 1 else f"请上传至少{min_items}个{label}文件"


NAME_LIST_SPLIT = re.compile(r"[\n,，、;；]+")
"""Between the names of a list typed in one box (张三、李四；王五, one a line): the page and the API split alike."""


class OfficialNames(_BlankIsEmpty, fields.List):
    """Names as a list, or typed in one string as on the page (``张三、阿卜杜•热合曼；李四``) and split
    as the page splits it; each name read as ``OfficialText`` (blanks around dropped, 间隔号 ·). A REST
    client sending the string was refused with 应为列表, and a list's names were stored with blanks."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [n for n in NAME_LIST_SPLIT.split(value) if n.strip()]
        return super()._deserialize(value, attr, data, **kwargs)


def names(label: str, required: bool = True, min_items: int = 1, help=None):
    """A list of people (usernames or names)."""
    inner = PersonName(validate=not_blank, error_messages=_messages(fields.String))
    validators = [validate.Length(min=min_items, error=f"至少填写{min_items}人")] if required else []
    return _field(OfficialNames, label, "names", required, validators, help, cls_or_instance=inner)


def people(label: str, roles: Iterable[str], required: bool = True, min_items: int = 1, help=None):
    """People who will be given work (集体讨论成员、承办人员): usernames, picked in the page by Chinese
    name among the holders of ``roles``. ``workflows.forms.people`` refuses, at submit, anyone who is
    not an active user holding one of them — a task is never assigned to somebody who does not exist."""
    inner = fields.String(validate=not_blank, error_messages=_messages(fields.String))
    validators = [validate.Length(min=min_items, error=f"至少选择{min_items}人")] if required else []
    f = _field(fields.List, label, "people", required, validators, help, cls_or_instance=inner)
    f.metadata["roles"] = list(roles)
    return f


def person(label: str, roles: Iterable[str], required: bool = True, help=None):
    """One person given a part in the case (听证主持人, 回避的执法人员): a username, picked in the page by
    Chinese name among the holders of ``roles``; refused at submit, like ``people``, when it is not
    an active user holding one of them."""
    f = _field(OfficialText, label, "person", required, [not_blank] if required else [], help)
    f.metadata["roles"] = list(roles)
    return f


def assessment_body(label: str, required: bool = True, help=None):
    """A 第三方评估机构: a registered 安全评价检测检验机构's name, picked in the page by typing part of it;
    stored as registered, refused at submit when it names none (workflows/enterprises/assessors.py)."""
    return _field(OfficialText, label, "assessment_body", required, [not_blank] if required else [], help)


def org_unit(label: str, required: bool = True, help=None):
    """An org unit (移交单位、管辖单位): its code, picked in the page by Chinese name (东城区, never
    ``dongcheng``); refused at submit when the directory has no such unit."""
    return _field(OfficialText, label, "org", required, [not_blank] if required else [], help)


NONE_WORDS = frozenset({"无", "暂无", "没有", "不详", "/", "-", "—", "--", "0"})


CHECK_CHAR_WRONG = "统一社会信用代码校验位不正确，请核对第18位"
"""A code of the right shape whose 18th character is not the check character of the first 17
(GB 32100-2015 第18位校验码): one character mistyped or two swapped, which would name no enterprise."""


def code_or_id_shaped(value: str) -> None:
    """A 统一社会信用代码 or 身份证号 has 18 characters of the code's alphabet (GB 32100: no I, O, Z,
    S, V; a 身份证号's digits and X are in it), or is a first-generation 身份证号 of 15 digits. What
    else a clerk types there (``无``, a name, a code a character short, ``O`` for ``0``) is refused
    saying what is wrong; it was stored and named no enterprise. The 18th character is checked as the
    enterprise registry checks it (``credit_code.validate``, GB 32100-2015 校验码), unless the value is
    a 身份证号 whose own check character is right (GB 11643-1999, ``contacts.id_number``): a code with
    one character mistyped is refused (``CHECK_CHAR_WRONG``), not stored naming no enterprise."""
    from workflows.enterprises import credit_code
    if value in NONE_WORDS:
        raise ValidationError("没有的请留空，不要填写“" + value + "”")
    if len(value) == 15 and value.isascii() and value.isdigit():
        return
    if len(value) != credit_code.LENGTH:
        raise ValidationError(f"应为18位，实际为{len(value)}位")
    for pos, ch in enumerate(value, start=1):
        if ch not in credit_code.ALPHABET:
            hint = "（代码不使用字母 I、O、Z、S、V）" if ch in "IOZSV" else ""
            raise ValidationError(f"第{pos}位字符“{ch}”不合法{hint}")
    try:
        credit_code.validate(value)
    except credit_code.CreditCodeError as exc:
        if _is_id_number(value):
            return
        if value[17] != credit_code.check_char(value[:17]):
            raise ValidationError(CHECK_CHAR_WRONG) from None
        raise ValidationError(str(exc)) from None


def _is_id_number(value: str) -> bool:
    from .contacts import id_number
    try:
        id_number(value)
    except ValueError:
        return False
    return True


def credit_code(label: str = "统一社会信用代码", required: bool = False, help=None):
    """A 统一社会信用代码 (or an ID card number) typed as text: stored as the registry writes it, upper
    case without blanks (``9111 0101 ma00 0000 05`` → ``91110101MA00000005``), so it matches the
    enterprise registry and the case's party; refused when it cannot be one (``code_or_id_shaped``)."""
    f = _field(CreditCodeField, label, "text", required, ([not_blank] if required else []) + [code_or_id_shaped],
               help)
    f.metadata["party_code"] = True  # an enterprise user may name only its own (workflows.forms.people)
    return f


class _ReadBy(OfficialText):
    """Text read by ``read`` (a function of workflows.forms.contacts): stored as it returns, or refused
    with the reason its ValueError gives."""

    def __init__(self, *args, read, **kwargs):
        super().__init__(*args, **kwargs)
        self._read = read

    def _deserialize(self, value, attr, data, **kwargs):
        loaded = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self._read(loaded)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def phone(label: str = "联系电话", required: bool = True, help=None):
    """A phone number (联系电话): a mobile stored as its 11 digits, a fixed line as ``010-62345678``
    (workflows.forms.contacts.phone); letters or a wrong count of digits refused saying so."""
    from .contacts import phone as read
    return _field(_ReadBy, label, "text", required, [not_blank] if required else [], help, read=read)


def id_number(label: str = "身份证号", required: bool = True, help=None):
    """A 居民身份证号码: upper case without blanks (``x`` → ``X``), its check character and date of
    birth checked (workflows.forms.contacts.id_number)."""
    from .contacts import id_number as read
    return _field(_ReadBy, label, "text", required, [not_blank] if required else [], help, read=read)


def enterprise(label: str, required: bool = True, help=None):
    """An enterprise of the registry (回避的企业): its 统一社会信用代码, picked in the page by name."""
    from workflows.enterprises import credit_code

    def code_shaped(value: str) -> None:
        if len(value) != 18 or any(ch not in credit_code.ALPHABET for ch in value):
            raise ValidationError("请从列表中选择企业")
    return _field(CreditCodeField, label, "enterprise", required, [code_shaped], help)


class CreditCodeField(_BlankIsEmpty, fields.String):
    """A 统一社会信用代码 as typed or pasted (``9111 0105 ma01…``, full-width): kept as the registry
    writes it (upper case, no blanks), so the case names the same enterprise as the registry does."""

    def _deserialize(self, value, attr, data, **kwargs):
        from workflows.enterprises import credit_code
        loaded = super()._deserialize(value, attr, data, **kwargs)
        _refuse_other_digits(loaded)  # a 15-digit 身份证号 of Arabic-Indic digits passed ``isdigit``
        return credit_code.as_typed(loaded)


def table(label: str, row_schema: type[Schema], required: bool = True, min_rows: int = 1, help=None):
    """A list of rows, each a small form of its own (责任人员、整改措施…)."""
    inner = fields.Nested(row_schema, error_messages=_messages(fields.Nested))
    validators = [validate.Length(min=min_rows, error=f"至少填写{min_rows}行")] if required else []
    f = _field(fields.List, label, "table", required, validators, help, cls_or_instance=inner)
    f.metadata["row_schema"] = row_schema
    return f


def shown_when(field: fields.Field, on: str, *values: str, asked: bool = True) -> fields.Field:
    """``field`` belongs to the answer ``values`` of the choice ``on`` (申请延长至 to 办理事项 申请延期):
    the page shows it only while one of them is picked (webui/static/forms.js, ``data-hide``) and
    then marks it 必填 unless ``asked`` is False. The form's ``require_when`` still decides on submit.
    Before, an enterprise choosing 整改完成 saw 延期理由 and 申请延长至 beside 评估方式, none marked,
    and learnt which it owed only from the refusal — which drops the photos it had chosen."""
    field.metadata["shown_when"] = (on, tuple(values), asked)
    return field


def require_when(data: dict, condition: bool, *names_: str, message: str = REQUIRED) -> None:
    """Raise a field error for each of ``names_`` left empty while ``condition`` holds."""
    if not condition:
        return
    errors = {n: [message] for n in names_ if data.get(n) in (None, "", [])}
    if errors:
        raise ValidationError(errors)


def approval_form(prefix: str, label: str, choices=("同意", "退回"), opinion_label: str = "意见",
                  title: str = "") -> type:
    """A decision among ``choices`` plus an opinion, which is required unless the decision is the
    first choice (同意/通过/批准)."""
    from marshmallow import validates_schema

    decision, opinion = f"{prefix}_decision", f"{prefix}_opinion"

    @validates_schema
    def opinion_when_refused(self, data: dict, **_: Any) -> None:
        require_when(data, data.get(decision) not in (None, choices[0]), opinion,
                     message="不同意或退回时须写明理由")

    name = "".join(part.title() for part in prefix.split("_")) + "Approval"
    return type(name, (FormSchema,), {
        "__doc__": title or label,
        decision: choice(label, choices),
        opinion: text(opinion_label, required=False, long=True),
        "opinion_when_refused": opinion_when_refused,
    })
