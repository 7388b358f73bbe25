"""/api/cases — cases (案件): start, list with filters and paging, show with history.

Listing and showing are scoped by the engine itself (``Engine.cases(username)``,
``Engine.case(id, username)``), and so is starting: ``Engine.start`` asks ``Policy.check_start``, the
rule 发起案件 and model messages are held to — an official opens a case on their own branch of the
org tree (a town's inspector registers one for the district it belongs to: 《中华人民共和国安全生产法》
第九条第二款, 乡镇 协助 the district's department), about an enterprise of the case unit's territory
(属地管理, 《中华人民共和国行政处罚法》第二十二条); an enterprise user only for its own enterprise, in its own
org unit (``Policy.check_start``; before, only the API held it to its unit). Before, the API held
officials to the case-view rule instead (the unit or below), so it refused the town's inspector what
the engine and the demo allowed.
"""
from __future__ import annotations

import contextlib
from types import SimpleNamespace

from flask import g

from engine.errors import Forbidden, InvalidData, NotFound
from workflows.start_data import start_data_with

from . import schemas
from .blueprint import bp, engine, page, principal, username
from .supervision import history_said, said, timer_dict
from .. import nav
from ..parties import code_refusal
from ..redaction import case_for, hidden_parents, without_links

TAG = ["cases"]


@bp.route("/cases", methods=["GET"], tags=TAG)
@bp.arguments(schemas.CaseFilter, location="query")
@bp.response(200, schemas.CasePage)
def list_cases(args):
    """我可见的案件，最新的在前；可按状态、流程、案号、当事企业、组织机构筛选。"""
    limit, offset = args.pop("limit"), args.pop("offset")
    items = engine().cases(username(), limit=limit, offset=offset, **args)
    if principal().party:
        items = _without_hidden_parents(engine(), username(), items)
    return page(items, limit, offset)


def _without_hidden_parents(eng, user: str, items: list) -> list:
    """An enterprise account's cases without a link to a case hidden from it (a 立案查处 opened from a
    12350 举报 about it: ``redaction.hidden_parents``) — neither its id nor its 案号 or title."""
    hidden = hidden_parents(eng, user, [c.parent_case_id for c in items])
    if not hidden:
        return items
    fields = list(schemas.Case().fields)
    return [c if c.parent_case_id not in hidden else SimpleNamespace(**{
        **{f: getattr(c, f) for f in fields},
        "parent_case_id": None, "title": without_links(c.title, *hidden[c.parent_case_id]) or "案件"})
        for c in items]


@bp.route("/cases", methods=["POST"], tags=TAG)
@bp.arguments(schemas.StartCase)
@bp.response(201, schemas.Case)
def start_case(body):
    """立案/登记：按流程的最新版本开启一个案件。"""
    eng = engine()
    p = principal()
    org = body.get("org") or p.org_code
    party = body.get("party")
    if p.party:
        if party not in (None, p.party):
            raise Forbidden("企业用户只能为本企业登记案件")
        party = p.party   # its own unit only: Policy.check_start below, the rule of every start
    elif party is not None and (wrong := code_refusal(party)):
        # as the 发起案件 page checks it (GB 32100-2015 第18位校验码): a mistyped code names nobody
        raise InvalidData({"party": wrong})
    version = g.get("api_directory_version")  # read with the token (webui/api/auth.py)
    with contextlib.closing(_ReadOnDemand(eng)) as s:  # the directory's cache at that counter, else a read
        try:
            if version is None:
                eng.directory.org_path(s, org)
            else:
                eng.directory.cached_org_path(s, org, version)
        except NotFound:
            raise InvalidData({"org": f"组织机构不存在: {org}"}) from None
        # the start's own rule (unit, enterprise's territory), asked before the start data is drawn
        eng.policy.check_start(s, p, org, party, version=version)
    data = start_data_with(eng, body["process_key"], org, body["data"])   # e.g. the 双随机 draw's snapshot
    return eng.start(body["process_key"], by=p.username, org=org, data=data, title=body["title"],
                     party=party)


class _ReadOnDemand:
    """A read session (``Engine.db.read()``) opened only when something asks it for a row: the start's
    checks above find the org unit's path in the directory's cache at the counter read with the token
    and need none (an ORM session and ``session.get(OrgUnit, …)`` twice: ~14,000 of a start's ~47,000
    bytecodes on SQLite, 2026-12-07); on a miss, a session user, a third party, one is opened as before."""

    def __init__(self, eng):
        self._eng, self._stack, self._session = eng, contextlib.ExitStack(), None

    def __getattr__(self, name: str):
        if self._session is None:
            self._session = self._stack.enter_context(self._eng.db.read())
        return getattr(self._session, name)

    def close(self) -> None:
        self._stack.close()


@bp.route("/cases/<int(max=2147483647):case_id>", methods=["GET"], tags=TAG)
@bp.response(200, schemas.CaseDetail)
def show_case(case_id):
    """案件详情：数据、待办任务、定时器、异常事件和全部办理记录（审计链）。"""
    eng = engine()
    view = case_for(eng, case_id, principal())
    view.timers = [timer_dict(t) for t in view.timers]
    view.incidents = said(eng, view.incidents)  # in Chinese, the technical text as ``detail``, as /incidents gives them
    if not nav.can_design(principal()):  # an incident event's technical text and trace: the designer's
        view.history = history_said(view.history)
    return view
