"""The registered 安全评价检测检验机构 (第三方评估机构) a form's 评估机构名称 is picked from.

A 重大事故隐患's rectification assessed by a third party (原总局令第16号第十八条) names the body that
assessed it; its 资质 is recognised by the bureau (《安全评价检测检验机构管理办法》, 应急管理部令第1号),
so the body is one the registry holds with the kind ``UnitKind.ASSESSOR``. The name was typed by
hand: 「安泰评价」, 「示范安泰安全评价(有限公司)」 and the registered 「示范安泰安全评价有限公司」 were three
bodies to every report that counted them. Now the page offers the registered names and a name is
stored as registered; a name matching none is refused — unless the registry holds no such body yet
(a bureau that has not entered them is not stopped from recording an assessment).
"""
from __future__ import annotations

import sqlalchemy as sa

from engine import audit

from . import search_index
from .models import Enterprise
from .registry import EnterpriseInvalid, EnterpriseRegistry
from .terms import UNIT_KIND_HINT, UnitKind, unit_kind_of

PICKER_LIMIT = 500
"""At most this many names in the page's list (a province registers a few hundred)."""


def names(session) -> list[str]:
    """The registered bodies' names, in name order."""
    return list(session.scalars(sa.select(Enterprise.name).where(Enterprise.kind == UnitKind.ASSESSOR)
                                .order_by(Enterprise.name).limit(PICKER_LIMIT)))


def registered_name(session, typed: str) -> tuple[bool, str | None]:
    """(whether any body is registered, the registered name ``typed`` names or None). Matched as the
    registry's search folds names: full-width and half-width alike, brackets and blanks ignored."""
    bodies = sa.select(Enterprise.name).where(Enterprise.kind == UnitKind.ASSESSOR)
    found = session.scalar(bodies.where(Enterprise.search_key == search_index.fold(typed)).limit(1))
    if found is not None:
        return True, found
    return session.scalar(bodies.limit(1)) is not None, None


def set_kind(engine, registry: EnterpriseRegistry, code: str, kind, *, by: str, reason: str) -> Enterprise:
    """Mark a registered unit a 安全评价检测检验机构 (its 资质 recognised, 应急管理部令第1号第三条) or a
    生产经营单位 again, saying why; the change and its reason go on the system audit chain, with the
    registry's change in one transaction. Refused in Chinese naming the field."""
    wanted = unit_kind_of(kind) if isinstance(kind, (str, UnitKind)) and str(kind).strip() else None
    if wanted is None:
        raise EnterpriseInvalid({"kind": f"请选择单位类别，{UNIT_KIND_HINT}"})
    if not (reason or "").strip():
        raise EnterpriseInvalid({"reason": "须注明变更原因（如资质证书编号、认可文件）"})
    with engine.db.write() as s:
        before = registry.get(code, session=s)
        old = before.kind if before is not None else None
        ent = registry.update(code, {"kind": wanted.value}, session=s)
        if old != wanted:
            audit.append(s, chain=audit.SYSTEM_CHAIN, actor=by, action="enterprise_kind_changed",
                         at=engine.clock.now(), detail={"credit_code": ent.credit_code, "name": ent.name,
                                                        "from": getattr(old, "value", old), "to": wanted.value,
                                                        "reason": reason.strip()})
        s.flush()
        s.expunge(ent)
        return ent


def register(engine, registry: EnterpriseRegistry, data: dict, *, by: str, reason: str) -> Enterprise:
    """登记 a unit not yet in the registry with its 单位类别 (a body's 资质 recognised: ``reason``),
    audited as ``set_kind`` is; the schema's Chinese refusals name the field."""
    if not (reason or "").strip():
        raise EnterpriseInvalid({"reason": "须注明变更原因（如资质证书编号、认可文件）"})
    with engine.db.write() as s:
        ent = registry.add(data, by=by, session=s)
        audit.append(s, chain=audit.SYSTEM_CHAIN, actor=by, action="enterprise_kind_changed", at=engine.clock.now(),
                     detail={"credit_code": ent.credit_code, "name": ent.name, "from": None,
                             "to": UnitKind(ent.kind).value, "reason": reason.strip()})
        s.flush()
        s.expunge(ent)
        return ent


# --- an assessor account's firm (revision 0029) -----------------------------------------------------

QUALIFICATION_FIELD = "qualification_no"  # 第三方评估整改效果's 资质证书编号 (workflows/forms/hazard.py)


def bodies(session) -> list[tuple[str, str]]:
    """[(credit code, name)] of the registered bodies, in name order: the user page's firm picker."""
    return [(code, name) for code, name in session.execute(
        sa.select(Enterprise.credit_code, Enterprise.name).where(Enterprise.kind == UnitKind.ASSESSOR)
        .order_by(Enterprise.name).limit(PICKER_LIMIT))]


def firm_of(session, username: str) -> Enterprise | None:
    """The registered body the assessor account ``username`` works for, or None (not linked, or the
    unit no longer a 安全评价检测检验机构)."""
    from .models import AssessorStaff
    ent = session.scalar(sa.select(Enterprise).join(AssessorStaff, AssessorStaff.credit_code == Enterprise.credit_code)
                         .where(AssessorStaff.username == username, Enterprise.kind == UnitKind.ASSESSOR))
    if ent is not None:
        session.expunge(ent)
    return ent


def link(engine, username: str, code: str | None, *, by: str) -> Enterprise | None:
    """Link the account ``username`` to the registered body ``code`` (None: unlink); the change goes on
    the system audit chain (who, old → new). Refused in Chinese naming the field (``firm``) if
    ``code`` is no registered 安全评价检测检验机构."""
    from .models import AssessorStaff
    with engine.db.write() as s:
        ent = None
        if code:
            ent = s.scalar(sa.select(Enterprise).where(Enterprise.credit_code == code))
            if ent is None or ent.kind != UnitKind.ASSESSOR:
                raise EnterpriseInvalid({"firm": "请从已登记的安全评价检测检验机构中选择所属评估机构"})
        row = s.get(AssessorStaff, username)
        old = row.credit_code if row is not None else None
        if old == code or (old is None and not code):
            return ent
        if row is not None:
            s.delete(row)
            s.flush()
        if code:
            s.add(AssessorStaff(username=username, credit_code=code, set_by=by, set_at=engine.clock.now()))
        audit.append(s, chain=audit.SYSTEM_CHAIN, actor=by, action="assessor_firm_linked", at=engine.clock.now(),
                     detail={"username": username, "from": old, "to": code or None,
                             "name": ent.name if ent is not None else None})
        s.flush()
        if ent is not None:
            s.expunge(ent)
        return ent


def set_qualification(engine, code: str, number: str, *, by: str) -> None:
    """Record a body's 资质证书编号 (an administrator's, from the units page); audited as ``set_kind``."""
    number = (number or "").strip()
    with engine.db.write() as s:
        ent = s.scalar(sa.select(Enterprise).where(Enterprise.credit_code == code))
        if ent is None or ent.qualification_no == number:
            return
        audit.append(s, chain=audit.SYSTEM_CHAIN, actor=by, action="assessor_qualification_changed",
                     at=engine.clock.now(), detail={"credit_code": code, "name": ent.name,
                                                   "from": ent.qualification_no, "to": number})
        ent.qualification_no = number
