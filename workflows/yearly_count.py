"""A mechanism held a number of times a year (下原镇2019年安全生产工作计划, seed 004): the year an event counts in,
its standing against the year's target at an even quarterly pace, and the pieces a quarterly reminder round shares.
Used by 领导带队督查检查 (workflows/leader_inspection.py: 全年不少于4次, 党委检查督办不少于两次) and by 联席会议 and
联合检查执法 (workflows/joint_mechanisms.py: 各不少于4次).

- an event counts in the year of its day (``counted_year``): one on 31 December counts for that year, one on
  1 January for the next.
- ``standing``: 已达标 once the target is met; after the year 全年未达标; in its fourth quarter 第四季度未达标
  (flagged: the last quarter to make it up); earlier 进度落后 below ⌊target × (q − 1) / 4⌋ at the start of
  quarter q; else 进行中.
- a round wakes at 00:00 of each quarter's first day (``next_quarter_start``); its reminder goes to the unit's
  安委会办公室, none there its 科室负责人 (``reminder_to``); of two running rounds covering a unit the earlier one
  reminds it (``uncovered``).
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from engine.clock import SHANGHAI
from engine.schema import Case, OrgUnit, User, UserRole

QUARTER_NAMES = ("一", "二", "三", "四")
FLAGGED = ("第四季度未达标", "全年未达标")


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def expected_by(target: int, quarter: int) -> int:
    """Events due by the start of ``quarter`` at an even pace: ⌊target × (quarter − 1) / 4⌋."""
    return target * (quarter - 1) // 4


def standing(done: int, target: int, year: int, today: dt.date) -> str:
    """已达标 / 全年未达标 / 第四季度未达标 / 进度落后 / 进行中 of ``done`` events in ``year`` on ``today``."""
    if done >= target:
        return "已达标"
    if today.year > year:
        return "全年未达标"
    if today.year < year:
        return "进行中"
    quarter = quarter_of(today)
    if quarter == 4:
        return "第四季度未达标"
    return "进度落后" if done < expected_by(target, quarter) else "进行中"


def counted_year(day: str | None) -> int | None:
    """The year an event counts in: its day's (31 December that year, 1 January the next)."""
    return dt.date.fromisoformat(day).year if day else None


def done_label(done: int, target: int) -> str:
    """「已完成 3/4」; past the target the count stops at it and the visits are told apart —
    「已完成 4/4（共 6 次）」, never 「已完成 6/4」 (seed 004 三（一）1 asks 全年不少于4次: what counts against
    it is whether four were made; the rest are visits all the same)."""
    if done > target:
        return f"已完成 {target}/{target}（共 {done} 次）"
    return f"已完成 {done}/{target}"


def count(done: int, target: int, year: int, today: dt.date) -> dict:
    """What a page shows of ``done`` against ``target``: the label, the standing and its flags."""
    state = standing(done, target, year, today)
    return {"done": done, "target": target, "label": done_label(done, target), "state": state,
            "flagged": state in FLAGGED, "behind": state == "进度落后"}


def next_quarter_start(day: dt.date) -> dt.date:
    quarter = quarter_of(day)
    return dt.date(day.year + 1, 1, 1) if quarter == 4 else dt.date(day.year, 3 * quarter + 1, 1)


def next_round_at(day: dt.date) -> str:
    """00:00 in Beijing of the quarter's first day after ``day``, as the round's timer reads it."""
    return dt.datetime.combine(next_quarter_start(day), dt.time(), SHANGHAI).isoformat()


def quarter_label(day: dt.date) -> str:
    return f"{day.year}年第{QUARTER_NAMES[quarter_of(day) - 1]}季度"


def org_names(engine) -> dict[str, str]:
    with engine.db.read() as s:
        return dict(s.execute(sa.select(OrgUnit.code, OrgUnit.name)).all())


