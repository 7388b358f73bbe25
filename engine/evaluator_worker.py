"""The isolated evaluator process (隔离执行进程): runs model code for the engine, and nothing else.

Started by engine/evaluator.py as ``python -I engine/evaluator_worker.py`` with an empty environment
(no SECRET_KEY, no DUBAN_* database URL, no credentials) and a fresh interpreter — not a fork, so
nothing of the server's memory (keys, connections, sessions) is here. It imports only the standard
library, RestrictedPython and engine/restricted.py (loaded by path, not through the ``engine``
package, so not even the database layer is imported). Before taking work it limits itself:

* ``RLIMIT_AS`` — address space (default 768 MiB): ``'x' * 10**10`` fails with MemoryError;
* the job's bound as CPU time: an ``ITIMER_PROF`` interval timer armed for each job with the job's
  bound (``limit``, 1 s by default) and disarmed after it. The timer counts this process's CPU time
  only, so a worker descheduled on a loaded server, or waiting for a host function's answer, uses
  none of it; past it the kernel sends SIGPROF, whose default action ends the process — also in the
  middle of one C-level operation (``2 ** 10 ** 10``) where no Python code runs, and whatever the
  model's code catches. The host reads the signal from the exit status and reports a CPU-time
  ``ScriptTimeout``;
* ``RLIMIT_CPU`` — raised before each job to the CPU time used so far plus the job's bound plus a
  second, a second line behind the timer (SIGXCPU, also reported as a CPU-time ``ScriptTimeout``);
* ``RLIMIT_NPROC`` 0 (no fork), ``RLIMIT_FSIZE`` 0 (no file written), ``RLIMIT_NOFILE`` small,
  ``RLIMIT_CORE`` 0.

It also moves into a network namespace of its own where the OS allows it (``unshare(CLONE_NEWNET)``,
or with a user namespace), so not even the interpreter has a network. The host adds a much larger
wall-clock backstop (30 s) for a worker that gives no answer at all, and kills it when it passes. There is no socket, ``open`` or ``__import__`` among
the builtins either, so model code has no way to the network or the file system — see
docs/sandbox.md.

Protocol (one JSON object per line on stdin/stdout, values encoded by ``restricted.encode``):
host → ``{"mode": "eval"|"exec", "src", "data", "funcs", "limit"}``; worker → ``{"ok": value}``
(eval), ``{"set": {...}, "del": [...]}`` (exec), ``{"error": {"type", "message", "line"}}``, or, to
call a host function (``now``, ``workdays_after``, the domain functions), ``{"call", "args",
"kwargs"}`` answered by ``{"ret": value}`` or ``{"exc": message}``.
"""
from __future__ import annotations

import json
import math
import os
import resource
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import restricted  # noqa: E402  (engine/restricted.py, by path)

MEMORY_BYTES = int(os.environ.get("DUBAN_EVALUATOR_MEMORY_MB", "768")) * 1024 * 1024
MAX_MESSAGE = 32 * 1024 * 1024


class HostFunctionError(Exception):
    """A host function called by model code raised; its message comes back as the model's error."""


