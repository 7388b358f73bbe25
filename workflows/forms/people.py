"""People and unit fields checked against the directory (人员、单位选择): a form that hands work to
people names real, active users who hold the field's role, and a unit it hands a case to exists.

The registry validates shape only and is shared by every engine of a process, so the directory check
lives in a thin per-engine wrapper: ``DirectoryForms(registry, directory)`` answers everything the
registry does, and its ``validate`` also refuses a ``people`` or ``person`` field (also as a table
column) naming anyone who is not an active user with one of the field's roles, and an ``org`` field
naming no unit of the directory — with a Chinese reason naming the field and the people.
That is what keeps a collective vote from being assigned to "冯局长" (a name typed where a user was
meant), which no one could then open.

A person named on a case must also be within the case's reach (办理单位范围, ``within_reach``): a
member of the case's org unit or of a unit below it (东城区's case: 东城区 and its 镇), a member of
the unit handling the task (a 市级挂牌督办 step at the city), or — only for a role that supervises
the units below (负责人: ``sees_subordinate_orgs``) — a holder at a unit above it (the city's
局长 on a district's case), the reach ``engine/policy.py`` gives those roles over the case anyway.
Never another branch of the tree: a REST client or a hand-edited POST naming 西城区's 王五 as a
复查人员 of 东城区's case is refused naming the field, the person and the unit
(「“复查人员”中的 王五 不属于本案件的办理单位（东城区应急管理局）或其下级单位」), and the page's
picker (``reachable``, webui/formspec.people_options) offers exactly the people this accepts. A
unit (``org`` field: 移交单位) is not held to the case's branch: a 举报 is handed to whichever unit
has jurisdiction where the enterprise is (属地管辖), which may be another district.

A field may hold the units above to fewer (``reach_above``, the law it follows beside it): 抽取监督人员
none — 国办发〔2015〕58号, the department carrying out a 随机抽查 organises and records its draw itself,
so a province's 处长 does not witness a district's draw; 约谈人 the direct supervising unit only — 分级
挂牌督办 (seed 001): the investigating unit's superior lists the accident and may join the 约谈, the
province over a district's case is not offered. Picker and submit read the same number.

A completion (engine/tasks.py) calls ``validate_at`` with the directory counter its step read under
the case lock: each role's holders, the active users and the unit codes then come from the
directory's cache at that counter (``Directory.cached_holders``), which every directory write
moves on — a member deactivated is still refused at the very next submit. Reading them afresh cost
~80–100 µs a completion of bpmn/enforcement_case.bpmn and tipoff_12350.bpmn (a separate read
transaction and an ORM query a role; issue 15). ``validate`` (no counter) reads afresh as before.
"""
from __future__ import annotations

from .registry import FormError

PEOPLE_TYPES = ("people", "person", "org")
ASSESSMENT_BODY = "assessment_body"


def _assessment_body(f: dict, cleaned: dict, session) -> str | None:
    """A 评估机构名称 stored as registered (``cleaned`` changed in place), or the Chinese reason it names
    no registered 安全评价检测检验机构. Without the step's session (a form checked with no case) nothing."""
    typed = cleaned.get(f["name"])
    if not typed or session is None:
        return None
    from workflows.enterprises import assessors
    any_registered, name = assessors.registered_name(session, typed)
    if name is not None:
        cleaned[f["name"]] = name
        return None
    if not any_registered:
        return None
    return f"「{f['label']}」“{typed}”不是已登记的安全评价检测检验机构，请从列表中选择"


REACH_ABOVE = "reach_above"  # field metadata and ``describe`` entry: how many units up a supervising role reaches


def reach_above(field, levels: int, basis: str):
    """Hold a people / person / names field to ``levels`` units above the case's (0: none above, 1: its
    direct supervising unit) where the law puts the part it names there, ``basis`` saying which; a
    field without it keeps the general reach (any unit above, for a supervising role). Returns the field."""
    field.metadata[REACH_ABOVE] = levels
    field.metadata["reach_basis"] = basis
    return field


def _depth(path: str) -> int:
    return len([p for p in path.split("/") if p])


def within_reach(user_path: str, supervises: bool, case_path: str, task_path: str | None = None,
                 above: int | None = None) -> bool:
    """May a user of the org unit at ``user_path`` be named on a case of the unit at ``case_path``
    (a task handled at ``task_path``)? Their unit is the case's or below it, or is the unit handling
    the task; or it is above the case's and the role they are named for supervises the units below
    (``supervises``: the field's roles they hold include one with ``sees_subordinate_orgs``) — at
    most ``above`` units up when the field says so (``reach_above``; None: any unit above)."""
    if user_path.startswith(case_path) or user_path == task_path:
        return True
    if not (supervises and case_path.startswith(user_path)):
        return False
    return above is None or _depth(case_path) - _depth(user_path) <= above


