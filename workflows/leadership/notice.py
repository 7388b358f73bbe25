"""The quarterly 通报 (安全生产工作考核排名情况通报) as text in the documents' shape, so it prints as a
公文 .docx through ``workflows.documents.docx.docx_from_text`` like every other document."""
from __future__ import annotations

from datetime import date

from .period import Period
from .ranking import INDICATOR_NAMES, NOTHING_COUNTED, WEIGHTS, Row, shown

NUMERALS = "一二三四五六七八九十"


def notice_text(issuer: str, quarter: Period, rows: list[Row], issued_on: date, number: str | None = None) -> str:
    number = number or f"安委办通〔{quarter.year}〕{quarter.number}号"
    firsts = [r for r in rows if r.praised]
    lasts = [r for r in rows if r.last]
    lines = [issuer, f"关于{quarter.label}安全生产工作考核排名情况的通报", number, "", "各有关单位："]
    lines.append(f"    根据安全生产季度考核和通报排名制度，现将{quarter.label}各单位安全生产工作考核排名情况通报如下。"
                 f"考核指标为：" + "、".join(f"{INDICATOR_NAMES[k]}（{v}分）" for k, v in WEIGHTS.items()) + "，满分100分。")
    lines.append("一、排名情况")
    for r in rows:
        if r.nothing_counted:
            lines.append(f"    第{r.rank}名：{r.name}，本季度{NOTHING_COUNTED}，按考核细则计{r.score:g}分，不列入通报表扬。")
            continue
        detail = "，".join(f"{INDICATOR_NAMES[k]}{shown(r, k)}" for k in WEIGHTS)
        lines.append(f"    第{r.rank}名：{r.name}，得分{r.score:g}分（{detail}）。")
    lines.append("二、通报表扬")
    lines.append("    " + ("对排名前两位（不含无可考核事项）的" + "、".join(r.name for r in firsts) + "予以通报表扬。" if firsts else "本季度无。"))
    lines.append("三、通报批评和约谈")
    if lasts:
        for r in lasts:
            times = f"连续{NUMERALS[r.streak - 1]}次" if r.streak > 1 else "第一次"
            lines.append(f"    {r.name}{times}排名后两位：{r.rung}。")
    else:
        lines.append("    本季度无。")
    lines.append("四、工作要求")
    lines.append("    各单位要对照考核指标查找差距，落实重大事故隐患挂牌督办和整改销号，力求重大隐患整改率100%；"
                 "排名靠后的单位要认真分析原因，制定整改措施，于下季度首月内将整改情况书面报送安委办。")
    lines.append("")
    pad = " " * 40
    lines += [pad + issuer, pad + f"{issued_on.year}年{issued_on.month}月{issued_on.day}日"]
    return "\n".join(lines) + "\n"
