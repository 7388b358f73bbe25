"""The engine's tables (SQLAlchemy 2.x), identical on SQLite and PostgreSQL.

Why the shapes are what they are:
- ``wf_task`` holds SpiffWorkflow's state one row per task, so a step writes only the rows it
  changed; rows of finished, pruned tasks stay as history (``live`` false) and are never loaded.
- ``human_task`` is the projection queues read: one indexed query, no workflow deserialization.
- ``audit_event`` rows are hash-chained per chain (one chain per case, one for the system) and
  each chain's last link is pinned — a case chain's on its ``case_instance`` row (``audit_seq``,
  ``audit_hash``, which the step writes anyway), any other's in ``audit_head`` — so deleting the
  newest rows shows too.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import processors as _sa_processors
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

# Sorts after every real due date: tasks without a deadline come last in a queue.
NO_DUE_DATE = datetime(9999, 12, 31, tzinfo=timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores naive UTC, returns aware UTC, on every backend (SQLite keeps no zone)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=timezone.utc) if value is not None else None

    def result_processor(self, dialect, coltype):
        """What TypeDecorator's processor gives (the dialect type's conversion, then
        ``process_result_value``), faster for SQLite's text: the stored naive UTC text read with
        ``+00:00`` after it by ``datetime.fromisoformat`` is the same aware datetime, in one C call,
        where ``datetime.replace(tzinfo=...)`` alone costs ~1.2 µs (CPython 3.11 on this machine; the
        parse 0.2). Text not as our binds write it (a date alone, an offset) is read as before."""
        convert = self.impl_instance.result_processor(dialect, coltype)
        utc = timezone.utc
        if convert is None:
            def process(value):
                return value.replace(tzinfo=utc) if value is not None else None
        elif convert is not _sa_processors.str_to_datetime:
            def process(value):
                return convert(value).replace(tzinfo=utc) if value is not None else None
        else:
            parse = datetime.fromisoformat

            def process(value):
                if value is None:
                    return None
                try:
                    parsed = parse(value + "+00:00")
                except ValueError:  # an offset of its own
                    parsed = None
                if parsed is not None and parsed.tzinfo is utc:  # (a date alone reads as naive)
                    return parsed
                return convert(value).replace(tzinfo=utc)
        return process

    def bind_processor(self, dialect):
        """The bind conversion, remembering its last two values: a step binds its one ``now`` to
        several columns and statements (updated_at, completed_at, created_at, the audit events'
        ``at``) and a new task's ``due_sort`` is ``NO_DUE_DATE`` between them; each conversion
        costs microseconds (to UTC, then SQLite's text form). Datetimes are immutable, so the same
        object always converts to the same parameter; None (binds as None) leaves the memo alone.
        The memo is one tuple, replaced whole, so threads sharing it see matching pairs or a miss.
        On SQLite a miss on an aware UTC datetime is converted by ``isoformat`` (``_sqlite_text_of``)."""
        convert = super().bind_processor(dialect)
        if convert is None:
            return None
        if getattr(self.impl_instance, "_storage_format", None) == _SQLITE_DATETIME_TEXT:
            convert = _sqlite_text_of(convert)
        memo: tuple = (None, None, None, None)  # the last value and its parameter, the one before

        def process(value):
            nonlocal memo
            if value is None:
                return None
            seen = memo
            if value is seen[0]:
                return seen[1]
            if value is seen[2]:
                return seen[3]
            bound = convert(value)
            memo = (value, bound, seen[0], seen[1])
            return bound
        return process


# SQLAlchemy's text form of a datetime on SQLite (sqlite.DATETIME's default storage format)
_SQLITE_DATETIME_TEXT = "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"


def _sqlite_text_of(convert):
    """``convert`` (to naive UTC, then SQLite's text form), for an aware UTC datetime (every clock's
    ``now``, ``NO_DUE_DATE``) by ``isoformat`` alone: the same text without ``astimezone``, ``replace``
    and the format's dict (~4 µs a datetime on this machine, ~0.4 so). Any other value as before."""
    utc = timezone.utc

    def process(value):
        if type(value) is datetime and value.tzinfo is utc:
            return value.isoformat(" ", "microseconds")[:26]
        return convert(value)
    return process


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict: sa.JSON, list: sa.JSON}


