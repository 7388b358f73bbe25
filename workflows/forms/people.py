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


class DirectoryForms:
    def __init__(self, registry, directory):
        self._registry = registry
        self._directory = directory

    def __getattr__(self, name):
        return getattr(self._registry, name)

    def validate(self, key: str, data: dict | None) -> dict:
        cleaned = self._registry.validate(key, data)
        errors = {}
        for f in self._registry.fields(key):
            errors.update(self._check(f, cleaned))
            if f["type"] == "table":  # 回避 rows name an inspector each
                for row_no, row in enumerate(cleaned.get(f["name"]) or []):
                    for column in f.get("columns", []):
                        for name, reason in self._check(column, row or {}).items():
                            errors[f"{f['name']}.{row_no}.{name}"] = reason
        if errors:
            raise FormError(errors)
        return cleaned

    def _check(self, f: dict, cleaned: dict) -> dict:
        """The Chinese reason a people / person / org field of ``cleaned`` names nobody real."""
        value = cleaned.get(f["name"])
        if f["type"] not in ("people", "person", "org") or value in (None, "", []):
            return {}
        if f["type"] == "org":
            if value in {o.code for o in self._directory.orgs()}:
                return {}
            return {f["name"]: f"{f['label']}：“{value}”不是本系统的单位，请从列表中选择"}
        unknown = self.not_eligible(value if isinstance(value, list) else [value], f.get("roles") or [])
        if not unknown:
            return {}
        names = {u.username: u.name for u in self._directory.users()}
        shown = "、".join(names.get(u) or u for u in unknown)  # a person by name, a typo as typed
        return {f["name"]: f"{f['label']}：“{shown}”不是可选人员" + self._who(f)}

    def not_eligible(self, usernames, roles) -> list[str]:
        eligible = self.eligible(roles)
        return [u for u in usernames if u not in eligible]

    def eligible(self, roles) -> set[str]:
        if not roles:
            return {u.username for u in self._directory.users() if getattr(u, "active", True)}
        return {u for r in roles for u in self._directory.users_with_role(r)}

    def _who(self, f) -> str:
        if not f.get("roles"):
            return "，请从列表中选择"
        names = {r.code: r.name for r in self._directory.roles()}
        return "（须为" + "、".join(names.get(r, r) for r in f["roles"]) + "），请从列表中选择"
