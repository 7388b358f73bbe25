"""Rules in force by date (规则版本): every deadline constant a process uses, with its legal source and
the day each version took effect.

A case uses the version in force on the day its clock started (立案 for the penalty rules, 挂牌 for the
hazard rules, 批复 for the assessment): ``in_force(key, on)``. The change of the penalty rules on
2026-02-01 (应急管理部令第18号 replacing 原国家安全监管总局令第15号/第77号) is two versions of the same
keys, so a case filed on 2026-01-31 keeps the old limits to its end.

Local rules (a province's or city's own choice, marked ``local=True``) have one version here, the
national default; an administrator adds a version with a later ``effective_from`` in the rules page
(``webui/rules.py``). Stored versions live in the ``local_rule_version`` table; each row records who
entered it, when, and the value it replaced (old → new), so the table is its own audit trail.
A running case keeps the version in force on the day its clock started.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

BEGINNING = dt.date(2000, 1, 1)
ASSESSMENT_MODES = ("企业自行选择", "一律委托第三方评估")
PENALTY_RULES_2026 = dt.date(2026, 2, 1)   # 应急管理部令第18号 in force


@dataclass(frozen=True)
class Version:
    effective_from: dt.date
    value: Any
    source: str


@dataclass(frozen=True)
class Rule:
    key: str
    label: str          # Chinese, for pages
    unit: str           # 工作日 / 日 / 月 / 比例 / 顺序 / 方式
    versions: tuple[Version, ...]
    local: bool = False

    def in_force(self, on: dt.date) -> Version:
        current = None
        for v in sorted(self.versions, key=lambda v: v.effective_from):
            if v.effective_from <= on:
                current = v
        if current is None:
            raise LookupError(f"{self.label}：{on.isoformat()} 无有效规则")
        return current


OLD_PENALTY = "《安全生产违法行为行政处罚办法》（原国家安全监管总局令第15号，第77号修正）"
NEW_PENALTY = "《安全生产违法行为行政处罚办法》（应急管理部令第18号，2026年2月1日施行）"

RULES: dict[str, Rule] = {r.key: r for r in [
    Rule("penalty.case_limit_days", "办案期限（立案至作出处罚决定）", "日", (
        Version(BEGINNING, {"base": 30, "head": 90, "upper": 180},
                f"{OLD_PENALTY}：立案之日起30日内作出决定，负责人同意延长至90日，上一级批准延长至180日"),
        Version(PENALTY_RULES_2026, {"base": 90, "head": 120, "upper": 180},
                f"《行政处罚法》第六十条；{NEW_PENALTY}：立案之日起90日内作出决定，"
                "负责人批准延长至120日，上一级批准延长至180日"),
    )),
    Rule("penalty.statement_workdays", "陈述申辩期限", "工作日", (
        Version(BEGINNING, 3, f"{OLD_PENALTY}：收到告知书之日起3日内（《行政处罚法》第八十五条：工作日）"),
        Version(PENALTY_RULES_2026, 5, f"{NEW_PENALTY}：收到告知书之日起5个工作日内"),
    )),
    Rule("penalty.hearing_request_workdays", "申请听证期限", "工作日", (
        Version(BEGINNING, 5, "《行政处罚法》第六十四条第（一）项：告知后5日内提出（第八十五条：工作日）；"
                              "旧办法的3日与上位法抵触，不再适用"),
    )),
    Rule("hazard.plan_due_days", "整改方案报送期限（挂牌后）", "日", (
        Version(BEGINNING, 15, "地方挂牌督办办法（默认15日）"),), local=True),
    Rule("hazard.progress_report_days", "整改进展报送周期", "日", (
        Version(BEGINNING, 30, "地方挂牌督办办法（默认每30日）"),), local=True),
    Rule("accident.publish_days", "事故调查报告公开期限（批复后）", "日", (
        Version(BEGINNING, 30, "《生产安全事故调查报告公开办法》及地方规定（默认批复后30日内）"),), local=True),
    Rule("assessment.start_months", "一年内评估开始时间（批复后）", "月", (
        Version(BEGINNING, 10, "地方评估工作安排（默认批复后10个月开始，12个月内完成，安全生产法第八十六条）"),),
        local=True),
    Rule("hazard.ladder_order", "逾期未整改升级措施顺序（第1至5次逾期）", "顺序", (
        Version(BEGINNING, "约谈警示、公开曝光、责令停产停业整顿并处罚款、按日连续处罚、停止供电",
                "地方挂牌督办办法（默认顺序）；须符合《安全生产法》第七十条（停止供电以停产停业决定为前提）、"
                "第一百一十二条（按日连续处罚以罚款处罚后拒不改正为前提）"),), local=True),
    Rule("hazard.assessment_mode", "重大事故隐患整改效果评估方式", "方式", (
        Version(BEGINNING, "企业自行选择",
                "原总局令第16号第十八条：有条件的生产经营单位自行组织评估，其他的委托安全评价机构评估；"
                "地方可规定一律委托第三方评估"),), local=True),
    Rule("case_review.correction_days", "案卷评查问题整改期限（承办人签收评查结果后）", "日", (
        Version(BEGINNING, 30, "本局案卷评查制度（默认签收之日起30日，签收当日不计）；《行政处罚法》第七十五条未规定期限"),),
        local=True),
    Rule("hearing.large_fine_individual", "听证告知的较大数额罚款（对个人，以上含本数）", "元", (
        Version(BEGINNING, 20000,
                "《行政处罚法》第六十三条第一款第（一）项：较大数额罚款的听证标准由省、自治区、直辖市规定，省级未规定的"
                "适用国务院部门的规定；本省（自治区、直辖市）的数额录入此处。默认应急管理部的标准：对个人2万元以上"
                "（应急管理部令第18号）。按听证与集体讨论判定之日取值，并记入案件"),), local=True),
    Rule("hearing.large_fine_unit", "听证告知的较大数额罚款（对单位，以上含本数）", "元", (
        Version(BEGINNING, 100000,
                "《行政处罚法》第六十三条第一款第（一）项：较大数额罚款的听证标准由省、自治区、直辖市规定，省级未规定的"
                "适用国务院部门的规定；本省（自治区、直辖市）的数额录入此处。默认应急管理部的标准：对单位10万元以上"
                "（应急管理部令第18号）。按听证与集体讨论判定之日取值，并记入案件"),), local=True),
    Rule("enforcement.quorum", "集体讨论法定到会比例", "比例", (
        Version(BEGINNING, "2/3", "地方行政处罚集体讨论制度（默认不少于组成人员三分之二）"),), local=True),
]}


class RulesBase(DeclarativeBase):
    pass


class LocalRuleVersion(RulesBase):
    """A version of a rule entered by an administrator (规则版本), with the value it replaced."""
    __tablename__ = "local_rule_version"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(sa.String(64), index=True)
    effective_from: Mapped[dt.date] = mapped_column(sa.Date)
    value: Mapped[str] = mapped_column(sa.Text)           # JSON
    old_value: Mapped[str | None] = mapped_column(sa.Text)  # JSON of the version in force on effective_from
    note: Mapped[str] = mapped_column(sa.Text, default="")
    changed_by: Mapped[str] = mapped_column(sa.String(64))
    changed_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


def create_tables(sa_engine) -> None:
    from engine.migrate import upgrade  # one path for every table: the Alembic revisions
    upgrade(sa_engine)


class RuleStore:
    """Stored versions of the rules, read through a short-lived cache.

    Reads are cached for ``ttl`` seconds per process, so a step does not query the table for every
    expression; another process sees an administrator's change within ``ttl`` (new versions take
    effect from a future day, so a few seconds' lag changes no deadline).
    """

    def __init__(self, sa_engine, clock=None, ttl: float = 30.0):
        self.sa_engine, self.ttl = sa_engine, ttl
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self._lock = threading.Lock()
        self._cache: tuple[float, dict[str, list[Version]]] | None = None

    def stored(self) -> dict[str, list[Version]]:
        with self._lock:
            if self._cache is not None and time.monotonic() - self._cache[0] < self.ttl:
                return self._cache[1]
        found: dict[str, list[Version]] = {}
        with self.sa_engine.connect() as conn:
            rows = conn.execute(sa.select(LocalRuleVersion.key, LocalRuleVersion.effective_from,
                                          LocalRuleVersion.value, LocalRuleVersion.note,
                                          LocalRuleVersion.changed_by)
                                .order_by(LocalRuleVersion.id)).all()
        for key, day, value, note, by in rows:
            found.setdefault(key, []).append(Version(day, json.loads(value), f"{note}（{by}录入）"))
        with self._lock:
            self._cache = (time.monotonic(), found)
        return found

    def versions(self, key: str) -> list[Version]:
        """Every version of ``key``, oldest first; a stored version replaces a default of the same day."""
        by_day = {v.effective_from: v for v in rule(key).versions}
        for v in self.stored().get(key, []):
            by_day[v.effective_from] = v
        return [by_day[d] for d in sorted(by_day)]

    def add(self, key: str, effective_from: dt.date, value: Any, by: str, note: str = "") -> LocalRuleVersion:
        """Enter a new version of a local rule; refuses national rules and values of the wrong kind."""
        r = rule(key)
        if not r.local:
            raise ValueError(f"{r.label}由法律、规章规定，不能在本系统修改")
        value = check_value(r, value)
        old = in_force(key, effective_from, store=self)
        row = LocalRuleVersion(key=key, effective_from=effective_from, value=json.dumps(value, ensure_ascii=False),
                               old_value=json.dumps(old, ensure_ascii=False), note=note.strip(),
                               changed_by=by, changed_at=self.clock())
        with sa.orm.Session(self.sa_engine, expire_on_commit=False) as s, s.begin():
            s.add(row)
        with self._lock:
            self._cache = None
        return row

    def history(self) -> list[LocalRuleVersion]:
        with sa.orm.Session(self.sa_engine, expire_on_commit=False) as s:
            rows = list(s.execute(sa.select(LocalRuleVersion).order_by(LocalRuleVersion.id.desc())).scalars())
            s.expunge_all()
            return rows


def check_value(r: Rule, value: Any) -> Any:
    """The value in the kind of the rule's default, or a Chinese error naming the rule."""
    default = r.versions[0].value
    if r.unit == "元":
        return _yuan(r, value)
    if isinstance(default, int):
        return _count(r, value)
    if isinstance(value, str):
        value = value.strip().translate(str.maketrans("０１２３４５６７８９／", "0123456789/"))
    if r.unit == "顺序":
        from .decisions import parse_ladder
        return "、".join(parse_ladder(value))
    if r.unit == "方式":
        text = str(value or "").strip()
        if text not in ASSESSMENT_MODES:
            raise ValueError(f"{r.label}应为：{'或'.join(ASSESSMENT_MODES)}")
        return text
    if r.unit == "比例":
        try:
            num, den = (int(x) for x in str(value).split("/"))
        except ValueError:
            raise ValueError(f"{r.label}应写成分数，如 2/3") from None
        if not (0 < num <= den):
            raise ValueError(f"{r.label}应在0到1之间，如 2/3")
        return f"{num}/{den}"
    return value