# --- directory (人员、角色、组织机构) -------------------------------------------------------------
class Role(Base):
    __tablename__ = "role"
    code: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128), unique=True)
    # Supervisory roles (科室负责人、领导) see the tasks of org units below their own as well.
    sees_subordinate_orgs: Mapped[bool] = mapped_column(default=False)


class OrgUnit(Base):
    __tablename__ = "org_unit"
    code: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    parent_code: Mapped[str | None] = mapped_column(sa.ForeignKey("org_unit.code"))
    # Materialised path "/city/district/town/" so a subtree is a prefix.
    path: Mapped[str] = mapped_column(sa.String(512), index=True)
    level: Mapped[str | None] = mapped_column(sa.String(16))  # 省/市/区/镇/村


class User(Base):
    __tablename__ = "app_user"
    username: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128), default="")
    org_code: Mapped[str] = mapped_column(sa.ForeignKey("org_unit.code"))
    # The enterprise (当事人, by credit code) an enterprise user acts for; None for officials.
    party: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    active: Mapped[bool] = mapped_column(default=True)


class UserRole(Base):
    __tablename__ = "user_role"
    username: Mapped[str] = mapped_column(sa.ForeignKey("app_user.username"), primary_key=True)
    role_code: Mapped[str] = mapped_column(sa.ForeignKey("role.code"), primary_key=True)


