"""A case as one user may read it: ``engine.case`` (which checks the user may see the case at all) with
the fields only another role reads taken out of its data and its history — the whistleblower's
identity (举报人身份) is for the 举报受理员 alone (``workflows.forms.context.RESTRICTED``). Every page
and API call that shows a case reads it through here.

Most cases hold none of those fields, yet their data and every history entry were copied key by key
to take nothing out (~50 µs CPU of a case page with eight history entries, more than the page's
JSON). Data or history whose JSON text names no hidden field as a key is now kept as the engine
read it (fresh for each call): a key ``whistleblower_name`` at any depth is written ``"whistleblower_name":``
by any JSON writer, so a text without that mark has no such key, and msgspec writes the text of a
case page in ~3 µs. A value msgspec cannot write, or a text with the mark (a key, or the mark
inside some text), is redacted as before."""
from __future__ import annotations

import re
from types import SimpleNamespace

import msgspec
import sqlalchemy as sa

from engine.schema import Case, Incident
from workflows.forms.context import RESTRICTED, redact

_encode = msgspec.json.Encoder().encode


def case_for(engine, case_id: int, user):
    view = engine.case(case_id, username=user.username)
    if getattr(user, "party", None) and view.parent_case_id is not None:
        _without_hidden_parent(engine, view, user.username)
    hidden = _hidden_marks(user.roles)
    if hidden:
        quoted = _quoted_values(view.data, view.incidents, user.roles)  # before the data loses them
        if quoted:  # an incident's text, on the case and in its history, may quote them
            view.incidents = [_incident_without(inc, quoted) for inc in view.incidents]
            view.history = [_entry_without(entry, quoted) for entry in view.history]
        if _may_name(view.data, hidden):
            view.data = redact(view.data, user.roles)
        if _may_name(view.history, hidden):
            view.history = redact(view.history, user.roles)
    return view


def hidden_parents(engine, username: str, parent_ids) -> dict[int, tuple[str, str]]:
    """Of the cases ``parent_ids`` (the cases others were started from), those ``username`` may not
    open, with their 案号 and title: a link to them must not appear to an enterprise account at all.

    A 立案查处 or 挂牌督办 case opened from a 12350 举报 is the enterprise's own (its ``party``), the
    举报 is kept from it (``partyReads`` 否, engine/policy.py): its id, 案号 or title on the derived
    case would tell the enterprise it was reported and by which 举报件 —
    《国家安全监管总局关于保护生产安全事故和事故隐患举报人的意见》(2013年6月8日) 第五条（一）（二）."""
    ids = sorted({i for i in parent_ids if i is not None})
    hidden = [i for i in ids if not engine.can_view(i, username)]
    if not hidden:
        return {}
    with engine.db.read() as s:
        return {r.id: (r.case_no, r.title) for r in s.execute(
            sa.select(Case.id, Case.case_no, Case.title).where(Case.id.in_(hidden)))}


def entries_without_hidden_parents(engine, username: str, file: dict) -> dict:
    """An enterprise's 一企一档 (``workflows.enterprises.standing``: lists of case entries, each with
    its ``id``) for its own account: an entry of a case opened from one hidden from it (a 立案查处 from
    a 举报) names neither the hidden case's 案号 nor its title (``hidden_parents``)."""
    lists = {k: v for k, v in file.items() if isinstance(v, list) and v and isinstance(v[0], dict) and "id" in v[0]}
    ids = sorted({entry["id"] for entries in lists.values() for entry in entries if isinstance(entry.get("id"), int)})
    if not ids:
        return file
    with engine.db.read() as s:
        parent_of = dict(s.execute(sa.select(Case.id, Case.parent_case_id).where(
            Case.id.in_(ids), Case.parent_case_id.is_not(None))).all())
    hidden = hidden_parents(engine, username, parent_of.values()) if parent_of else {}
    if not hidden:
        return file

    def entry_of(entry: dict) -> dict:
        named = hidden.get(parent_of.get(entry.get("id")))   # type: ignore[arg-type]
        return entry if named is None else _scrubbed(entry, lambda text: without_links(text, *named))
    return {**file, **{k: [entry_of(e) for e in entries] for k, entries in lists.items()}}


def without_links(text: str, case_no: str, title: str) -> str:
    """``text`` naming neither the case ``case_no`` nor its title: 「储罐区动火（举报件T1-2026-00001）」 →
    「储罐区动火」; a derived case's title 「<parent title>·行政处罚」 → 「行政处罚」."""
    if case_no and case_no in text:
        text = re.sub(r"[（(][^（）()]*" + re.escape(case_no) + r"[^（）()]*[）)]", "", text).replace(case_no, "")
    if title and len(title) >= 2 and title in text:
        text = text.replace(title + "·", "").replace(title, "")
    return text


