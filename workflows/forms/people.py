"""People and unit fields checked against the directory (人员、单位选择): a form that hands work to
people names real, active users who hold the field's role, and a unit it hands a case to exists.

The registry validates shape only and is shared by every engine of a process, so the directory check
lives in a thin per-engine wrapper: ``DirectoryForms(registry, directory)`` answers everything the
registry does, and its ``validate`` also refuses a ``people`` or ``person`` field (also as a table
column) naming anyone who is not an active user with one of the field's roles, and an ``org`` field
naming no unit of the directory — with a Chinese reason naming the field and the people.
That is what keeps a collective vote from being assigned to "冯局长" (a name typed where a user was
meant), which no one could then open.

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


class _Lookups:
    """Directory answers for one submit, each read once: a form with three people fields of the
    same two roles asks the directory twice, not six times. With the directory counter a step read
    under its case lock (``version``), from the directory's cache at that counter
    (``Directory.cached_holders``): a user deactivated or a role taken away bumps the counter, so
    it is still refused at the very next submit; without one (None), read afresh."""

    def __init__(self, directory, version: int | None = None):
        self._directory = directory
        self._version = version
        self._holders: dict[str, frozenset[str]] = {}

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
                if f["type"] in PEOPLE_TYPES or columns:
                    found.append((f, columns))
            self._checked[key] = found
        return found

    def validate(self, key: str, data: dict | None) -> dict:
        """The registry's ``validate``, then the people and unit fields checked against the directory
        as it is now (read afresh)."""
        return self.validate_at(key, data, None)

    def validate_at(self, key: str, data: dict | None, directory_version: int | None) -> dict:
        """``validate`` for a step that read the directory counter ``directory_version`` under its
        case lock (engine/tasks.py): each role's holders and the unit list come from the
        directory's cache at that counter (``Directory.cached_holders``); None: read afresh."""
        cleaned = self._registry.validate(key, data)
        fields = self.checked_fields(key)
        if not fields:
            return cleaned
        lookups = _Lookups(self._directory, directory_version)  # each answer read once per submit
        errors = {}
        for f, columns in fields:
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
        eligible = lookups.eligible(f.get("roles") or [])
        unknown = [u for u in (value if isinstance(value, list) else [value]) if u not in eligible]
        if not unknown:
            return {}
        names = {u.username: u.name for u in self._directory.users()}
        shown = "、".join(names.get(u) or u for u in unknown)  # a person by name, a typo as typed
        return {f["name"]: f"{f['label']}：“{shown}”不是可选人员" + self._who(f)}

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
