"""放假调休 notices entered by an administrator (节假日日历), stored and loaded into engine/workdays.py.

chinese-calendar ships the years whose State Council notice was out at its release (through 2026 in
1.11.0). When the next notice is published, an administrator enters its 法定节假日 and 调休上班日
(``enter_year``, page ``/admin/calendar``); every process loads the stored years at start
(``load``). Until a year is entered, its working days are counted Monday–Friday and the overdue
board and the log say those dates are provisional (``engine.workdays.is_provisional``).

When a year is entered, the pending deadlines that were counted with the provisional calendar are
recomputed (``recompute``): every working-day deadline a model computed with ``workday_after`` whose
span reached an unknown year is noted as it is computed (``note_provisional`` → the table
``provisional_deadline``, written in the step's own transaction by an after-step hook), so entering the
year can count it again from its anchor — the ``…_due`` values of the open case data, the due dates
shown on open tasks (their ``dueDate`` evaluated again) and the waiting date timers falling in that
year (evaluated again). Each case is changed in one step of its own, audited as
``deadlines_recomputed`` with old → new. Written here rather than in the engine because only the
domain layer knows which values are working-day deadlines.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine import workdays
from engine import typed_input
from engine.excerpt import excerpt

_DAY = typed_input.DAY
_log = logging.getLogger("duban.calendar")


class CalendarBase(DeclarativeBase):
    pass


class HolidayNotice(CalendarBase):
    __tablename__ = "holiday_notice"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    holidays: Mapped[str] = mapped_column(sa.Text)         # JSON list of YYYY-MM-DD
    makeup_workdays: Mapped[str] = mapped_column(sa.Text)  # JSON list of YYYY-MM-DD
    note: Mapped[str] = mapped_column(sa.Text, default="")
    entered_by: Mapped[str] = mapped_column(sa.String(64))
    entered_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


class ProvisionalDeadline(CalendarBase):
    """A working-day deadline counted while a year of its span was not known (暂按周一至周五计算)."""
    __tablename__ = "provisional_deadline"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    start: Mapped[str] = mapped_column(sa.String(10))      # YYYY-MM-DD, the anchor
    workdays: Mapped[int] = mapped_column(sa.Integer)       # n of workday_after(start, n)
    result: Mapped[str] = mapped_column(sa.String(10))      # YYYY-MM-DD as counted then
    first_year: Mapped[int] = mapped_column(sa.Integer)
    last_year: Mapped[int] = mapped_column(sa.Integer, index=True)


def create_tables(sa_engine) -> None:
    from engine.migrate import upgrade  # one path for every table: the Alembic revisions
    upgrade(sa_engine)


_ITEMS = re.compile(r"[,，、;；\n]+")
_BLANKS = re.compile(r"\s+")
_DAYS = re.compile(rf"{_DAY}(?:\s*(?:至|~|—|到)\s*{_DAY})?")
LONGEST_RANGE = 366  # days in one typed range: a notice's holidays run a few days, never past a year


_WEEKDAY = re.compile(r"\s*\((?:星期|周|礼拜)[一二三四五六日天]\)")  # 「2月15日（星期日）」, as notices write it
_NO_YEAR = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?(?:\s*(?:至|~|—|到|-)\s*(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*[日号]?)?")


def _with_year(item: str, year: int | None) -> str:
    """An item as the 国务院办公厅's notice writes it, without the year the page names (「1月1日至3日」,
    「10月1日至7日」, 「2月15日（星期日）」): written out with it (「2027-1-1至2027-1-3」). The year is not
    guessed: it is the notice's own, typed in the page's 年份 box."""
    item = _WEEKDAY.sub("", item)
    found = _NO_YEAR.fullmatch(item) if year is not None else None
    if not found:
        return item
    month, day, end_month, end_day = found.groups()
    first = f"{year}-{month}-{day}"
    return first if end_day is None else f"{first}至{year}-{end_month or month}-{end_day}"


def parse_days(text: str, label: str = "日期", year: int | None = None) -> list[dt.date]:
    r"""Days as officials type them: one day or a range per item (``2027-10-01至2027-10-07``,
    ``2027年2月6日~2027年2月12日``), items separated by commas, 、 or new lines; ValueError naming
    ``label`` (the field: 法定节假日, 调休上班日) and the item.

    A run of blanks inside an item is read as one blank before the pattern is tried: the pattern's
    blanks on either side of 日 and of 至 (``\s*[日号]?\s*``) split a longer run every which way
    before failing, so 「2027-10-01」, 4,000 blanks and 「x」 took 0.13 s and 100 kB of them about
    80 s of a server thread; one blank is split two ways. A range past ``LONGEST_RANGE`` days is
    refused before its days are made (「2027-01-01至9999-12-31」 would make 2.9 million). With ``year``
    (the notice's, typed on the page), a day or range without it is read in it (``_with_year``)."""
    days: list[dt.date] = []
    for item in _ITEMS.split(typed_input.fold(text)):
        typed = _BLANKS.sub(" ", item).strip()
        item = _with_year(typed, year)
        if not item:
            continue
        found = _DAYS.fullmatch(item)
        if not found:
            raise ValueError(f"{label}中无法识别的日期：{excerpt(typed)}（应为 2027-10-01 或 2027-10-01至2027-10-07）")
        g = [int(x) if x else None for x in found.groups()]
        try:
            first = dt.date(g[0], g[1], g[2])
            last = dt.date(g[3], g[4], g[5]) if g[3] else first
        except ValueError:
            raise ValueError(f"{label}中不是有效的日期：{excerpt(typed)}") from None
        if last < first:
            raise ValueError(f"{label}中日期范围颠倒：{excerpt(typed)}")
        if (last - first).days >= LONGEST_RANGE:
            raise ValueError(f"{label}中日期范围过长：{excerpt(typed)}（一段假期不超过{LONGEST_RANGE}天，请逐段填写）")
        while first <= last:
            days.append(first)
            first += dt.timedelta(days=1)
    return days


def enter_year(sa_engine, year: int, holidays: str, makeup_workdays: str, by: str, now: dt.datetime,
               note: str = "") -> HolidayNotice:
    """Store (or correct) ``year``'s notice and make it known to the working-day arithmetic at once."""
    hol, work = parse_days(holidays, "法定节假日", year), parse_days(makeup_workdays, "调休上班日", year)
    if not hol:
        raise ValueError("请填写法定节假日")
    workdays.register_year(year, hol, work)  # validates years and overlaps before anything is stored
    row = HolidayNotice(year=year, holidays=json.dumps([d.isoformat() for d in sorted(set(hol))]),
                        makeup_workdays=json.dumps([d.isoformat() for d in sorted(set(work))]),
                        note=note.strip(), entered_by=by, entered_at=now)
    with sa.orm.Session(sa_engine, expire_on_commit=False) as s, s.begin():
        s.merge(row)
    return row


def load(sa_engine) -> list[int]:
    """Register every stored year with engine/workdays.py; returns the years loaded."""
    with sa.orm.Session(sa_engine) as s:
        rows = list(s.execute(sa.select(HolidayNotice)).scalars())
        for r in rows:
            workdays.register_year(r.year, [dt.date.fromisoformat(d) for d in json.loads(r.holidays)],
                                   [dt.date.fromisoformat(d) for d in json.loads(r.makeup_workdays)])
        return [r.year for r in rows]


def entered(sa_engine) -> list[HolidayNotice]:
    with sa.orm.Session(sa_engine, expire_on_commit=False) as s:
        rows = list(s.execute(sa.select(HolidayNotice).order_by(HolidayNotice.year)).scalars())
        s.expunge_all()
        return rows


def provisional_notice(today: dt.date) -> str | None:
    """The warning pages show while next year's notice is missing, or None."""
    for year in (today.year, today.year + 1):
        if not workdays.is_known_year(year):
            return (f"{year}年放假调休安排尚未录入：{year}年的工作日期限暂按周一至周五计算，"
                    f"以国务院通知为准，请系统管理员在“节假日日历”中录入。")
    return None


# --- pending deadlines counted on a provisional calendar ------------------------------------------

_pending: dict[str, set[tuple[str, int, str]]] = {}
_pending_lock = threading.Lock()


def note_provisional(start: dt.date, n: int, result: dt.date) -> None:
    """Called by ``workday_after`` while model code runs: remember a deadline whose span reaches a year
    not known yet, for the case being stepped (read with ``case_value('case_no')``)."""
    if all(workdays.is_known_year(y) for y in range(start.year, result.year + 1)):
        return
    from engine.scripting import case_value
    try:
        case_no = case_value("case_no")
    except RuntimeError:  # not inside a step (a page computing a date): nothing to recompute later
        return
    if not case_no:
        return
    with _pending_lock:
        _pending.setdefault(str(case_no), set()).add((start.isoformat(), int(n), result.isoformat()))


def record_hook(session, case, workflow) -> None:
    """After-step hook: store the provisional deadlines this step computed, in the step's transaction."""
    with _pending_lock:
        notes = _pending.pop(str(case.case_no), None)
    if not notes:
        return
    table = ProvisionalDeadline.__table__
    conn = session.connection()
    have = {(r.start, r.workdays, r.result) for r in conn.execute(
        sa.select(table.c.start, table.c.workdays, table.c.result).where(table.c.case_id == case.id))}
    rows = [{"case_id": case.id, "start": start, "workdays": n, "result": result,
             "first_year": int(start[:4]), "last_year": int(result[:4])}
            for start, n, result in sorted(notes) if (start, n, result) not in have]
    if rows:
        conn.execute(sa.insert(table), rows)


def install(engine) -> None:
    """Tables, the stored years, and the hook noting provisional deadlines (once per engine)."""
    create_tables(engine.db.engine)
    load(engine.db.engine)
    if record_hook not in engine.after_step_hooks:
        engine.after_step_hooks.append(record_hook)


def recompute(engine, year: int, by: str) -> list[dict]:
    """Count again, on the calendar now known, every pending deadline of a running case that was
    counted while ``year`` was unknown. Returns one entry per case changed:
    ``{"case_id", "case_no", "changes": {"old": "new"}}``."""
    from engine import step
    from engine.schema import Case
    from engine.state import all_workflows
    from engine.timers import TimeDateEventDefinition, due_of, plan_for
    from SpiffWorkflow.util.task import TaskState

    table = ProvisionalDeadline.__table__
    with engine.db.read() as s:
        rows = list(s.execute(sa.select(table).join(Case.__table__, Case.__table__.c.id == table.c.case_id)
                              .where(table.c.first_year <= year, table.c.last_year >= year,
                                     Case.__table__.c.status == "running")))
    by_case: dict[int, list] = {}
    for r in rows:
        by_case.setdefault(r.case_id, []).append(r)
    done = []
    for case_id, notes in sorted(by_case.items()):
        changes: dict[str, str] = {}
        for r in notes:
            new = workdays.workdays_after(dt.date.fromisoformat(r.start), r.workdays).isoformat()
            if new != r.result:
                changes[r.result] = new
        with step.transaction(engine) as tx:
            with step.locked_step(engine, tx, case_id, by) as st:
                workflow = st.loaded.workflow
                moved: dict[str, list[str]] = {}
                live = [t for w in all_workflows(workflow) for t in w.tasks.values()
                        if t.has_state(TaskState.READY | TaskState.WAITING | TaskState.STARTED)]
                for task in live:
                    for key, value in list(task.data.items()):
                        if key.endswith("_due") and isinstance(value, str) and value in changes:
                            task.data[key] = changes[value]
                            moved.setdefault(key, [value, changes[value]])
                timers = {}
                for task in live:  # date timers due in the year: their expression counted on the new calendar
                    ed = getattr(task.task_spec, "event_definition", None)
                    due = due_of(task) if task.state == TaskState.WAITING else None
                    if not isinstance(ed, TimeDateEventDefinition) or due is None:
                        continue
                    if due.astimezone(workdays.SHANGHAI).year != year:
                        continue
                    new_due = step.run_model_code(plan_for, ed, task, "date").due
                    if new_due != due:
                        task._set_internal_data(event_value=new_due.isoformat())
                        timers[task.task_spec.bpmn_id or task.task_spec.name] = [due.isoformat(),
                                                                                new_due.isoformat()]
                if moved or timers:
                    st.audit("deadlines_recomputed", actor=by, detail={
                        "year": year, "values": moved, "timers": timers,
                        "reason": f"录入{year}年放假调休安排，按新日历重新计算期限"})
                st.write(advance_first=False)
                shown = _refresh_task_due_dates(engine, tx, st) if (moved or timers) else {}
            for old, new in changes.items():  # counted again: a corrected notice recomputes from here
                tx.conn.execute(sa.update(table).where(table.c.case_id == case_id, table.c.result == old)
                                .values(result=new, last_year=int(new[:4])))
            if moved or timers or shown:
                done.append({"case_id": case_id, "case_no": st.case.case_no,
                             "changes": {k: v for k, v in changes.items()}, "values": moved, "timers": timers,
                             "tasks": shown})
        step.commit_cache(engine, tx)
    if done:
        _log.warning("%d年放假调休录入后重新计算了 %d 个案件的期限", year, len(done))
    return done


def _refresh_task_due_dates(engine, tx, st) -> dict[str, list[str]]:
    """Open tasks' shown due dates, from their ``dueDate`` on the changed data (or deadline timer)."""
    from engine import projection, step
    from engine.schema import OPEN, HumanTask
    task_table = HumanTask.__table__
    workflow = st.loaded.workflow
    ready = {str(t.id): t for t in projection.ready_user_tasks(workflow)}
    deadlines = {}
    for pt in projection.waiting_timers(workflow):
        if pt.attached_to and pt.kind == "deadline":
            deadlines[pt.attached_to] = min(pt.due_at, deadlines.get(pt.attached_to, pt.due_at))
    shown = {}
    rows = tx.conn.execute(sa.select(task_table.c.id, task_table.c.due_at, task_table.c.name,
                                     task_table.c.created_at)
                           .where(task_table.c.case_id == st.case.id, task_table.c.state == OPEN)).all()
    for tid, due_at, name, opened_at in rows:
        task = ready.get(tid)
        if task is None:
            continue
        props = projection.task_properties(task.task_spec)
        due = deadlines.get(tid)
        if props.get("dueDate"):
            value = step.run_model_code(engine.script_engine.evaluate, task, props["dueDate"])
            if value:
                # a duration (P10D) counts from when the task opened, as it did when the task was shown
                due = projection.due_date(task.task_spec, value, _utc(opened_at))
        if due is not None and due_at is not None and _utc(due) != _utc(due_at):
            tx.conn.execute(sa.update(task_table).where(task_table.c.id == tid).values(due_at=due, due_sort=due))
            shown[name] = [due_at.isoformat(), due.isoformat()]
    return shown


def _utc(moment: dt.datetime) -> dt.datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)
