"""The directory (人员、角色、组织机构): users, roles, org units as a tree (市 > 区 > 镇 > 村).

Queues are computed from the directory at query time, never copied into tasks, so a role or org
change takes effect on open tasks at once.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import audit
from .errors import InvalidData, NotFound
from .schema import Counter, OrgUnit, Role, User, UserRole


def version_column():
    """The ``directory`` counter as a column to add to a statement a request or step runs anyway
    (0 before the first directory change)."""
    from .step import DIRECTORY_COUNTER
    return (sa.select(Counter.value).where(Counter.name == DIRECTORY_COUNTER).scalar_subquery()
            .label("directory_version"))


@dataclass(frozen=True)
class Principal:
    """What authorization needs to know about a user, read in one go."""
    username: str
    name: str
    org_code: str
    org_path: str
    party: str | None
    roles: frozenset[str]
    role_names: frozenset[str]
    supervising_roles: frozenset[str]  # roles that also cover org units below the user's

    def holds(self, role_code: str | None) -> bool:
        return role_code is not None and role_code in self.roles


class Directory:
    """Users, roles and org units. Principals, org paths and lane roles are cached per process and
    keyed by the ``directory`` counter, which every directory write bumps in its transaction: a step
    reads the counter with the case row, a web request with its session or API token row
    (``version_column``; no extra statement), and a change made by any process is seen at the
    next step or request. A cache only moves forward: a reader holding an older counter value
    reads afresh and stores nothing, so a principal read before a change is never kept after it."""

    def __init__(self, engine):
        self._engine = engine
        self._cache_version: int | None = None
        self._principals: dict[str, Principal] = {}
        self._org_paths: dict[str, str] = {}
        self._lanes: dict[str, str | None] = {}

    def _cached(self, version: int) -> bool:
        """Move the caches to ``version`` if it is newer; False when ``version`` is older (the
        caller reads afresh and keeps nothing)."""
        current = self._cache_version
        if current is None or version > current:
            self._principals, self._org_paths, self._lanes = {}, {}, {}
            self._cache_version = version
        return version == self._cache_version

    def cached_principal(self, username: str, session: Session, version: int) -> Principal:
        if not self._cached(version):
            return self.principal(username, session)
        p = self._principals.get(username)
        if p is None:
            p = self.principal(username, session)
            if self._cache_version == version:  # no change seen meanwhile by another thread
                self._principals[username] = p
        return p

    def principal_at(self, username: str, version: int | None) -> Principal:
        """The user's principal for a web request that read the directory counter ``version`` with
        its session or token row: from the cache, else one read. ``None`` (no counter read): afresh.
        The caller has checked the account is active in that same row (webui/sessions.py,
        webui/api/auth.py), so a deactivated account is refused whatever the cache holds."""
        if version is None or not self._cached(version):
            return self.principal(username)
        p = self._principals.get(username)
        if p is None:
            with self._engine.db.read() as s:
                return self.cached_principal(username, s, version)
        return p

    def cached_org_path(self, session: Session, code: str, version: int) -> str:
        if not self._cached(version):
            return self.org_path(session, code)
        path = self._org_paths.get(code)
        if path is None:
            path = self.org_path(session, code)
            if self._cache_version == version:
                self._org_paths[code] = path
        return path

    def role_for_lane(self, session: Session, lane: str | None, version: int) -> str | None:
        """The role code a lane binds to (by code or name), cached like principals."""
        fresh = not self._cached(version)
        if fresh or lane not in self._lanes:
            role = self.role_by_lane(session, lane)
            code = role.code if role is not None else None
            if fresh or self._cache_version != version:
                return code
            self._lanes[lane] = code
        return self._lanes[lane]

    def _changed(self, s: Session) -> None:
        from .step import directory_bump
        directory_bump(s)
        self._cache_version = None

    # -- writes ----------------------------------------------------------------------------------
    def add_role(self, code: str, name: str, sees_subordinate_orgs: bool = False, by: str = "system"):
        with self._engine.db.write() as s:
            role = s.get(Role, code)
            if role is None:
                s.add(Role(code=code, name=name, sees_subordinate_orgs=sees_subordinate_orgs))
            elif (role.name, role.sees_subordinate_orgs) == (name, sees_subordinate_orgs):
                return code  # unchanged: nothing to write or audit
            else:
                role.name, role.sees_subordinate_orgs = name, sees_subordinate_orgs
            self._changed(s)
            self._audit(s, by, "role_saved", {"code": code, "name": name})
        return code

    def add_org(self, code: str, name: str, parent: str | None = None, level: str | None = None,
                by: str = "system"):
        with self._engine.db.write() as s:
            path = f"/{code}/"
            if parent is not None:
                parent_row = s.get(OrgUnit, parent)
                if parent_row is None:
                    raise NotFound(f"上级组织机构不存在: {parent}")
                path = parent_row.path + f"{code}/"
            org = s.get(OrgUnit, code)
            if org is None:
                s.add(OrgUnit(code=code, name=name, parent_code=parent, path=path, level=level))
            elif (org.name, org.level, org.parent_code) == (name, level, parent):
                return code
            else:
                org.name, org.level = name, level
            self._changed(s)
            self._audit(s, by, "org_saved", {"code": code, "name": name, "parent": parent})
        return code

    def add_user(self, username: str, org: str, roles: list[str] = (), name: str = "",
                 party: str | None = None, password_hash: str | None = None, by: str = "system"):
        with self._engine.db.write() as s:
            if s.get(OrgUnit, org) is None:
                raise InvalidData({"org": f"组织机构不存在: {org}"})
            role_codes = self._resolve_roles(s, roles)
            user = s.get(User, username)
            if user is None:
                s.add(User(username=username, name=name or username, org_code=org, party=party,
                           password_hash=password_hash))
            else:
                user.org_code, user.name, user.party = org, name or user.name, party
                if password_hash:
                    user.password_hash = password_hash
            s.flush()
            s.execute(sa.delete(UserRole).where(UserRole.username == username))
            s.add_all(UserRole(username=username, role_code=r) for r in role_codes)
            self._changed(s)
            self._audit(s, by, "user_saved", {"username": username, "org": org, "roles": sorted(role_codes)})
        return username

    def move_user(self, username: str, org: str, by: str = "system"):
        """Transfer a user to another org unit (调动); their queue changes at once."""
        with self._engine.db.write() as s:
            user = self._user_row(s, username)
            if s.get(OrgUnit, org) is None:
                raise InvalidData({"org": f"组织机构不存在: {org}"})
            old, user.org_code = user.org_code, org
            s.flush()
            self._changed(s)
            self._audit(s, by, "user_moved", {"username": username, "from": old, "to": org})
            self._engine.release_ineligible_claims(s, username)

    def set_roles(self, username: str, roles: list[str], by: str = "system"):
        with self._engine.db.write() as s:
            self._user_row(s, username)
            codes = self._resolve_roles(s, roles)
            s.execute(sa.delete(UserRole).where(UserRole.username == username))
            s.add_all(UserRole(username=username, role_code=r) for r in codes)
            s.flush()
            self._changed(s)
            self._audit(s, by, "user_roles_set", {"username": username, "roles": sorted(codes)})
            self._engine.release_ineligible_claims(s, username)

    def set_password_hash(self, username: str, password_hash: str):
        with self._engine.db.write() as s:
            self._user_row(s, username).password_hash = password_hash

    # -- reads -----------------------------------------------------------------------------------
    def principal(self, username: str, session: Session | None = None) -> Principal:
        if session is None:
            with self._engine.db.read() as s:
                return self.principal(username, s)
        # One round trip: the user, their org unit's path and each of their roles (or none).
        rows = session.execute(
            sa.select(User.username, User.name, User.org_code, User.party, User.active, OrgUnit.path,
                      Role.code, Role.name, Role.sees_subordinate_orgs)
            .join(OrgUnit, OrgUnit.code == User.org_code)
            .outerjoin(UserRole, UserRole.username == User.username)
            .outerjoin(Role, Role.code == UserRole.role_code)
            .where(User.username == username)).all()
        if not rows or not rows[0].active:
            raise NotFound(f"用户不存在: {username}")
        first = rows[0]
        roles = [r for r in rows if r.code is not None]
        return Principal(username=first.username, name=first[1], org_code=first.org_code, org_path=first.path,
                         party=first.party, roles=frozenset(r.code for r in roles),
                         role_names=frozenset(r[7] for r in roles),
                         supervising_roles=frozenset(r.code for r in roles if r.sees_subordinate_orgs))

    def org_codes_below(self, session: Session, org_path: str) -> list[str]:
        """The org unit at ``org_path`` and every unit below it."""
        return list(session.execute(sa.select(OrgUnit.code).where(OrgUnit.path.startswith(org_path)))
                    .scalars())

    def org_path(self, session: Session, code: str) -> str:
        org = session.get(OrgUnit, code)
        if org is None:
            raise NotFound(f"组织机构不存在: {code}")
        return org.path

    def roles(self) -> list[Role]:
        with self._engine.db.read() as s:
            return list(s.execute(sa.select(Role).order_by(Role.code)).scalars())

    def role_by_lane(self, session: Session, lane: str | None) -> Role | None:
        """A lane binds to the role whose code or Chinese name equals the lane's name."""
        if not lane:
            return None
        lane = lane.strip()
        return session.execute(sa.select(Role).where(sa.or_(Role.code == lane, Role.name == lane))).scalars().first()

    def orgs(self) -> list[OrgUnit]:
        with self._engine.db.read() as s:
            return list(s.execute(sa.select(OrgUnit).order_by(OrgUnit.path)).scalars())

    def users(self) -> list[User]:
        with self._engine.db.read() as s:
            return list(s.execute(sa.select(User).order_by(User.username)).scalars())

    def user(self, username: str) -> User:
        with self._engine.db.read() as s:
            return self._user_row(s, username)

    def users_with_role(self, role_code: str, org_code: str | None = None) -> list[str]:
        with self._engine.db.read() as s:
            q = sa.select(UserRole.username).join(User, User.username == UserRole.username).where(
                UserRole.role_code == role_code, User.active.is_(True))
            if org_code:
                q = q.where(User.org_code == org_code)
            return list(s.execute(q.order_by(UserRole.username)).scalars())

    # -- helpers ---------------------------------------------------------------------------------
    def _user_row(self, s: Session, username: str) -> User:
        user = s.get(User, username)
        if user is None:
            raise NotFound(f"用户不存在: {username}")
        return user

    def _resolve_roles(self, s: Session, roles) -> set[str]:
        codes = set()
        for r in roles:
            role = s.execute(sa.select(Role).where(sa.or_(Role.code == r, Role.name == r))).scalars().first()
            if role is None:
                raise InvalidData({"roles": f"角色不存在: {r}"})
            codes.add(role.code)
        return codes

    def _audit(self, s: Session, actor: str, action: str, detail: dict):
        audit.append(s, chain=audit.SYSTEM_CHAIN, actor=actor, action=action, at=self._engine.clock.now(),
                     detail=detail)
