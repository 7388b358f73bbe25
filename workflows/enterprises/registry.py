"""The enterprise registry service (一企一档): add, update, look up, grade and search enterprises.

All writes go through here so the rules hold everywhere: codes are checked (GB 32100-2015), a
risk-level change always leaves a history row with who, when and why, and times come from the one
injected clock. Each method runs in its own transaction, or inside the caller's when a ``session``
is passed (the engine does that so a service task's change commits or rolls back with its step).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from . import credit_code, search_index, supervision
from .models import Enterprise, RiskLevelChange
from .schemas import FIELD_LABELS, EnterpriseSchema, first_messages
from .terms import RiskLevel, Sector, UnitKind

MAX_PER_PAGE = 500


class EnterpriseError(Exception):
    """Base of the registry's refusals; ``str(err)`` is a Chinese message for the user."""


class EnterpriseNotFound(EnterpriseError, LookupError):
    pass


class DuplicateEnterprise(EnterpriseError):
    pass


class EnterpriseInvalid(EnterpriseError, ValueError):
    """Data that fails validation; ``errors`` maps each field (attribute name) to its Chinese message.

    ``str(err)`` names the fields in Chinese, e.g. ``企业名称：必填；行业类别：应为以下之一：…``.
    """

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("；".join(f"{FIELD_LABELS.get(k, k)}：{v}" for k, v in self.errors.items()))


@dataclass(frozen=True)
class Page:
    """One page of search results and the total number of matches."""

    items: list[Enterprise]
    total: int
    page: int
    per_page: int
    #: False when counting stopped at ``count_limit``: there are more than ``total`` matches.
    exact: bool = True

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _as_list(value, enum_cls=None, field: str = "") -> list | None:
    """Filters take one value or several; enum filters also accept the Chinese value."""
    if value is None:
        return None
    values = [value] if isinstance(value, (str, RiskLevel, Sector)) else list(value)
    if enum_cls is None:
        return values
    try:
        return [enum_cls(v) for v in values]
    except ValueError:
        allowed = "、".join(m.value for m in enum_cls)
        raise EnterpriseInvalid({field: f"应为以下之一：{allowed}"}) from None


def _code_upper_bound(prefix: str) -> str:
    """The smallest string above every code starting with ``prefix``, for an index range scan.

    Codes hold only digits and capitals, which sort 0-9 < A-Z under byte order and the usual
    locale collations alike, so stepping the last character within that run is a safe bound.
    """
    order = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    head, last = prefix[:-1], prefix[-1]
    if last == "Z":
        return _code_upper_bound(head) if head else "\U0010ffff"
    return head + order[order.index(last) + 1]


def _looks_like_code(text: str) -> bool:
    """A code prefix: two or more code characters, starting with an authority code then a digit."""
    return (len(text) >= 2 and all(ch in credit_code.ALPHABET for ch in text)
            and text[0] in credit_code.AUTHORITIES and text[1].isdigit())


