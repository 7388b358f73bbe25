"""Plausible fake enterprises for demos, tests and the search benchmark.

Search speed depends on what names look like: Chinese names share long common parts (地名, 行业,
有限公司) and differ in a two-character 字号, so the generator builds names the same way rather than
from random letters. Codes are real-format codes with correct check characters.
"""
from __future__ import annotations

import random
from collections.abc import Iterator

from . import credit_code
from .terms import RiskLevel, Sector, Size

_PLACES = ["佛山", "南海", "顺德", "江门", "东莞", "中山", "惠州", "清远", "肇庆", "韶关", "湛江", "茂名",
           "汕头", "揭阳", "梅州", "河源", "阳江", "云浮", "潮州", "汕尾", "珠海", "广州", "深圳", "番禺"]
_TRADE_CHARS = ("华鑫宏达盛泰丰源恒昌隆兴利发永安康顺德福瑞祥和嘉信诚金银富通明辉光耀腾飞龙凤鹏"
                "远航海天新创志强佳美益众合力联宝")
_SECTOR_WORDS = {
    Sector.HAZARDOUS_CHEMICALS: ["化工", "石化", "化学品", "气体", "油品"],
    Sector.INDUSTRY_TRADE: ["五金", "家具", "纺织", "陶瓷", "机械", "铝业", "食品", "塑料"],
    Sector.CONSTRUCTION: ["建筑工程", "建设", "市政工程", "路桥"],
    Sector.FIREWORKS: ["烟花", "爆竹", "烟花爆竹"],
    Sector.NON_COAL_MINING: ["矿业", "石场", "采石", "矿产"],
    Sector.OTHER: ["物流", "仓储", "商贸", "科技"],
}
_FORMS = ["有限公司", "股份有限公司", "有限责任公司", "厂", "经营部"]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁郑谢宋唐"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
_STREETS = ["工业大道", "人民路", "建设路", "环城路", "创业路", "科技园路", "南沙路", "北环路"]
#: 行政区划码 (3-8th characters of the code) of a few districts, as they appear in real codes.
_DIVISIONS = ["440604", "440605", "440606", "440607", "440608", "441900", "442000", "440703"]
_ORG_UNITS = [f"440604{n:03d}" for n in range(1, 21)]


def fake_code(rng: random.Random) -> str:
    """A registered-enterprise code (91…) with a random 主体标识码 and its correct check character."""
    body = "".join(rng.choices(credit_code.ALPHABET, k=9))
    return credit_code.complete("91" + rng.choice(_DIVISIONS) + body)


def fake_phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def fake_person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def fake_enterprises(n: int, seed: int = 1) -> Iterator[dict]:
    """``n`` enterprises as plain dicts keyed like :class:`~.models.Enterprise`, unique by code."""
    rng = random.Random(seed)
    seen: set[str] = set()
    levels = [RiskLevel.RED] + [RiskLevel.ORANGE] * 3 + [RiskLevel.YELLOW] * 8 + [RiskLevel.BLUE] * 12
    while len(seen) < n:
        code = fake_code(rng)
        if code in seen:
            continue
        seen.add(code)
        sector = rng.choice(list(Sector))
        place = rng.choice(_PLACES)
        trade = "".join(rng.sample(_TRADE_CHARS, 2))
        name = f"{place}市{trade}{rng.choice(_SECTOR_WORDS[sector])}{rng.choice(_FORMS)}"
        yield {
            "credit_code": code,
            "name": name,
            "address": f"{place}市{rng.choice(_STREETS)}{rng.randint(1, 999)}号",
            "org_unit": rng.choice(_ORG_UNITS),
            "sector": sector,
            "size": rng.choice(list(Size)),
            "legal_rep": fake_person(rng),
            "legal_rep_phone": fake_phone(rng),
            "safety_manager": fake_person(rng),
            "safety_manager_phone": fake_phone(rng),
            "risk_level": rng.choice(levels),
        }