def _count(r: Rule, value: Any) -> int:
    """A count of days as an official types it (「15」「１５」「15天」「十五天」, the forms' integer field:
    workflows/forms/fields.py), 1 to 3650; 「1,5」 (15 or 1.5?), 「半个月」 or 「3周」 refused naming the rule."""
    from marshmallow import ValidationError

    from .forms.fields import integer
    try:
        number = integer(r.label, minimum=1, maximum=3650).deserialize(value)
    except ValidationError as exc:
        detail = "；".join(str(m) for m in (exc.messages if isinstance(exc.messages, list) else [exc.messages]))
        if detail.startswith("应在"):
            raise ValueError(f"{r.label}{detail}") from None
        if "分隔符" in detail:
            raise ValueError(f"{r.label}：{detail}") from None
        raise ValueError(f"{r.label}应为整数（{r.unit}）") from None
    if number is None:
        raise ValueError(f"{r.label}应为整数（{r.unit}）")
    return number


def _yuan(r: Rule, value: Any) -> int | float:
    """An amount of money as an official types it (「5万元」「50,000」「５００００」「五万」, the forms'
    money field: workflows/forms/fields.py; 「五万五」 is 55,000, typed_input.spoken_amount), more than
    nothing; 「十万五」 (10.5万 or 一百五十万?), 「五万左右」 or a negative is refused naming the rule."""
    from marshmallow import ValidationError

    from .forms.fields import money
    field = money(r.label)
    try:
        amount = field.deserialize(value if isinstance(value, str) or value is None else str(value))
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, list) else [str(exc.messages)]
        detail = "；".join(str(m) for m in messages)
        example = "" if "如" in detail else "（如 50000 或 5万元）"
        raise ValueError(f"{r.label}：{detail}{example}") from None
    if amount is None or amount <= 0:
        raise ValueError(f"{r.label}应为大于0的金额（元），如 50000 或 5万元")
    return int(amount) if amount == amount.to_integral_value() else float(amount)


STORE: RuleStore | None = None   # set by workflows.runtime.build_engine


def use_store(store: RuleStore | None) -> None:
    global STORE
    STORE = store


def rule(key: str) -> Rule:
    try:
        return RULES[key]
    except KeyError:
        raise LookupError(f"未定义的规则：{key}") from None


def _in_force(key: str, on: Any, store: RuleStore | None) -> Version:
    day = _as_date(on)
    versions = store.versions(key) if store is not None else list(rule(key).versions)
    current = None
    for v in versions:
        if v.effective_from <= day:
            current = v
    if current is None:
        raise LookupError(f"{rule(key).label}：{day.isoformat()} 无有效规则")
    return current


def in_force(key: str, on: Any, store: RuleStore | None = None) -> Any:
    """The value of rule ``key`` in force on day ``on`` (a date, datetime or ISO string)."""
    return _in_force(key, on, store or STORE).value


def source(key: str, on: Any, store: RuleStore | None = None) -> str:
    """The legal source of the version of ``key`` in force on ``on``."""
    return _in_force(key, on, store or STORE).source


def _as_date(value: Any) -> dt.date:
    from .functions import as_day
    return as_day(value)