class EnterpriseRegistry:
    """Service over the registry tables.

    ``bind`` is a SQLAlchemy Engine or sessionmaker; ``clock`` returns the current aware datetime
    (the engine's clock, so tests can move time); ``inspection_intervals`` overrides the months
    between inspections per risk level (see :mod:`.supervision`); ``read`` is the engine's
    ``Database.read``, which reads run in (on PostgreSQL without a transaction: no BEGIN and COMMIT
    round trips around a search, and psycopg keeps its prepared statements).
    """

    def __init__(self, bind: sa.Engine | sessionmaker, clock: Callable[[], dt.datetime] | None = None,
                 inspection_intervals: Mapping[RiskLevel | str, int] | None = None,
                 read: Callable[[], contextlib.AbstractContextManager[Session]] | None = None):
        self._sessions = bind if isinstance(bind, sessionmaker) else sessionmaker(bind)
        self._read = read
        self._clock = clock or _utc_now
        self.inspection_intervals = supervision.intervals(inspection_intervals)

    # -- plumbing ---------------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return timezone-aware datetimes")
        return now

    @contextlib.contextmanager
    def transaction(self, session: Session | None = None) -> Iterator[Session]:
        """The caller's session as is, or a new transaction committed on success.

        Objects handed back from a transaction of our own are detached with their attributes
        loaded, so callers can read them after the commit without a session.
        """
        if session is not None:
            yield session
            return
        with self._sessions() as own:
            with own.begin():
                yield own
                own.flush()
                own.expunge_all()

    @contextlib.contextmanager
    def reading(self, session: Session | None = None) -> Iterator[Session]:
        """The caller's session as is, or a read of our own (``read``, else a session that writes
        nothing and is rolled back); what it hands back is detached, its attributes loaded."""
        if session is not None:
            yield session
            return
        with (self._read() if self._read is not None else self._sessions()) as own:
            yield own

    def _load(self, s: Session, code: str) -> Enterprise:
        try:
            norm = credit_code.validate(code)
        except credit_code.CreditCodeError as err:
            raise EnterpriseNotFound(f"统一社会信用代码无效：{err}") from None
        found = s.scalar(sa.select(Enterprise).where(Enterprise.credit_code == norm))
        if found is None:
            raise EnterpriseNotFound(f"未找到统一社会信用代码为{norm}的企业")
        return found

    @staticmethod
    def _validate(data: Mapping) -> dict:
        try:
            return EnterpriseSchema().load(dict(data))
        except ValidationError as err:
            raise EnterpriseInvalid(first_messages(err.messages)) from None

    # -- records ----------------------------------------------------------------------------------

    def add(self, data: Mapping, *, by: str = "system", session: Session | None = None) -> Enterprise:
        """Register an enterprise (建档). A risk level given here is the first row of its history."""
        values = self._validate(data)
        now = self.now()
        with self.transaction(session) as s:
            exists = s.scalar(sa.select(Enterprise.id).where(Enterprise.credit_code == values["credit_code"]))
            if exists is not None:
                raise DuplicateEnterprise(f"统一社会信用代码{values['credit_code']}已登记")
            ent = Enterprise(**values, created_at=now, updated_at=now)
            if ent.risk_level is not None:
                ent.risk_changes.append(RiskLevelChange(old_level=None, new_level=ent.risk_level,
                                                        changed_by=by, changed_at=now, reason="建档时评定"))
            s.add(ent)
            s.flush()
            return ent

    def update(self, code: str, changes: Mapping, *, session: Session | None = None) -> Enterprise:
        """Change an enterprise's attributes; the whole record is validated again.

        The credit code is the key parties and cases refer to, so it cannot change; the risk level
        has its own method because every change must say who and why.
        """
        changes = dict(changes)
        if "credit_code" in changes and credit_code.normalize(changes["credit_code"]) != credit_code.normalize(code):
            raise EnterpriseInvalid({"credit_code": "统一社会信用代码不可修改"})
        if "risk_level" in changes:
            raise EnterpriseInvalid({"risk_level": "风险等级请通过 set_risk_level 变更，以记录变更人和原因"})
        with self.transaction(session) as s:
            ent = self._load(s, code)
            values = self._validate({**EnterpriseSchema().dump(ent), **changes})
            for key, value in values.items():
                if key != "risk_level" and getattr(ent, key) != value:
                    setattr(ent, key, value)
            ent.updated_at = self.now()
            s.flush()
            return ent

    def get(self, code: str, *, session: Session | None = None) -> Enterprise | None:
        """The enterprise with this code, or None (also for a code that is not valid at all)."""
        try:
            norm = credit_code.validate(code)
        except credit_code.CreditCodeError:
            return None
        with self.reading(session) as s:
            return s.scalar(sa.select(Enterprise).where(Enterprise.credit_code == norm))

    def enterprise_for_party(self, party: str | None, *, session: Session | None = None) -> Enterprise | None:
        """The enterprise a user account or case belongs to: its ``party`` is the credit code."""
        if not party:
            return None
        return self.get(party, session=session)

    # -- risk and supervision ---------------------------------------------------------------------

    def set_risk_level(self, code: str, level: RiskLevel | str, by: str, reason: str, *,
                       session: Session | None = None) -> RiskLevelChange:
        """Grade an enterprise (红橙黄蓝) and record who did it, when and why.

        A re-assessment that confirms the same level is recorded too: the history shows that the
        enterprise was looked at, not only that its level moved.
        """
        try:
            level = RiskLevel(level)
        except ValueError:
            raise EnterpriseInvalid({"risk_level": f"应为以下之一：{'、'.join(m.value for m in RiskLevel)}"}) from None
        if not (by or "").strip():
            raise EnterpriseInvalid({"changed_by": "须注明变更人"})
        if not (reason or "").strip():
            raise EnterpriseInvalid({"reason": "须注明变更原因"})
        now = self.now()
        with self.transaction(session) as s:
            ent = self._load(s, code)
            change = RiskLevelChange(enterprise_id=ent.id, old_level=ent.risk_level, new_level=level,
                                     changed_by=by.strip(), changed_at=now, reason=reason.strip())
            ent.risk_level = level
            ent.updated_at = now
            s.add(change)
            s.flush()
            return change

    def risk_history(self, code: str, *, session: Session | None = None) -> list[RiskLevelChange]:
        """Every risk-level change of the enterprise, oldest first."""
        with self.reading(session) as s:
            ent = self._load(s, code)
            return list(s.scalars(sa.select(RiskLevelChange)
                                  .where(RiskLevelChange.enterprise_id == ent.id)
                                  .order_by(RiskLevelChange.changed_at, RiskLevelChange.id)))

    def record_inspection(self, code: str, on: dt.date, *, session: Session | None = None) -> Enterprise:
        """Note a routine inspection; the next one falls due from here. An older date never wins."""
        with self.transaction(session) as s:
            ent = self._load(s, code)
            if ent.last_inspected_on is None or on > ent.last_inspected_on:
                ent.last_inspected_on = on
                ent.updated_at = self.now()
            s.flush()
            return ent

    def next_inspection_due(self, code: str, *, session: Session | None = None) -> dt.date | None:
        """When the enterprise is next due for a routine inspection (None while it is ungraded)."""
        ent = self.get(code, session=session)
        if ent is None:
            raise EnterpriseNotFound(f"未找到统一社会信用代码为{code}的企业")
        return supervision.next_inspection_due(ent.risk_level, ent.last_inspected_on,
                                               today=self.now().date(),
                                               interval_months=self.inspection_intervals)

    def red_enterprises(self, org: str | Iterable[str] | None = None, *, limit: int | None = None,
                        session: Session | None = None) -> list[Enterprise]:
        """红 (major-risk) enterprises for the supervisor's board, by org unit then name.

        ``org`` is one org-unit code or several: the directory owns the org tree, so a supervisor
        who oversees a district passes the codes of its towns.
        """
        query = sa.select(Enterprise).where(Enterprise.risk_level == RiskLevel.RED)
        orgs = _as_list(org)
        if orgs is not None:
            query = query.where(Enterprise.org_unit.in_(orgs))
        query = query.order_by(Enterprise.org_unit, Enterprise.name, Enterprise.id)
        if limit is not None:
            query = query.limit(limit)
        with self.reading(session) as s:
            return list(s.scalars(query))

    def list_dishonest(self, code: str, since: dt.date, until: dt.date | None = None, *,
                       session: Session | None = None) -> Enterprise:
        """Put the enterprise on the 严重失信主体名单 from ``since`` (default period: 3 years)."""
        return self.update(code, {"dishonest": True, "dishonest_from": since.isoformat(),
                                  "dishonest_until": until.isoformat() if until else None},
                           session=session)

    def remove_dishonest(self, code: str, on: dt.date, *, session: Session | None = None) -> Enterprise:
        """Take the enterprise off the list on ``on`` (移出, e.g. early after credit repair)."""
        with self.transaction(session) as s:
            ent = self._load(s, code)
            if not ent.dishonest:
                raise EnterpriseInvalid({"dishonest": "该企业不在严重失信主体名单内"})
            ent.dishonest = False
            ent.dishonest_until = on
            ent.updated_at = self.now()
            s.flush()
            return ent

    # -- search -----------------------------------------------------------------------------------

    def search(self, text: str | None = None, org: str | Iterable[str] | None = None,
               sector: Sector | str | Iterable | None = None, risk: RiskLevel | str | Iterable | None = None,
               page: int = 1, per_page: int = 50, *, by: str = "auto", count_limit: int | None = None,
               kind: UnitKind | str | None = None, session: Session | None = None) -> Page:
        """Find enterprises by name fragment or credit-code prefix, with optional filters.

        ``by`` is "name", "code" or "auto" (a code prefix when the text looks like one: an authority
        character, a digit, then code characters). Order: a name search lists the newest
        registrations first (what keeps it fast, see search_index.NameMatch), a code search lists
        by code, and a listing without text by name.

        ``count_limit`` stops counting there (``Page.exact`` is then False and the page shows
        "10000+"): counting 60k matches of a fragment like 有限 is what costs on PostgreSQL.
        ``kind``: only units of that 单位类别 (安全评价检测检验机构 for the 评估机构 picker); None: all.
        """
        page = max(1, int(page))
        per_page = min(max(1, int(per_page)), MAX_PER_PAGE)
        conds: list[sa.ColumnElement[bool]] = []
        orgs = _as_list(org)
        sectors, risks = _as_list(sector, Sector, "sector"), _as_list(risk, RiskLevel, "risk_level")
        text = (text or "").strip()
        with self.reading(session) as s:
            # With search text, the name or code match must drive the query. SQLite would rather
            # start from the org-unit index (a whole city's enterprises: 500+ ms); ``org_unit || ''``
            # keeps the filter but takes that index out of its choices (0.2 ms measured).
            org_col = (Enterprise.org_unit.concat("") if text and s.get_bind().dialect.name == "sqlite"
                       else Enterprise.org_unit)
            if orgs is not None:
                conds.append(org_col.in_(orgs))
            if sectors is not None:
                conds.append(Enterprise.sector.in_(sectors))
            if risks is not None:
                conds.append(Enterprise.risk_level.in_(risks))
            if kind is not None:
                conds.append(Enterprise.kind == UnitKind(kind))
            items, ids = sa.select(Enterprise), sa.select(Enterprise.id)
            order = [Enterprise.name, Enterprise.id]
            code_text = credit_code.normalize(text)
            if text and (by == "code" or (by == "auto" and _looks_like_code(code_text))):
                if all(ch in credit_code.ALPHABET for ch in code_text):
                    conds += [Enterprise.credit_code >= code_text,
                              Enterprise.credit_code < _code_upper_bound(code_text)]
                else:
                    conds.append(sa.false())  # no code contains such a character
                order = [Enterprise.credit_code]
            elif text:
                match = search_index.NameMatch(Enterprise.__table__, s.get_bind().dialect.name, text)
                if match:
                    items, ids = match.restrict(items), match.ids(filtered=bool(conds))
                    order = [match.order_by()]
            offset = (page - 1) * per_page
            rows = list(s.scalars(items.where(*conds).order_by(*order).offset(offset).limit(per_page)))
            if rows and len(rows) < per_page or not rows and offset == 0:
                # A short page is the last one: the total is known without counting (most
                # searches for a distinctive name end here, and a count is the costly part).
                return Page(items=rows, total=offset + len(rows), page=page, per_page=per_page)
            matching = ids.where(*conds)
            if count_limit is not None:
                matching = matching.limit(count_limit + 1)
            total = s.scalar(sa.select(sa.func.count()).select_from(matching.subquery()))
            if count_limit is not None and total > count_limit:
                return Page(items=rows, total=count_limit, page=page, per_page=per_page, exact=False)
            return Page(items=rows, total=total, page=page, per_page=per_page)
