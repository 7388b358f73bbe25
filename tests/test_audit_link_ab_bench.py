"""bench/audit_link_ab.py's arms mean what they say: ``same`` and ``twice`` write the chain the
engine writes (it verifies; ``twice`` drops its first answer), ``stub`` writes rows with no MAC at
all, and the engine's own ``audit._linked`` is back in place around every completion, so a side's
arm never leaks into the other side's (SQLite files, the 5-task model)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa

from engine import audit

BENCH = Path(__file__).resolve().parent.parent / "bench" / "audit_link_ab.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_audit_link_ab", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_arm_links_as_it_says_and_leaves_the_engines_link_in_place(tmp_path):
    bench = _bench()
    sides = {}
    for name in ("same", "twice", "stub"):
        (tmp_path / name).mkdir()
        sides[name] = bench.Side(bench.MODEL, str(tmp_path / name), bench.VARIANTS[name])
    try:
        for _ in range(3):
            for side in sides.values():  # alternated, as the bench alternates its two sides
                assert side.complete() > 0
                assert audit._linked is bench._linked
        assert sides["same"].engine.verify_audit() is None
        assert sides["twice"].engine.verify_audit() is None
        broken = sides["stub"].engine.verify_audit()
        assert broken is not None and broken.chain.startswith("case:"), broken
        with sides["stub"].engine.db.read() as s:
            stubbed = s.execute(sa.select(sa.func.count()).select_from(audit.AuditEvent)
                                .where(audit.AuditEvent.hash == "1b:stub")).scalar_one()
        assert stubbed >= 3  # a completed task's event at least, each completion
    finally:
        for side in sides.values():
            side.engine.dispose()
