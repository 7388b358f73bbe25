"""执法案卷评查 (case-file review): the scoring standard, sampling closed penalty cases, starting one review
case per file, and the scores per reviewed unit and quarter for its standing.

Sources: 武进 2017 (seed 000) "定期开展行政执法案卷评查，通过交叉检查、集中评查、个案抽查"; 《行政处罚法》
第七十五条. The scoring items and points are a local standard (configuration, not law): 100 points, 合格 at
60, 良好 at 80, 优秀 at 90; a file below 80 or with a listed problem is corrected.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict

import sqlalchemy as sa

from engine.schema import COMPLETED, Case, HumanTask

PROCESS, ENFORCEMENT = "case_file_review", "enforcement_case"
ITEMS = [  # 评查项目, 满分
    ("立案", 10), ("调查取证", 25), ("事实认定和法律适用", 20), ("程序", 20), ("文书制作", 15), ("归档", 10),
]
GRADES = [(90, "优秀"), (80, "良好"), (60, "合格"), (0, "不合格")]
HANDLER_ELEMENTS = ("investigate", "intake", "propose")   # the penalty case: 调查取证, 初步核查, 呈批


def review_total_of(score_items) -> int:
    return sum(int(row.get("score") or 0) for row in score_items or [])


def review_grade_of(total) -> str:
    return next(name for floor, name in GRADES if int(total) >= floor)


def sample(engine, org_codes: list[str], closed_from: dt.date, closed_to: dt.date, count: int, seed: str) -> list[Case]:
    """个案抽查: ``count`` closed penalty cases of the units, closed in the window, drawn with a recorded seed."""
    with engine.db.read() as s:
        cases = list(s.scalars(sa.select(Case).where(Case.process_key == ENFORCEMENT, Case.status == "completed",
                                                     Case.org_code.in_(org_codes)).order_by(Case.case_no)))
    cases = [c for c in cases if c.ended_at and closed_from <= c.ended_at.date() <= closed_to]
    rng = random.Random(int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big"))
    return sorted(rng.sample(cases, min(count, len(cases))), key=lambda c: c.case_no)


def handler_of(engine, case_id: int) -> str | None:
    """The officer who handled a penalty case (who completed its 调查取证, else 初步核查)."""
    with engine.db.read() as s:
        rows = s.execute(sa.select(HumanTask.spec_id, HumanTask.completed_by).where(
            HumanTask.case_id == case_id, HumanTask.state == COMPLETED)).all()
    done = {spec: user for spec, user in rows}
    return next((done[e] for e in HANDLER_ELEMENTS if done.get(e)), None)


def facts_of(engine, case: Case) -> dict:
    """What a review case holds of the file it reviews, taken from that case: its unit is the reviewed
    unit (``reviewed_org``: the model's ``assigneeUnit``, whose officials the review may name) and its
    handler the 承办人 who hands in the file."""
    d = case.data or {}
    return {"reviewed_case_id": case.id, "reviewed_case_no": case.case_no, "reviewed_title": case.title,
            "reviewed_org": case.org_code, "reviewed_org_name": engine.directory.names("orgs", None).get(case.org_code),
            "case_handler": handler_of(engine, case.id),
            "party_name": d.get("party_name"), "fine_amount": d.get("fine_amount")}


def start_review(engine, by: str, reviewing_org: str, case: Case, mode: str = "个案抽查"):
    """One review case for ``case``'s file, in ``reviewing_org`` (another unit for a 交叉检查)."""
    data = {"review_mode": mode, **facts_of(engine, case)}
    return engine.start(PROCESS, by=by, org=reviewing_org, party=case.party, data=data,
                        title=f"案卷评查：{case.case_no} {case.title}")


def checked_start_data(engine, given: dict) -> dict:
    """The data of a review case started with data of its own (the REST API): the reviewed file's
    facts are those of the closed penalty case ``reviewed_case_id`` names, as ``start_review`` takes
    them. A 被评查单位 or 承办人 typed by the starter named another district's official for the
    review's tasks (``assigneeUnit``): 西城's inspector handed 东城's 李四 a 提交被评查案卷 task of a
    review nobody ordered (《安全生产法》第十条第一款: 本行政区域内). Refused in Chinese, naming the field."""
    from engine.errors import InvalidData
    named = given.get("reviewed_case_id")
    case = None
    if isinstance(named, int) and not isinstance(named, bool) or isinstance(named, str) and named.isdigit():
        with engine.db.read() as s:
            case = s.get(Case, int(named))
    if case is None or case.process_key != ENFORCEMENT or case.status != "completed":
        raise InvalidData({"reviewed_case_id": "执法案卷评查须指明被评查的已结案执法案件（reviewed_case_id：该案件的编号）"})
    facts = facts_of(engine, case)
    wrong = {k: f"与被评查案件 {case.case_no} 的记录不符：由系统按被评查案件填写，请删去该项"
             for k, v in facts.items() if k in given and given[k] != v and not (k == "reviewed_case_id" and str(v) == str(named))}
    if wrong:
        raise InvalidData(wrong)
    return {**given, **facts}


def scores_by_unit(engine, year: int, quarter: int) -> list[dict]:
    """Average score and count of files reviewed in the quarter, per reviewed unit (for its standing)."""
    first = dt.date(year, 3 * quarter - 2, 1)
    last = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - dt.timedelta(days=1)
    with engine.db.read() as s:
        rows = list(s.scalars(sa.select(Case).where(Case.process_key == PROCESS)))
    acc: dict[str, list[int]] = defaultdict(list)
    for c in rows:
        d = c.data or {}
        notified = d.get("notice_issued_on")
        if d.get("review_total") is None or not notified or not first.isoformat() <= notified <= last.isoformat():
            continue
        acc[d["reviewed_org"]].append(int(d["review_total"]))
    return [{"org_code": org, "files": len(v), "average": round(sum(v) / len(v), 1),
             "failed": sum(1 for x in v if x < 60)} for org, v in sorted(acc.items())]