# --- models (流程模型) ---------------------------------------------------------------------------
class ProcessModel(Base):
    __tablename__ = "process_model"
    __table_args__ = (sa.UniqueConstraint("key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(128), index=True)  # process id, or decision id for DMN
    kind: Mapped[str] = mapped_column(sa.String(8))  # bpmn | dmn
    name: Mapped[str] = mapped_column(sa.String(256), default="")
    version: Mapped[int]
    filename: Mapped[str] = mapped_column(sa.String(256))
    content: Mapped[str] = mapped_column(sa.Text)
    content_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    deployed_by: Mapped[str] = mapped_column(sa.String(64))
    deployed_at: Mapped[datetime]
    # the 案号 prefix the process declares (``caseNumberPrefix``, engine/case_numbers.py); NULL: its
    # key's initials (a DMN file, a model that declares none, every version deployed before 0032)
    case_prefix: Mapped[str | None] = mapped_column(sa.String(8))
    # the version tag the process carries (``camunda:versionTag``, ``zeebe:versionTag``), which a call
    # activity bound by versionTag starts (engine/call_binding.py); NULL: none, or deployed before 0036
    version_tag: Mapped[str | None] = mapped_column(sa.String(128))


class SpecBundle(Base):
    """The parsed specs a case runs on (process, called processes, decisions), frozen at start."""
    __tablename__ = "spec_bundle"
    hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    content: Mapped[str] = mapped_column(sa.Text)


# --- cases (案件) and their workflow state --------------------------------------------------------
_DATA = sa.column("data", sa.JSON)  # case_instance.data, for the generated columns' expressions


# 隐患季度统计 lists enterprises in code point order, as Python sorts them, whatever the database's
# own collation (a zh_CN database would sort by pinyin).
KEY_TYPE = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


# A case of a hazard process (engine/case_facts.py keeps its facts; NULL for every other process).
HAZARD_CASES = sa.text("hazard_found_day IS NOT NULL")
# A case started from another (派生案件): the only rows ``ix_case_instance_parent_case_id`` holds
# (revision 0025); its readers compare ``parent_case_id = ?``, which implies it.
DERIVED_CASES = sa.text("parent_case_id IS NOT NULL")


class Case(Base):
    __tablename__ = "case_instance"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # No index of its own since revision 0025: ix_case_instance_started and ix_case_instance_ended lead
    # with it and serve its readers.
    process_key: Mapped[str] = mapped_column(sa.String(128))
    model_id: Mapped[int] = mapped_column(sa.ForeignKey("process_model.id"), index=True)
    bundle_hash: Mapped[str] = mapped_column(sa.ForeignKey("spec_bundle.hash"))
    org_code: Mapped[str] = mapped_column(sa.ForeignKey("org_unit.code"), index=True)
    party: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    title: Mapped[str] = mapped_column(sa.String(256), default="")
    # running | completed | cancelled. No index of its own since revision 0022: ix_case_instance_escalation
    # leads with it, and a case's end (the status changed) wrote a page of each.
    status: Mapped[str] = mapped_column(sa.String(16))
    escalation_level: Mapped[int] = mapped_column(default=0)  # 督办级别
    version: Mapped[int] = mapped_column(default=0)  # optimistic lock, bumped by every step
    data: Mapped[dict] = mapped_column(default=dict)
    started_by: Mapped[str] = mapped_column(sa.String(64))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    parent_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_instance.id"))  # 派生案件 (revision 0013)
    # The top workflow's last task (SpiffWorkflow's ``last_task``, its id), kept here rather than in
    # its wf_workflow row, which would otherwise be rewritten by every step (engine/state.py
    # ``last_task_text``; revision 0021). NULL: none, or the row's own (written before 0019).
    last_task: Mapped[str | None] = mapped_column(sa.String(36))
    # The head of the case's audit chain (审计链头, ``case:<id>``; revision 0021): its last event's seq
    # (0: none yet) and hash, set by the step's own write of this row (engine/step.py ``write_case``)
    # instead of an ``audit_head`` row of its own. Other chains keep their heads in ``audit_head``.
    audit_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    audit_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # Case facts the leadership pages count over a whole province (workflows/leadership), kept by the
    # database from ``data`` on every write (generated columns: STORED on PostgreSQL, VIRTUAL and
    # indexed on SQLite; revision 0006), so a page never parses 100,000 cases' JSON and the step
    # writes nothing more. 隐患等级, and the 整改期限 of a hazard listed for supervision (挂牌督办).
    hazard_grade: Mapped[str | None] = mapped_column(sa.Text, sa.Computed(_DATA["hazard_grade"].as_string(),
                                                                          persisted=True))
    listing_deadline: Mapped[str | None] = mapped_column(sa.Text, sa.Computed(sa.case(
        (_DATA["listed_at"].as_string().is_not(None), _DATA["rectify_deadline"].as_string())), persisted=True))

    # The hazard facts the 16号令 quarterly statistics count (workflows/hazard_ledger.py), kept by a
    # trigger from ``data`` and the columns above on every write of a hazard case (engine/case_facts.py,
    # revision 0011); NULL for other processes. Deferred: no page or step loads them with a case.
    hazard_found_day: Mapped[int | None] = mapped_column(sa.Integer, deferred=True)  # days since 1970 in China; -1: read the JSON
    hazard_outcome: Mapped[int | None] = mapped_column(sa.Integer, deferred=True)    # -3 not counted, -2 关闭取缔, -1 not rectified, else the day
    hazard_due_day: Mapped[int | None] = mapped_column(sa.Integer, deferred=True)    # -1 none
    hazard_cost_fen: Mapped[int | None] = mapped_column(sa.BigInteger, deferred=True)
    hazard_key: Mapped[str | None] = mapped_column(KEY_TYPE, deferred=True)  # credit code, else enterprise name, else '' (code point order)
    # 挂牌层级 (省级/市级/县（区）级挂牌督办, bpmn/listing_level.dmn): ``data['listing_level']`` of a hazard case,
    # kept by the same trigger (revision 0035) so the 挂牌督办 board groups ix_case_instance_hazards alone.
    listing_level: Mapped[str | None] = mapped_column(sa.Text, deferred=True)

    __table_args__ = (
        # 隐患季度统计: per district by the day found, per enterprise in name order (index-only scans).
        # The three hazard indexes hold hazard cases only: on SQLite since revision 0020 (they hold
        # ``hazard_grade``, generated from ``data``, so every step's UPDATE of another process's case
        # rewrote its entries, from its JSON), on PostgreSQL since 0025 (an UPDATE that is not HOT —
        # the one that ends a case — entered a NULL entry in each for every other process's case).
        # Their readers compare ``hazard_found_day``, which implies it.
        sa.Index("ix_case_instance_hazard_found", "hazard_found_day", "org_code", "hazard_grade", "hazard_outcome",
                 "hazard_due_day", "hazard_cost_fen", sqlite_where=HAZARD_CASES, postgresql_where=HAZARD_CASES),
        sa.Index("ix_case_instance_hazard_key", "hazard_key", "hazard_found_day", "org_code", "hazard_grade",
                 "hazard_outcome", "hazard_due_day", "hazard_cost_fen", sqlite_where=HAZARD_CASES,
                 postgresql_where=HAZARD_CASES),
        # 逾期督办 lists running cases most escalated first (webui/overdue.py): walked in this order, a
        # page of a province's 100,000 cases stops after its rows instead of sorting them all.
        sa.Index("ix_case_instance_escalation", "status", "escalation_level", "started_at", "id"),
        # The leadership dashboard's hazards by unit, grade and overdue listing: read from this index
        # alone (an index-only scan), never from the rows' JSON.
        # 挂牌层级 before the deadline (revision 0035): the 挂牌督办 board groups by unit and level, and the
        # cases of one count (unit and level given) come in 整改期限 order.
        sa.Index("ix_case_instance_hazards", "process_key", "status", "org_code", "hazard_grade", "listing_level",
                 "listing_deadline", sqlite_where=HAZARD_CASES, postgresql_where=HAZARD_CASES),
        # Cases of a process ended (销号 in a quarter) or started (accidents, inspections) in a period.
        sa.Index("ix_case_instance_ended", "process_key", "status", "ended_at"),
        sa.Index("ix_case_instance_started", "process_key", "started_at"),
        # A case's derived cases (engine/queries.py); a case started from none is not in it (0025).
        sa.Index("ix_case_instance_parent_case_id", "parent_case_id", sqlite_where=DERIVED_CASES,
                 postgresql_where=DERIVED_CASES),
    )


class CaseHazardTally(Base):
    """Running ``hazard_supervision`` cases counted by org unit, grade and listing deadline, kept by
    triggers on ``case_instance`` in the transaction of every write of a case (revision 0010), for
    the leadership dashboard's 在办隐患 and 挂牌逾期 (workflows/leadership/dashboard.py). '' stands for
    NULL in the key columns; ``listed`` is 1 when ``listing_deadline`` is not NULL."""
    __tablename__ = "case_hazard_tally"
    org_code: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    hazard_grade: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    listing_deadline: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    listed: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(sa.Integer)


class HazardQuarterTally(Base):
    """隐患季度统计 per (quarter, org unit, enterprise '' or not): the sums of what each hazard found
    in that quarter adds to its figures, kept by triggers on ``case_instance`` from the hazard facts
    (engine/case_facts.py, revision 0014). ``quarter_first`` is the quarter's first day (days since
    1970 in China); ``blank`` is 1 for cases of no party and no enterprise name."""
    __tablename__ = "hazard_quarter_tally"
    quarter_first: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    org_code: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    blank: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    found: Mapped[int] = mapped_column(sa.Integer)
    found_major: Mapped[int] = mapped_column(sa.Integer)
    rectified: Mapped[int] = mapped_column(sa.Integer)
    rectified_major: Mapped[int] = mapped_column(sa.Integer)
    open: Mapped[int] = mapped_column(sa.Integer)
    overdue: Mapped[int] = mapped_column(sa.Integer)
    fen: Mapped[int] = mapped_column(sa.BigInteger)


class WorkflowRow(Base):
    """Workflow-level state of the top process (wf_key 'top') or one sub-process (its task id)."""
    __tablename__ = "wf_workflow"
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_instance.id"), primary_key=True)
    wf_key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    seq: Mapped[int]
    live: Mapped[bool] = mapped_column(default=True)
    content: Mapped[str] = mapped_column(sa.Text)


class TaskRow(Base):
    """One SpiffWorkflow task. ``seq`` orders parents before children for restoring.

    Keyed by (``case_id``, ``id``) since revision 0024: a task's id is a random UUID, and keyed by it
    alone each row a step inserts or deletes (the tasks an exclusive gateway drops and the ones it
    creates) went to a page of its own in the key's b-tree — 3–4 WAL frames of a completion that
    passes a gateway; a case's keys are now side by side. Every statement names the case."""
    __tablename__ = "wf_task"
    __table_args__ = (sa.PrimaryKeyConstraint("case_id", "id", name="wf_task_pkey"),
                      sa.Index("ix_wf_task_live", "case_id", "live", "seq"))
    id: Mapped[str] = mapped_column(sa.String(36))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_instance.id"))
    wf_key: Mapped[str] = mapped_column(sa.String(40))
    seq: Mapped[int]
    spec_name: Mapped[str] = mapped_column(sa.String(256))
    state: Mapped[int]
    live: Mapped[bool] = mapped_column(default=True)
    content: Mapped[str] = mapped_column(sa.Text)


# The predicates of the partial indexes of human_task and audit_event (revisions 0015, 0016).
DONE = sa.text("completed_by IS NOT NULL")
OUTSIDE_CASES = sa.text("case_id IS NULL")
UNCLAIMED = sa.text("state = 'open' AND assignee IS NULL")
# Revision 0017: a task without a deadline is never overdue, and one of no enterprise is in no
# enterprise's pool; their readers compare due_at with ``<`` and party with ``=``, which imply the
# IS NOT NULL (SQLite and PostgreSQL both prove it), so such a task enters neither index.
OPEN_WITH_DEADLINE = sa.text("state = 'open' AND due_at IS NOT NULL")
UNCLAIMED_OF_PARTY = sa.text("state = 'open' AND assignee IS NULL AND party IS NOT NULL")
CLAIMED = sa.text("state = 'open' AND assignee IS NOT NULL")
# A task's state as readers compare it: written into the SQL text, never a bound parameter. SQLite
# re-prepares, at every execution, a statement binding ``state = ?`` once a partial index's
# predicate compares ``state`` with a constant (its plan depends on the value); PostgreSQL can
# prove a partial index's predicate from a literal in a generic (prepared) plan too.
OPEN = sa.literal_column("'open'")
COMPLETED = sa.literal_column("'completed'")


class HumanTask(Base):
    """The queue projection of a user task (待办)."""
    __tablename__ = "human_task"
    __table_args__ = (
        # The queue indexes hold open tasks only (revision 0016): a completion deletes the task's
        # entry and inserts none (a completed task's entry had moved to the 'completed' range of every
        # index, and stayed there forever); readers compare ``state`` with ``OPEN``, a literal.
        # The unclaimed pool of a role in one org unit, already in queue order (group queues, the
        # role branches of every queue, the pool of approvals and of a third party's cases).
        sa.Index("ix_human_task_unclaimed", "role_code", "org_code", "due_sort", "created_at", "id",
                 postgresql_where=UNCLAIMED, sqlite_where=UNCLAIMED),
        # An enterprise user's pool: unclaimed tasks of its enterprise, by role (a task of no
        # enterprise does not enter it: revision 0017).
        sa.Index("ix_human_task_party", "party", "role_code", "due_sort", "created_at", "id",
                 postgresql_where=UNCLAIMED_OF_PARTY, sqlite_where=UNCLAIMED_OF_PARTY),
        # Tasks claimed by or assigned to a user (a new task, unclaimed, does not enter it).
        sa.Index("ix_human_task_assignee", "assignee", "due_sort", "created_at",
                 postgresql_where=CLAIMED, sqlite_where=CLAIMED),
        # Overdue open tasks by deadline, across org units (the overdue list, engine/queries.py
        # overdue_tasks); a task without a deadline is never overdue and does not enter it (0017).
        sa.Index("ix_human_task_due", "due_at", "org_code", "process_key",
                 postgresql_where=OPEN_WITH_DEADLINE, sqlite_where=OPEN_WITH_DEADLINE),
        # One cell of the 逾期督办 board (a process and an org unit): its overdue tasks are one range,
        # counted up to the board's cap, its oldest deadline the range's first entry (revision 0008).
        # The process first: led by the org unit, SQLite took it for the overdue list of a city (every
        # open task of its org units, then sorted) instead of ix_human_task_due's deadline order.
        # Open tasks with a deadline only, as ix_human_task_due (0017).
        sa.Index("ix_human_task_overdue", "process_key", "org_code", "due_at",
                 postgresql_where=OPEN_WITH_DEADLINE, sqlite_where=OPEN_WITH_DEADLINE),
        # A case's tasks, open and done (its open tasks, whether one is past its deadline — 逾期督办,
        # webui/overdue.py — and its completed ones): not partial, a case's done tasks are read too.
        sa.Index("ix_human_task_case_due", "case_id", "state", "due_at"),
        # 已办 (completed_by = ?): an open task is not in it.
        sa.Index("ix_human_task_done", "completed_by", "completed_at", postgresql_where=DONE, sqlite_where=DONE),
    )
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)  # the SpiffWorkflow task id
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_instance.id"))
    spec_id: Mapped[str] = mapped_column(sa.String(256))
    name: Mapped[str] = mapped_column(sa.String(256))
    item_label: Mapped[str | None] = mapped_column(sa.String(256))  # which item a multi-instance task is about
    lane: Mapped[str | None] = mapped_column(sa.String(128))
    role_code: Mapped[str | None] = mapped_column(sa.String(64))
    org_code: Mapped[str] = mapped_column(sa.String(64))
    party: Mapped[str | None] = mapped_column(sa.String(64))
    assignee: Mapped[str | None] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(16))  # open | completed | cancelled
    form_key: Mapped[str | None] = mapped_column(sa.String(128))
    priority: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime | None]
    due_sort: Mapped[datetime] = mapped_column(default=NO_DUE_DATE)  # due_at, or NO_DUE_DATE
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(sa.String(64))
    process_key: Mapped[str] = mapped_column(sa.String(128))
    case_no: Mapped[str] = mapped_column(sa.String(64))
    case_title: Mapped[str] = mapped_column(sa.String(256), default="")
    reminders: Mapped[int] = mapped_column(default=0)  # reminder timers fired on this task (催办)
    last_reminded_at: Mapped[datetime | None]
    follow_up_at: Mapped[datetime | None]  # 跟进日期: when the assignee wants to look at it again
    owner: Mapped[str | None] = mapped_column(sa.String(64))  # who delegated it (委托人)
    delegation: Mapped[str | None] = mapped_column(sa.String(16))  # pending | resolved
    draft: Mapped[dict | None]  # data saved by a delegate for the owner to confirm
    # Separation-of-duty rules from the model (回避): {"completers_of": [...], "roles": [...]}
    rules: Mapped[dict | None]

    @validates("due_at")
    def _keep_due_sort(self, _key, value):
        self.due_sort = value if value is not None else NO_DUE_DATE
        return value