def reminder_to(s, org: str) -> list[str]:
    """The unit's 安委会办公室 officials; none there, its 科室负责人."""
    for role in ("safety_office", "supervisor"):
        names = list(s.scalars(sa.select(User.username).join(UserRole, UserRole.username == User.username).where(
            User.org_code == org, User.active.is_(True), UserRole.role_code == role).order_by(User.username)))
        if names:
            return names
    return []


def uncovered(engine, org: str, round_no: str, round_key: str) -> list[str]:
    """The units of ``org``'s subtree no earlier running ``round_key`` case covers (a city's and a district's
    rounds wake in the same sweep: the one set up first reminds the units both cover, so a unit gets one
    reminder)."""
    with engine.db.read() as s:
        paths = dict(s.execute(sa.select(OrgUnit.code, OrgUnit.path).where(
            OrgUnit.path.startswith(engine.directory.org_path(s, org)))).all())
        earlier = set(s.scalars(sa.select(Case.org_code).where(
            Case.process_key == round_key, Case.status == "running", Case.case_no < round_no))) if round_no else set()
    return [code for code, path in paths.items() if not earlier & set(path.strip("/").split("/"))]


def day_due(due_at: dt.datetime | None) -> dt.date | None:
    """The 办结期限 a task's due moment stands for: ``deadline_at(day)`` is 00:00 of the day after, in Beijing."""
    if due_at is None:
        return None
    moment = due_at if due_at.tzinfo else due_at.replace(tzinfo=dt.timezone.utc)
    return (moment.astimezone(SHANGHAI) - dt.timedelta(microseconds=1)).date()


class Round:
    """A mechanism's quarterly reminder round (``round_key``) and the reminder case it opens per unit behind
    (``reminder_key``); ``name`` the mechanism's Chinese name in their titles and texts (领导带队督查…)."""

    def __init__(self, round_key: str, reminder_key: str, name: str):
        self.round_key, self.reminder_key, self.name = round_key, reminder_key, name

    def reminder(self, s, org: str, today: dt.date, lines: list[str]) -> dict:
        """The reminder for ``org``: the quarter, what is behind (``lines``), who is told, in words."""
        label = quarter_label(today)
        return {"org_code": org, "period_label": label, "reminder_lines": lines, "reminder_to": reminder_to(s, org),
                "reminder_text": f"{label}初{self.name}进度提醒：" + "；".join(lines) + "。"}

    def pace_handler(self, engine, behind_on):
        """The round's service: ``behind_on(engine, units, today)``'s reminders, once a quarter, for the units of
        its subtree no earlier round covers, and when it looks again."""
        from engine.clock import today_in_china

        def handler(data: dict, **_params) -> dict:
            org = data.get("round_org")
            if not org:
                raise ValueError(f"查看{self.name}进度：提醒安排没有所属单位")
            today = today_in_china(engine.clock)
            seen = set(data.get("reminded_periods") or [])
            key = f"{today.year}Q{quarter_of(today)}"
            units = uncovered(engine, org, data.get("case_no") or "", self.round_key)
            reminders = [] if key in seen else behind_on(engine, units, today)
            return {"pace_reminders": reminders, "reminded_periods": sorted(seen | {key}),
                    "next_round_at": next_round_at(today)}
        return handler

    def open_reminders(self, reminders) -> int:
        """One reminder case per unit behind (``start_case``), in that unit."""
        from engine.scripting import start_case
        for r in reminders or []:
            start_case(self.reminder_key,
                       {k: r.get(k) for k in ("period_label", "reminder_lines", "reminder_text", "reminder_to")},
                       org=r["org_code"], title=f"{self.name}进度提醒（{r['period_label']}）")
        return len(reminders or [])

    def open(self, engine, org: str, by: str):
        """Set up the round for ``org`` (the 发起案件 page does the same through ``start_data``)."""
        return engine.start(self.round_key, by=by, org=org, title=f"{self.name}进度提醒安排", data={"round_org": org})
