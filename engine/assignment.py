"""Assignment rules (分派规则) declared on user tasks in the model, as ``spiffworkflow:property``:

- ``assignee``: an expression over case data naming the one user who gets the task (e.g. the 组长
  appointed in an earlier step: ``team_leader``).
- ``candidateUsers``: an expression giving users (a list, or names separated by commas) who may
  work the task besides the lane's role holders.
- ``notCompletedBy``: element ids, comma-separated — "not the user who completed task X".
- ``notRoleOfCase``: role codes or lane names, comma-separated — "not anyone who worked this case in
  that role" (e.g. 法制审核 by no investigator of the case; 听证主持人 not an investigator).

Separation-of-duty rules (回避) are recomputed after every step of the case, since later work can
add people to exclude; the queue hides excluded tasks and ``complete`` refuses them with the reason.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .schema import COMPLETED, OPEN, HumanTask, TaskCandidate, TaskExclusion


def _names(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


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
            row.assignee = str(value)
    candidates = []
    if props.get("candidateUsers"):
        users = _names(evaluate(task, props["candidateUsers"]))
        candidates = [TaskCandidate(task_id=row.id, username=u) for u in dict.fromkeys(users)]
    rules = rules_from(props)
    if rules and rules.get("roles"):
        rules["roles"] = [role_for_lane(r) or r for r in rules["roles"]]
    row.rules = rules
    return candidates


def refresh_exclusions(s: Session, case_id: int) -> None:
    """Recompute who is excluded from each open task of the case under its separation-of-duty rules."""
    ruled = [r for r in s.execute(sa.select(HumanTask).where(
        HumanTask.case_id == case_id, HumanTask.state == OPEN, HumanTask.rules.is_not(None))).scalars()
             if r.rules]
    if not ruled:
        return
    done = s.execute(sa.select(HumanTask.spec_id, HumanTask.role_code, HumanTask.completed_by, HumanTask.name).where(
        HumanTask.case_id == case_id, HumanTask.state == COMPLETED)).all()
    for row in ruled:
        want: dict[str, str] = {}
        for spec_id, role, user, name in done:
            if not user:
                continue
            if spec_id in row.rules.get("completers_of", []):
                want.setdefault(user, f"回避：您办理了本案的「{name}」")
            elif role in row.rules.get("roles", []):
                want.setdefault(user, f"回避：您参与了本案的{name}，不能办理「{row.name}」")
        have = {e.username: e for e in s.execute(sa.select(TaskExclusion).where(TaskExclusion.task_id == row.id)).scalars()}
        for user, reason in want.items():
            if user not in have:
                s.add(TaskExclusion(task_id=row.id, username=user, reason=reason))
        for user, exclusion in have.items():
            if user not in want:
                s.delete(exclusion)
        if row.assignee in want and row.delegation is None:
            row.assignee = None  # an excluded user cannot keep (or be given) the task


def exclusion_reason(s: Session, task_id: str, username: str) -> str | None:
    return s.execute(sa.select(TaskExclusion.reason).where(
        TaskExclusion.task_id == task_id, TaskExclusion.username == username)).scalar_one_or_none()


def is_candidate(s: Session, task_id: str, username: str) -> bool:
    return s.execute(sa.select(TaskCandidate.task_id).where(
        TaskCandidate.task_id == task_id, TaskCandidate.username == username)).first() is not None