class TaskCandidate(Base):
    """A user named by the model (an expression over case data) as a candidate for a task."""
    __tablename__ = "task_candidate"
    task_id: Mapped[str] = mapped_column(sa.ForeignKey("human_task.id"), primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), primary_key=True, index=True)


class TaskExclusion(Base):
    """A user who may not work a task because of a separation-of-duty rule (回避), with the reason."""
    __tablename__ = "task_exclusion"
    # Every queue reads the user's exclusions first (engine/queries.py Scope.of): by username.
    __table_args__ = (sa.Index("ix_task_exclusion_username", "username", "task_id"),)
    task_id: Mapped[str] = mapped_column(sa.ForeignKey("human_task.id"), primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.String(256))


class EventWait(Base):
    """A case waiting for a message or a signal (消息/信号订阅): one row per waiting catch event,
    receive task, boundary event or event sub-process start, refreshed after every step, so
    ``correlate_message``/``broadcast_signal`` find the waiting cases without loading any.
    ``correlation`` holds the values the case's correlation properties expect."""
    __tablename__ = "event_wait"
    __table_args__ = (sa.Index("ix_event_wait_name", "kind", "name"),)
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)  # the waiting task's id
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_instance.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # message | signal
    name: Mapped[str] = mapped_column(sa.String(256))
    element_id: Mapped[str] = mapped_column(sa.String(256))
    org_code: Mapped[str] = mapped_column(sa.String(64))
    correlation: Mapped[dict] = mapped_column(default=dict)
    sender_roles: Mapped[list | None] = mapped_column(sa.JSON, nullable=True)


