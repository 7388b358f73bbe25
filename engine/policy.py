"""Authorization (权限): one policy for the engine, the REST API and the pages.

Who may do what is decided here only, from the directory as it is now (never copied into tasks):
- a task: its assignee, or a holder of its lane's role in the case's org unit — supervisory roles
  also below it — and for enterprise users (当事人) only tasks of their own enterprise's cases;
- a case: officials of its org unit or above; an enterprise user for its own cases only, and not
  those of a process whose latest model's start event says ``partyReads`` 否 (a 12350 举报 about the
  enterprise) unless it holds or did one of its tasks — to it any other case does not exist (404);
- starting a case: officials on their own branch of the org tree, and about an enterprise (当事企业)
  registered in the case's unit or below it (属地管理: ``Policy.check_party_territory``); an enterprise
  user only a process whose start event names one of the user's roles in its ``startableBy`` property
  (隐患自查自报), only about its own enterprise and only in its own org unit;
- an *external* user (a third party such as the 第三方评估机构: every role it holds is in
  ``external_roles``) sees only the cases it is assigned to — a task it holds, did, or may claim in its
  own org unit — works no task another account claimed, and starts none;
- supervision (incidents, reassignment): a supervisory role at the case's org unit or above;
- administration and process design: the ``admin`` and ``designer`` roles.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import sqlalchemy as sa
from lxml import etree
from sqlalchemy.orm import Session

from . import candidate_starters
from .assignment import exclusion_reason, is_candidate
from .directory import Principal
from .errors import Forbidden, InvalidData, NotFound
from .schema import OPEN, Case, HumanTask, OrgUnit, ProcessModel, TaskCandidate, TaskExclusion

STARTABLE_BY = "startableBy"   # start-event property: roles (code or name, comma-separated) a party user needs
# Start-event property: 否 — the enterprise a case is about (its ``party``, 当事人) neither lists nor
# opens the cases of the process, nor hears of them: a 12350 举报 names the enterprise reported, and its
# 举报内容 and 交办意见 (「请执法大队五日内核查」) read by that enterprise warn it before the check and may
# point at the whistleblower — 《国家安全监管总局关于保护生产安全事故和事故隐患举报人的意见》(2013年6月8日)
# 第五条（一）（二）: 不得泄露…可能导致上述信息泄露的举报内容; 不得将举报材料私自转给被举报单位、被举报人. The latest model of a process key decides for all its cases, so a
# version that adds it hides the cases already open.
PARTY_READS = "partyReads"
_NOT_READ = frozenset({"否", "不", "不公开", "no", "false", "n", "0"})
# An enterprise user's case is opened in the org unit its account belongs to (its 属地), whoever asks.
PARTY_OWN_UNIT = "企业用户只能在本单位所属的组织机构登记案件"
ADMIN_ROLE = "admin"
DESIGNER_ROLE = "designer"
# What a refusal of another territory's enterprise cites (Policy.check_party_territory).
TERRITORY_LAW = "《中华人民共和国行政处罚法》第二十二条"


def on_branch(user_path: str | None, unit_path: str | None) -> bool:
    """The access-scope rule of the org tree (本单位、上级或下级): an official whose unit is at
    ``user_path`` acts on the branch of the unit at ``unit_path`` — the unit itself, a unit above it
    (the city's 局长 on a district's case) or a unit below it (the town's inspector drawn for the
    district's inspection) — never a unit beside it (another town of the district) or of another
    branch (another district). Paths are the directory's, from the root, each ending with "/"; an
    absent path (a user without a unit, an unknown unit) is on no branch.

    Who acts on a case is the department of its territory (《中华人民共和国安全生产法》第十条第一款:
    县级以上地方各级人民政府应急管理部门对本行政区域内安全生产工作实施综合监督管理; 《中华人民共和国行政处罚法》
    第二十二条: 由违法行为发生地的行政机关管辖). ``Policy.check_start`` holds a starter to it and
    ``projection.may_be_named`` a task's assignee or candidate."""
    return bool(user_path and unit_path) and (unit_path.startswith(user_path) or user_path.startswith(unit_path))


# A task whose model names the people who may work it (candidateUsers): one index probe of task_candidate's key.
NAMES_PEOPLE = sa.exists().where(TaskCandidate.task_id == HumanTask.id)


def reach_below(p: Principal, role: str):
    """The SQL condition a task of ``role`` in the user's unit or a unit below it must meet for ``p`` to
    work it by its role: one whose model names no people (``candidateUsers``), unless it is of the user's
    own unit. A task naming its people — 和平镇's 进度提醒 for its own 安委会办公室 (``reminder_to``), a 督查
    record for the leader and team who went — is theirs and its own unit's role holders': 东城区安委办's
    supervisory role reaches the towns' tasks of its role, not one the town's model addressed to the
    town's office (属地管理: 《中华人民共和国安全生产法》第九条第二款, the town's own 安全生产监督管理工作机构;
    seed 004 三（二）1, each unit's own 联席会议 and 联合检查执法). True for an enterprise user and for a
    role that reaches no unit below.

    The one condition of this rule: ``queries.Scope.pool_below`` puts it in every pool (组待办, 审批, the
    queue) and ``Policy.check_task`` evaluates it on the task's row (one index probe), so what a pool
    lists and what a claim allows cannot drift apart."""
    if p.party or role not in p.supervising_roles:
        return sa.true()
    return sa.or_(HumanTask.org_code == p.org_code, ~NAMES_PEOPLE)


class CaseHidden(NotFound, Forbidden):
    """A case its reader may not know of: said as a case that does not exist (「案件不存在」, 404 on the
    pages and the API), caught by whoever asks the policy (``except Forbidden``) as a refusal."""


class KeptFromParty(NamedTuple):
    """The cases the enterprise they are about does not know of (``partyReads`` 否): those of a process
    whose latest model says it (``keys``: a version that adds it hides the cases already open) and
    those of every model version that said it (``models``: a version deployed without it — an old file
    loaded again — shows none of what a version with it hid)."""
    keys: frozenset[str]
    models: frozenset[int]

    def hides(self, process_key: str | None, model_id: int | None) -> bool:
        return process_key in self.keys or model_id in self.models

    def shown(self):
        """The SQL condition of a case not kept from its party; None: none is."""
        parts = ([Case.process_key.not_in(sorted(self.keys))] if self.keys else []) + \
                ([Case.model_id.not_in(sorted(self.models))] if self.models else [])
        return sa.and_(*parts) if parts else None


NONE_KEPT = KeptFromParty(frozenset(), frozenset())


class Policy:
    def __init__(self, directory, external_roles=()):
        self.directory = directory
        self.external_roles = frozenset(external_roles)  # third parties: set by the domain (workflows)
        self._starters: dict[int, set[str]] = {}   # model id -> roles named by startableBy (models never change)
        # process key -> (the models' stamp read by the last start that asked, its latest model's startableBy)
        self._start_roles: dict[str, tuple[tuple, set[str]]] = {}
        self._says_kept: dict[int, bool] = {}   # model id -> its start event says partyReads 否
        self._kept: tuple[tuple, KeptFromParty] = ((), NONE_KEPT)   # (the models' stamp, what it kept)
        # The org unit an enterprise (当事企业) is registered at and its name, or None when the registry
        # does not know it: the domain's (workflows/runtime.register_party_check, which gives the
        # engine's ``party_unit`` the same function); None: no registry, no territory to check.
        self.party_unit: Callable[[Session, str], tuple[str, str] | None] | None = None

    def check_task(self, s: Session, p: Principal, row: HumanTask, known: tuple | None = None,
                   directory_version: int | None = None) -> None:
        """May ``p`` claim or complete this task? Raises Forbidden with the reason.

        ``known`` is (exclusion reason, is candidate) when the caller read them with the row (the
        step pipeline does, in the same statement); ``directory_version`` lets org paths come
        from the directory's cache."""
        reason, candidate = known if known is not None else (exclusion_reason(s, row.id, p.username), None)
        if reason:
            raise Forbidden(reason)
        if row.assignee == p.username:
            return
        if candidate if candidate is not None else is_candidate(s, row.id, p.username):
            return
        if row.assignee is not None and self.is_external(p):
            # A third party (another 评估机构) works an open task of its unit's pool, never one a
            # colleague firm's account claimed: that case is another firm's to read (check_case_view).
            raise Forbidden("该任务已由其他人认领")
        if not p.holds(row.role_code):
            role = self.directory.names("roles", directory_version).get(row.role_code) if row.role_code else None
            raise Forbidden(f"您没有办理该任务所需的角色（{role}）" if role else "该任务只能由指定的办理人办理")
        if p.party:
            if row.party != p.party:
                raise Forbidden("企业用户只能办理本企业的案件")
            return
        if row.org_code == p.org_code:
            return
        if row.role_code in p.supervising_roles and self._below(s, row.org_code, p, directory_version) \
                and s.execute(sa.select(HumanTask.id).where(HumanTask.id == row.id,
                                                            reach_below(p, row.role_code))).first() is not None:
            return   # a unit below's task of the role within reach_below: the condition the pools use
        org = self.directory.names("orgs", directory_version).get(row.org_code)
        raise Forbidden(f"该任务由其他单位（{org}）办理" if org else "该任务由其他单位办理")

    def is_external(self, p: Principal) -> bool:
        return bool(p.roles) and not p.party and p.roles <= self.external_roles

    def assigned_case_ids(self, p: Principal):
        """Cases an external user is assigned to: an open task it holds, a task it completed, or an
        open unclaimed task of its role in its own org unit (a select of case ids, for ``IN``). Each
        branch is one partial index: ix_human_task_assignee holds open tasks only (revision 0016),
        so a cancelled task it held no longer counts."""
        return sa.select(HumanTask.case_id).where(sa.or_(
            sa.and_(HumanTask.state == OPEN, HumanTask.assignee == p.username), HumanTask.completed_by == p.username,
            sa.and_(HumanTask.state == OPEN, HumanTask.assignee.is_(None), HumanTask.role_code.in_(p.roles),
                    HumanTask.org_code == p.org_code)))

    def workable(self, s: Session, p: Principal, rows, directory_version: int | None = None) -> set[str]:
        """The ids of ``rows`` (open tasks, already read) ``p`` may claim or complete: ``check_task`` on
        each, with the user's exclusions and candidacies for all of them read in one statement."""
        rows = list(rows)
        if not rows:
            return set()
        ids = [r.id for r in rows]
        found = s.execute(sa.union_all(
            sa.select(TaskExclusion.task_id, TaskExclusion.reason).where(
                TaskExclusion.username == p.username, TaskExclusion.task_id.in_(ids)),
            sa.select(TaskCandidate.task_id, sa.null()).where(
                TaskCandidate.username == p.username, TaskCandidate.task_id.in_(ids)))).all()
        reasons = {task_id: reason for task_id, reason in found if reason is not None}
        candidates = {task_id for task_id, reason in found if reason is None}
        out = set()
        for row in rows:
            try:
                self.check_task(s, p, row, (reasons.get(row.id), row.id in candidates), directory_version)
            except Forbidden:
                continue
            out.add(row.id)
        return out

    def check_case_view(self, s: Session, p: Principal, case: Case, directory_version: int | None = None,
                        models_stamp: tuple | None = None) -> None:
        """May ``p`` read this case? ``directory_version`` (read with the case row) lets the org path
        come from the directory's cache; ``models_stamp`` (the models' count and newest id, read in
        this transaction) spares an enterprise user's check its own read of it."""
        if self.is_external(p):
            if s.execute(self.assigned_case_ids(p).where(HumanTask.case_id == case.id).limit(1)).first() is None:
                raise Forbidden("第三方机构只能查看委托给本机构的案件")
            return
        if p.party:
            # Another enterprise's case is, to an enterprise, a case that is not there: refused as
            # 403 it told apart a case id of another enterprise (403), of a case kept from this one
            # (404) and of none (404) — the ids are dense, so a 404 below the newest id said 「a 举报
            # about you」.
            if case.party != p.party:
                raise CaseHidden(f"案件不存在: {case.id}")
            key = case.process_key   # None: a case not started yet (the API's start asks who it is for)
            if key is not None and self.kept_from_party(s, models_stamp).hides(key, case.model_id) \
                    and not self._works_on(s, p, case.id):
                raise CaseHidden(f"案件不存在: {case.id}")   # the words of a case that is not there
            return
        if not self._below(s, case.org_code, p, directory_version) and not self._works_on(s, p, case.id):
            raise Forbidden("无权查看其他组织机构的案件")

    def kept_from_party(self, s: Session, models_stamp: tuple | None = None) -> KeptFromParty:
        """What the enterprise a case is about does not know of (``KeptFromParty``). Read again only
        after a deploy (the models' count and newest id, one indexed aggregate, unless the caller read
        it in this transaction: ``models_stamp``); a model version, which never changes, is parsed once,
        and only if its text names the property."""
        stamp = tuple(models_stamp) if models_stamp is not None else tuple(s.execute(_MODELS_STAMP).one())
        known = self._kept
        if known[0] == stamp:
            return known[1]
        naming = [i for i in s.execute(sa.select(ProcessModel.id).where(
            ProcessModel.kind == "bpmn", ProcessModel.content.contains(PARTY_READS))).scalars()]
        unknown = [i for i in naming if i not in self._says_kept]
        if unknown:
            for i, key, content in s.execute(sa.select(ProcessModel.id, ProcessModel.key, ProcessModel.content)
                                             .where(ProcessModel.id.in_(unknown))).all():
                self._says_kept[i] = keeps_from_party(content, key)
        models = frozenset(i for i in naming if self._says_kept.get(i))
        keys = frozenset(key for i, key in s.execute(_LATEST_BPMN).all() if i in models) if models else frozenset()
        kept = KeptFromParty(keys, models)
        self._kept = (stamp, kept)
        return kept

    @staticmethod
    def _works_on(s: Session, p: Principal, case_id: int) -> bool:
        """Holds or did a task of the case: a 双随机 inspector of a town drawn for the district's
        inspection opens the case whose task is assigned to him."""
        return s.execute(sa.select(HumanTask.case_id).where(
            HumanTask.case_id == case_id,
            sa.or_(HumanTask.assignee == p.username, HumanTask.completed_by == p.username)).limit(1)).first() is not None

    def check_start(self, s: Session, p: Principal, org_code: str, party: str | None,
                    process_key: str | None = None, version: int | None = None,
                    models_stamp: tuple | None = None) -> None:
        """May ``p`` open a case (立案/登记) of ``process_key`` in ``org_code``? The one rule of every start a
        person makes — ``Engine.start`` (发起案件), ``POST /api/cases`` and a message a user sends.
        Officials: on their own branch of the tree — their unit, below it, or above it: a town's
        inspector registers a hazard the district handles (《中华人民共和国安全生产法》第九条第二款: 乡镇人民政府
        的安全生产监督管理工作机构协助人民政府有关部门或者按照授权依法履行安全生产监督管理职责) — never another
        branch, and about an enterprise of the case unit's territory (``check_party_territory``);
        enterprise users only about their own enterprise, and only processes whose start event names one
        of their roles (``startableBy``)."""
        if self.is_external(p):
            raise Forbidden("第三方机构不能发起案件")
        if process_key is not None:  # Camunda/Flowable candidateStarterGroups/Users (engine/candidate_starters.py)
            candidate_starters.check(self.directory, s, p, process_key, version, models_stamp)
        if p.party:
            if party != p.party:
                raise Forbidden("企业用户只能为本企业发起案件")
            if org_code != p.org_code:   # its own unit's (发起案件, POST /api/cases and Engine.start alike)
                raise Forbidden(PARTY_OWN_UNIT)
            if process_key is not None and not self.party_may_start(s, p, process_key, version, models_stamp):
                raise Forbidden("企业用户不能发起该流程")
            return
        path = self._path(s, org_code, version)
        if not on_branch(p.org_path, path):
            raise Forbidden("只能在本单位、上级或下级单位发起案件")
        self.check_party_territory(s, org_code, party, version, path)

    def start_units(self, s: Session, p: Principal) -> list[str]:
        """The org units ``p`` may open a case in (``check_start``'s unit rule), in the tree's order: for an
        official the units above their own, their own and every unit below it — a district's inspector
        opens one for a town he assists, a town's for the district it assists (《中华人民共和国安全生产法》
        第九条第二款), an 安委办 for a unit of its territory; an enterprise user its own unit; a third party
        none. What 发起案件's 办理单位 picker lists (whether the enterprise is of the unit's territory is asked
        when the case is opened: ``check_party_territory``)."""
        if self.is_external(p):
            return []
        if p.party or not p.org_path:
            return [p.org_code]
        above = [code for code in p.org_path.strip("/").split("/")[:-1] if code]
        return list(s.execute(sa.select(OrgUnit.code).where(sa.or_(OrgUnit.path.startswith(p.org_path),
                                                                   OrgUnit.code.in_(above)))
                              .order_by(OrgUnit.path)).scalars())

    def check_party_territory(self, s: Session, org_code: str, party: str | None, version: int | None = None,
                              org_path: str | None = None) -> None:
        """属地管理: an official's case about an enterprise (``party``, its 统一社会信用代码) is opened in
        the unit the enterprise is registered at (its 属地, ``Enterprise.org_unit``) or a unit above it —
        the city's bureau may take up a district's enterprise itself — never in another branch: an
        InvalidData on ``party`` (当事企业) naming the enterprise, its unit and the case's, and the law.

        《中华人民共和国行政处罚法》第二十二条: 行政处罚由违法行为发生地的行政机关管辖; 《中华人民共和国安全生产法》
        第十条第一款: 县级以上地方各级人民政府应急管理部门……对本行政区域内安全生产工作实施综合监督管理.
        An enterprise the registry does not know, or registered at a unit the directory no longer has,
        is not refused (a valid code is checked by the caller):
        a case against an unregistered business (无证经营) is a case too — 《安全生产违法行为行政处罚办法》
        第六十七条: 生产经营单位, 是指合法和非法从事生产或者经营活动的基本单元. ``org_path``: the case
        unit's path when the caller has it; ``version``: the directory counter read in this transaction."""
        outside = self.outside_territory(s, org_code, party, version, org_path)
        if outside is not None:
            raise InvalidData({"party": "当事企业：" + self.territory_words(s, org_code, *outside)})

    def outside_territory(self, s: Session, org_code: str, party: str | None, version: int | None = None,
                          org_path: str | None = None) -> tuple[str, str] | None:
        """The enterprise's unit and name when the unit ``org_code`` may not open a case about ``party``
        (属地管理: neither the enterprise's unit nor a unit above it), else None — also when there is no
        registry, the registry does not know the enterprise, or its unit is no longer in the directory.
        The rule of ``check_party_territory`` (a person's start) and of ``step.check_spawn_org`` (a case
        model code opens: ``start_case(party=...)``)."""
        if not party or self.party_unit is None:
            return None
        found = self.party_unit(s, party)
        if found is None or found[0] == org_code:
            return None
        unit, name = found
        try:
            unit_path = self._path(s, unit, version)
        except NotFound:
            return None   # registered at a unit the directory no longer knows: no territory to hold it to
        case_path = org_path if org_path is not None else self._path(s, org_code, version)
        return None if unit_path.startswith(case_path) else (unit, name or party)

    @staticmethod
    def territory_words(s: Session, org_code: str, unit: str, name: str) -> str:
        """「{企业}属于{单位}，不在{本单位}的管辖范围内，应由{单位}或其上级单位立案（《行政处罚法》第二十二条）」."""
        here, there = s.get(OrgUnit, org_code), s.get(OrgUnit, unit)
        there_name = there.name if there is not None else unit
        return (f"{name}属于{there_name}，不在{here.name if here is not None else org_code}的管辖范围内，"
                f"应由{there_name}或其上级单位立案（{TERRITORY_LAW}）")

    def _path(self, s: Session, org_code: str, version: int | None) -> str:
        return (self.directory.org_path(s, org_code) if version is None  # version: the directory counter read
                else self.directory.cached_org_path(s, org_code, version))

    def party_may_start(self, s: Session, p: Principal, process_key: str, version: int | None = None,
                        models_stamp: tuple | None = None) -> bool:
        """Does the latest model of ``process_key`` let ``p`` (a party user) start it? ``version``,
        ``models_stamp``: the directory counter and the models' stamp read in this transaction —
        the lanes' roles and the start event's roles are then taken from caches, not read."""
        known = self._start_roles.get(process_key) if models_stamp is not None else None
        if known is not None and known[0] == models_stamp:
            lanes = known[1]
        else:
            model = s.execute(sa.select(ProcessModel.id, ProcessModel.content)
                              .where(ProcessModel.key == process_key, ProcessModel.kind == "bpmn")
                              .order_by(ProcessModel.version.desc()).limit(1)).first()
            if model is None:
                return False
            if model.id not in self._starters:
                self._starters[model.id] = _start_event_roles(model.content, process_key)
            lanes = self._starters[model.id]
            if models_stamp is not None:
                self._start_roles[process_key] = (models_stamp, lanes)
        for lane in lanes:
            if version is not None:
                code = self.directory.role_for_lane(s, lane, version)
            else:
                role = self.directory.role_by_lane(s, lane)
                code = role.code if role is not None else None
            if code is not None and p.holds(code):
                return True
        return False

    def check_supervise(self, s: Session, p: Principal, case: Case | None, org_code: str | None = None) -> None:
        """A supervisory role at the case's org unit (or ``org_code``, for what has no case yet) or above."""
        if ADMIN_ROLE in p.roles:
            return
        if not p.supervising_roles or p.party:
            raise Forbidden("只有负责人可以执行该操作")
        org_code = case.org_code if case is not None else org_code
        if org_code is not None and not self._below(s, org_code, p):
            raise Forbidden("只有本级或上级负责人可以处理该案件")

    def check_admin(self, p: Principal) -> None:
        if ADMIN_ROLE not in p.roles:
            raise Forbidden("需要系统管理员角色")

    def check_design(self, p: Principal) -> None:
        if DESIGNER_ROLE not in p.roles and ADMIN_ROLE not in p.roles:
            raise Forbidden("需要流程设计员角色")

    def _below(self, s: Session, org_code: str, p: Principal, directory_version: int | None = None) -> bool:
        if directory_version is not None:
            return self.directory.cached_org_path(s, org_code, directory_version).startswith(p.org_path)
        return self.directory.org_path(s, org_code).startswith(p.org_path)


_MODELS_STAMP = sa.select(sa.func.count(ProcessModel.id), sa.func.max(ProcessModel.id))
_LATEST_BPMN = (sa.select(sa.func.max(ProcessModel.id), ProcessModel.key)
                .where(ProcessModel.kind == "bpmn").group_by(ProcessModel.key))


def keeps_from_party(content: str, process_key: str) -> bool:
    """Does a start event of the process ``process_key`` say ``partyReads`` 否?"""
    root = etree.fromstring(content.encode("utf-8"))
    for process in root.iter("{*}process"):
        if process.get("id") != process_key:
            continue
        for start in process.iter("{*}startEvent"):
            for prop in start.iter("{*}property"):
                if prop.get("name") == PARTY_READS and (prop.get("value") or "").strip().lower() in _NOT_READ:
                    return True
    return False


def _start_event_roles(content: str, process_key: str) -> set[str]:
    """Role codes or names listed in the ``startableBy`` property of the process's start events."""
    root = etree.fromstring(content.encode("utf-8"))
    names: set[str] = set()
    for process in root.iter("{*}process"):
        if process.get("id") != process_key:
            continue
        for start in process.iter("{*}startEvent"):
            for prop in start.iter("{*}property"):
                if prop.get("name") == STARTABLE_BY:
                    names.update(x.strip() for x in (prop.get("value") or "").replace("，", ",").split(",") if x.strip())
    return names
