"""Assignment rules (分派规则) declared on user tasks in the model, as ``spiffworkflow:property``:

- ``assignee``: an expression over case data naming the one user who gets the task (e.g. the 组长
  appointed in an earlier step: ``team_leader``): an account or a 姓名, as candidates are; a value
  that is nobody (``${brigade}_clerk`` with no 大队: 「_clerk」) leaves the task to its role's queue or
  its candidates, said in the case's history (``dropped_note``), and on a task nothing else queues is
  an incident (``CandidatesNotFound``), not the starter's task. An empty value (no assignee) is as
  before: the role's queue, else the starter.
- ``candidateUsers``: an expression giving users (a list, or names separated by commas) who may
  work the task besides the lane's role holders: accounts, or people's names (姓名) as officials type
  them (``resolve_candidates``); names nobody is are dropped and said in the case's history
  (``dropped_note``), and on a task nothing else queues are an incident (``CandidatesNotFound``),
  not the starter's task.
- ``notCompletedBy``: element ids, comma-separated — "not the user who completed task X".
- ``notRoleOfCase``: role codes or lane names, comma-separated — "not anyone who worked this case in
  that role" (e.g. 法制审核 by no investigator of the case; 听证主持人 not an investigator).
- ``completerVariable``: a case variable that gets the user name of whoever completes the task (what
  Camunda models do with a complete listener setting ``${proposer}`` and Flowable with
  ``taskCompleterVariableName``), so that a later ``assignee`` can name that person: a 退回 goes back
  to the 承办人 who wrote the proposal (bpmn/enforcement_case.bpmn, 案件处理呈批), not to the pool.

Separation-of-duty rules (回避) are recomputed after every step of the case, since later work can
add people to exclude; the queue hides excluded tasks and ``complete`` refuses them with the reason.
"""
from __future__ import annotations

import keyword
import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import sqlexec, typed_input
from .schema import COMPLETED, OPEN, HumanTask, TaskCandidate, TaskExclusion, User


# What separates the people in a candidate list typed as text: Flowable and Camunda split on ","; an
# official typing 「zhang，eastboss」 or 「zhang、eastboss」 on a Chinese keyboard means the same two
# people (kept whole, it named one user nobody is, and the task went to the case's starter).
_NAME_SEPARATORS = re.compile(r"[,，、;；]")


