"""bench/http_load.py counts the web workers' CPU from the moment they are idle: the first worker to
answer may leave others still importing the app, whose start-up CPU would otherwise be charged to the
completions (0.17–0.27 s on this machine: ~1 ms a completion at the default 200)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.test_scale_out import _load_bench

BUSY_THEN_IDLE = ("import time\n"
                  "t = time.process_time()\n"
                  "while time.process_time() - t < 0.8:\n"
                  "    pass\n"
                  "time.sleep(60)\n")


def test_the_cpu_baseline_is_taken_once_the_servers_processes_are_idle():
    bench = _load_bench()
    proc = subprocess.Popen([sys.executable, "-c", BUSY_THEN_IDLE], start_new_session=True)
    try:
        pids = bench.settled(proc.pid, seconds=30)
        assert pids == [proc.pid]
        assert bench._cpu_seconds(pids) >= 0.75  # the start-up work was over before the baseline
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
