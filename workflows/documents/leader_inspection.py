"""The 督办通知 a 领导带队督查检查 issues to the units answerable for what it found (seed 004 三（一）1:
「重点督促协调解决安全生产工作中存在的薄弱环节」)."""
from __future__ import annotations

from .format import BLANK, cn_date, numbered, or_blank
from .templates import Document

NOTICE = """{issuer}
关于领导带队督查检查发现问题的督办通知

各有关单位：
    {visited_on}，{leader_name}带队开展{inspection_kind}（{topic}）。根据下原镇2019年安全生产工作计划“建立健全党、政领导定期带队督查检查安全生产工作机制”“重点督促协调解决安全生产工作中存在的薄弱环节”的要求，现将督查发现的问题和督办事项通知如下，请责任单位按期办结，并在系统中逐项答复办理情况。
一、督查发现的问题
{findings}
二、督办事项
{items}

{issuer}
{issued_on}
"""


def _item(i: dict) -> str:
    return (f"{or_blank(i.get('matter'))}（责任单位：{or_blank(i.get('unit_name'))}；责任人：{or_blank(i.get('owner_name'))}；"
            f"办结期限：{cn_date(i.get('item_due'))}）")


def _context(d: dict) -> dict:
    findings = [f"{or_blank(f.get('problem'))}（{or_blank(f.get('finding_kind'))}）" for f in d.get("findings") or []]
    return {"visited_on": cn_date(d.get("visited_on")), "leader_name": d.get("leader_name"),
            "inspection_kind": d.get("inspection_kind"), "topic": d.get("topic"),
            "findings": numbered(findings) if findings else "    未发现问题。",
            "items": numbered(_item(i) for i in d.get("notice_items") or []) if d.get("notice_items") else "    " + BLANK,
            "issued_on": cn_date(d.get("notice_issued_on"))}


DOCUMENTS = [Document("leader_inspection.notice", "督办通知", "leader_inspection", NOTICE, _context, ("notice_items",))]