def _scrubbed(value, scrub, depth: int = 0):
    if isinstance(value, str):
        return scrub(value)
    if depth > 20:
        return value
    if isinstance(value, dict):
        return {k: _scrubbed(v, scrub, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, scrub, depth + 1) for v in value]
    return value


def _without_hidden_parent(engine, view, username: str) -> None:
    """``view`` (an enterprise account's) without the case it was started from when that one is hidden
    from the account: no ``parent_case_id``, and its 案号 and title out of the title, data, history and
    tasks (``hidden_parents``)."""
    hidden = hidden_parents(engine, username, [view.parent_case_id]).get(view.parent_case_id)
    if hidden is None:   # its own case it may open (a 隐患自查自报's 挂牌督办)
        return
    view.parent_case_id = None

    def scrub(text: str) -> str:
        return without_links(text, *hidden)
    view.title = scrub(view.title) or "案件"
    view.data = _scrubbed(view.data, scrub)
    view.history = _scrubbed(view.history, scrub)
    view.tasks = [SimpleNamespace(**{**t._asdict(), "case_title": view.title}) for t in view.tasks]


def _hidden_marks(roles) -> tuple[bytes, ...]:
    """``"name":`` in UTF-8 for each restricted field these roles may not read."""
    held = set(roles or ())
    return tuple(f'"{name}":'.encode() for name, role in RESTRICTED.items() if role not in held)


def _may_name(value, marks: tuple[bytes, ...]) -> bool:
    """Could ``value`` hold a key among ``marks``, at any depth? False only when it surely does not."""
    try:
        text = _encode(value)
    except (TypeError, ValueError, msgspec.EncodeError):
        return True
    return any(mark in text for mark in marks)


HIDDEN_IN_TEXT = "（举报人信息已隐去）"


def incidents_for(engine, incidents: list, roles) -> list:
    """``incidents`` as one with ``roles`` may read them: an incident's text quotes the value a step
    failed on (脚本无法把「138-0013-8000」读成数字), and a value of a field only another role reads (the
    whistleblower's phone) is replaced by 「（举报人信息已隐去）」 — the incident itself stays, unchanged
    in the database (the 举报受理员 and the administrator's 技术详情 read it whole)."""
    names = _hidden_names(roles)
    if not names or not incidents:
        return incidents
    ids = sorted({i.case_id for i in incidents if i.case_id is not None})
    data_of: dict = {}
    if ids:
        with engine.db.read() as s:
            data_of = dict(s.execute(sa.select(Case.id, Case.data).where(Case.id.in_(ids))).all())
    return _incidents_without(incidents, data_of, roles)


def _hidden_names(roles) -> frozenset:
    held = set(roles or ())
    return frozenset(name for name, role in RESTRICTED.items() if role not in held)


def _incidents_without(incidents: list, data_of: dict, roles) -> list:
    return [_incident_without(inc, _quoted_values(data_of.get(inc.case_id), [inc], roles)) for inc in incidents]


def _quoted_values(data, incidents: list, roles) -> list[str]:
    """The texts of the fields ``roles`` may not read, in the case data or what a failed step brought
    (an incident's payload), longest first."""
    names = _hidden_names(roles)
    values: set[str] = set()
    if names:
        _values_of(data, names, values)
        for inc in incidents or ():
            _values_of((inc.payload or {}).get("data"), names, values)
    return sorted(values, key=len, reverse=True)


def _hide(text: str, quoted: list[str]) -> str:
    for value in quoted:
        text = text.replace(value, HIDDEN_IN_TEXT)
    return text


def _incident_without(inc, quoted: list[str]):
    message = _hide(inc.message or "", quoted)
    if message == (inc.message or ""):
        return inc
    copy = Incident(**{a.key: getattr(inc, a.key) for a in Incident.__mapper__.column_attrs})
    copy.message = message  # a copy, never attached to a session: nothing of it is written back
    return copy


def _entry_without(entry, quoted: list[str]):
    """A history entry whose detail's texts (an incident event's ``message`` and ``trace``) quote a
    hidden value."""
    detail = entry.get("detail") if isinstance(entry, dict) else None
    if not isinstance(detail, dict):
        return entry
    changed = {k: _hide(v, quoted) for k, v in detail.items() if isinstance(v, str) and _hide(v, quoted) != v}
    return {**entry, "detail": {**detail, **changed}} if changed else entry


def _values_of(value, names: frozenset, found: set, depth: int = 0) -> None:
    """The texts of the fields ``names`` hold anywhere in ``value`` (two characters or more: a
    single one would blank out the same character everywhere in the text)."""
    if depth > 20:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if key in names:
                _texts(item, found)
            else:
                _values_of(item, names, found, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _values_of(item, names, found, depth + 1)


def _texts(value, found: set) -> None:
    if isinstance(value, (dict, list)):
        for item in (value.values() if isinstance(value, dict) else value):
            _texts(item, found)
    elif value is not None and not isinstance(value, bool):
        text = str(value).strip()
        if len(text) >= 2:
            found.add(text)