class ExternalTask(Base):
    """A service task another system works (外部任务, ``camunda:type="external"``): fetched and
    locked by a worker for a lease, completed or failed by it; retries run out into an incident."""
    __tablename__ = "external_task"
    __table_args__ = (sa.Index("ix_external_task_topic", "topic", "lock_until"),)
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)  # the waiting service task's id
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_instance.id"), index=True)
    topic: Mapped[str] = mapped_column(sa.String(256))
    element_id: Mapped[str] = mapped_column(sa.String(256))
    name: Mapped[str] = mapped_column(sa.String(256), default="")
    worker: Mapped[str | None] = mapped_column(sa.String(128))
    lock_until: Mapped[datetime | None]
    retries: Mapped[int | None]  # attempts left; None: not failed yet
    error_message: Mapped[str | None] = mapped_column(sa.Text)
    incident_id: Mapped[int | None]  # retries ran out: waits for a supervisor's retry
    worker_roles: Mapped[list | None] = mapped_column(sa.JSON, nullable=True)
    created_at: Mapped[datetime]


class Timer(Base):
    """A waiting timer event (定时器) of a case, as the worker sweeps them.

    ``lease_owner``/``lease_until`` let many workers share the table: a worker claims due rows with a
    lease (FOR UPDATE SKIP LOCKED on PostgreSQL); a killed worker's leases simply run out.
    """
    __tablename__ = "timer"
    __table_args__ = (sa.Index("ix_timer_due", "due_at", "lease_until"),)
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)  # the waiting event task's id
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_instance.id"), index=True)
    element_id: Mapped[str] = mapped_column(sa.String(256))
    name: Mapped[str] = mapped_column(sa.String(256), default="")
    kind: Mapped[str] = mapped_column(sa.String(16))  # reminder | deadline | catch | start | cycle
    attached_to: Mapped[str | None] = mapped_column(sa.String(36))  # human task id for boundary timers
    due_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(sa.String(64))
    lease_until: Mapped[datetime | None]


