"""Authorization (权限): one policy for the engine, the REST API and the pages.

Who may do what is decided here only, from the directory as it is now (never copied into tasks):
- a task: its assignee, or a holder of its lane's role in the case's org unit — supervisory roles
  also below it — and for enterprise users (当事人) only tasks of their own enterprise's cases;
- a case: officials of its org unit or above; an enterprise user for its own cases only;
- supervision (incidents, reassignment): a supervisory role at the case's org unit or above;
- administration and process design: the ``admin`` and ``designer`` roles.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from .assignment import exclusion_reason, is_candidate
from .directory import Principal
from .errors import Forbidden
from .schema import Case, HumanTask

ADMIN_ROLE = "admin"
DESIGNER_ROLE = "designer"


class Policy:
    def __init__(self, directory):
        self.directory = directory

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
        if not p.holds(row.role_code):
            raise Forbidden(f"用户 {p.username} 没有该任务所需的角色 ({row.lane})")
        if p.party:
            if row.party != p.party:
                raise Forbidden("企业用户只能办理本企业的案件")
            return
        if row.org_code == p.org_code:
            return
        if row.role_code in p.supervising_roles and self._below(s, row.org_code, p, directory_version):
            return
        raise Forbidden(f"任务属于其他组织机构 ({row.org_code})")

    def check_case_view(self, s: Session, p: Principal, case: Case) -> None:
        if p.party:
            if case.party != p.party:
                raise Forbidden("企业用户只能查看本企业的案件")
            return
        if not self._below(s, case.org_code, p):
            raise Forbidden("无权查看其他组织机构的案件")

    def check_start(self, s: Session, p: Principal, org_code: str, party: str | None) -> None:
        """May ``p`` open a case (立案/登记) in ``org_code``? Officials: on their own branch of the
        tree — their unit, below it, or above it (a town's inspector registers a hazard the district
        handles) — never another branch; enterprise users only about their own enterprise."""
        if p.party:
            if party != p.party:
                raise Forbidden("企业用户只能为本企业发起案件")
            return
        path = self.directory.org_path(s, org_code)
        if not (path.startswith(p.org_path) or p.org_path.startswith(path)):
            raise Forbidden("只能在本单位、上级或下级单位发起案件")

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
