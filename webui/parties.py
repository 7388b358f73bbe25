"""Enterprises as they appear on pages (当事企业): names, the 失信 flag, and who may see which.

Cases and tasks carry only the party's 统一社会信用代码, but a person reads a name, and a listed
enterprise (严重失信主体) must be flagged wherever it appears. A view collects the codes its rows
show and calls :func:`prime` once, so a page of fifty tasks costs two queries — the names (a bulk
lookup the registry does not offer) and the flag (``dishonesty.listed_codes``) — not two per row.
Templates then ask ``party(code)``; a code no view primed is still looked up, one by one.

Which enterprises a user may see follows the engine's rule for cases: officials those of their org
unit and the units below it (the directory's tree), an enterprise user only its own; an
administrator, who keeps the registry, every one (codes the directory does not know included).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, g, jsonify, request, session

from engine import typed_input
from engine.clock import SHANGHAI
from engine.policy import ADMIN_ROLE
from workflows.enterprises import EnterpriseRegistry
from workflows.enterprises.dishonesty import DishonestyHook, listed_codes
from workflows.enterprises.models import Enterprise

RISK_CSS = {"红": "red", "橙": "orange", "黄": "yellow", "蓝": "blue"}


@dataclass(frozen=True)
class Party:
    code: str
    name: str | None = None        # None: the code is not in the registry
    org_unit: str | None = None
    risk_level: str | None = None
    listed: bool = False

    @property
    def known(self) -> bool:
        return self.name is not None


def _engine():
    return current_app.extensions["duban_engine"]


def registry() -> EnterpriseRegistry:
    """The registry the engine's dishonesty hook writes through (same clock), else one of our own."""
    found = current_app.extensions.get("duban_registry")
    if found is None:
        eng = _engine()
        hooks = [h for h in getattr(eng, "after_step_hooks", []) if isinstance(h, DishonestyHook)]
        found = hooks[0].registry if hooks else EnterpriseRegistry(eng.db.engine, clock=eng.clock.now, read=eng.db.read)
        current_app.extensions["duban_registry"] = found
    return found


def today() -> dt.date:
    """Today in China on the engine clock: listing periods are counted in Chinese days."""
    return _engine().clock.now().astimezone(SHANGHAI).date()


def lookup(session, codes: Iterable[str], on: dt.date) -> dict[str, Party]:
    """Every code as a ``Party``: one query for the registry's names, one for the 失信 flag."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    rows = session.execute(sa.select(Enterprise.credit_code, Enterprise.name, Enterprise.org_unit,
                                     Enterprise.risk_level).where(Enterprise.credit_code.in_(wanted))).all()
    known = {r.credit_code: r for r in rows}
    listed = listed_codes(session, known, on=on)
    out = {}
    for code in wanted:
        r = known.get(code)
        out[code] = Party(code) if r is None else Party(
            code, r.name, r.org_unit, r.risk_level.value if r.risk_level else None, code in listed)
    return out


def prime(codes: Iterable[str | None]) -> None:
    """Look up the parties a page is about to show, all at once."""
    cache = g.setdefault("parties", {})
    missing = {c for c in codes if c and c not in cache}
    if missing:
        # Names and flags need no common snapshot: on PostgreSQL outside a transaction (no BEGIN and
        # ROLLBACK round trips on every page that names an enterprise).
        with _engine().db.read() as s:
            cache.update(lookup(s, missing, today()))


def party(code: str | None) -> Party | None:
    if not code:
        return None
    if code not in g.get("parties", {}):
        prime([code])
    return g.parties[code]


# --- scope -----------------------------------------------------------------------------------------

def org_scope(user) -> list[str] | None:
    """The org units whose enterprises an official may see; None for an administrator (all)."""
    if ADMIN_ROLE in user.roles:
        return None
    if "enterprise_orgs" not in g:
        # The subtree from the directory's cache at the counter read with the session row (a province
        # has thousands of units; any directory change, by any process, moves the counter).
        eng = _engine()
        version = getattr(session, "directory_version", None)
        with eng.db.read() as s:  # opens no connection when the cache has the subtree
            g.enterprise_orgs = (eng.directory.org_codes_below(s, user.org_path) if version is None else
                                 eng.directory.cached_org_codes_below(s, user.org_path, version))
    return g.enterprise_orgs


def may_view(user, code: str, org_unit: str | None) -> bool:
    """May ``user`` open the file of the enterprise ``code`` registered at ``org_unit``?"""
    if user is None:
        return False
    if user.party:
        return code == user.party
    if _engine().policy.is_external(user):  # 第三方评估机构: no enterprise files (webui/enterprises.py)
        return False
    scope = org_scope(user)
    return scope is None or org_unit in scope


def _viewable(p: Party | None) -> bool:
    return p is not None and p.known and may_view(g.get("user"), p.code, p.org_unit)


def install(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(party=party, party_viewable=_viewable, enterprise_name_fields=ENTERPRISE_NAME_FIELDS)
    app.jinja_env.filters["risk_css"] = lambda level: RISK_CSS.get(getattr(level, "value", level) or "", "none")


# --- picking an enterprise by name -------------------------------------------------------------------

PICK_LIMIT = 200  # names offered in the list as one types; the rest are found by typing more
# Text fields of the forms whose value is an enterprise's name (生产经营单位名称, 当事人, 事故发生单位):
# typed or picked from the registry's names (a 当事人 may also be a person or an unregistered party);
# picking one fills the form's 统一社会信用代码 (static/forms.js).
ENTERPRISE_NAME_FIELDS = frozenset({"enterprise_name", "party_name"})


def pick_options(user, text: str | None = None, limit: int = PICK_LIMIT) -> list[tuple[str, str]]:
    """(name, credit code) of enterprises in ``user``'s units for a 当事企业 picker."""
    found = registry().search(text or None, org=org_scope(user), per_page=limit, count_limit=limit)
    return [(e.name, e.credit_code) for e in found.items]