class Incident(Base):
    """A failed script/service/rule step (异常事件): the case stayed put; a supervisor may retry."""
    __tablename__ = "incident"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_instance.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(32))  # complete | timer
    task_id: Mapped[str | None] = mapped_column(sa.String(36))
    element_id: Mapped[str | None] = mapped_column(sa.String(256))
    actor: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[dict] = mapped_column(default=dict)
    message: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(sa.String(64))


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.UniqueConstraint("chain", "seq"),
        # The directory's change history (webui/admin_queries.py: the system and auth chains, by action);
        # a case's events are not in it (revision 0015), so a step writes no page of it. The message
        # producer reads new events by id (the primary key), a case's history by its chain.
        sa.Index("ix_audit_event_action", "chain", "action",
                 postgresql_where=OUTSIDE_CASES, sqlite_where=OUTSIDE_CASES),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(sa.String(40))
    seq: Mapped[int]
    case_id: Mapped[int | None]  # no index: a case's events are read by their chain
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(32))
    task_id: Mapped[str | None] = mapped_column(sa.String(36))
    detail: Mapped[str] = mapped_column(sa.Text)  # canonical JSON, the hashed form
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditHead(Base):
    __tablename__ = "audit_head"
    chain: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(sa.String(64))


class Counter(Base):
    """Named counters (case numbers per year and process)."""
    __tablename__ = "counter"
    name: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    value: Mapped[int]