def reachable(directory, roles, case_org: str, task_org: str | None = None, above: int | None = None) -> set[str]:
    """The active users holding one of ``roles`` (any active user when none) whom a case of
    ``case_org`` (a task handled at ``task_org``) may name: ``within_reach`` over the holders and
    their units (``Directory.holders_with_units``), ``above`` the field's ``reach_above``. What the
    page's picker offers."""
    paths = {o.code: o.path for o in directory.orgs()}
    case_path = paths.get(case_org)
    if case_path is None:
        return set()
    task_path = paths.get(task_org) if task_org and task_org != case_org else None
    return {username for username, path, supervising in directory.holders_with_units(roles)
            if within_reach(path, bool(supervising), case_path, task_path, above)}


def _not_own_enterprise(f: dict, value, party: str | None) -> str | None:
    """An enterprise user (当事人, ``party``) reports about its own enterprise only (engine/policy.py:
    enterprise users act only on their own enterprise's cases): a 统一社会信用代码 it fills naming
    another enterprise is refused — else its 自查自报 of a 重大隐患 went into the regulator's
    records and a 挂牌督办 case under another enterprise's code. Officials name any enterprise."""
    if not party or value in (None, "") or value == party:
        return None
    return f"“{f['label']}”应为本企业的统一社会信用代码（{party}），企业用户只能报送本企业的情况"


class _Lookups:
    """Directory answers for one submit, each read once: a form with three people fields of the
    same two roles asks the directory twice, not six times. With the directory counter a step read
    under its case lock (``version``), from the directory's cache at that counter
    (``Directory.cached_holders``): a user deactivated or a role taken away bumps the counter, so
    it is still refused at the very next submit; without one (None), read afresh."""

    def __init__(self, directory, version: int | None = None, reach: "CaseReach | None" = None):
        self._directory = directory
        self._version = version
        self._holders: dict[str, frozenset[str]] = {}
        self.reach = reach

    def eligible(self, roles) -> set[str] | frozenset[str]:
        if not roles:
            return self._directory.cached_active_users(self._version)
        if len(roles) == 1:
            return self._holding(roles[0])
        found: set[str] = set()
        for role in roles:
            found |= self._holding(role)
        return found

    def _holding(self, role: str) -> frozenset[str]:
        found = self._holders.get(role)
        if found is None:
            found = self._holders[role] = self._directory.cached_holders(role, self._version)
        return found

    def org_codes(self) -> frozenset[str]:
        return self._directory.cached_org_codes(self._version)

    def out_of_reach(self, usernames, roles, above: int | None = None) -> list[str]:
        """Those of ``usernames`` (active holders of ``roles``) the case may not name
        (``within_reach``, ``above`` the field's ``reach_above``); none when the submit is not for a case."""
        reach = self.reach
        if reach is None:
            return []
        out = []
        for username in usernames:
            p = self._directory.principal_at(username, self._version)
            if not within_reach(p.org_path, bool(p.supervising_roles.intersection(roles or ())),
                                reach.case_path, reach.task_path, above):
                out.append(username)
        return out


class CaseReach:
    """The case a submit is for, as ``within_reach`` needs it: its org unit's path and name, and the
    path of the unit handling the task (None when the case's own)."""
    __slots__ = ("case_path", "task_path", "case_org")

    def __init__(self, case_path: str, task_path: str | None, case_org: str):
        self.case_path, self.task_path, self.case_org = case_path, task_path, case_org

    @classmethod
    def of(cls, directory, session, case_org: str | None, task_org: str | None = None,
           version: int | None = None) -> "CaseReach | None":
        """The reach of a case of ``case_org`` (paths from the directory's cache at ``version``
        through ``session``); None without a case unit."""
        if not case_org:
            return None

        def path(code):
            return (directory.cached_org_path(session, code, version) if version is not None
                    else directory.org_path(session, code))
        return cls(path(case_org), path(task_org) if task_org and task_org != case_org else None, case_org)


