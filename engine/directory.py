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
    """Users, roles and org units. Principals, org paths, org subtrees, names, lane roles, each role's
    active holders, the active users and the org codes (the last three for forms' people fields) are
    cached per process and keyed by the ``directory`` counter, which every directory write bumps in its transaction: a step
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
        self._subtrees: dict[str, tuple[str, ...]] = {}
        self._names: dict[str, dict[str, str]] = {}
        self._holders: dict[str, frozenset[str]] = {}
        self._everyone: frozenset[str] | None = None
        self._org_codes: frozenset[str] | None = None

    def _cached(self, version: int) -> bool:
        """Move the caches to ``version`` if it is newer; False when ``version`` is older (the
        caller reads afresh and keeps nothing)."""
        current = self._cache_version
        if current is None or version > current:
            self._principals, self._org_paths, self._lanes, self._subtrees, self._names = {}, {}, {}, {}, {}
            self._holders, self._everyone, self._org_codes = {}, None, None
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

    def cached_org_codes_below(self, session: Session, org_path: str, version: int) -> list[str]:
        """``org_codes_below`` cached like principals: a queue of a supervisory role, an approvals
        list, read without walking the org tree each time (a province has thousands of units)."""
        if not self._cached(version):
            return self.org_codes_below(session, org_path)
        codes = self._subtrees.get(org_path)
        if codes is None:
            codes = self.org_codes_below(session, org_path)
            if self._cache_version == version:
                self._subtrees[org_path] = tuple(codes)
            return codes
        return list(codes)

    def names(self, kind: str, version: int | None) -> dict[str, str]:
        """The name of every role (``kind="roles"``), org unit (``"orgs"``) or user (``"users"``, active
        or not) by code, for pages that name what they list; cached like principals at the counter
        ``version`` a web request read with its session row (None: read afresh). Read only."""
        if version is None or not self._cached(version):
            return self._read_names(kind)
        found = self._names.get(kind)
        if found is None:
            found = self._read_names(kind)
            if self._cache_version == version:
                self._names[kind] = found
        return found

    def _read_names(self, kind: str) -> dict[str, str]:
        code, name = {"roles": (Role.code, Role.name), "orgs": (OrgUnit.code, OrgUnit.name),
                      "users": (User.username, User.name)}[kind]
        with self._engine.db.read() as s:
            return {c: n for c, n in s.execute(sa.select(code, name))}

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

    def cached_holders(self, role_code: str, version: int | None) -> frozenset[str]:
        """The active users holding ``role_code`` (``users_with_role``), cached like principals at the
        counter ``version`` a step read under its lock (None: read afresh). A form's people fields
        are checked against it at every submit; a user deactivated or a role taken away bumps the
        counter, so the next submit reads afresh (issue 15)."""
        if version is None or not self._cached(version):
            return frozenset(self.users_with_role(role_code))
        found = self._holders.get(role_code)
        if found is None:
            found = frozenset(self.users_with_role(role_code))
            if self._cache_version == version:
                self._holders[role_code] = found
        return found

    def cached_active_users(self, version: int | None) -> frozenset[str]:
        """Every active user's username, cached like ``cached_holders``."""
        if version is None or not self._cached(version):
            return frozenset(u.username for u in self.users() if u.active)
        found = self._everyone
        if found is None:
            found = frozenset(u.username for u in self.users() if u.active)
            if self._cache_version == version:
                self._everyone = found
        return found

    def cached_org_codes(self, version: int | None) -> frozenset[str]:
        """Every org unit's code, cached like ``cached_holders``."""
        if version is None or not self._cached(version):
            return frozenset(o.code for o in self.orgs())
        found = self._org_codes
        if found is None:
            found = frozenset(o.code for o in self.orgs())
            if self._cache_version == version:
                self._org_codes = found
        return found

    def holds_a_lane(self, session: Session, principal, lanes, version: int | None = None) -> bool:
        """Whether ``principal`` holds the role one of ``lanes`` binds to (a message's sender roles,
        an external task's worker roles). ``version``: the directory counter read in this
        transaction, so the bindings may come from the cache; None: read afresh."""
        for lane in lanes or []:
            if version is None:
                found = self.role_by_lane(session, lane)
                code = found.code if found is not None else None
            else:
                code = self.role_for_lane(session, lane, version)
            if code is not None and principal.holds(code):
                return True
        return False

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

    def update_user(self, username: str, *, name: str | None = None, org: str | None = None,
                    roles: list[str] | None = None, by: str = "system") -> dict:
        """An administrator's edit (用户管理): the fields given are set; returns and audits what changed
        as ``{field: [old, new]}`` (``user_updated``). Claims the user may no longer hold go back to
        the group queue."""
        with self._engine.db.write() as s:
            user = self._user_row(s, username)
            old_roles = sorted(s.execute(sa.select(UserRole.role_code).where(UserRole.username == username)).scalars())
            changes: dict[str, list] = {}
            if name is not None and name.strip() and name.strip() != user.name:
                changes["name"] = [user.name, name.strip()]
                user.name = name.strip()
            if org is not None and org != user.org_code:
                if s.get(OrgUnit, org) is None:
                    raise InvalidData({"org": f"组织机构不存在: {org}"})
                changes["org"] = [user.org_code, org]
                user.org_code = org
            if roles is not None:
                codes = sorted(self._resolve_roles(s, roles))
                if codes != old_roles:
                    changes["roles"] = [old_roles, codes]
                    s.execute(sa.delete(UserRole).where(UserRole.username == username))
                    s.add_all(UserRole(username=username, role_code=r) for r in codes)
            if not changes:
                return changes
            s.flush()
            self._changed(s)
            self._audit(s, by, "user_updated", {"username": username, "changes": changes})
            if user.active:
                self._engine.release_ineligible_claims(s, username)
            return changes

    def set_active(self, username: str, active: bool, by: str = "system", reason: str = "") -> bool:
        """停用 / 启用 an account; a deactivated user is no principal any more (no login, no queue).
        Returns whether anything changed; audited as ``user_deactivated`` / ``user_reactivated``."""
        with self._engine.db.write() as s:
            user = self._user_row(s, username)
            if user.active == active:
                return False
            user.active = active
            s.flush()
            self._changed(s)
            self._audit(s, by, "user_reactivated" if active else "user_deactivated",
                        {"username": username, "active": [not active, active], "reason": reason})
            return True

    def rename_org(self, code: str, name: str, level: str | None = None, by: str = "system") -> dict:
        """Rename an org unit (and set its level: 省/市/区县/乡镇); audited ``org_renamed`` old → new."""
        name = (name or "").strip()
        if not name:
            raise InvalidData({"name": "请填写组织机构名称"})
        with self._engine.db.write() as s:
            org = s.get(OrgUnit, code)
            if org is None:
                raise NotFound(f"组织机构不存在: {code}")
            changes = {}
            if name != org.name:
                changes["name"] = [org.name, name]
                org.name = name
            if level is not None and level != org.level:
                changes["level"] = [org.level, level]
                org.level = level
            if changes:
                self._changed(s)
                self._audit(s, by, "org_renamed", {"code": code, "changes": changes})
            return changes

    def move_org(self, code: str, parent: str, by: str = "system") -> None:
        """Move an org unit, with everything below it, under ``parent`` (机构调整): the materialised
        paths of the subtree are rewritten in the same transaction; never under itself."""
        with self._engine.db.write() as s:
            org, new_parent = s.get(OrgUnit, code), s.get(OrgUnit, parent)
            if org is None:
                raise NotFound(f"组织机构不存在: {code}")
            if new_parent is None:
                raise InvalidData({"parent": f"上级组织机构不存在: {parent}"})
            if new_parent.path.startswith(org.path):
                raise InvalidData({"parent": f"不能把“{org.name}”移到它自己或它的下级“{new_parent.name}”之下"})
            if org.parent_code == parent:
                return
            old_path, new_path = org.path, new_parent.path + f"{code}/"
            for row in s.execute(sa.select(OrgUnit).where(OrgUnit.path.startswith(old_path))).scalars():
                row.path = new_path + row.path[len(old_path):]
            old_parent, org.parent_code = org.parent_code, parent
            self._changed(s)
            self._audit(s, by, "org_moved", {"code": code, "parent": [old_parent, parent]})

    def org_in_use(self, code: str, session: Session | None = None) -> list[str]:
        """Why the org unit ``code`` cannot be deleted, in Chinese (empty when it can): units below it,
        users (active or not — their history names it), cases (running, or ended: their files)."""
        if session is None:
            with self._engine.db.read() as s:
                return self.org_in_use(code, s)
        from .schema import Case
        children = session.execute(sa.select(sa.func.count()).select_from(OrgUnit).where(OrgUnit.parent_code == code)).scalar()
        users = session.execute(sa.select(sa.func.count()).select_from(User).where(User.org_code == code)).scalar()
        running = session.execute(sa.select(sa.func.count()).select_from(Case).where(
            Case.org_code == code, Case.status == "running")).scalar()
        ended = session.execute(sa.select(sa.func.count()).select_from(Case).where(
            Case.org_code == code, Case.status != "running")).scalar()
        return [r for r in (f"有 {children} 个下级机构" if children else "", f"有 {users} 名用户" if users else "",
                            f"有 {running} 件未办结案件" if running else "",
                            f"有 {ended} 件已办结案件的档案" if ended else "") if r]

    def delete_org(self, code: str, by: str = "system", more_reasons: list[str] = ()) -> None:
        """Delete an unused org unit; refused (InvalidData, in Chinese) with every reason it is in use
        (``org_in_use``, plus ``more_reasons`` the caller knows of, e.g. enterprises on its register)."""
        with self._engine.db.write() as s:
            org = s.get(OrgUnit, code)
            if org is None:
                raise NotFound(f"组织机构不存在: {code}")
            reasons = self.org_in_use(code, s) + list(more_reasons)
            if reasons:
                raise InvalidData({"org": f"不能删除“{org.name}”：它{'、'.join(reasons)}；请先调走、办结或改为移动、改名"})
            s.delete(org)
            self._changed(s)
            self._audit(s, by, "org_deleted", {"code": code, "name": org.name})

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

    def user_roles(self) -> dict[str, list[str]]:
        """Every user's role codes (active or not), for listings: one query."""
        found: dict[str, list[str]] = {}
        with self._engine.db.read() as s:
            for username, code in s.execute(sa.select(UserRole.username, UserRole.role_code)
                                            .order_by(UserRole.username, UserRole.role_code)):
                found.setdefault(username, []).append(code)
        return found

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

    def holders_with_units(self, roles=()) -> list[tuple[str, str, frozenset[str]]]:
        """Each active user holding one of ``roles`` (every active user when none is given): their
        username, their org unit's path, and those of ``roles`` they hold that see the org units
        below (``sees_subordinate_orgs``). One read (a people picker's choices)."""
        roles = list(roles or ())
        q = (sa.select(User.username, OrgUnit.path, Role.code, Role.sees_subordinate_orgs)
             .join(OrgUnit, OrgUnit.code == User.org_code)
             .outerjoin(UserRole, UserRole.username == User.username)
             .outerjoin(Role, Role.code == UserRole.role_code)
             .where(User.active.is_(True)))
        if roles:
            q = q.where(UserRole.role_code.in_(roles))
        found: dict[str, tuple[str, set[str]]] = {}
        with self._engine.db.read() as s:
            for username, path, code, sees_below in s.execute(q):
                held = found.setdefault(username, (path, set()))
                if roles and sees_below:
                    held[1].add(code)
        return [(u, path, frozenset(codes)) for u, (path, codes) in sorted(found.items())]

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
