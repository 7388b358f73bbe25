"""A 统一社会信用代码 (or a party's 身份证号) as a clerk types it into our forms (录入规整, issue 15).

Lower case, blanks, full-width letters: read as the registry writes the code (as before). What cannot
be one — 「无」, a name typed in the wrong box, a code a character short, 「O」 for 「0」 — was stored
as typed and named no enterprise (the case's 当事人 lookups, the 失信 list and the 一企一档 file missed
it); it is refused naming what is wrong, in every credit-code field of every form.
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.ui_support import ACME
from workflows.forms import FormError, registry
from workflows.forms.samples import sample

TODAY = dt.date(2026, 11, 20)
CODES = [(k, f) for k in registry.keys() for f in registry.fields(k) if f.get("party_code")]


def _submit(key, name, typed):
    try:
        return registry.validate(key, {**sample(key, TODAY), name: typed})[name], None
    except FormError as exc:
        return None, exc.errors


def test_the_walk_finds_the_credit_code_fields():
    assert len(CODES) >= 6 and any("身份证号" in f["label"] for _, f in CODES)


@pytest.mark.parametrize("typed", ["9111 0101 ma00 0000 05", "91110101ma00000005", " ９１１１０１０１ＭＡ０００００００５\u3000",
                                   "9111-0101-MA00-0000-05".replace("-", " ")])
@pytest.mark.parametrize("key, field", CODES, ids=[f"{k}.{f['name']}" for k, f in CODES])
def test_a_code_typed_as_clerks_type_it_is_the_registrys(key, field, typed):
    assert _submit(key, field["name"], typed) == (ACME, None)


@pytest.mark.parametrize("typed, reason", [
    ("无", "没有的请留空，不要填写“无”"), ("暂无", "没有的请留空，不要填写“暂无”"), ("/", "没有的请留空，不要填写“/”"),
    ("甲化工有限公司", "应为18位，实际为7位"), ("91110101MA0000001", "应为18位，实际为17位"),
    ("91110101MA0O000001", "第12位字符“O”不合法（代码不使用字母 I、O、Z、S、V）"),
    ("91110101MA00000005（甲公司）", "应为18位，实际为23位"),
])
@pytest.mark.parametrize("key, field", CODES, ids=[f"{k}.{f['name']}" for k, f in CODES])
def test_what_cannot_be_a_code_is_refused_saying_why(key, field, typed, reason):
    assert _submit(key, field["name"], typed) == (None, {field["name"]: reason})


@pytest.mark.parametrize("typed, stored", [("11010119900101127x", "11010119900101127X"), ("110101900101123", "110101900101123")])
def test_a_partys_id_number_is_taken_where_the_label_asks_for_one(typed, stored):
    key, field = next((k, f) for k, f in CODES if "身份证号" in f["label"])
    assert _submit(key, field["name"], typed) == (stored, None)


@pytest.mark.parametrize("key, field", CODES, ids=[f"{k}.{f['name']}" for k, f in CODES])
def test_left_empty_it_is_not_given(key, field):
    assert _submit(key, field["name"], " ") == (None, None)


def _codes_of_every_kind():
    """Codes built as GB 32100-2015 builds them (the 18th the check character of the first 17): an
    enterprise (91), an individual business (92, 组织机构代码 digits), a social organisation (51)."""
    from workflows.enterprises.credit_code import complete
    return [complete("91110101MA01B2C3D"), complete("92110105L12345678"), complete("51440300501234567"), ACME]


def _one_wrong(code):
    """The same code with its 18th character mistyped (the next character of the alphabet)."""
    from workflows.enterprises.credit_code import ALPHABET
    return code[:17] + ALPHABET[(ALPHABET.index(code[17]) + 1) % len(ALPHABET)]


@pytest.mark.parametrize("key, field", CODES, ids=[f"{k}.{f['name']}" for k, f in CODES])
def test_a_code_with_its_check_character_right_is_taken(key, field):
    for code in _codes_of_every_kind():
        assert _submit(key, field["name"], code.lower()) == (code, None)


@pytest.mark.parametrize("key, field", CODES, ids=[f"{k}.{f['name']}" for k, f in CODES])
def test_a_code_with_a_wrong_18th_character_is_refused_gb_32100_2015(key, field):
    """GB 32100-2015 第18位校验码: a code of the right shape whose last character is not the check
    character of the first 17 names no enterprise; refused naming the field, as the registry does."""
    for code in _codes_of_every_kind():
        assert _submit(key, field["name"], _one_wrong(code)) == (
            None, {field["name"]: "统一社会信用代码校验位不正确，请核对第18位"})


def test_two_characters_swapped_are_caught_by_the_check_character():
    key, field = CODES[0]
    code = _codes_of_every_kind()[0]
    swapped = code[:9] + code[10] + code[9] + code[11:]
    assert swapped != code
    assert _submit(key, field["name"], swapped) == (None, {field["name"]: "统一社会信用代码校验位不正确，请核对第18位"})


def test_an_id_number_with_a_wrong_check_character_is_refused_too():
    key, field = next((k, f) for k, f in CODES if "身份证号" in f["label"])
    assert _submit(key, field["name"], "110101199001011271")[1] == {field["name"]: "统一社会信用代码校验位不正确，请核对第18位"}