class DirectoryForms:
    def __init__(self, registry, directory):
        self._registry = registry
        self._directory = directory
        self._checked: dict[str, list[tuple[dict, list[dict]]]] = {}

    def __getattr__(self, name):
        return getattr(self._registry, name)

    def checked_fields(self, key: str) -> list[tuple[dict, list[dict]]]:
        """The fields of form ``key`` checked against the directory, each with the columns checked
        when it is a table. Worked out once per form: a registered form never changes."""
        found = self._checked.get(key)
        if found is None:
            found = []
            for f in self._registry.fields(key):
                columns = [c for c in f.get("columns", []) if c["type"] in PEOPLE_TYPES] \
                    if f["type"] == "table" else []
                if f["type"] in PEOPLE_TYPES or columns or f.get("party_code") or f["type"] == ASSESSMENT_BODY:
                    found.append((f, columns))
            self._checked[key] = found
        return found

    def validate(self, key: str, data: dict | None, today=None) -> dict:
        """The registry's ``validate``, then the people and unit fields checked against the directory
        as it is now (read afresh)."""
        return self.validate_at(key, data, None, today=today)

    def validate_at(self, key: str, data: dict | None, directory_version: int | None,
                    case_org: str | None = None, task_org: str | None = None, session=None,
                    party: str | None = None, today=None) -> dict:
        """``validate`` for a step that read the directory counter ``directory_version`` under its
        case lock (engine/tasks.py): each role's holders and the unit list come from the
        directory's cache at that counter (``Directory.cached_holders``); None: read afresh.
        ``case_org``, ``task_org`` (with the step's ``session``): the case's org unit and the
        task's; the people named must be within the case's reach (``within_reach``). ``party``:
        the submitter's enterprise when an enterprise user submits — a 统一社会信用代码 field
        (``party_code``) it fills must name that enterprise. ``today``: the day on the engine's
        clock, before which no deadline may fall (the registry's ``validate``)."""
        cleaned = self._registry.validate(key, data, today)
        fields = self.checked_fields(key)
        if not fields:
            return cleaned
        reach = CaseReach.of(self._directory, session, case_org, task_org, directory_version) \
            if case_org and session is not None else None
        lookups = _Lookups(self._directory, directory_version, reach)  # each answer read once per submit
        errors = {}
        for f, columns in fields:
            if f["type"] == ASSESSMENT_BODY:
                reason = _assessment_body(f, cleaned, session)
                if reason:
                    errors[f["name"]] = reason
                continue
            if f.get("party_code"):
                reason = _not_own_enterprise(f, cleaned.get(f["name"]), party)
                if reason:
                    errors[f["name"]] = reason
                continue
            if f["type"] == "table":  # 回避 rows name an inspector each
                for row_no, row in enumerate(cleaned.get(f["name"]) or []):
                    for column in columns:
                        for name, reason in self._check(column, row or {}, lookups).items():
                            errors[f"{f['name']}.{row_no}.{name}"] = reason
            else:
                errors.update(self._check(f, cleaned, lookups))
        if errors:
            raise FormError(errors)
        return cleaned

    def _check(self, f: dict, cleaned: dict, lookups: "_Lookups | None" = None) -> dict:
        """The Chinese reason a people / person / org field of ``cleaned`` names nobody real."""
        value = cleaned.get(f["name"])
        if f["type"] not in PEOPLE_TYPES or value in (None, "", []):
            return {}
        lookups = lookups or _Lookups(self._directory)
        if f["type"] == "org":
            if value in lookups.org_codes():
                return {}
            return {f["name"]: f"{f['label']}：“{value}”不是本系统的单位，请从列表中选择"}
        roles = f.get("roles") or []
        eligible = lookups.eligible(roles)
        named = value if isinstance(value, list) else [value]
        unknown = [u for u in named if u not in eligible]
        if not unknown:
            elsewhere = lookups.out_of_reach(named, roles, f.get(REACH_ABOVE))
            if not elsewhere:
                return {}
            return {f["name"]: self._elsewhere(f, elsewhere, lookups)}
        names = {u.username: u.name for u in self._directory.users()}
        shown = "、".join(names.get(u) or u for u in unknown)  # a person by name, a typo as typed
        return {f["name"]: f"{f['label']}：“{shown}”不是可选人员" + self._who(f)}

    def _elsewhere(self, f: dict, usernames: list[str], lookups: "_Lookups") -> str:
        """「“复查人员”中的 王五 不属于本案件的办理单位（东城区应急管理局）或其下级单位」: by names, never
        usernames."""
        names = {u.username: u.name for u in self._directory.users()}
        shown = "、".join(names.get(u) or u for u in usernames)
        case_org = lookups.reach.case_org
        unit = {o.code: o.name for o in self._directory.orgs()}.get(case_org, case_org)
        also = "、其下级单位或直接上级单位" if f.get(REACH_ABOVE) == 1 else "或其下级单位"
        return f"“{f['label']}”中的 {shown} 不属于本案件的办理单位（{unit}）{also}，请从列表中选择"

    def not_eligible(self, usernames, roles) -> list[str]:
        eligible = self.eligible(roles)
        return [u for u in usernames if u not in eligible]

    def eligible(self, roles) -> set[str]:
        return set(_Lookups(self._directory).eligible(roles))

    def _who(self, f) -> str:
        if not f.get("roles"):
            return "，请从列表中选择"
        names = {r.code: r.name for r in self._directory.roles()}
        return "（须为" + "、".join(names.get(r, r) for r in f["roles"]) + "），请从列表中选择"