def _names(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in _NAME_SEPARATORS.split(value) if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


# The case's 案号, 办理单位 and 企业 as its data mirrors them for model code: set from the case row at
# the start (engine/step.py ``start_in``), never from data a person or another case hands in
# (``step.without_system_keys``), nor by a ``completerVariable``. Kept here, where step takes it from.
SYSTEM_KEYS = frozenset({"case_no", "org_code", "party"})


def completer_variable_problem(name: str) -> str | None:
    """Why ``name`` cannot be a ``completerVariable`` (said in Chinese at deploy), else None."""
    name = name.strip()
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        return f"「{name[:40]}」不是合法的变量名（字母或汉字开头，只含字母、数字、汉字和下划线）"
    if name in SYSTEM_KEYS:
        return f"「{name}」是系统保留的案件字段，不能用来记录办理人"
    return None


def record_completer(task, props: dict, username: str) -> None:
    """``completerVariable``: write the completing user's name into that case variable (a name the
    deploy check refused is not written). The check is asked again here because the deploy's is not
    sure to have run for every stored model: it came with the property (18626cd, 2026-12-06), and a
    model deployed before then keeps its row (process_model) and its running cases their spec as
    stored, with whatever ``spiffworkflow:property`` it carried; no migration validates stored models
    again. A name such as ``case_no`` there would let the completer's user name stand for the case's
    案号 in the eyes of its scripts. It costs a string check on the completions that have the property."""
    name = props.get("completerVariable")
    if name and completer_variable_problem(name) is None:
        task.set_data(**{name.strip(): username})


def rules_from(props: dict) -> dict | None:
    rules = {}
    if props.get("notCompletedBy"):
        rules["completers_of"] = _names(props["notCompletedBy"])
    if props.get("notRoleOfCase"):
        rules["roles"] = _names(props["notRoleOfCase"])
    return rules or None


def assign_on_open(row: HumanTask, task, props: dict, evaluate, role_for_lane) -> list[TaskCandidate]:
    """Apply the model's dynamic assignment to a task being opened; returns its candidate rows."""
    if props.get("assignee"):
        value = evaluate(task, props["assignee"])
        if value:
            row.assignee = str(value).strip() or None
    candidates = []
    if props.get("candidateUsers"):
        users = _names(evaluate(task, props["candidateUsers"]))
        candidates = [TaskCandidate(task_id=row.id, username=u) for u in dict.fromkeys(users)]
    rules = rules_from(props)
    if rules and rules.get("roles"):
        rules["roles"] = [role_for_lane(r) or r for r in rules["roles"]]
    row.rules = rules
    return candidates


_USERS_CALLED = sqlexec.Sql(sa.select(User.__table__.c.username).where(
    User.__table__.c.name == sa.bindparam("name"), User.__table__.c.active.is_(True)).order_by(User.__table__.c.username))


_NOT_A_USER = "在本系统中找不到对应的人员（不是在用账号，也不是本案办理单位及其上下级单位在用人员的姓名）"
_SEVERAL = "对应多名同名人员，无法确定是哪一位"


def _quoted(names: list[str]) -> str:
    return "、".join(f"「{n[:40]}」" for n in names)


def _not_found(who: str, unknown: list[str], ambiguous: list[str]) -> str:
    """「候选人「王五」在本系统中找不到对应的人员（…）；「孙七」对应多名同名人员…」 ("" when none)."""
    said = []
    if unknown:
        said.append(_quoted(unknown) + _NOT_A_USER)
    if ambiguous:
        said.append(_quoted(ambiguous) + _SEVERAL)
    return who + "；".join(said) if said else ""


class CandidatesNotFound(Exception):
    """A task's ``assignee`` or ``candidateUsers`` named nobody this case may give it to, and
    nothing else (no lane role, ``candidateGroups``, ``defaultRole``, another assignee or candidate)
    queues it: said, not given to the case's starter.

    Camunda 7 and Flowable (and Activiti before them) store an assignee and candidate users as the
    text the expression gave, never checked against a directory: ``${brigade}_clerk`` with no 大队
    set is a task assigned to 「_clerk」, which sits in nobody's list until someone queries for it.
    For a bureau that is a 督办 item nobody holds while its legal deadline runs, and handing it to
    the case's starter instead (as this engine did) gave the work to someone the model never named,
    without a word. An incident is seen at once on the case and in 异常处理 and names the task and
    the value, and nothing is lost: the step fails as model code does (``step`` wraps it in
    ``ProcessFailure``, the step rolled back, the task before still open); an administrator corrects
    the directory (姓名, 账号, 启用) or the case's data and retries."""

    def __init__(self, task_spec, unknown: list[str], ambiguous: list[str],
                 assignee_unknown: list[str] | None = None, assignee_ambiguous: list[str] | None = None):
        self.task_spec = task_spec
        self.unknown, self.ambiguous = unknown, ambiguous
        self.assignee_unknown, self.assignee_ambiguous = assignee_unknown or [], assignee_ambiguous or []
        said = [s for s in (_not_found("办理人", self.assignee_unknown, self.assignee_ambiguous),
                            _not_found("候选人", unknown, ambiguous)) if s]
        name = getattr(task_spec, "bpmn_name", None) or getattr(task_spec, "bpmn_id", None) or "任务"
        super().__init__(f"任务「{name}」的" + "；".join(said) + "。该任务没有可以办理的人，未交给发起人代办：请管理员在用户"
                         "管理中核对人员姓名或账号（或改用账号），或改正案件数据后重试")


def dropped_note(assignee_unknown: list[str], assignee_ambiguous: list[str], unknown: list[str],
                 ambiguous: list[str], to_starter: bool = False) -> str | None:
    """What the case's history says when an assignee or candidates the model named are nobody but the
    task has others to do it (its role's queue, other candidates): 「候选人「王五」在本系统中找不到
    对应的人员，已从候选人中略去」. None when every name was found."""
    said = []
    then = "已交给发起人办理" if to_starter else "改由可办理本任务的人员认领"
    if assignee_unknown:
        said.append(f"办理人{_quoted(assignee_unknown)}在本系统中找不到对应的人员，{then}")
    if assignee_ambiguous:
        said.append(f"办理人{_quoted(assignee_ambiguous)}{_SEVERAL}，{then}")
    if unknown:
        said.append(f"候选人{_quoted(unknown)}在本系统中找不到对应的人员，已从候选人中略去")
    if ambiguous:
        said.append(f"候选人{_quoted(ambiguous)}{_SEVERAL}，已从候选人中略去")
    return "；".join(said) or None


def resolve_candidates(conn, names: list[str], may_be_named) -> tuple[list[str], list[str], list[str]]:
    """The user names of ``candidateUsers`` as the directory knows them: a name ``may_be_named``
    accepts is an account and kept; otherwise it is taken as a person's 姓名 (what officials type:
    「张三、东城科长」), which is that person when exactly one active user may be named by the case
    (its unit's branch, or its enterprise's account). Returns (users, unknown names, ambiguous names);
    ``may_be_named(username)`` is asked as ``projection.may_be_named`` answers for the case.
    A 姓名 is read as forms read one (``typed_input.person_name``: 「周　文书」 lined up with a
    full-width blank is 周文书). An account costs what it did (one row); a 姓名 one query more."""
    users: list[str] = []
    unknown: list[str] = []
    ambiguous: list[str] = []
    for name in dict.fromkeys(names):
        if may_be_named(name):
            users.append(name)
            continue
        called = [r[0] for r in sqlexec.all_rows(conn, _USERS_CALLED, {"name": typed_input.person_name(name)})
                  if may_be_named(r[0])]
        if len(called) == 1:
            users.append(called[0])
        elif called:
            ambiguous.append(name)
        else:
            unknown.append(name)
    return list(dict.fromkeys(users)), unknown, ambiguous


_TASK = HumanTask.__table__
_EXCLUSION = TaskExclusion.__table__
# What ``refresh_exclusions`` reads and writes, rendered once (engine/sqlexec.py) on the step's own
# connection: through an ORM session the step made the session for it (~0.3 ms) and flushed it.
_RULED_OPEN = sqlexec.Sql(sa.select(_TASK.c.id, _TASK.c.name, _TASK.c.rules, _TASK.c.assignee, _TASK.c.delegation)
                          .where(_TASK.c.case_id == sa.bindparam("case_id"), _TASK.c.state == OPEN,
                                 _TASK.c.rules.is_not(None)))
_DONE = sqlexec.Sql(sa.select(_TASK.c.spec_id, _TASK.c.role_code, _TASK.c.completed_by, _TASK.c.name)
                    .where(_TASK.c.case_id == sa.bindparam("case_id"), _TASK.c.state == COMPLETED))
_EXCLUDED = sqlexec.Sql(sa.select(_EXCLUSION.c.username).where(_EXCLUSION.c.task_id == sa.bindparam("task_id")))
_EXCLUDE = sqlexec.Sql(sa.insert(_EXCLUSION), keys=("task_id", "username", "reason"))
_READMIT = sqlexec.Sql(sa.delete(_EXCLUSION).where(_EXCLUSION.c.task_id == sa.bindparam("b_task"),
                                                   _EXCLUSION.c.username == sa.bindparam("b_user")))
_UNASSIGN = sqlexec.Sql(sa.update(_TASK).where(_TASK.c.id == sa.bindparam("b_id")).values(assignee=None))


def refresh_exclusions(conn: sa.Connection, case_id: int) -> None:
    """Recompute who is excluded from each open task of the case under its separation-of-duty rules,
    in SQL Core on the step's connection (no ORM session)."""
    ruled = [r for r in sqlexec.all_rows(conn, _RULED_OPEN, {"case_id": case_id}) if r.rules]
    if not ruled:
        return
    done = sqlexec.all_rows(conn, _DONE, {"case_id": case_id})
    for row in ruled:
        want: dict[str, str] = {}
        for spec_id, role, user, name in done:
            if not user:
                continue
            if spec_id in row.rules.get("completers_of", []):
                want.setdefault(user, f"回避：您办理了本案的「{name}」")
            elif role in row.rules.get("roles", []):
                want.setdefault(user, f"回避：您参与了本案的{name}，不能办理「{row.name}」")
        have = {e.username for e in sqlexec.all_rows(conn, _EXCLUDED, {"task_id": row.id})}
        sqlexec.defer(conn, _EXCLUDE, [{"task_id": row.id, "username": user, "reason": reason}
                                       for user, reason in want.items() if user not in have], many=True)
        sqlexec.defer(conn, _READMIT, [{"b_task": row.id, "b_user": user} for user in have if user not in want],
                      many=True)
        if row.assignee in want and row.delegation is None:
            sqlexec.defer(conn, _UNASSIGN, {"b_id": row.id})  # an excluded user cannot keep (or be given) the task


def exclusion_reason(s: Session, task_id: str, username: str) -> str | None:
    return s.execute(sa.select(TaskExclusion.reason).where(
        TaskExclusion.task_id == task_id, TaskExclusion.username == username)).scalar_one_or_none()


def is_candidate(s: Session, task_id: str, username: str) -> bool:
    return s.execute(sa.select(TaskCandidate.task_id).where(
        TaskCandidate.task_id == task_id, TaskCandidate.username == username)).first() is not None
