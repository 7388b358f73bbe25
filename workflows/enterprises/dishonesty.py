"""The serious-dishonesty list (严重失信主体名单) wired into the engine: triggers and the listed flag.

应急管理部令第11号《安全生产严重失信主体名单管理办法》 names the situations in which an enterprise
must be listed. Two of them show up in our own cases and so can start the listing procedure
(``bpmn/dishonesty_list.bpmn``) without anyone remembering to:

* the penalty case (执法案件) of an enterprise opened from an accident's 批复 that concludes (结案)
  with a 行政处罚 decided, where the accident was 特别重大 or 重大, or 较大 when the same enterprise
  had another 较大 accident within 12 months of it (either side). Not the 批复 itself: the rule's
  严重失信 is a 行为 that 受到行政处罚 (第三条), and the listing belongs to the department that decided
  that penalty (第四条第二款 谁处罚、谁决定、谁负责), so the procedure waits for the bureau's decision;
* an enforcement case that concludes (结案) with a penalty whose ground is one the rule lists (see
  :func:`penalty_ground`).

The procedure is started, not the listing: the officers still propose, notify, hear the objection
and decide, so a wrong trigger costs a 不同意 and never a wrongful listing.

:func:`install` adds one after-step hook to the engine. It runs inside each step's transaction, so
a started listing case, and the registry's flag (``Enterprise.dishonest``) kept in step with the
listing cases, commit or roll back with the step that caused them. Pages ask :func:`is_listed` or,
for a list of enterprises at once, :func:`listed_codes`.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import Session

from engine import sqlexec
from engine.schema import Case
from engine.scripting import start_case
from workflows.forms.dishonesty import ACCIDENT_GROUNDS, PENALTY_GROUNDS
from workflows.functions import as_moment

from . import credit_code as codes
from .models import Enterprise
from .registry import EnterpriseRegistry

log = logging.getLogger("duban.dishonesty")

PROCESS = "dishonesty_list"
ACCIDENT = "accident_investigation"
ENFORCEMENT = "enforcement_case"
RULE = "《安全生产严重失信主体名单管理办法》（应急管理部令第11号）"
LISTED_AT_ONCE = ("特别重大", "重大")
LARGER = "较大"
WINDOW_MONTHS = 12

#: Words in an enforcement case's facts and legal basis that identify a listed ground. The
#: officer can always name the ground outright (``dishonesty_ground`` in the case data).
PENALTY_PATTERNS: list[tuple[str, tuple[str, ...]]] = [
    (ACCIDENT_GROUNDS[2], ("第一百一十四条第二款", "第114条第2款")),
    (ACCIDENT_GROUNDS[3], ("瞒报", "谎报")),
    (PENALTY_GROUNDS[0], ("未取得安全生产许可", "未依法取得安全生产许可", "未取得安全生产相关许可",
                          "许可证被暂扣期间", "许可证被吊销", "暂扣期间", "吊销期间")),
    (PENALTY_GROUNDS[1], ("出具虚假报告", "出具虚假证书", "出具虚假评价报告", "租借资质", "挂靠")),
]
TEXT_FIELDS = ("violation", "violation_facts", "facts_found", "legal_basis", "penalty_basis", "case_cause")


# --- where the flag is read ----------------------------------------------------------------------

def _listed_clause(on: dt.date | None):
    clause = Enterprise.dishonest.is_(True)
    if on is not None:
        clause = sa.and_(clause, sa.or_(Enterprise.dishonest_from.is_(None), Enterprise.dishonest_from <= on),
                         sa.or_(Enterprise.dishonest_until.is_(None), Enterprise.dishonest_until >= on))
    return clause


def is_listed(session_or_engine, credit_code: str, on: dt.date | None = None) -> bool:
    """Whether the enterprise is on the 严重失信主体名单 now (or on day ``on``).

    Takes the caller's SQLAlchemy session, or the engine (then a read session of its own). The
    flag is what the listing cases keep in step; ``on`` also checks the listing period, for
    listings imported from a spreadsheet that no case will ever take off.
    """
    try:
        code = codes.validate(credit_code)
    except codes.CreditCodeError:
        return False
    query = sa.select(Enterprise.id).where(Enterprise.credit_code == code, _listed_clause(on))
    if isinstance(session_or_engine, Session):
        return session_or_engine.scalar(query) is not None
    with session_or_engine.db.read() as s:
        return s.scalar(query) is not None


def listed_codes(session: Session, credit_codes: Iterable[str], on: dt.date | None = None) -> set[str]:
    """The codes among ``credit_codes`` whose enterprise is listed: one query for a whole page."""
    wanted = {c for c in credit_codes if c}
    if not wanted:
        return set()
    return set(session.scalars(sa.select(Enterprise.credit_code)
                               .where(Enterprise.credit_code.in_(sorted(wanted)), _listed_clause(on))))


# --- what triggers a listing ---------------------------------------------------------------------

def _moment(value: Any) -> dt.datetime | None:
    try:
        return as_moment(value) if value else None
    except (TypeError, ValueError):
        return None


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def within_window(a: dt.datetime, b: dt.datetime, months: int = WINDOW_MONTHS) -> bool:
    """Two accidents fall within ``months`` of each other (12个月内, counted either way)."""
    first, second = sorted((a, b))
    return second <= first + relativedelta(months=months)


def penalty_decided(data: dict) -> bool:
    """The case ended in a 行政处罚 decided (处罚 with its decision day): what 第11号令第三条 rests on."""
    return data.get("proposed_outcome") == "处罚" and bool(data.get("decided_at"))


def penalty_ground(data: dict) -> str | None:
    """The rule's ground for listing after this penalty case, or None.

    Only cases that ended in a penalty (处罚) count. ``dishonesty_ground`` in the case data wins;
    otherwise the facts and legal basis are searched for the words of a listed ground. The
    catch-all ground (其他…性质恶劣、情节严重) is a judgment and is never guessed.
    """
    if not penalty_decided(data):
        return None
    named = data.get("dishonesty_ground")
    if named in ACCIDENT_GROUNDS + PENALTY_GROUNDS:
        return named
    text = " ".join(str(data.get(k) or "") for k in TEXT_FIELDS)
    for ground, words in PENALTY_PATTERNS:
        if any(w in text for w in words):
            return ground
    return None


def larger_accidents_near(s: Session, case: Case, party: str, occurred: dt.datetime) -> list[int]:
    """Other 较大 accidents of ``party`` within 12 months of ``occurred``, by case id."""
    rows = s.execute(sa.select(Case.id, Case.data).where(
        Case.process_key == ACCIDENT, Case.party == party, Case.id != case.id, Case.status != "cancelled",
        Case.data["accident_grade"].as_string() == LARGER)).all()
    near = []
    for row in rows:
        other = _moment((row.data or {}).get("occurred_at"))
        if other is not None and within_window(occurred, other):
            near.append(row.id)
    return sorted(near)


def accident_trigger(s: Session, case: Case, party: str) -> tuple[str, list[int]] | None:
    """(ground, accident case ids) once an approved accident meets an accident ground."""
    data = case.data or {}
    grade = data.get("accident_grade")
    if not data.get("approved_at") or grade not in LISTED_AT_ONCE + (LARGER,):
        return None
    if grade in LISTED_AT_ONCE:
        return ACCIDENT_GROUNDS[0], [case.id]
    occurred = _moment(data.get("occurred_at"))
    if occurred is None:
        return None
    others = larger_accidents_near(s, case, party, occurred)
    if not others:
        return None
    return ACCIDENT_GROUNDS[1], others + [case.id]


def accident_of_penalty(s: Session, case: Case, party: str) -> tuple[Case, str, list[int]] | None:
    """(accident case, ground, accident case ids) when a concluded penalty case of ``party`` was
    opened from the 批复 of an accident that meets an accident ground of 第11号令, else None.

    The penalty case is the accident's child (``open_penalty_cases``); the accident must be about
    the same enterprise. Its decision, not the 批复, is the 行政处罚 第三条 asks for."""
    if case.parent_case_id is None:
        return None
    accident = s.get(Case, case.parent_case_id)
    if accident is None or accident.process_key != ACCIDENT or accident.status == "cancelled":
        return None
    if _party_of(accident) != party:
        return None
    found = accident_trigger(s, accident, party)
    return (accident, *found) if found else None


def _party_of(case: Case) -> str | None:
    """The enterprise a case is about: its own credit code in the data, else the case's party.

    Cases spawned by another case inherit the parent's party unless the spawning script names
    one, so a penalty case of a responsible unit may carry the accident enterprise's code.
    """
    for value in ((case.data or {}).get("credit_code"), case.party):
        if value:
            try:
                return codes.validate(value)
            except codes.CreditCodeError:
                continue
    return None


# The hook's reads, rendered once and run on the step's own connection (engine/sqlexec.py): through
# the step's ORM session they made that session and went through SQLAlchemy's per-statement
# machinery, ~300–550 µs a step of a listing case on this machine (the enterprise's flag, read at
# every step of 公开中) and of an approved accident case (its listing already started). Every write
# of the registry the hook makes goes through the session and is flushed at once
# (``EnterpriseRegistry.update`` / ``remove_dishonest``), so the connection reads what it wrote.
_LISTINGS_OF = sqlexec.Sql(sa.select(Case.__table__.c.data).where(
    Case.__table__.c.process_key == PROCESS, Case.__table__.c.party == sa.bindparam("party")))
_FLAG_OF = sqlexec.Sql(sa.select(Enterprise.__table__.c.dishonest, Enterprise.__table__.c.dishonest_from).where(
    Enterprise.__table__.c.credit_code == sa.bindparam("code")))


def _already_started(s: Session, party: str, case_ids: Iterable[int]) -> bool:
    """A listing case built on one of ``case_ids`` exists already (any outcome): never start a second
    one for the same penalty, nor for the same accident."""
    wanted = set(case_ids)
    for (data,) in sqlexec.all_rows(s.connection(), _LISTINGS_OF, {"party": party}):
        if wanted & set((data or {}).get("source_case_ids") or []):
            return True
    return False


def _start_listing(s: Session, case: Case, party: str, ground: str, source_ids: list[int],
                   accident: Case | None = None) -> None:
    if _already_started(s, party, [case.id] + ([accident.id] if accident is not None else [])):
        return
    data = case.data or {}
    facts = (f"{data.get('violation') or data.get('violation_facts') or case.title}"
             f"（行政处罚决定书{data.get('decision_no') or ''}）")
    if accident is not None:
        about = accident.data or {}
        facts = (f"{about.get('accident_title') or accident.title}（{about.get('accident_grade')}事故，"
                 f"批复于{str(about.get('approved_at'))[:10]}）；{facts}")
    name = data.get("enterprise_name") or data.get("party_name") or ""
    start_case(PROCESS, {
        "ground": ground, "facts": facts, "basis": RULE, "credit_code": party, "enterprise_name": name,
        "source_process": case.process_key, "source_case_no": case.case_no, "source_case_ids": source_ids,
    }, party=party, title=f"{name}拟列入严重失信主体名单")
    log.info("case %s (%s): listing procedure started for %s: %s", case.case_no, case.process_key, party, ground)


# --- the hook --------------------------------------------------------------------------------------

class DishonestyHook:
    """The engine's after-step hook: start listings from triggers, keep the registry flag in step."""

    def __init__(self, registry: EnterpriseRegistry):
        self.registry = registry

    def __call__(self, s: Session, case: Case, workflow) -> None:
        if case.process_key == PROCESS:
            self.sync_listing(s, case)
        elif case.process_key == ENFORCEMENT and case.status == "completed":
            if (case.data or {}).get("party_type") == "个人":
                return  # the listing of persons (主要负责人) is not handled here
            party = _party_of(case)
            if party is None or not penalty_decided(case.data or {}):
                return  # no 行政处罚 decided (不予处罚, 移送): 第11号令第三条 lists nobody
            by_accident = accident_of_penalty(s, case, party)
            if by_accident is not None:
                accident, ground, accident_ids = by_accident
                _start_listing(s, case, party, ground, accident_ids + [case.id], accident)
                return
            ground = penalty_ground(case.data or {})
            if ground:
                _start_listing(s, case, party, ground, [case.id])

    def sync_listing(self, s: Session, case: Case) -> None:
        """Make the registry say what the listing case says: 公开中 → listed, 已移出/撤销 → off."""
        data = case.data or {}
        party = _party_of(case)
        if party is None:
            return
        if case.party != party:
            case.party = party  # see _party_of: the enterprise's own users must see its tasks
        listed_from = _day(data.get("listed_from"))
        status = data.get("listing_status")
        if listed_from is None or not (case.status == "cancelled" or status == "已移出"
                                       or (status == "公开中" and case.status == "running")):
            return  # none of the three changes below can apply, whatever the registry says
        flag = sqlexec.first(s.connection(), _FLAG_OF, {"code": party})
        if flag is None:
            return  # not in the registry: nothing to flag
        ours = bool(flag.dishonest) and _day(flag.dishonest_from) == listed_from
        if ours and case.status == "cancelled":
            self.registry.remove_dishonest(party, self.registry.now().date(), session=s)
        elif ours and status == "已移出":
            self.registry.remove_dishonest(party, _day(data.get("removed_on")) or self.registry.now().date(),
                                           session=s)
        elif not ours and status == "公开中" and case.status == "running" and listed_from is not None:
            self.registry.list_dishonest(party, listed_from, _day(data.get("listing_ends_on")), session=s)


def install(engine, registry: EnterpriseRegistry | None = None) -> DishonestyHook:
    """Add the hook to ``engine.after_step_hooks`` (once; a second call returns the first hook)."""
    for hook in engine.after_step_hooks:
        if isinstance(hook, DishonestyHook):
            return hook
    hook = DishonestyHook(registry or EnterpriseRegistry(engine.db.engine, clock=engine.clock.now, read=engine.db.read))
    engine.after_step_hooks.append(hook)
    return hook
