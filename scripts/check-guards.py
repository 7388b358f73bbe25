#!/usr/bin/env python
"""Remove each guard of the step pipeline and timer sweep by hand, one at a time, and check that
its test in tests/test_guards.py notices (issue 15). Every file is restored afterwards.

    python scripts/check-guards.py [name ...]      # all guards, or only those named

Each guard is (file, the guard's text, the text without it, the test's -k expression[, the test
file when not tests/test_guards.py]). A guard
whose test still passes with the guard gone is reported MISSED and the exit status is 1. The
PostgreSQL-only guards (row-lock races) need DUBAN_TEST_PG_URL (or a startable pg-test-server).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUARDS = [
    ("task_state_check", "engine/tasks.py",
     'if row.state != "open":\n        raise Conflict(f"任务已{', 'if False:\n        raise Conflict(f"任务已{',
     "task_state_check"),
    ("ready_check", "engine/tasks.py",
     "if task is None or not projection.is_human_work(task):", "if task is None:", "ready_check"),
    ("case_version_check", "engine/step.py",
     "_SELECT_CASE if tx.is_sqlite else _LOCK_CASE", "_SELECT_CASE if tx.is_sqlite else _SELECT_CASE",
     "case_version_check_a_step"),
    ("case_read_before_its_lock", "engine/step.py",
     "        if not tx.is_sqlite:\n            raise EngineError(\"lock_case: on PostgreSQL",
     "        if False:\n            raise EngineError(\"lock_case: on PostgreSQL", "read_before_its_lock"),
    # the batch reads its cases under their row locks (what it read is current: no version to compare)
    ("batch_case_version_check", "engine/timer_sweep.py",
     ".order_by(step.CASE.c.id)\n          .with_for_update(of=step.CASE))", ".order_by(step.CASE.c.id))",
     "case_version_check_of_a_batch"),
    # a case ended by another process between the batch's timer read and its row lock (PostgreSQL)
    ("batch_running_filter", "engine/timer_sweep.py",
     " if r.status in step.ACTIVE_CASE]", "]", "running_filter_of_a_batch"),
    ("lease_filter", "engine/timer_sweep.py",
     '.where(TIMER.c.due_at <= sa.bindparam("now"), _FREE)', '.where(TIMER.c.due_at <= sa.bindparam("now"))',
     "lease_filter"),
    ("lease_owner_check", "engine/timer_sweep.py",
     ',\n                                     TIMER.c.lease_owner == sa.bindparam("worker")).limit(1))', ").limit(1))",
     "lease_owner_check_a_worker"),
    ("batch_lease_owner_check", "engine/timer_sweep.py",
     ',\n                      TIMER.c.lease_owner == sa.bindparam("worker")))', "))",
     "lease_owner_check_of_a_batch"),
    ("skip_locked", "engine/timer_sweep.py",
     "_DUE.with_for_update(skip_locked=True)", "_DUE.with_for_update()", "skip_locked"),
    ("fired_timer_rows_deleted", "engine/projection.py",
     '[{"b_id": tid} for tid in gone], many=True)  # fired', '[], many=True)  # fired',
     "fired_timer_rows_are_deleted"),
    ("parked", "engine/timer_sweep.py", "        park(engine, case_id, worker)\n", "", "parked"),
    ("batch_falls_back_case_by_case", "engine/timer_sweep.py",
     "    except _BatchFailed:\n        return fire_batch_one_by_one(engine, case_ids, worker)",
     "    except _BatchFailed:\n        return 0", "does_not_hold_back_the_others"),
    ("whole_audit_chain", "engine/audit.py",
     '            return BrokenLink(chain_name, 1, None, _said(\n                f"这条审计链的全部',
     '            return None and BrokenLink(chain_name, 1, None, _said(\n                f"这条审计链的全部',
     "whole_audit_chain"),
    # a case deleted with its whole chain: each start anchors its case in its counter's chain, and
    # verify checks every anchored case still has its row (engine/case_anchor.py)
    ("case_anchor_written", "engine/step.py",
     "    new_case.anchor(case)  #", "    pass  #", "case_anchor"),
    ("verify_checks_case_anchors", "engine/audit.py",
     "    if link := _anchored_case_missing(session, anchored):\n        return broken(link)\n", "", "case_anchor"),
    ("restored_on_its_own_version", "engine/step.py",
     "spec, subprocess_specs = engine.models.specs(tx.orm, case.bundle_hash)",
     "spec, subprocess_specs = engine.models.specs(tx.orm, "
     "engine.models.bundle_for_start(tx.session, case.process_key)[1])",
     "restored_after_a_restart"),
    ("diff_write", "engine/state.py", "        elif old[2] != content:", "        elif True:", "diff_write"),
    # a case chain's head on its case row (revision 0021): set by the step's write, moved by later
    # events, and read by verify
    ("case_head_in_the_case_write", "engine/step.py",
     "        if head_moved:\n            columns += _AUDIT_HEAD", "        if False:\n            columns += _AUDIT_HEAD",
     "moves_its_case_chain_head", "tests/test_case_audit_head.py"),
    ("case_head_moved_after_the_write", "engine/step.py",
     "        if moves:\n            sqlexec.defer(", "        if False:\n            sqlexec.defer(",
     "after_the_case_row_was_written", "tests/test_case_audit_head.py"),
    ("case_head_back_with_its_savepoint", "engine/step.py",
     "        del self.rows[rows:]\n", "", "timer_batch", "tests/test_case_audit_head.py"),
    ("verify_reads_case_heads", "engine/audit.py",
     ".where(Case.audit_seq > 0)):", ".where(Case.audit_seq < 0)):",
     "newest_event_or_its_whole_chain", "tests/test_case_audit_head.py"),
]


def main(names: list[str]) -> int:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    missed = []
    for name, path, guard, without, test, *where in GUARDS:
        if names and name not in names:
            continue
        file = ROOT / path
        source = file.read_text(encoding="utf-8")
        if source.count(guard) != 1:
            print(f"{name:32s} guard text not found once in {path}: update this script", flush=True)
            missed.append(name)
            continue
        file.write_text(source.replace(guard, without), encoding="utf-8")
        try:
            run = subprocess.run([sys.executable, "-m", "pytest", *(where or ["tests/test_guards.py"]), "-q", "-x", "-k", test,
                                  "-p", "no:cacheprovider"], cwd=ROOT, env=env, capture_output=True, text=True)
        finally:
            file.write_text(source, encoding="utf-8")
        last = (run.stdout.strip().splitlines() or ["(no output)"])[-1]
        caught = run.returncode == 1 and "failed" in last
        if not caught:
            missed.append(name)
        print(f"{name:32s} removed -> {'CAUGHT' if caught else 'MISSED'}  ({last})", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
