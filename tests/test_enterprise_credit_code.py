"""统一社会信用代码 check per GB 32100-2015: real-format codes, and each way a code goes wrong."""
import pytest

from workflows.enterprises import credit_code
from workflows.enterprises.credit_code import CreditCodeError, validate

# The worked example printed in GB 32100-2015, and codes built here with the check char computed.
STANDARD_EXAMPLE = "91350100M000100Y43"
BUILT = [credit_code.complete(p) for p in (
    "91440604MA4UJ8K2X",   # 工商 企业, 佛山禅城, a 主体标识码 with letters
    "92440604L12345678",   # 工商 个体工商户
    "12100000400000624",   # 机构编制 事业单位
    "51110000500000111",   # 民政 社会团体
    "93440101MA5CXYJ51",   # 农民专业合作社
    "Y1440604MA00000A0",   # 其他
)]


def test_standard_example_is_valid():
    assert validate(STANDARD_EXAMPLE) == STANDARD_EXAMPLE
    assert credit_code.check_char(STANDARD_EXAMPLE[:17]) == "3"


@pytest.mark.parametrize("code", BUILT)
def test_built_codes_are_valid(code):
    assert validate(code) == code
    assert credit_code.is_valid(code)


def test_check_char_31_is_written_as_zero():
    # Find a prefix whose weighted sum is ≡ 0 (mod 31): the check value 31 must wrap to "0".
    for n in range(100000, 200000):
        first17 = f"9144060400{n:07d}"
        total = sum(credit_code.ALPHABET.index(c) * w for c, w in zip(first17, credit_code.WEIGHTS))
        if total % 31 == 0:
            assert credit_code.check_char(first17) == "0"
            assert credit_code.is_valid(first17 + "0")
            return
    pytest.fail("no prefix with sum ≡ 0 found")


def test_one_wrong_check_char_is_refused_with_the_right_one_named():
    wrong = STANDARD_EXAMPLE[:17] + "4"
    with pytest.raises(CreditCodeError, match="校验码错误：第18位应为“3”，实际为“4”"):
        validate(wrong)


@pytest.mark.parametrize("code", [STANDARD_EXAMPLE, *BUILT])
def test_any_single_changed_character_is_caught(code):
    """The mod-31 check sees every single substitution, wherever it is."""
    for pos in range(18):
        for ch in credit_code.ALPHABET:
            if ch == code[pos]:
                continue
            assert not credit_code.is_valid(code[:pos] + ch + code[pos + 1:]), (pos, ch)


def test_one_wrong_digit_in_the_body():
    code = STANDARD_EXAMPLE[:10] + "1" + STANDARD_EXAMPLE[11:]  # 第11位 0 → 1
    with pytest.raises(CreditCodeError, match="校验码错误"):
        validate(code)


@pytest.mark.parametrize("code,length", [(STANDARD_EXAMPLE[:17], 17), (STANDARD_EXAMPLE + "0", 19), ("9135", 4)])
def test_wrong_length(code, length):
    with pytest.raises(CreditCodeError, match=f"应为18位，实际为{length}位"):
        validate(code)


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_letters_outside_the_alphabet_are_named_with_their_position(letter):
    code = STANDARD_EXAMPLE[:9] + letter + STANDARD_EXAMPLE[10:]
    with pytest.raises(CreditCodeError) as err:
        validate(code)
    assert f"第10位字符“{letter}”不合法" in str(err.value)
    assert "I、O、Z、S、V" in str(err.value)


def test_other_illegal_characters():
    with pytest.raises(CreditCodeError, match="第5位字符“#”不合法"):  # a hyphen separates, as a blank does (s31)
        validate("9135#100M000100Y43")


def test_division_code_must_be_digits():
    code = credit_code.complete("9135A100M000100Y4")
    with pytest.raises(CreditCodeError, match="第3至8位为行政区划码，应为数字，第5位为“A”"):
        validate(code)


def test_unknown_registration_authority():
    code = credit_code.complete("B1350100M000100Y4")
    with pytest.raises(CreditCodeError, match="第1位登记管理部门代码“B”不存在"):
        validate(code)


def test_typing_variants_are_normalized():
    assert validate(" 91350100m000100y43 ") == STANDARD_EXAMPLE
    assert validate("９１３５０１００Ｍ０００１００Ｙ４３") == STANDARD_EXAMPLE  # full-width from IME


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_blank(blank):
    with pytest.raises(CreditCodeError, match="不能为空"):
        validate(blank)