# 案件查询's 当事企业 box offers the names matching what has been typed, fetched as one types
# (static/party-suggest.js, GET /parties/suggest?q=…) rather than 200 names sent with every view:
# those were ~20% of the page's cost (bench/pages.py 案件查询), read by nobody who typed no name.
SUGGEST_LIMIT = 20
SUGGEST_TEXT = 50  # characters of a name read; more is no name

bp = Blueprint("parties", __name__, url_prefix="/parties")


@bp.get("/suggest")
def suggest():
    """Enterprises of the user's units whose name holds ``q`` (or whose credit code starts with it):
    [{name, code}], at most ``SUGGEST_LIMIT``, the newest registered first. Officials only: an
    enterprise user names no other party, a 第三方评估机构 opens no enterprise file."""
    from engine.errors import Forbidden

    user = g.user
    if user.party or _engine().policy.is_external(user):
        raise Forbidden("只有监管部门的工作人员可以按名称查找企业")
    text = (request.args.get("q") or "").strip()[:SUGGEST_TEXT]
    if not text:
        return jsonify([])
    return jsonify([{"name": name, "code": code} for name, code in pick_options(user, text, SUGGEST_LIMIT)])


def code_refusal(code: str, label: str = "当事企业") -> str | None:
    """Why a 当事企业 given as an 18-character code (the 发起案件 page) names nobody, in Chinese, or None: its 18th character is not the GB 32100-2015 check character
    of the first 17 (nor is it a 身份证号 with its own right), as a form's 统一社会信用代码 is checked
    (workflows.forms.fields.code_or_id_shaped). A case started so was nobody's: its enterprise's
    users never saw it and its 一企一档 missed it. ``label``: the field named in the reason (所属企业 for
    an enterprise user's code, POST /api/users)."""
    from marshmallow import ValidationError

    from workflows.forms.fields import code_or_id_shaped
    try:
        code_or_id_shaped(code)
    except ValidationError as exc:
        reason = "；".join(map(str, exc.messages)) if isinstance(exc.messages, list) else str(exc.messages)
        return f"{label}：" + reason
    return None


def resolve(user, text: str, fragment: bool = False) -> tuple[str | None, str | None]:
    """A 当事企业 as typed or picked: (credit code, None), or (None, a Chinese reason). An enterprise
    is picked by its registered name; a 统一社会信用代码 is taken as given (a party not yet in the
    registry is still a party). ``fragment``: a part of a name that only one enterprise of the
    user's units has (「甲化工」) names that one too (案件查询's filter)."""
    from workflows.enterprises import credit_code
    text = (text or "").strip()
    if not text:
        return None, None
    code = credit_code.normalize(text)
    if len(code) == 18 and all(ch in credit_code.ALPHABET for ch in code):
        # a party not in the registry may be typed, but not a code with a character mistyped
        wrong = None if fragment else code_refusal(code)
        return (None, wrong) if wrong else (code, None)
    found = registry().search(text, org=org_scope(user), by="name", per_page=20).items
    as_registered = typed_input.unit_name(text)  # 甲化工(北京)有限公司 names 甲化工（北京）有限公司
    matches = ([e for e in found if e.name == text] or [e for e in found if typed_input.unit_name(e.name) == as_registered]
               or (found if fragment else []))
    if len(matches) == 1:
        return matches[0].credit_code, None
    if fragment and len(found) > 1:
        return None, f"当事企业：名称含“{text}”的企业不止一家，请从列表中选择"
    return None, f"当事企业：未找到名为“{text}”的企业，请从列表中选择，或填写统一社会信用代码"
