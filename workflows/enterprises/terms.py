"""The registry's closed vocabularies, with the Chinese words as values.

The values are what clerks see and type in spreadsheets, what the database stores and what the
forms show, so there is one spelling everywhere and no translation table to keep in step.
"""
from __future__ import annotations

import enum
import re


class Sector(str, enum.Enum):
    """行业类别: the sector decides which supervision rules and hazard criteria apply."""

    HAZARDOUS_CHEMICALS = "危化"
    INDUSTRY_TRADE = "工贸"
    CONSTRUCTION = "建筑施工"
    FIREWORKS = "烟花爆竹"
    NON_COAL_MINING = "非煤矿山"
    OTHER = "其他"


class Size(str, enum.Enum):
    """企业规模 (大型/中型/小型/微型 as in the statistical size classification)."""

    LARGE = "大型"
    MEDIUM = "中型"
    SMALL = "小型"
    MICRO = "微型"


class RiskLevel(str, enum.Enum):
    """安全风险等级 红橙黄蓝: 红 is the highest risk (重大风险), 蓝 the lowest (低风险)."""

    RED = "红"
    ORANGE = "橙"
    YELLOW = "黄"
    BLUE = "蓝"


class UnitKind(str, enum.Enum):
    """单位类别: a 生产经营单位 the bureau supervises, or a 安全评价检测检验机构 (第三方评估机构) whose
    资质 the bureau recognises (《安全评价检测检验机构管理办法》, 应急管理部令第1号) and which assesses a
    listed hazard's rectification (原总局令第16号第十八条): the 评估机构名称 of 第三方评估整改效果 is
    picked among these."""

    ENTERPRISE = "生产经营单位"
    ASSESSOR = "安全评价检测检验机构"


#: How officials write a 单位类别 in a spreadsheet or a form, folded (blanks and brackets dropped) to
#: the kind: the short names a district's list uses for a 安全评价检测检验机构, and for a 生产经营单位.
#: A blank cell is a 生产经营单位 (every unit before revision 0026 was one).
UNIT_KIND_WORDS = {
    **dict.fromkeys(("安全评价检测检验机构", "安全评价机构", "评价机构", "检测检验机构", "检测机构", "检验机构",
                     "安全评价检测机构", "评价检测机构", "第三方评估机构", "评估机构", "第三方机构"),
                    UnitKind.ASSESSOR),
    **dict.fromkeys(("生产经营单位", "生产经营企业", "企业", "单位", "生产单位", "经营单位"), UnitKind.ENTERPRISE),
}
UNIT_KIND_HINT = "应为“生产经营单位”或“安全评价检测检验机构”（可简写为“评价机构”“检测检验机构”；空白为生产经营单位）"


def unit_kind_of(typed) -> UnitKind | None:
    """The 单位类别 an official typed (「评价机构」, 「 安全评价机构 」, 「检测检验机构」, blank: 生产经营单位),
    or None when the text names neither kind."""
    if isinstance(typed, UnitKind):
        return typed
    text = re.sub(r"[\s()（）【】\[\]“”\"'、]", "", str(typed or ""))
    if not text:
        return UnitKind.ENTERPRISE
    return UNIT_KIND_WORDS.get(text)


def choices(enum_cls: type[enum.Enum]) -> str:
    """The allowed values joined for an error message, e.g. ``红、橙、黄、蓝``."""
    return "、".join(m.value for m in enum_cls)
