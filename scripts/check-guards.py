#!/usr/bin/env python
"""Remove each guard of the step pipeline and timer sweep by hand, one at a time, and check that
tests/test_guards.py notices (issue 15). Restores every file afterwards.

    python scripts/check-guards.py
"""
import subprocess, sys, os
G = [
 ("engine/tasks.py", 'if row.state != "open":\n        raise Conflict(f"任务已', 'if False:\n        raise Conflict(f"任务已', "task_state_check"),
 ("engine/tasks.py", 'if task is None or not projection.is_human_work(task):', 'if task is None:', "ready_check"),
 ("engine/step.py", ', CASE.c.version == sa.bindparam("seen"))', ')', "case_version_check"),
 ("engine/timer_sweep.py", '.where(TIMER.c.due_at <= sa.bindparam("now"), _FREE)', '.where(TIMER.c.due_at <= sa.bindparam("now"))', "lease_filter"),
 ("engine/timer_sweep.py", ',\n                                     TIMER.c.lease_owner == sa.bindparam("worker")).limit(1))', ').limit(1))', "lease_owner_check"),
 ("engine/projection.py", '    if gone:\n        conn.execute(sa.delete(_TIMER)', '    if False:\n        conn.execute(sa.delete(_TIMER)', "fired_timer_rows_are_deleted"),
 ("engine/timer_sweep.py", '        park(engine, case_id, worker)\n', '', "parked"),
 ("engine/timer_sweep.py", '_DUE.with_for_update(skip_locked=True)', '_DUE.with_for_update()', "skip_locked"),
 ("engine/audit.py", '            return BrokenLink(chain_name, 1, None, f"all', '            pass  # return BrokenLink(chain_name, 1, None, f"all', "whole_audit_chain"),
 ("engine/step.py", 'spec, subprocess_specs = engine.models.specs(tx.session, case.bundle_hash)', 'spec, subprocess_specs = engine.models.specs(tx.session, engine.models.bundle_for_start(tx.session, case.process_key)[1])', "restored_after_a_restart"),
 ("engine/state.py", '        elif old[2] != content:', '        else:', "diff_write"),
]
env = dict(os.environ, PYTHONPATH=os.getcwd())
for path, old, new, test in G:
    src = open(path).read()
    assert src.count(old) == 1, (path, old)
    open(path, "w").write(src.replace(old, new))
    try:
        r = subprocess.run([sys.executable, "-m", "pytest", "tests/test_guards.py", "-q", "-x", "-k", test, "-p", "no:cacheprovider"], env=env, capture_output=True, text=True)
        last = r.stdout.strip().splitlines()[-1]
        print(f"{test:35s} removed -> {'CAUGHT' if r.returncode else 'MISSED'}  ({last})", flush=True)
    finally:
        open(path, "w").write(src)
