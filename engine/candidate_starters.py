"""候选发起人 (candidate starters): who may start a process drawn in Camunda 7, Flowable or Activiti.

``camunda:candidateStarterGroups`` / ``candidateStarterUsers`` (``flowable:``, ``activiti:``) on a
``<bpmn:process>`` name the groups and users who may start it (Camunda 7 ``startableByUser``, Flowable
``startableByUser``/``startableByGroups``). Here a group is the role whose code or Chinese name it is,
as a task's ``candidateGroups`` are (engine/projection.role_of, ``Directory.role_for_lane``), and a user
is an account (its user name) or a person's name (姓名). A person who is none of them may not start the
process — 发起案件 does not offer it, ``Engine.start`` and ``POST /api/cases`` refuse it in Chinese
naming the process and who may — and a process without them is as before. Names that are no role and
no person here (Flowable's demo group ``flowableUser``) are passed over; a process whose lists name no
one known here is not restricted (else nobody could start it): the deploy note says how they are read.
"""
from __future__ import annotations

import sqlalchemy as sa
from lxml import etree

from .errors import Forbidden
from .schema import ProcessModel, Role, User

ATTRIBUTES = ("candidateStarterGroups", "candidateStarterUsers")
_cache: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {}  # content hash -> (groups, users, name)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (value or "").replace("，", ",").split(",") if x.strip())


def drawn(content: str, process_key: str, content_hash: str | None = None) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """The groups and users the process ``process_key`` of the model file ``content`` names as its
    candidate starters (any vendor's namespace), and the process's name."""
    key = f"{content_hash}:{process_key}" if content_hash else None
    if key is not None and key in _cache:
        return _cache[key]
    found: tuple[tuple[str, ...], tuple[str, ...], str] = ((), (), process_key)
    root = etree.fromstring(content.encode("utf-8"))
    for process in root.iter("{*}process"):
        if process.get("id") != process_key:
            continue
        values = {etree.QName(attr).localname: value for attr, value in process.attrib.items()}
        found = (_split(values.get("candidateStarterGroups")), _split(values.get("candidateStarterUsers")),
                 (process.get("name") or "").strip() or process_key)
        break
    if key is not None:
        _cache[key] = found
    return found


def starters_known(directory, s, groups, users, version: int | None) -> tuple[list[str], list[str], list[str]]:
    """Of the drawn ``groups`` and ``users``: the role codes the groups name, the accounts the users
    name, and how each known one is said (the role's Chinese name, the person's name)."""
    roles: list[str] = []
    said: list[str] = []
    for group in groups:
        code = directory.role_for_lane(s, group, version) if version is not None else (
            getattr(directory.role_by_lane(s, group), "code", None))
        if code is not None and code not in roles:
            roles.append(code)
            role = s.get(Role, code)
            said.append(role.name if role is not None and role.name else code)
    accounts: list[str] = []
    if users:
        for row in s.execute(sa.select(User.username, User.name).where(
                sa.or_(User.username.in_(users), User.name.in_(users)))):
            if row.username not in accounts:
                accounts.append(row.username)
                said.append(row.name or row.username)
    return roles, accounts, said


def refusal(directory, s, principal, content: str, process_key: str, content_hash: str | None = None,
            version: int | None = None) -> str | None:
    """Why ``principal`` may not start ``process_key`` (in Chinese, naming the process and who may), or
    None when it may: the process names no candidate starters, or none known here, or the principal
    holds a role a group names or is a user named."""
    groups, users, name = drawn(content, process_key, content_hash)
    if not groups and not users:
        return None
    roles, accounts, said = starters_known(directory, s, groups, users, version)
    if not roles and not accounts:
        return None
    if principal.username in accounts or any(principal.holds(code) for code in roles):
        return None
    return (f"流程「{name}」只能由其候选发起人发起（{'、'.join(said)}），您不在其中；"
            "如需发起，请联系系统管理员或流程设计员")


_latest: dict[str, tuple[tuple, str | None]] = {}  # process key -> (models' stamp, content hash or None: names none)
_named: dict[str, str] = {}  # content hash -> content, of the files that name candidate starters
_plain: set[str] = set()  # content hashes of the files that name none


def _names_starters(s, content_hash: str) -> bool:
    """Whether the model file with ``content_hash`` names candidate starters (its content then kept in
    ``_named``); each file is read once."""
    if content_hash in _plain:
        return False
    if content_hash not in _named:
        content = s.execute(sa.select(ProcessModel.content).where(
            ProcessModel.content_hash == content_hash).limit(1)).scalar()
        if not (content and "candidateStarter" in content):
            _plain.add(content_hash)
            return False
        _named[content_hash] = content
    return True


def check(directory, s, principal, process_key: str, version: int | None = None,
          models_stamp: tuple | None = None) -> None:
    """Refuse (``Forbidden``) a start of the latest model of ``process_key`` by ``principal`` who is not
    among its candidate starters. ``models_stamp``: the models' stamp read in this transaction — the
    latest model's answer is then taken from the last start that read it (no statement)."""
    known = _latest.get(process_key) if models_stamp is not None else None
    if known is not None and known[0] == models_stamp:
        content_hash = known[1]
    else:
        row = s.execute(sa.select(ProcessModel.content_hash)
                        .where(ProcessModel.key == process_key, ProcessModel.kind == "bpmn")
                        .order_by(ProcessModel.version.desc()).limit(1)).first()
        content_hash = row.content_hash if row is not None and _names_starters(s, row.content_hash) else None
        if models_stamp is not None:
            _latest[process_key] = (models_stamp, content_hash)
    if content_hash is None:
        return
    said = refusal(directory, s, principal, _named[content_hash], process_key, content_hash, version)
    if said is not None:
        raise Forbidden(said)


def may_start(directory, s, principal, process_key: str, content_hash: str) -> bool:
    """May ``principal`` start the model ``process_key`` whose file has ``content_hash`` (a listing's
    row: 发起案件 offers only what the person may start)? Each file is read once."""
    if not _names_starters(s, content_hash):
        return True
    return refusal(directory, s, principal, _named[content_hash], process_key, content_hash) is None
