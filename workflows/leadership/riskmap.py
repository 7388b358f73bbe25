"""The area risk map (区域安全风险 "红橙黄蓝"四色空间分布图, 柴桑区实施意见, seed 003 item 二十): each unit below an
org coloured by the risk of its enterprises and its open 重大事故隐患, with the figures behind the colour.

An area's colour (a local rule; the thresholds are :data:`RULE` and may be set per deployment):

| colour | when |
| --- | --- |
| 红 | an open 重大事故隐患 (running ``hazard_supervision`` case graded 重大), or 红 enterprises ≥ 5% of the graded |
| 橙 | any 红 enterprise, or 橙 enterprises ≥ 20% |
| 黄 | any 橙 enterprise, or 黄 enterprises ≥ 30% |
| 蓝 | graded enterprises, none of the above |
| 无 | no graded enterprise and no open 重大 hazard |

Boundaries: an administrator uploads GeoJSON (a FeatureCollection whose features name their org unit by
``properties.code`` or ``properties.name``); without boundaries for every unit the page draws a grid.
"""
from __future__ import annotations

import json
from collections import defaultdict

import sqlalchemy as sa

from engine.schema import Case, OrgUnit

from .dashboard import HAZARD, _field
from .records import OrgBoundary
from .scope import Scope

LEVELS = ["红", "橙", "黄", "蓝"]
RULE = {"red_share": 0.05, "orange_share": 0.20, "yellow_share": 0.30}
GEOMETRIES = {"Polygon", "MultiPolygon"}
MAX_BYTES = 5 * 1024 * 1024


def colour(counts: dict, major_open: int, rule: dict = RULE) -> str:
    graded = sum(counts.get(level, 0) for level in LEVELS)
    share = (lambda level: counts.get(level, 0) / graded) if graded else (lambda level: 0)
    if major_open or (graded and share("红") >= rule["red_share"]):
        return "红"
    if counts.get("红") or (graded and share("橙") >= rule["orange_share"]):
        return "橙"
    if counts.get("橙") or (graded and share("黄") >= rule["yellow_share"]):
        return "黄"
    return "蓝" if graded else "无"


def areas(engine, scope: Scope) -> list[dict]:
    units = list(scope.units) or [scope.root]
    counts: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    majors: dict[str, int] = defaultdict(int)
    with engine.db.read() as s:
        from workflows.enterprises.models import Enterprise
        try:
            rows = s.execute(sa.select(Enterprise.org_unit, Enterprise.risk_level, sa.func.count())
                             .where(Enterprise.risk_level.is_not(None))
                             .group_by(Enterprise.risk_level, Enterprise.org_unit)).all()
        except sa.exc.OperationalError:
            rows = []
        for org, level, n in rows:
            if org in scope.rollup:
                counts[scope.rollup[org]][getattr(level, "value", level)] += n
        for org, n in s.execute(sa.select(Case.org_code, sa.func.count()).where(
                Case.process_key == HAZARD, Case.status == "running", Case.org_code.in_(scope.codes),
                _field("hazard_grade") == "重大").group_by(Case.org_code)):
            majors[scope.rollup.get(org, scope.root)] += n
    return [{"org": u, "name": scope.name(u), "counts": {lv: counts[u].get(lv, 0) for lv in LEVELS},
             "major_open": majors[u], "colour": colour(counts[u], majors[u])} for u in units]


def boundaries(engine, codes: list[str]) -> dict[str, dict]:
    with engine.db.read() as s:
        return {b.org_code: b.geojson for b in s.execute(
            sa.select(OrgBoundary).where(OrgBoundary.org_code.in_(codes))).scalars()}


def save_boundaries(engine, raw: bytes, allowed: dict[str, str], by: str) -> tuple[list[str], list[str]]:
    """Store the features of an uploaded GeoJSON file for the org units in ``allowed`` (code -> name).
    Returns (codes saved, errors in Chinese naming the feature); saves nothing when there are errors."""
    if len(raw) > MAX_BYTES:
        return [], ["文件过大（不超过5MB）"]
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: brackets nested ~1,000 deep
        return [], ["文件不是有效的 GeoJSON（JSON 格式错误）"]
    features = doc.get("features") if isinstance(doc, dict) and doc.get("type") == "FeatureCollection" else \
        [doc] if isinstance(doc, dict) and doc.get("type") == "Feature" else None
    if not features or not isinstance(features, list):
        return [], ["GeoJSON 应为 FeatureCollection（每个区域一个 Feature）"]
    by_name = {name: code for code, name in allowed.items()}
    found, errors = {}, []
    for i, feature in enumerate(features, 1):
        feature = feature if isinstance(feature, dict) else {}  # a number or a list where a Feature goes
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        label = str(props.get("name") or props.get("code") or f"第{i}个区域")[:40]
        code = props.get("code") if isinstance(props.get("code"), str) and props.get("code") in allowed else \
            by_name.get(str(props.get("name", "")).strip())
        geometry = feature.get("geometry") if isinstance(feature.get("geometry"), dict) else {}
        if code is None:
            errors.append(f"{label}：找不到对应的组织机构（properties 中的 code 或 name 应为本单位或下级单位）")
        elif geometry.get("type") not in GEOMETRIES or not geometry.get("coordinates"):
            errors.append(f"{label}：边界应为 Polygon 或 MultiPolygon")
        else:
            found[code] = {"type": "Feature", "properties": {"code": code, "name": allowed[code]}, "geometry": geometry}
    if errors:
        return [], errors
    now = engine.clock.now()
    with engine.db.write() as s:
        for code, feature in found.items():
            row = s.get(OrgBoundary, code) or OrgBoundary(org_code=code)
            row.geojson, row.uploaded_by, row.uploaded_at = feature, by, now
            s.add(row)
    return sorted(found), []


def org_names(session, path: str) -> dict[str, str]:
    return dict(session.execute(sa.select(OrgUnit.code, OrgUnit.name).where(OrgUnit.path.startswith(path))).all())
