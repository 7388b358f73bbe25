"""The sandbox's bounds (engine/evaluator.py, engine/evaluator_worker.py): model code may use its bound
of *CPU time*, however long a loaded server keeps its worker waiting for a CPU; runaway code is ended
by the kernel at that bound and becomes a CPU-time incident; only a worker that gives no answer at all
is killed by the much larger wall-clock backstop. Real worker processes, stopped and continued with
real signals — as a loaded machine deschedules them."""
from __future__ import annotations

import os
import resource
import signal
import threading
import time

import pytest

from engine import IncidentRaised
from engine.evaluator import Pool, ScriptTimeout
from tests.support import BPMN, HELD_AT_MOST_S, evaluator_ready, make_engine

STOPPED_S = 2.0  # four times the CPU bound below
SOME_WORK = "total = sum(sum(range(10 ** 6)) for i in range(3))"  # tens of ms of CPU


@pytest.fixture
def engine(sqlite_url):
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


@pytest.fixture
def one_worker():
    """A pool of one worker of its own, and that worker's pid."""
    pool = Pool(1)
    worker = pool.acquire()
    pid = worker.proc.pid
    pool.release(worker, broken=False)
    yield pool, pid
    pool.shutdown()


def _stopper(pid: int, resume_after: float | None):
    """A host function the model calls: it stops the calling worker (SIGSTOP, as if the machine
    gave it no CPU) and, unless ``resume_after`` is None, continues it that many seconds later."""
    def stop_me():
        os.kill(pid, signal.SIGSTOP)
        if resume_after is not None:
            threading.Timer(resume_after, os.kill, (pid, signal.SIGCONT)).start()
        return True
    return stop_me


def test_an_endless_loop_is_a_cpu_time_incident_on_the_case_and_the_step_is_not_frozen(engine):
    engine.script_engine.environment.seconds = 0.5
    text = (BPMN / "failing_script.bpmn").read_text(encoding="utf-8").replace(
        "<bpmn:script>daily = total / days</bpmn:script>", "<bpmn:script>while True:\n    pass</bpmn:script>")
    engine.deploy(text, by="boss", filename="loop.bpmn")
    case = engine.start("fine_calc", by="zhang", org="east")
    (task,) = engine.queue("zhang")
    for attempt in range(2):  # a retry is stopped the same way: nothing was left half-done or locked
        evaluator_ready()
        started = time.monotonic()
        with pytest.raises(IncidentRaised):
            engine.complete(task.id, "zhang", {})
        assert time.monotonic() - started < HELD_AT_MOST_S
        assert [t.id for t in engine.case(case.id).tasks] == [task.id]  # the case stays where it was
    incident = engine.incidents(case_id=case.id)[0]
    assert incident.element_id == "calc"
    assert "脚本占用 CPU 时间超过 0.5 秒，已被终止" in incident.message  # which bound, in Chinese


def test_a_worker_descheduled_for_longer_than_its_cpu_bound_is_not_killed(one_worker):
    """The worker is stopped mid-script for four times its CPU bound (a loaded server), then goes on:
    it used little CPU, so it finishes — it is neither killed nor replaced."""
    pool, pid = one_worker
    started = time.monotonic()
    reply = pool.run("exec", "stop_me()\n" + SOME_WORK, {}, {"stop_me": _stopper(pid, STOPPED_S)}, 0.5)
    assert reply["set"] == {"total": 3 * sum(range(10 ** 6))}
    assert time.monotonic() - started >= STOPPED_S  # it really waited out the stop
    assert pool.started == 1 and pool.run("eval", "1 + 1", {}, {}, 0.5) == {"ok": 2}  # the same worker


def test_an_endless_loop_descheduled_on_the_way_is_still_stopped_at_its_cpu_time(one_worker):
    pool, pid = one_worker
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with pytest.raises(ScriptTimeout) as stopped:
        pool.run("exec", "stop_me()\nwhile True:\n    pass", {}, {"stop_me": _stopper(pid, STOPPED_S)}, 0.5)
    assert stopped.value.kind == "cpu" and stopped.value.seconds == 0.5
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the worker, reaped: its whole life's CPU
    used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    assert used < 1.5, used  # its start (~0.05 s) and the bound; not the coarser RLIMIT_CPU (2 s here)
    assert pool.run("eval", "1 + 1", {}, {}, 0.5) == {"ok": 2}  # replaced


def test_a_worker_that_never_answers_is_killed_at_the_wall_clock_backstop(one_worker):
    pool, pid = one_worker
    started = time.monotonic()
    with pytest.raises(ScriptTimeout) as stopped:
        pool.run("exec", "stop_me()\nx = 1", {}, {"stop_me": _stopper(pid, None)}, 0.5, wall_seconds=2.0)
    assert time.monotonic() - started < HELD_AT_MOST_S
    assert stopped.value.kind == "wall" and stopped.value.seconds == 2.0
    assert str(stopped.value) == "脚本执行进程超过 2 秒（等待时间）没有答复，已被终止 (ScriptTimeout)"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped, not left stopped
    assert pool.run("eval", "1 + 1", {}, {}, 0.5) == {"ok": 2}  # replaced
