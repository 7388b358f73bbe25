"""How values look on a page (显示): times in Beijing time, deadlines, and names for codes.

Times are stored in UTC and shown in Asia/Shanghai. "Now" is the engine's clock, so a test or a
demo that moves the clock sees tasks turn overdue on the page exactly as the timers do.
Names of roles, org units and processes are read once per request and cached on ``g``; those of the
directory come from its per-process cache at the request's directory counter.
"""
from __future__ import annotations

import json
import math
import re
import weakref
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import Flask, current_app, g, session

from engine import workdays
from engine.clock import SHANGHAI
from engine.schema import ProcessModel

from . import labels

SOON_DAYS = 3  # a deadline this close shows amber


def now() -> datetime:
    if "now" not in g:
        g.now = current_app.extensions["duban_engine"].clock.now()
    return g.now


CHINESE_DAY = "{year}年{month}月{day}日"  # 2026年12月2日: how a Chinese official writes a date (GB/T 15835)


def chinese_day(moment: date) -> str:
    return CHINESE_DAY.format(year=moment.year, month=moment.month, day=moment.day)


def local(value: datetime | None, fmt: str | None = None) -> str:
    """A moment in Beijing time, as ``2026年11月23日 09:00`` (or ``fmt``, a strftime format)."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return chinese_day(value) if isinstance(value, date) else str(value)
    moment = value.astimezone(SHANGHAI)
    return moment.strftime(fmt) if fmt else f"{chinese_day(moment)} {moment:%H:%M}"


def due_local(value: datetime | None) -> str:
    """A deadline: midnight Beijing time reads as 24:00 of the day before (期限 2026年11月30日 24:00),
    which is how a deadline "by the 30th" is meant."""
    if value is None:
        return ""
    moment = value.astimezone(SHANGHAI)
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return chinese_day(moment - timedelta(days=1)) + " 24:00"
    return f"{chinese_day(moment)} {moment:%H:%M}"


def provisional_year(due_at: datetime | None) -> int | None:
    """The year whose 放假调休 notice is missing when ``due_at`` was counted in working days across it
    (the deadline is provisional: Monday to Friday, ``engine.workdays.is_provisional``), else None."""
    if due_at is None or not workdays.is_provisional(due_at):
        return None
    return due_at.astimezone(SHANGHAI).year


def local_date(value) -> str:
    """A day as ``2026年12月2日`` (a moment: its day in Beijing time)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return chinese_day(value.astimezone(SHANGHAI))
    if isinstance(value, date):
        return chinese_day(value)
    if isinstance(value, str):
        try:
            return local_date(datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


@dataclass(frozen=True)
class Deadline:
    """A task's deadline as a person reads it: overdue by N days, due in N days, or none."""
    state: str          # none | ok | soon | overdue
    days: int = 0
    text: str = ""

    @property
    def css(self) -> str:
        return {"overdue": "overdue", "soon": "due-soon"}.get(self.state, "")


def deadline(due_at: datetime | None, at: datetime | None = None) -> Deadline:
    if due_at is None:
        return Deadline("none", 0, "无期限")
    at = at or now()
    seconds = (due_at - at).total_seconds()
    if seconds < 0:
        days = max(1, math.ceil(-seconds / 86400))
        return Deadline("overdue", days, f"逾期 {days} 天")
    days = math.floor(seconds / 86400)
    if days < SOON_DAYS:
        return Deadline("soon", days, "今日到期" if days == 0 else f"剩余 {days} 天")
    return Deadline("ok", days, f"剩余 {days} 天")


def _names(key: str, load) -> dict:
    cache = g.setdefault("names", {})
    if key not in cache:
        cache[key] = load()
    return cache[key]


def _directory_names(kind: str) -> dict:
    """Names of roles, org units or users from the directory's cache at the counter this request's
    session row carried (every directory change bumps it, in any process), so a page names its
    rows without reading a province's thousands of org units and users each time."""
    version = getattr(session, "directory_version", None)
    return current_app.extensions["duban_engine"].directory.names(kind, version)


def role_name(code: str | None) -> str:
    if not code:
        return ""
    names = _names("roles", lambda: _directory_names("roles"))
    return names.get(code, code)


def org_name(code: str | None) -> str:
    if not code:
        return ""
    names = _names("orgs", lambda: _directory_names("orgs"))
    return names.get(code, code)


SYSTEM_ACTORS = {"engine": "系统", "timer": "定时器", "system": "系统", "cli": "命令行", "demo": "演示数据"}


def user_name(username: str | None) -> str:
    """A person's name for an audit actor or assignee (the username if unknown)."""
    if not username:
        return ""
    if username in SYSTEM_ACTORS:
        return SYSTEM_ACTORS[username]
    names = _names("users", lambda: _directory_names("users"))
    return names.get(username) or username


_USERNAME = re.compile(r"^[a-z][a-z0-9_.-]*$")


def person(value: str) -> str:
    """A value that is a known username (承办人员、表决成员…) as the person's name; anything else as is."""
    if not _USERNAME.match(value):
        return value
    names = _names("users", lambda: _directory_names("users"))
    return names.get(value) or value


# Process names by key, kept per engine with the newest process_model id they were read at: models
# are only ever added (a deployment is a new row), so the names hold until that id moves, which the
# session row reads on every request (``install``): a deployment by any process shows at the next click.
_PROCESS_NAMES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _process_models() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Names of every model by key, and the BPMN processes as (key, name) for pickers."""
    eng = current_app.extensions["duban_engine"]
    newest = getattr(session, "extras", {}).get("models_last")
    known = _PROCESS_NAMES.get(eng)
    if newest is not None and known is not None and known[0] == newest:
        return known[1]
    models = eng.models.list(content=False)
    names = {m.key: m.name or unnamed_model(eng, m) for m in models}
    value = (names, [(m.key, names[m.key]) for m in models if m.kind == "bpmn"])
    if newest is not None:  # read after the session row: as new as ``newest`` or newer
        _PROCESS_NAMES[eng] = (newest, value)
    return value


UNNAMED = "未命名流程"


def unnamed_model(eng, model) -> str:
    """A model drawn without a name (bpmn.io's default process has none) as a person can tell it:
    未命名流程（从「现场检查」开始）, after its first named task; 未命名流程 when none is named.
    Its key (bpmnio_simple) is the file's id, not a name anybody reads."""
    from lxml import etree

    from engine.errors import NotFound
    try:
        root = etree.fromstring(eng.models.latest(model.key).content.encode())
    except (etree.XMLSyntaxError, NotFound, ValueError):
        return UNNAMED
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1].lower().endswith("task") and (el.get("name") or "").strip():
            return f"{UNNAMED}（从「{' '.join(el.get('name').split())}」开始）"
    return UNNAMED


def _process_names() -> dict[str, str]:
    return _process_models()[0]


def process_choices() -> list[tuple[str, str]]:
    """The deployed BPMN processes as (key, Chinese name), for a page's 流程 filter."""
    return _process_models()[1]


def process_name(key: str | None) -> str:
    if not key:
        return ""
    names = _names("processes", _process_names)
    return names.get(key, key)


def case_title(title: str | None) -> str:
    """A case's title; one that is only its model's key (the engine's fallback for a model drawn
    without a name, and no title given at start) reads as the model's name."""
    if not title:
        return ""
    names = _names("processes", _process_names)
    return names.get(title, title)


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


_STORED_AMOUNT = re.compile(r"^-?\d{5,}\.\d{2}$")  # a money field's value as stored: "3200000.00"


def grouped(number) -> str:
    """A number as people write it: 10,000 and above in groups of three (3,200,000.00; 12,500), smaller
    ones as they are (2026, 0.5). A stored amount (``"3200000.00"``) keeps its two decimals."""
    try:
        amount = Decimal(str(number))
    except InvalidOperation:
        return str(number)
    if not amount.is_finite() or abs(amount) < 10_000 or amount.adjusted() > 30:
        return str(number)
    if isinstance(number, float) and number.is_integer():
        amount = amount.to_integral_value()
    return f"{amount:,}"


def value(v) -> str:
    """A case-data value for a table cell: lists joined, dicts as compact JSON, booleans as 是/否,
    numbers of 10,000 and more grouped (``grouped``), moments (ISO 8601 with an offset, as forms store
    them) in Beijing time, days as 2026年12月2日."""
    if v is None or v == "":
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (int, float, Decimal)) or (isinstance(v, str) and _STORED_AMOUNT.match(v)):
        return grouped(v)
    if isinstance(v, str) and _ISO_MOMENT.match(v):
        return local(datetime.fromisoformat(v.replace("Z", "+00:00")))
    if isinstance(v, str) and _ISO_DAY.match(v):
        try:
            return chinese_day(date.fromisoformat(v))  # 2027-02-26 reads 2027年2月26日
        except ValueError:
            return v
    if isinstance(v, str) and _CREDIT_CODE.match(v):
        from . import parties  # an enterprise of the registry by its name (回避's 企业)
        try:
            known = parties.party(v)
        except RuntimeError:  # outside a request: no registry at hand
            known = None
        return f"{known.name}（{v}）" if known is not None and known.known else v
    if isinstance(v, str) and _USERNAME.match(v):
        shown = person(v)
        return org_name(v) if shown == v else shown  # 移交单位 xicheng reads 西城区
    if isinstance(v, list):
        if all(not isinstance(x, (dict, list)) for x in v):
            return "、".join(person(x) if isinstance(x, str) else str(x) for x in v) or "—"
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def key_pairs(row: dict) -> list[tuple[str, str]]:
    """Columns of a data table nobody labelled: each key is its own heading."""
    return [(k, k) for k in row]


def fact_basis(key: str) -> str | None:
    """The law and article a computed deadline comes from (workflows/forms/context.FACT_BASIS)."""
    from workflows.forms.context import FACT_BASIS
    return FACT_BASIS.get(key)


def install(app: Flask) -> None:
    if hasattr(app.session_interface, "add_column"):  # webui/sessions.py: read with the session row
        app.session_interface.add_column("models_last", lambda _username: sa.select(
            sa.func.max(ProcessModel.id)).scalar_subquery())
    app.jinja_env.filters.update(
        local=local, local_date=local_date, due_local=due_local, deadline=deadline, provisional_year=provisional_year, value=value, key_pairs=key_pairs,
        role_name=role_name, org_name=org_name, process_name=process_name, case_title=case_title, user_name=user_name,
        case_status=labels.case_status, audit_action=labels.audit_action, escalation=labels.escalation,
        task_state=labels.task_state, incident_action=labels.incident_action,
        incident_explanation=labels.incident_explanation, fact_basis=fact_basis)
    app.jinja_env.globals.update(now=now)
