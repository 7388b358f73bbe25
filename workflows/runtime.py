"""Wiring the work-safety domain into an engine (运行时装配).

``build_engine`` gives a ready engine: tables created, the roles of our processes registered, the
forms and script functions of ``workflows`` plugged in, and (optionally) every model in ``bpmn/``
deployed. The CLI, the web app, the demo and the tests all start from here.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from engine import Engine
from engine.evaluator import host_safe

log = logging.getLogger("duban.runtime")

ROOT = Path(__file__).resolve().parent.parent
BPMN_DIR = ROOT / "bpmn"
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'var' / 'duban.sqlite'}"

# Roles whose holders also see the work of org units below their own (科室负责人、领导...).
# Accounts that see only the cases they are assigned to and start none: the 第三方评估机构, and the
# 消息网关 service account (its token sits on the SMS gateway's host: it fetches the outbox, nothing else).
EXTERNAL_ROLES = {"assessor", "gateway"}
SUPERVISING_ROLES = {"supervisor", "leader", "director", "government", "safety_office", "admin"}


def database_url() -> str:
    url = os.environ.get("DUBAN_DATABASE_URL") or DEFAULT_DATABASE_URL
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    return url


def _forms():
    # Imported, never guarded: a broken forms module must stop the start, not switch validation off.
    from workflows.forms import registry
    return registry


def _functions() -> dict:
    from workflows.functions import FUNCTIONS
    return dict(FUNCTIONS)


def register_roles(engine: Engine) -> None:
    from workflows.roles import ROLES
    for code, name in ROLES:
        engine.directory.add_role(code, name, sees_subordinate_orgs=code in SUPERVISING_ROLES)


def register_party_check(engine: Engine) -> None:
    """Tell the engine which unit an enterprise belongs to (``engine.party_unit``), so model code's
    ``start_case(party=...)`` opens no case against an enterprise outside the case's reach
    (engine/step.check_spawn_org), and a person opens none outside the enterprise's 属地
    (engine/policy.Policy.check_party_territory: 发起案件, POST /api/cases). The engine does not
    import the domain: the domain registers."""
    import sqlalchemy as sa

    from engine import sqlexec
    from workflows.enterprises.models import Enterprise
    table = Enterprise.__table__
    # One Core statement rendered once (engine/sqlexec.py), not an ORM query with an expanding IN
    # compiled at every call: each start and each child case a model starts asks it (~1,800
    # bytecodes a look-up through Session.execute, docs/engine.md "Speed").
    query = sqlexec.Sql(sa.select(table.c.org_unit, table.c.name).where(
        sa.or_(table.c.credit_code == sa.bindparam("code"), table.c.credit_code == sa.bindparam("upper"))).limit(1))

    def party_unit(session, code: str) -> tuple[str, str] | None:
        row = sqlexec.first(session.connection(), query, {"code": code, "upper": code.strip().upper()})
        return (row[0], row[1]) if row is not None else None

    engine.party_unit = engine.policy.party_unit = party_unit   # one lookup: spawns and starts (属地管理)


def model_files(directory: Path = BPMN_DIR) -> list[Path]:
    """Decision tables first (processes call them), then processes called by others, then the rest."""
    dmn = sorted(directory.glob("*.dmn"))
    bpmn = sorted(directory.glob("*.bpmn"))
    called = [p for p in bpmn if p.stem in {"post_case_assessment"}]
    return dmn + called + [p for p in bpmn if p not in called]


def deploy_all(engine: Engine, by: str = "system", directory: Path = BPMN_DIR) -> list:
    """Deploy every model in ``bpmn/``; unchanged files are no-ops. Retries files whose callee comes later."""
    pending, deployed = model_files(directory), []
    for _ in range(len(pending) + 1):
        failed = []
        for path in pending:
            try:
                deployed.append(engine.deploy(path, by=by))
            except Exception as exc:  # noqa: BLE001 - retried once its dependencies are in
                failed.append((path, exc))
        if not failed:
            return deployed
        if len(failed) == len(pending):
            raise failed[0][1]
        pending = [p for p, _ in failed]
    return deployed


def build_engine(url: str | None = None, clock=None, deploy: bool = True) -> Engine:
    from engine.clock import ShiftedClock  # 演示时间: a demo database's stored shift (workflows/demo_clock.py)
    engine = Engine(url or database_url(), clock=ShiftedClock(clock), forms=_forms(), functions=_functions())
    if engine.forms is not None:  # people fields name real users of this engine's directory
        from workflows.forms.people import DirectoryForms
        engine.forms = DirectoryForms(engine.forms, engine.directory)
    engine.policy.external_roles = frozenset(EXTERNAL_ROLES)
    with engine.db.setup_lock():  # processes starting together on one database take turns
        engine.create_all()
        from workflows.enterprises.models import create_tables
        create_tables(engine.db.engine)
        register_party_check(engine)  # start_case(party=...) within the case's reach
        from workflows.enterprises.dishonesty import install as install_dishonesty
        install_dishonesty(engine)
        from workflows.messages import install as install_messages  # 消息中心: tables, cursor, worker jobs
        install_messages(engine)
        from workflows.leadership.records import create_tables as create_leadership_tables  # 约谈记录, 边界
        create_leadership_tables(engine.db.engine)
        from workflows.services import install as install_services  # service task handlers (查询企业...)
        install_services(engine)
        from workflows import calendar  # 放假调休 years entered by an administrator (webui/calendar.py)
        calendar.install(engine)       # ...and the deadlines counted before a year was known, recomputed then
        from workflows import rules  # local rules by effective date (规则版本), edited in webui/rules.py
        rules.create_tables(engine.db.engine)
        store = rules.RuleStore(engine.db.engine, clock=engine.clock.now)
        engine.rule_store = store
        # this engine's store; pure for a step (workflows/functions.py HOST_SAFE)
        local_rule = host_safe(lambda key, on: rules.in_force(key, on, store=store))
        environment = engine.script_engine.environment
        environment.globals["local_rule"] = local_rule
        if hasattr(environment, "host_functions"):  # model code calls host functions by name from its worker
            environment.host_functions["local_rule"] = local_rule
        register_roles(engine)
        from workflows import demo_clock
        demo_clock.install(engine)
        if deploy:
            deploy_all(engine)
    return engine
