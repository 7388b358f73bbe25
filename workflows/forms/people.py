"""People and unit fields checked against the directory (人员、单位选择): a form that hands work to
people names real, active users who hold the field's role, and a unit it hands a case to exists.

The registry validates shape only and is shared by every engine of a process, so the directory check
lives in a thin per-engine wrapper: ``DirectoryForms(registry, directory)`` answers everything the
registry does, and its ``validate`` also refuses a ``people`` or ``person`` field (also as a table
column) naming anyone who is not an active user with one of the field's roles, and an ``org`` field
naming no unit of the directory — with a Chinese reason naming the field and the people.
That is what keeps a collective vote from being assigned to "冯局长" (a name typed where a user was
meant), which no one could then open.
"""
from __future__ import annotations

from .registry import FormError

PEOPLE_TYPES = ("people", "person", "org")


class _Lookups:
    """Directory answers for one submit, each read once: a form with three people fields of the
    same two roles asks the directory twice, not six times. Never kept past the submit, so a user
    deactivated or a role taken away is refused at the very next submit."""

    def __init__(self, directory):
        self._directory = directory
        self._holders: dict[str, set[str]] = {}
        self._everyone: set[str] | None = None
        self._orgs: set[str] | None = None

    def eligible(self, roles) -> set[str]:
        if not roles:
            if self._everyone is None:
                self._everyone = {u.username for u in self._directory.users() if getattr(u, "active", True)}
            return self._everyone
        found: set[str] = set()
        for role in roles:
            if role not in self._holders:
                self._holders[role] = set(self._directory.users_with_role(role))
            found |= self._holders[role]
        return found

    def org_codes(self) -> set[str]:
        if self._orgs is None:
            self._orgs = {o.code for o in self._directory.orgs()}
        return self._orgs


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
        cleaned = self._registry.validate(key, data)
        fields = self.checked_fields(key)
        if not fields:
            return cleaned
        lookups = _Lookups(self._directory)  # each role's holders and the unit list read once per submit
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
        return _Lookups(self._directory).eligible(roles)

    def _who(self, f) -> str:
        if not f.get("roles"):
            return "，请从列表中选择"
        names = {r.code: r.name for r in self._directory.roles()}
        return "（须为" + "、".join(names.get(r, r) for r in f["roles"]) + "），请从列表中选择"
