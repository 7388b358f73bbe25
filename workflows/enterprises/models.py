"""Tables of the enterprise registry (一企一档), on a declarative base of their own.

The registry is domain data that the engine does not know about, so it has its own
``EnterpriseBase``; the engine's ``create_all`` calls :func:`create_tables` to create it in the
same database. Times are stored in UTC and read back timezone-aware on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from . import search_index
from .terms import RiskLevel, Sector, Size, UnitKind


class UTCDateTime(sa.TypeDecorator):
    """A timestamp stored in UTC and always returned aware.

    SQLite has no time zones: SQLAlchemy would hand back naive datetimes there and aware ones on
    PostgreSQL. Converting on the way in and tagging on the way out gives one behaviour; naive
    input is refused because its zone would be a guess.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the registry stores only timezone-aware times")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


def _enum(cls, name):
    """Stored as its Chinese value in a VARCHAR with a CHECK: readable in SQL, same on both databases."""
    return sa.Enum(cls, name=name, native_enum=False, create_constraint=True, length=8,
                   values_callable=lambda e: [m.value for m in e], validate_strings=True)


class EnterpriseBase(DeclarativeBase):
    """Metadata of the registry's tables only; see :func:`create_tables`."""


class Enterprise(EnterpriseBase):
    """生产经营单位: one row per 统一社会信用代码."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(sa.String(18), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    #: 所属镇/区 code; the engine's directory owns the org-unit tree, here it is only a code.
    org_unit: Mapped[str] = mapped_column(sa.String(64))
    sector: Mapped[Sector] = mapped_column(_enum(Sector, "enterprise_sector"))
    size: Mapped[Size] = mapped_column(_enum(Size, "enterprise_size"))
    legal_rep: Mapped[str] = mapped_column(sa.String(50), default="")
    legal_rep_phone: Mapped[str] = mapped_column(sa.String(30), default="")
    safety_manager: Mapped[str] = mapped_column(sa.String(50), default="")
    safety_manager_phone: Mapped[str] = mapped_column(sa.String(30), default="")
    #: 风险等级; None until first graded. Change it through the registry so the history is written.
    risk_level: Mapped[RiskLevel | None] = mapped_column(_enum(RiskLevel, "enterprise_risk"))
    last_inspected_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    #: 严重失信主体名单: listed, and the listing period (列入日期 to 移出日期).
    dishonest: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    dishonest_from: Mapped[dt.date | None] = mapped_column(sa.Date)
    dishonest_until: Mapped[dt.date | None] = mapped_column(sa.Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: 单位类别: a 生产经营单位 (every row before revision 0026) or a 安全评价检测检验机构.
    kind: Mapped[UnitKind] = mapped_column(
        sa.Enum(UnitKind, name="enterprise_kind", native_enum=False, create_constraint=False, length=16,
                values_callable=lambda e: [m.value for m in e], validate_strings=True),
        default=UnitKind.ENTERPRISE, server_default=UnitKind.ENTERPRISE.value)
    #: 资质证书编号 of a 安全评价检测检验机构 (应急管理部令第1号), filled into its assessors' forms (revision 0029).
    qualification_no: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    #: Derived from ``name`` for the search index (see search_index); never set by hand.
    search_key: Mapped[str] = mapped_column(sa.Text, default="")
    search_grams: Mapped[str] = mapped_column(sa.Text, default="")

    risk_changes: Mapped[list[RiskLevelChange]] = relationship(
        back_populates="enterprise", order_by="RiskLevelChange.id", passive_deletes=True)

    __table_args__ = (
        sa.Index("ix_enterprises_name", "name", "id"),
        sa.Index("ix_enterprises_org_name", "org_unit", "name"),
        sa.Index("ix_enterprises_risk_org", "risk_level", "org_unit"),
        sa.Index("ix_enterprises_kind_name", "kind", "name"),
    )

    @validates("name")
    def _index_name(self, _key, name):
        self.search_key, self.search_grams = search_index.key_and_grams(name)
        return name

    @staticmethod
    def insert_values(values: dict, now: dt.datetime) -> dict:
        """Column values for a bulk ``INSERT`` (which skips ORM hooks): adds the search columns and times."""
        key, grams = search_index.key_and_grams(values["name"])
        return {**values, "search_key": key, "search_grams": grams, "created_at": now, "updated_at": now}

    def dishonest_on(self, day: dt.date) -> bool:
        """Listed as 严重失信主体 on ``day``: the flag is set and the day lies in the listing period."""
        if not self.dishonest:
            return False
        if self.dishonest_from and day < self.dishonest_from:
            return False
        return not (self.dishonest_until and day > self.dishonest_until)

    def __repr__(self) -> str:
        return f"<Enterprise {self.credit_code} {self.name}>"


class AssessorStaff(EnterpriseBase):
    """An assessor account (第三方评估机构) and the registered 安全评价检测检验机构 it works for (revision
    0029): its 第三方评估整改效果 is filed under that firm's name and 资质证书编号, not typed each time."""

    __tablename__ = "assessor_staff"

    username: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    credit_code: Mapped[str] = mapped_column(sa.String(18), sa.ForeignKey("enterprises.credit_code", ondelete="CASCADE"))
    set_by: Mapped[str] = mapped_column(sa.String(64))
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RiskLevelChange(EnterpriseBase):
    """风险等级变更记录: who changed an enterprise's level, when, from what to what, and why."""

    __tablename__ = "enterprise_risk_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    old_level: Mapped[RiskLevel | None] = mapped_column(_enum(RiskLevel, "risk_change_old"))
    new_level: Mapped[RiskLevel] = mapped_column(_enum(RiskLevel, "risk_change_new"))
    changed_by: Mapped[str] = mapped_column(sa.String(64))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(sa.Text)

    enterprise: Mapped[Enterprise] = relationship(back_populates="risk_changes")


search_index.install(Enterprise.__table__)


def create_tables(sa_engine: sa.Engine) -> None:
    """Create the registry's tables and its search index (FTS5 on SQLite, GIN on PostgreSQL).

    Idempotent, so the engine may call it on every start next to its own ``create_all``.
    """
    from engine.migrate import upgrade  # one path for every table: the Alembic revisions
    upgrade(sa_engine)
