"""双随机一公开: the random draw of enterprises and inspectors for an inspection plan (随机抽取).

Sources: 《国务院关于在市场监管领域全面推行部门联合"双随机、一公开"监管的意见》(国发〔2019〕5号) — random
choice of the inspected (随机抽取检查对象) and of the inspectors (随机选派执法检查人员), results published
(抽查检查结果自产生之日起20个工作日内公示); 柴桑区实施意见 (seed 003) "实施'双随机、一公开'"; 武进 2017 (seed
000) "严格执行执法计划…确保完成率达到100%"; 分级分类监管: higher risk, more often.

The draw is a pure function of its inputs, so an auditor re-runs it and gets the same result:
- the seed (a string recorded in the plan's case data and its audit trail) fixes every random choice;
- the inputs are sorted canonically first, so the order a registry returns them in does not matter;
- enterprises are drawn per sector quota, without replacement, with probability weighted by risk level
  (红 4, 橙 3, 黄 2, 蓝 1 — a local rule: weights are configuration) by Efraimidis–Spirakis keys
  ``u ** (1 / w)``, which for a single pick gives exactly ``w / Σw``;
- each enterprise gets a pair (or more) of inspectors drawn uniformly from those not excluded (回避): not
  one who inspected that enterprise last time, nor one who declared a conflict with it.
Written here rather than taken from a library because the exclusion rules and the audit (a seed that
reproduces a draw across Python versions) are the point: ``random.Random`` seeded with a SHA-256 of the
seed string is stable across CPython versions for ``random()``.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

RISK_WEIGHTS = {"红": 4, "橙": 3, "黄": 2, "蓝": 1}
UNGRADED_WEIGHT = 1
PAIR = 2


class DrawError(ValueError):
    """The draw cannot be made as asked (too few enterprises or inspectors); the message is Chinese."""


@dataclass(frozen=True)
class Candidate:
    credit_code: str
    name: str
    sector: str
    risk_level: str | None = None
    org_unit: str | None = None


@dataclass(frozen=True)
class Inspector:
    username: str
    name: str = ""
    conflicts: frozenset = field(default_factory=frozenset)   # credit codes with a declared conflict (利害关系)


@dataclass(frozen=True)
class Pick:
    enterprise: Candidate
    inspectors: tuple[str, ...]

    def as_dict(self) -> dict:
        e = self.enterprise
        return {"credit_code": e.credit_code, "name": e.name, "sector": e.sector, "risk_level": e.risk_level,
                "org_unit": e.org_unit, "inspectors": list(self.inspectors)}


def _rng(seed: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(str(seed).encode("utf-8")).digest(), "big"))


def weight(c: Candidate, weights: dict[str, int] = RISK_WEIGHTS) -> float:
    return float(weights.get(c.risk_level or "", UNGRADED_WEIGHT))


def draw_enterprises(seed: str, pool: list[Candidate], quotas: dict[str, int],
                     weights: dict[str, int] = RISK_WEIGHTS) -> list[Candidate]:
    """Per sector, ``quotas[sector]`` enterprises without replacement, weighted by risk level."""
    rng = _rng(f"{seed}|enterprises")
    chosen: list[Candidate] = []
    for sector in sorted(quotas):
        wanted = int(quotas[sector])
        stratum = sorted((c for c in pool if c.sector == sector), key=lambda c: c.credit_code)
        if wanted > len(stratum):
            raise DrawError(f"{sector}行业只有{len(stratum)}家企业，不足抽取{wanted}家")
        keyed = [(rng.random() ** (1.0 / weight(c, weights)), c) for c in stratum]
        keyed.sort(key=lambda kc: (-kc[0], kc[1].credit_code))
        chosen += [c for _, c in keyed[:wanted]]
    return chosen


def eligible(enterprise: Candidate, inspectors: list[Inspector], last_inspectors: dict[str, list[str]]) -> list[Inspector]:
    """回避: not who inspected the enterprise last time, nor who declared a conflict with it."""
    last = set(last_inspectors.get(enterprise.credit_code, ()))
    return [i for i in inspectors if i.username not in last and enterprise.credit_code not in i.conflicts]


def draw(seed: str, pool: list[Candidate], inspectors: list[Inspector], quotas: dict[str, int],
         last_inspectors: dict[str, list[str]] | None = None, team_size: int = PAIR,
         weights: dict[str, int] = RISK_WEIGHTS) -> list[Pick]:
    """The plan's draw: enterprises by sector quota and risk, then ``team_size`` (≥2) inspectors each."""
    if team_size < PAIR:
        raise DrawError("每组执法人员不得少于2人")
    last_inspectors = last_inspectors or {}
    staff = sorted(inspectors, key=lambda i: i.username)
    rng = _rng(f"{seed}|inspectors")
    picks = []
    for enterprise in draw_enterprises(seed, pool, quotas, weights):
        free = eligible(enterprise, staff, last_inspectors)
        if len(free) < team_size:
            raise DrawError(f"{enterprise.name}可选派的执法人员不足{team_size}人（已回避上次检查人员和声明利害关系的人员）")
        picks.append(Pick(enterprise, tuple(i.username for i in rng.sample(free, team_size))))
    return picks


def draw_from_data(seed: str, pool: list[dict], inspectors: list[dict], quotas: dict[str, int],
                   last_inspectors: dict | None = None, team_size: int = PAIR) -> list[dict]:
    """``draw`` over JSON-safe case data (what the plan's script task calls, and an auditor re-runs)."""
    candidates = [Candidate(p["credit_code"], p.get("name", ""), p.get("sector", ""), p.get("risk_level"),
                            p.get("org_unit")) for p in pool]
    staff = [Inspector(i["username"], i.get("name", ""), frozenset(i.get("conflicts") or ())) for i in inspectors]
    return [p.as_dict() for p in draw(seed, candidates, staff, {k: int(v) for k, v in quotas.items()},
                                      last_inspectors or {}, int(team_size))]