def _leave_the_network() -> bool:
    """Move this process into a network namespace of its own (only a loopback, down): the network
    is then gone for the interpreter itself, not only for model code. Needs CAP_SYS_ADMIN or
    unprivileged user namespaces; where neither is allowed the worker goes on without (see
    docs/sandbox.md) and says so in its ready message."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    for flags in (clone_newnet, clone_newuser | clone_newnet):
        if libc.unshare(flags) == 0:
            return True
    return False


def _capped(limit: int, wanted: int) -> tuple[int, int]:
    """(soft, hard) for ``limit``: ``wanted`` as the soft limit, never above a hard limit the worker
    inherited (systemd ``LimitCPU=``/``LimitAS=``, ``ulimit``, a container's limits). A process without
    CAP_SYS_RESOURCE cannot raise its hard limit: asking for more fails, and a worker that failed here
    would turn every model expression into an incident."""
    _, hard = resource.getrlimit(limit)
    if hard == resource.RLIM_INFINITY:
        return wanted, hard
    return min(wanted, hard), hard


def _limit_self() -> None:
    memory = _capped(resource.RLIMIT_AS, MEMORY_BYTES)[0]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    for limit, value in ((resource.RLIMIT_NPROC, 0), (resource.RLIMIT_NOFILE, 8)):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass
    sys.setrecursionlimit(400)


def _take_cpu_signals() -> None:
    """SIGPROF and SIGXCPU end this process (their default action), whatever the server that started
    it did with them: a disposition of "ignore" and a blocked signal would survive the exec."""
    for number in (signal.SIGPROF, signal.SIGXCPU):
        signal.signal(number, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGPROF, signal.SIGXCPU})


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Channel:
    def __init__(self):
        self.reader = sys.stdin.buffer
        self.writer = os.fdopen(os.dup(1), "wb")
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # nothing model code could print reaches the protocol
        os.close(devnull)
        sys.stdout = sys.stderr

    def send(self, message: dict) -> None:
        line = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if len(line) > MAX_MESSAGE:
            line = json.dumps({"error": {"type": "MemoryError", "message": "结果过大", "line": None}}).encode()
        self.writer.write(line + b"\n")
        self.writer.flush()

    def receive(self) -> dict | None:
        line = self.reader.readline()
        return json.loads(line) if line else None


def _stub(channel: Channel, name: str):
    def call_host(*args, **kwargs):
        sent, named = restricted.encode_arguments(name, args, kwargs)  # a fault named as the model wrote the call
        channel.send({"call": name, "args": sent, "kwargs": named})
        reply = channel.receive()
        if reply is None:
            raise SystemExit(0)
        if "exc" in reply:
            raise HostFunctionError(reply["exc"])
        return restricted.decode(reply.get("ret"))
    call_host.__name__ = name
    return call_host


def run_job(channel: Channel, job: dict, cache: dict) -> dict:
    mode, source = job["mode"], job["src"]
    key = (mode, source)
    if key not in cache:
        if len(cache) > 512:
            cache.clear()
        cache[key] = restricted.compile_code(source, mode)[0]
    code = cache[key]
    inputs = job.get("data") or {}
    scope = restricted.restricted_globals({name: _stub(channel, name) for name in job.get("funcs") or ()})
    base = dict(scope)
    scope.update(restricted.decode(inputs))
    if mode == "eval":
        return {"ok": restricted.encode(eval(code, scope), "表达式结果")}
    exec(code, scope)
    reply = restricted.script_reply(scope, base, inputs)  # what the host's plain scripts answer too
    collector = scope.get("_print")  # RestrictedPython's print(): the text goes to the case log
    if collector is not None and getattr(collector, "txt", None):
        reply["printed"] = "".join(collector.txt)[:2000]
    return reply


def main() -> None:
    channel = Channel()
    isolated = _leave_the_network()
    _limit_self()
    _take_cpu_signals()
    channel.send({"ready": os.getpid(), "network_isolated": isolated})
    cache: dict = {}
    while True:
        job = channel.receive()
        if job is None:
            return
        limit = float(job.get("limit") or 1.0)
        soft = math.ceil(_cpu_used() + limit) + 1
        resource.setrlimit(resource.RLIMIT_CPU, _capped(resource.RLIMIT_CPU, soft))
        restart = False
        signal.setitimer(signal.ITIMER_PROF, limit)  # this job's CPU time: SIGPROF past it
        try:
            try:
                reply = run_job(channel, job, cache)
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
        except restricted.ModelCodeRefused as exc:
            reply = {"error": {"type": "ModelCodeRefused", "message": str(exc), "line": None}}
        except BaseException as exc:  # noqa: BLE001 — everything the model raises goes back as its error
            restart = isinstance(exc, (MemoryError, RecursionError, SystemExit, KeyboardInterrupt))
            reply = {"error": restricted.error_reply(exc)}
        if restart:
            reply["restart"] = True
        try:
            channel.send(reply)
        except MemoryError:
            return
        if restart:
            return


if __name__ == "__main__":
    main()
