"""What leaders record (not computed): 约谈 held for units ranked last, and org units' map boundaries.
Own metadata, created by :func:`create_tables` from ``workflows.runtime.build_engine``."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine.schema import UTCDateTime


class LeadershipBase(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime()}


class InterviewRecord(LeadershipBase):
    """A 约谈 held (or a 通报批评 given) for a unit ranked last in a quarter, as a recorded step."""
    __tablename__ = "ranking_interview"
    __table_args__ = (sa.UniqueConstraint("quarter", "org_code", name="uq_ranking_interview"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(sa.String(8))
    org_code: Mapped[str] = mapped_column(sa.String(64))
    streak: Mapped[int]
    rung: Mapped[str] = mapped_column(sa.String(256))
    held_on: Mapped[date] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by: Mapped[str] = mapped_column(sa.String(64))
    recorded_at: Mapped[datetime]


class OrgBoundary(LeadershipBase):
    """An org unit's boundary as a GeoJSON Feature (or geometry), uploaded by an administrator for the
    risk map (红橙黄蓝四色空间分布图)."""
    __tablename__ = "org_boundary"
    org_code: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    geojson: Mapped[dict] = mapped_column(sa.JSON)
    uploaded_by: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime]


class InspectionTally(LeadershipBase):
    """Graded enterprises counted by (risk level, org unit, last inspection date), kept by triggers on
    ``enterprises`` in the transaction of every write of the registry (revision 0012), for the
    ranking's 检查完成率 (ranking.py ``_inspection_counts``). ``inspected`` is 0 for an enterprise
    never inspected (its ``last_inspected_on`` here is 0001-01-01, never compared)."""
    __tablename__ = "enterprise_inspection_tally"
    risk_level: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    org_unit: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    last_inspected_on: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    inspected: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(sa.Integer)


def _inspection_index():
    """(risk_level, org_unit, last_inspected_on) on the enterprise registry: the ranking's 检查完成率
    reads these three only, so the index covers it (100,000 enterprises: one index scan, no table reads)."""
    from workflows.enterprises.models import Enterprise
    table = Enterprise.__table__
    for index in table.indexes:
        if index.name == "ix_enterprises_inspection":
            return index
    return sa.Index("ix_enterprises_inspection", table.c.risk_level, table.c.org_unit, table.c.last_inspected_on)


INSPECTION_INDEX = _inspection_index()  # declared on the registry's table at import: part of its metadata


def create_tables(sa_engine: sa.Engine) -> None:
    from engine.migrate import upgrade  # one path for every table: the Alembic revisions
    upgrade(sa_engine)
