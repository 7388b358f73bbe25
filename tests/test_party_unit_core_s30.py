"""属地 look-up of an enterprise (workflows/runtime.register_party_check ``party_unit``): asked at every
start (engine/policy.check_party_territory: 《行政处罚法》第二十二条, 《安全生产法》第十条第一款) and for
every child case a model's ``start_case(party=...)`` opens (engine/step.check_spawn_org). It is one
statement rendered once through engine/sqlexec.py — not an ORM query with an expanding ``IN``
compiled on every call (~1,800 bytecodes a look-up, ``bench/model_sweep.py``'s models that start cases,
issue 15) — and finds the enterprise whether its code is typed in capitals or not."""
from __future__ import annotations

from engine import sqlexec
from engine.step import transaction
from tests.support import make_engine

CODE = "91110101MA00000A1J"


def _engine(url):
    from workflows.enterprises.models import create_tables
    from workflows.enterprises.registry import EnterpriseRegistry
    from workflows.runtime import register_party_check
    engine = make_engine(url)
    create_tables(engine.db.engine)
    EnterpriseRegistry(engine.db.engine).add({"credit_code": CODE, "name": "东城化工有限公司", "org_unit": "east",
                                             "sector": "危化", "size": "中型"})
    register_party_check(engine)
    return engine


def test_the_enterprises_unit_is_read_in_one_executor_statement_in_any_case_of_letters(database_url):
    engine = _engine(database_url)
    try:
        with transaction(engine) as tx:
            before = sqlexec.stats.statements
            found = [engine.party_unit(tx.orm, code) for code in (CODE, CODE.lower(), f" {CODE.lower()} ")]
            sent = sqlexec.stats.statements - before
            missing = engine.party_unit(tx.orm, "91110101MA00000Z9X")
            assert tx._session is None  # no ORM session was made for it
        assert found == [("east", "东城化工有限公司")] * 3
        assert missing is None
        assert sent == 3  # one statement a look-up, through the executor
    finally:
        engine.dispose()
