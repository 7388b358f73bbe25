"""Evaluation of model code (模型代码执行): restricted compile, then the host or an isolated worker.

Every script and expression a model holds reaches the engine through SpiffWorkflow's script
environment; ``IsolatedEnvironment`` is that environment. Each piece of code is first compiled by
RestrictedPython under our policy (engine/restricted.py) — refused code never runs, whether or not
the deploy check saw it. Then:

* a *plain* expression (names, constants, comparisons, and/or/not, + and -, and the conversions
  bool/int/float/str/len/abs of one value: ``approved == True and score >= 60``, a decision
  table's ``int(deaths or 0) >= 30``) is evaluated in the host: it cannot loop, call model code,
  allocate much or reach an object's insides, and it is the common case of a gateway condition and
  a rule test, so it costs microseconds; so is one plain but for ``*`` (``fine * 2``: a call
  activity's mapping), with ``*`` guarded as in plain scripts (``restricted.guarded_expression``);
* a *date-helper call* (``deadline_at(report_due)``, ``days_after(now(), 15)``: the common timer and
  ``dueDate``) is evaluated in the host by engine/date_calls.py, which accepts only that shape and
  does only what the worker would have asked the host to do; what it does not answer goes on to:
* a *plain script* — every statement an assignment of plain expressions (which may also multiply
  and build a dict) to names or to an item (``d["k"] = v``), ``del``, ``pass``, a plain expression,
  ``print(...)`` of plain values, ``if``/``elif``/``else`` and ``try: ... except Exception: ...`` of
  such statements: ``verified = True``, ``fine = amount * rate``, ``登记 = 登记 + str(loopCounter)``,
  the parameter mappings engine/dialects.py writes (``restricted.plain_script``) — runs in the host
  statement by statement as the worker would run it (same globals, inputs through the same
  encode/decode, same reply, printed text and errors, from engine/restricted.py), bounded: ``*`` is
  guarded before it computes and every assigned value is walked after its statement (every value
  of the scope after a list or dict changed in place); past the bound the worker runs the script
  from the start (``_run_plain_script``). A script task's round trip was ~40 µs of the host's CPU
  and ~80 µs wall on a quiet machine (several hundred on a loaded one); in the host it costs 7–12 µs
  (a parameter mapping of 14 statements with its handlers: 28 µs CPU, 41 µs wall; in a worker 55 µs
  CPU, 230–670 µs wall on a loaded machine). Until 2026-12-05 a mapping's ``try``/``except``, the
  item it keeps the shadowed variables in and ``print`` sent a whole completion of
  tests/bpmn/interop/flowable_review, camunda7_io_shadowing, zeebe_io_shadowing and
  zeebe_mapped_child to the worker; see docs/engine.md "Speed";
* plain scripts and plain expressions that also call *host-safe helpers* (``host_safe``: the clock,
  date arithmetic, the pure domain functions; ``received_at = now().isoformat()``,
  ``level_rank(local_level)``, ``every_days(local_rule(...))``, ``restricted.helper_script`` /
  ``helper_expression``) run in the host as above, each helper called through ``_HostCall``: what the
  worker's stub and ``_call_host`` do — arguments and result through the same encode/JSON/decode,
  a helper's error as the worker's ``HostFunctionError`` — without the pipe. A script naming any other
  function (``start_case``) goes to the worker. Until 2026-12-05 these were most of our own
  processes' worker round trips (310 in 5 cases of each shipped process, now 25; dishonesty_list's
  ``repair_too_early = not is_past(day_start(...), now())`` 110 of them);
* everything else runs in a worker process (engine/evaluator_worker.py) of a small persistent pool:
  started from a fresh interpreter with an empty environment, under CPU-time and address-space
  limits, without database handle, file or network access. Only the variables the code names are
  sent (as JSON), and only the variables a script changed come back. Functions the model calls
  (``now``, ``workdays_after``, the domain functions of workflows/functions.py) run in the host
  on JSON arguments, called back over the same pipe.

The bound of an evaluation (1 s by default) is the worker's CPU time: the worker arms a CPU-time
timer for each job and the kernel ends it past the bound, which the host reads from its exit status
(``ScriptTimeout``, kind ``cpu``). A worker merely descheduled on a loaded server, or waiting for a
host function, uses none of it. A worker that gives no answer within a much larger wall-clock
backstop (``WALL_SECONDS``, time in host functions not counted) is killed (``ScriptTimeout``, kind
``wall``); one that dies otherwise (memory, crash) is replaced (``EvaluatorCrashed``). All are
ordinary Exceptions, which the engine turns into an incident on the case — never a frozen request;
the incident says which bound it was. Numbers (cost per
evaluation in the host and in a worker, per step) are in bench/sandbox.py and docs/sandbox.md.
"""
from __future__ import annotations

import ast
import atexit
import builtins
import contextvars
import functools
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment

from . import date_calls, restricted
from .restricted import ModelCodeRefused, NotSerializable

WORKER_FILE = Path(__file__).with_name("evaluator_worker.py")
POOL_SIZE = int(os.environ.get("DUBAN_EVALUATORS", "2"))
START_SECONDS = 20.0  # a cold interpreter on a loaded machine
# How long the host waits for a worker's answer, whatever CPU time it used: only a worker blocked for
# good (stopped, stuck in the kernel, a protocol gone wrong) reaches it — a loop reaches the CPU bound.
WALL_SECONDS = 30.0
# How a worker ended when it used up the CPU time of its job (its ITIMER_PROF, or RLIMIT_CPU behind it).
_CPU_SIGNALS = frozenset({-signal.SIGPROF, -signal.SIGXCPU})
MAX_MESSAGE = 32 * 1024 * 1024
_READ = 1 << 20  # what one read of a worker's reply takes at most
# Errors the worker reports that are re-raised as the same builtin type (SpiffWorkflow and the
# incident text know them); anything else becomes ModelCodeError.
_BUILTIN_ERRORS = frozenset({
    "ArithmeticError", "AssertionError", "AttributeError", "IndexError", "KeyError", "LookupError",
    "NameError", "NotImplementedError", "OverflowError", "RecursionError", "TypeError", "UnboundLocalError",
    "ValueError", "ZeroDivisionError", "MemoryError", "UnicodeError", "StopIteration",
})


class ScriptTimeout(Exception):
    """Model code ran longer than allowed and was stopped; the engine records an incident. ``kind``
    says which bound: ``"cpu"`` — it used more CPU time than ``seconds``; ``"wall"`` — its worker gave
    no answer for ``seconds`` of wall-clock time (the backstop for a worker blocked for good);
    ``"host"`` — the helpers it called back in the host (``workdays_between``, the FEEL and JUEL
    helpers) used more of the host's CPU time than ``seconds`` (``Pool.run``)."""

    def __init__(self, seconds: float, kind: str = "cpu"):
        self.seconds, self.kind = seconds, kind
        if kind == "wall":
            text = f"脚本执行进程超过 {seconds:g} 秒（等待时间）没有答复，已被终止 (ScriptTimeout)"
        elif kind == "host":
            text = f"脚本调用的系统函数累计占用 CPU 时间超过 {seconds:g} 秒，已被终止 (ScriptTimeout)"
        else:
            text = f"脚本占用 CPU 时间超过 {seconds:g} 秒，已被终止 (ScriptTimeout)"
        super().__init__(text)


class EvaluatorCrashed(Exception):
    """The worker running model code died (CPU-time or memory limit, or a crash) and was replaced."""

    def __init__(self, detail: str = ""):
        super().__init__("脚本超出资源限制（CPU 时间或内存）或执行进程异常退出，已被终止" + (f": {detail}" if detail else ""))


class ModelCodeError(Exception):
    """An error model code raised in the worker, with the type name and line it had there."""

    def __init__(self, type_name: str, message: str, line: int | None = None):
        self.type_name, self.line, self.message = type_name, line, message
        super().__init__(f"{type_name}: {message}" + (f" (第 {line} 行)" if line else ""))

    def said_at(self, line: int | None) -> None:
        """Say ``line`` (the model's own line, or none) in the text; ``self.line`` stays the line of the
        code that ran."""
        self.args = (f"{self.type_name}: {self.message}" + (f" (第 {line} 行)" if line else ""),)


# What model code may write into case data within one step (一步之内脚本写入的数据), in characters of
# text plus items of lists and dicts (``written_units``), counted over every script the step runs.
# Until 2026-12-07 a loop of one script task writing ``x = "y" * 10_000_000`` twenty times in one step
# held 700 MB of the server and wrote 808 MB into the database (each pass's task keeps its own data);
# the worker's reply was bounded (32 MiB) but not how many replies a step took in
# (tests/test_security_review16_s30.py).
STEP_WRITE_UNITS = 8_000_000
_step_written: contextvars.ContextVar[list | None] = contextvars.ContextVar("duban_step_written", default=None)


def step_write_budget() -> contextvars.Token:
    """Start a step's budget of what its model code may write (``STEP_WRITE_UNITS``); the engine's
    step (``scripting.StepRequests``) opens one and resets it with the token it gets."""
    return _step_written.set([STEP_WRITE_UNITS])


def end_step_write_budget(token: contextvars.Token) -> None:
    _step_written.reset(token)


class ScriptDataTooLarge(Exception):
    """Model code wrote more into case data within one step than ``STEP_WRITE_UNITS``."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(f"脚本写入的数据过大：本步骤中脚本写入案件数据累计超过 {STEP_WRITE_UNITS:,} 个字符"
                         f"（超出时写入的是变量「{name[:40]}」），已停止执行，案件保持原状；"
                         "请检查脚本是否在循环中生成大段文字或长列表 (ScriptDataTooLarge)")


def written_units(value, left: int) -> int:
    """``left`` less the size of ``value`` (an encoded value: characters of its texts and keys, one per
    item of a list or dict, one per other value), walked without recursion; it stops as soon as the
    result is below zero, so a huge value costs no more than the budget it is charged against."""
    stack = [value]
    while stack and left >= 0:
        item = stack.pop()
        if isinstance(item, str):
            left -= len(item) + 1
        elif isinstance(item, dict):
            left -= len(item) + 1
            for key, inner in item.items():
                left -= len(key) if isinstance(key, str) else 1
                stack.append(inner)
        elif isinstance(item, (list, tuple)):
            left -= len(item) + 1
            stack.extend(item)
        else:
            left -= 1
    return left


_SCALARS = frozenset({bool, int, float, type(None)})


def _charge_written(written: dict) -> None:
    """Charge what a script wrote (its reply's ``set``) against the step's budget, if a step is running:
    ScriptDataTooLarge past it, before any of it reaches the case."""
    budget = _step_written.get()
    if budget is None or not written:
        return
    left = budget[0]
    for name, value in written.items():
        if type(value) is str:  # the usual value: a text, a number, a flag — no walk
            left -= len(value) + 1
        elif type(value) in _SCALARS:
            left -= 1
        else:
            left = written_units(value, left)
        if left < 0:
            budget[0] = -1
            raise ScriptDataTooLarge(name)
    budget[0] = left


class ExpressionResultTooLarge(ScriptDataTooLarge):
    """An expression's results (a multi-instance collection, a decision's output, a mapping) passed the
    step's budget, which scripts' writes and expressions' results share (``STEP_WRITE_UNITS``)."""

    def __init__(self, expression: str):
        self.name = expression
        Exception.__init__(self, f"表达式的结果过大：本步骤中脚本和表达式得出的数据累计超过 {STEP_WRITE_UNITS:,} 个字符，"
                                 "已停止执行，案件保持原状；"
                                 "请检查表达式是否生成大段文字或长列表 (ExpressionResultTooLarge)")


def _charge_result(expression: str, value) -> None:
    """Charge what an expression computed against the step's budget, if a step is running: a
    multi-instance collection ``=for i in 1..500 return string join(...)`` held 2,500,000 characters in
    its task's data, uncounted, until 2026-12-08 (tests/test_security_review17_s31.py). A variable read
    by its name or a literal is not computed: not charged."""
    budget = _step_written.get()
    if budget is None or type(value) in _SCALARS or _literal_or_name(expression) is not None:
        return
    left = budget[0] - len(value) - 1 if type(value) is str else written_units(value, budget[0])
    if left < 0:
        budget[0] = -1
        raise ExpressionResultTooLarge(expression)
    budget[0] = left


class WorkerInputTooLarge(Exception):
    """What the host would send an evaluator worker (the data a piece of model code reads) is larger
    than a worker may answer (``MAX_MESSAGE``)."""

    def __init__(self, size: int):
        self.size = size
        super().__init__(f"发送给脚本执行进程的数据过大：共 {size:,} 字节，超过上限 {MAX_MESSAGE:,} 字节"
                         f"（{MAX_MESSAGE // (1024 * 1024)} MB），已停止执行，案件保持原状；"
                         "请检查脚本用到的变量是否含有大段文字或长列表 (WorkerInputTooLarge)")


class _WorkerGone(Exception):
    """The worker's pipe broke or carried something that is not the protocol; ``ended``: its output
    ended, i.e. the process is exiting (its exit status then says why)."""

    def __init__(self, ended: bool = False):
        super().__init__()
        self.ended = ended


class _WorkerLate(Exception):
    pass


def clean_environment() -> dict:
    """The whole environment a worker gets: nothing of the server's (keys, database URLs)."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0",
            **({"DUBAN_EVALUATOR_MEMORY_MB": os.environ["DUBAN_EVALUATOR_MEMORY_MB"]}
               if os.environ.get("DUBAN_EVALUATOR_MEMORY_MB", "").isdigit() else {})}


class Worker:
    """One evaluator process and its pipes."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-I", str(WORKER_FILE)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=clean_environment(),
                                     cwd="/", close_fds=True, start_new_session=True)
        self._buffer = bytearray()
        self.jobs = 0
        try:
            ready = self.receive(time.monotonic() + START_SECONDS)
        except (_WorkerGone, _WorkerLate):
            self.kill()
            raise EvaluatorCrashed("执行进程未能启动") from None
        self.pid = ready.get("ready")
        self.network_isolated = bool(ready.get("network_isolated"))

    def send(self, message: dict) -> None:
        """Send one line; WorkerInputTooLarge past ``MAX_MESSAGE`` bytes, as the host refuses a reply
        that long (before 2026-12-08 the host sent whatever it was given: a helper's answer or the data
        read, 36 MB of a text of control characters, tests/test_security_review17_s31.py)."""
        data = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        if len(data) > MAX_MESSAGE:
            raise WorkerInputTooLarge(len(data))
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise _WorkerGone from None

    def receive(self, deadline: float) -> dict:
        fd = self.proc.stdout.fileno()
        buffer = self._buffer
        end = buffer.find(b"\n")
        while end < 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _WorkerLate
            readable, _, _ = select.select([fd], [], [], remaining)
            if not readable:
                raise _WorkerLate
            chunk = os.read(fd, _READ)
            if not chunk:
                raise _WorkerGone(ended=True)
            # only the new chunk is searched, and the buffer grows in place: a reply of 20 MB read
            # 64 KB at a time copied and searched all it had at each read (quadratic: 17 s)
            found = chunk.find(b"\n")
            end = len(buffer) + found if found >= 0 else -1
            buffer += chunk
            if len(buffer) > MAX_MESSAGE:
                raise _WorkerGone
        line, self._buffer = bytes(buffer[:end]), bytearray(buffer[end + 1:])
        try:
            return json.loads(line)
        except ValueError:
            raise _WorkerGone from None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def ended(self, gone: _WorkerGone, seconds: float) -> Exception:
        """What to raise for a worker whose pipe ``gone`` broke during a job with the CPU bound
        ``seconds``: a CPU-time ScriptTimeout if the kernel ended it for its CPU time, else EvaluatorCrashed."""
        if gone.ended:
            try:
                status = self.proc.wait(timeout=5)  # its output ended: it is exiting
            except subprocess.TimeoutExpired:
                status = None
            if status in _CPU_SIGNALS:
                return ScriptTimeout(seconds, "cpu")
        return EvaluatorCrashed()

    def kill(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


class Pool:
    """A few persistent workers shared by every engine of this process (one pool per pid)."""

    def __init__(self, size: int = POOL_SIZE):
        self.size = max(1, size)
        self.pid = os.getpid()
        self._idle: list[Worker] = []
        self._count = 0
        self._cond = threading.Condition()
        self.started = 0  # workers spawned so far (tests and bench read it)

    def acquire(self, timeout: float = 30.0) -> Worker:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                while not self._idle and self._count >= self.size:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or not self._cond.wait(remaining):
                        raise EvaluatorCrashed("所有执行进程都忙，请稍后重试")
                if not self._idle:
                    break
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.kill()  # died while idle: replace it
                self._count -= 1
            self._count += 1
        try:
            worker = Worker()
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise
        self.started += 1
        return worker

    def release(self, worker: Worker, broken: bool) -> None:
        if broken or not worker.alive():
            worker.kill()
            with self._cond:
                self._count -= 1
                self._cond.notify()
            self._refill()
            return
        with self._cond:
            self._idle.append(worker)
            self._cond.notify()

    def _refill(self) -> None:
        """Start a replacement for a killed worker in the background, so the next evaluation does
        not wait for an interpreter to start."""
        with self._cond:
            if self._count >= self.size or os.getpid() != self.pid:
                return
            self._count += 1

        def start():
            try:
                worker = Worker()
            except BaseException:  # noqa: BLE001 — the next acquire tries again
                with self._cond:
                    self._count -= 1
                    self._cond.notify()
                return
            self.started += 1
            with self._cond:
                self._idle.append(worker)
                self._cond.notify()

        threading.Thread(target=start, name="duban-evaluator-refill", daemon=True).start()

    def shutdown(self) -> None:
        with self._cond:
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for worker in idle:
            worker.kill()

    def run(self, mode: str, source: str, data: dict, functions: dict, seconds: float,
            wall_seconds: float = WALL_SECONDS) -> dict:
        """Run one piece of code in a worker; the reply, or an exception the engine makes an incident of.
        ``seconds``: the CPU time the code may use; ``wall_seconds``: how long to wait for an answer
        at most (never less than twice ``seconds``), time in host functions not counted. The helpers
        the code calls back run in the host, outside the worker's CPU bound: together they may use
        ``seconds`` of this thread's CPU time, past which the worker is killed (ScriptTimeout "host").
        Before (2026-12-07), a loop calling ``workdays_between`` over a hundred years cost the host
        27 ms a call and the worker some 50 µs: one evaluation could hold a server thread for minutes."""
        worker = self.acquire()
        broken = True
        wall = max(wall_seconds, 2 * seconds)
        host_cpu = time.thread_time() + seconds  # the host's CPU time the code's helper calls may use
        try:
            try:
                worker.send({"mode": mode, "src": source, "data": data, "funcs": sorted(functions), "limit": seconds})
            except WorkerInputTooLarge:
                broken = False  # nothing was sent: the worker waits for its next job
                raise
            deadline = time.monotonic() + wall
            while True:
                try:
                    message = worker.receive(deadline)
                except _WorkerLate:
                    raise ScriptTimeout(wall, "wall") from None
                except _WorkerGone as gone:
                    raise worker.ended(gone, seconds) from None
                if "call" not in message:
                    broken = bool(message.get("restart"))
                    return message
                started = time.monotonic()
                answer = _call_host(functions, message)
                if time.thread_time() > host_cpu:  # the worker's wait is not its CPU time; the host's is
                    raise ScriptTimeout(seconds, "host")
                worker.send(answer)
                deadline += time.monotonic() - started  # time spent in the host is not the worker's
        except _WorkerGone:
            raise EvaluatorCrashed() from None
        finally:
            self.release(worker, broken)


def _call_host(functions: dict, message: dict) -> dict:
    fn = functions.get(message.get("call"))
    if fn is None:
        return {"exc": f"未知函数 {message.get('call')!r}"}
    try:
        args = restricted.decode(message.get("args") or [])
        kwargs = restricted.decode(message.get("kwargs") or {})
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            return {"exc": "参数无效"}
        if (huge := restricted.oversized_decimal([args, kwargs])) is not None:  # named as the model called it
            return {"exc": f"ValueError: {restricted.function_named(message['call'], args)}的参数「{str(huge)[:40]}」"
                           f"超出数值范围（绝对值须在 10 的 ±{restricted.DECIMAL_EXPONENT} 次方以内）"}
        return {"ret": restricted.encode_result(message["call"], args, fn(*args, **kwargs))}
    except Exception as exc:  # the host function's own failure is the model's error
        return {"exc": f"{type(exc).__name__}: {exc}"}


_pool: Pool | None = None
_MISSING = object()
_pool_lock = threading.Lock()


def pool() -> Pool:
    """The process's pool (a forked child, e.g. a gunicorn worker, gets its own)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = Pool()
        return _pool


@atexit.register
def _shutdown() -> None:
    if _pool is not None and _pool.pid == os.getpid():
        _pool.shutdown()


@functools.lru_cache(maxsize=4096)
def _compiled(source: str, mode: str):
    code, names = restricted.compile_code(source, mode)
    if mode != "eval":
        return code, names, False
    if restricted.is_plain(source) and not restricted.adds(source):
        return code, names, True
    guarded = restricted.guarded_expression(source)  # ``*`` or ``+``: guarded as in a plain script
    return (guarded, names, True) if guarded is not None else (code, names, False)


@functools.lru_cache(maxsize=4096)
def _plain_script(source: str):
    """(steps, helpers called) of a plain script, the helpers none (``restricted.plain_script``) or
    some (``restricted.helper_script``); None for any other script."""
    steps = restricted.plain_script(source)
    if steps is not None:
        return steps, frozenset()
    return restricted.helper_script(source)


@functools.lru_cache(maxsize=4096)
def _helper_expression(source: str):
    return restricted.helper_expression(source)


# The names the host's scope of a plain expression holds besides case data and host functions.
_HOST_GLOBALS = frozenset(restricted.SAFE_BUILTIN_NAMES) | frozenset(restricted.STANDARD_GLOBALS) | {"range"}


def _values_read(source: str) -> tuple[str, ...]:
    """The names the expression ``source`` reads as values, not as the function of a call
    (``restricted._values_read``, as a plain script's statements are read)."""
    try:
        return restricted._values_read(ast.parse(source.strip(), mode="eval"))
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return ()


_LITERALS = (str, int, float, bool, type(None))


@functools.lru_cache(maxsize=4096)
def _literal_or_name(source: str) -> tuple | None:
    """(value, None) for an expression that is a literal (a DMN output entry's ``"A类（重点监管）"``, a
    timer's ``30``), (None, name) for one that is a variable's name (a gateway's ``passed  # yes-or-no``,
    an assignee's ``approver``), else None: read without a scope built for ``eval``, which gives the same
    object — the literal, or the variable as the case (then the context the caller passes) holds it. A
    name that is a conversion (``int``: ``_conversion_shadowed``) or not in the case's data goes the
    usual way (a global, FEEL's null, the NameError). Only for code the restricted compile accepted."""
    try:
        node = ast.parse(source, mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if isinstance(node, ast.Constant) and type(node.value) in _LITERALS:
        return node.value, None
    if isinstance(node, ast.Name) and node.id not in restricted.PLAIN_CALLS:
        return None, node.id
    return None


@functools.lru_cache(maxsize=4096)
def _assignments(source: str) -> tuple | None:
    """((target, source name or None, literal), ...) of a script whose every statement gives one
    variable a variable's value or a literal (``category = category``, an output mapping's
    ``extension_approved = approved``, ``conclusion = "合格"``), else None. Only for a script
    ``_plain_script`` accepted (the restricted compile and the plain check came first)."""
    try:
        body = ast.parse(source, mode="exec").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    moves = []
    for stmt in body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            return None
        value = stmt.value
        if isinstance(value, ast.Name):
            moves.append((stmt.targets[0].id, value.id, None))
        elif isinstance(value, ast.Constant) and type(value.value) in _LITERALS:
            moves.append((stmt.targets[0].id, None, value.value))
        else:
            return None
    return tuple(moves) or None


@functools.lru_cache(maxsize=4096)
def _fast_expression(source: str):
    """``_helper_expression(source)`` when every helper it calls is one of ``_FAST_HELPERS``
    (a JUEL condition's ``${amount > 1000}``: ``duban_el_coerce``), else None."""
    hosted = _helper_expression(source)
    if hosted is None or not hosted[1] <= _fast_helpers().keys():
        return None
    return hosted


@functools.lru_cache(maxsize=1)
def _fast_helpers() -> dict:
    """The helpers an expression run on the fast path may call (``_run_fast_expression``), by name
    and by identity: engine/juel_operators' coercion, comparison and arithmetic as EL does them, and a
    mapping's quotient as stored —
    pure, host-safe, over simple values. A fixed list: nothing a model names or a domain registers
    joins it; a function registered under one of these names that is not this very function
    (``is``) sends the expression the usual way."""
    from . import juel_operators

    return {juel_operators.COERCE_HELPER: juel_operators.coerce,
            juel_operators.HELPER: juel_operators.compare,
            juel_operators.ARITHMETIC_HELPER: juel_operators.arithmetic,
            juel_operators.STORED_HELPER: juel_operators.stored}


def _simple(value) -> bool:
    """A value that crosses to the worker and back unchanged and cheaply (``date_calls.crossed``):
    None, a yes/no, a float, a whole number within ``MAX_NUMBER``, a text within ``MAX_TEXT_ACROSS``."""
    kind = type(value)
    if kind is str:
        return len(value) <= date_calls.MAX_TEXT_ACROSS
    if kind is int:
        return -date_calls.MAX_NUMBER <= value <= date_calls.MAX_NUMBER
    return value is None or kind is bool or kind is float


class _FastCall:
    """An allow-listed helper (``_fast_helpers``) as an expression on the fast path calls it: its
    arguments and result simple (``_simple``, else the host gives up: ``_GiveUp``), counted as
    ``_HostCall`` counts, an error it raises the ``HostFunctionError`` ``_HostCall`` raises (the same
    ``TypeName: message``), MemoryError/RecursionError a give-up."""

    __slots__ = ("function", "counter")

    def __init__(self, function, counter: dict):
        self.function, self.counter = function, counter

    def __call__(self, *args, **kwargs):
        if kwargs:
            raise _GiveUp  # as the translations never call them: the usual way
        for arg in args:
            if not _simple(arg):
                raise _GiveUp
        self.counter["helper_call"] += 1
        try:
            result = self.function(*args)
        except (MemoryError, RecursionError):
            raise _GiveUp from None
        except Exception as exc:  # noqa: BLE001 — the helper's failure is the model's error, as in _HostCall
            raise restricted.HostFunctionError(f"{type(exc).__name__}: {exc}") from None
        if not _simple(result):
            raise _GiveUp
        return result


HOST_SAFE = "duban_host_safe"  # the attribute ``host_safe`` sets on a helper


def host_safe(function):
    """Declare ``function`` (a helper model code calls: ``now``, ``day_after``, ``level_rank``...) safe
    to call from model code the host runs (a plain script or expression that calls helpers): pure —
    no database write, no request to the engine, no other side effect, nothing the case or the step
    keeps — and answering from its arguments and read-only configuration only. The host may call it,
    give up on the script (a bound, a value it cannot pass) and have the worker run the script from
    the start, which calls it again. A helper without the mark (``start_case``, ``inspection_draw``)
    is never called by the host's own runs: code calling it goes to the worker. The mark is on the
    function, so a helper replaced under the same name (workflows/runtime.py's ``local_rule``) is
    host-safe only if its replacement is marked too."""
    setattr(function, HOST_SAFE, True)
    return function


def is_host_safe(function) -> bool:
    return getattr(function, HOST_SAFE, False) is True


# What plain code run in the host may pass to and get from host-safe helpers, all calls of one run
# together: past either the host gives up and the worker runs the code (whose pipe takes 32 MiB a
# message). Without it ``f(a, a, a, ...)`` would hold a decoded copy of ``a`` per argument at once.
HELPER_CALLS = 1000
HELPER_BYTES = 1 << 20


class _HostCall:
    """A host-safe helper as model code run in the host calls it: what the worker's stub and
    ``_call_host`` do, without the pipe. The arguments cross as they would to the worker and back
    (``restricted.encode``, JSON, ``restricted.decode``: a tuple arrives a list, a datetime with a
    fixed offset), the result too; an error the helper raises is the worker's ``HostFunctionError``
    with the text ``_call_host`` sends (``TypeName: message``), which the model's ``try/except
    Exception`` catches as it catches the worker's. A value that cannot cross (not serializable,
    past ``date_calls.MAX_VALUE_BYTES`` of JSON), a run past ``HELPER_CALLS`` calls or
    ``HELPER_BYTES`` crossed (``budget``, shared by the run's helpers) and MemoryError/RecursionError
    make the host give up (``_GiveUp``): the worker runs the code from the start and gives its own
    answer or error."""

    __slots__ = ("function", "name", "counter", "budget")

    def __init__(self, function, name: str, counter: dict, budget: list):
        self.function, self.name, self.counter, self.budget = function, name, counter, budget

    def _cross(self, value):
        try:
            value, size = date_calls.crossed(value, self.name)
        except Exception:  # noqa: BLE001 — the worker's answer: its own encoding error or result
            raise _GiveUp from None
        self.budget[1] -= size
        if self.budget[1] < 0:
            raise _GiveUp
        return value

    def __call__(self, *args, **kwargs):
        self.budget[0] -= 1
        if self.budget[0] < 0:
            raise _GiveUp
        sent = [self._cross(a) for a in args]
        sent_kwargs = {k: self._cross(v) for k, v in kwargs.items()}
        self.counter["helper_call"] += 1
        try:
            result = self.function(*sent, **sent_kwargs)
        except (MemoryError, RecursionError):
            raise _GiveUp from None
        except Exception as exc:  # noqa: BLE001 — the helper's failure is the model's error, as in _call_host
            raise restricted.HostFunctionError(f"{type(exc).__name__}: {exc}") from None
        return self._cross(result)


@functools.lru_cache(maxsize=1)
def _plain_script_globals() -> dict:
    """The globals a plain script runs in: the worker's without host functions (a script naming one
    goes to the worker), ``*`` and ``*=`` guarded, ``int`` refusing a huge decimal; each run gets a
    copy. 13.8 -> 7.7 µs a plain script beside the 58 domain functions of workflows/ (the reply's
    walk of the scope no longer passes them)."""
    scope = restricted.restricted_globals()
    scope.update({"_mul_": restricted.guarded_mul, "_inplacevar_": restricted.guarded_inplacevar,
                  "int": restricted.guarded_int})  # no case variable is named int (_conversion_shadowed)
    return scope


def compiled(source: str, mode: str):
    """(code, names used, plain?) for model code; raises ModelCodeRefused (cached per source)."""
    return _compiled(source, mode)


def prepare(source: str, mode: str) -> bool:
    """Fill the per-text caches an evaluation of ``source`` reads, as its first run would, without
    running it (engine/precompile.py: at deploy and ``Engine.warm``): the restricted compile, and
    the host's plan of it — a script's (``_plain_script``), an expression's that is not plain the
    date-helper call's and the helper expression's. False for code the compiler refuses (its first
    run refuses it as before) or that cannot be planned."""
    try:
        _code, _names, plain = _compiled(source, mode)
        if mode == "exec":
            if _plain_script(source) is not None:
                _assignments(source)
        elif _literal_or_name(source) is None and not plain and date_calls.plan(source) is None:
            _helper_expression(source)
    except Exception:  # noqa: BLE001 — refused or unplannable: its first run says so, as before
        return False
    return True


def _assigned_at(script: str, exc: BaseException) -> str | None:
    """The variable the statement of ``script`` at the line ``exc`` names (「第 3 行」) assigns: the
    mapping that failed, for its words."""
    line = getattr(exc, "script_line", None) or next(
        (int(m.group(1)) for note in getattr(exc, "__notes__", ()) or () if (m := re.fullmatch(r"第 (\d+) 行", note))),
        getattr(exc, "line", None))
    if not line:
        return None
    try:
        body = ast.parse(script, mode="exec").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    for stmt in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(stmt, ast.Assign) and stmt.lineno == line and isinstance(stmt.targets[0], ast.Name):
            return stmt.targets[0].id
    return None


_LINE_NOTE = re.compile(r"第 (\d+) 行")


def _own_line(source: str, line: int, mode: str) -> int | None:
    """The line of the model's own code that ``line`` of ``source`` (the code that ran) is, or None
    when no line is to be said: our lines ahead of it (engine/restricted.ABSENT_AS_NULL, the FEEL as
    written: engine/feel_errors.SOURCE) are no line the designer wrote, and an expression of one line
    (a FEEL expression, a condition) has no line to name. 「（脚本第 2 行）」 was said of the one-line
    FEEL ``=date(name)``, whose translation has the absent-as-null line first."""
    from . import feel_errors

    lines = source.split("\n")
    ours = 0
    while ours < len(lines) and lines[ours].startswith((restricted.ABSENT_AS_NULL, feel_errors.SOURCE)):
        ours += 1
    if line <= ours:
        return None
    if (ours or mode == "eval") and sum(1 for text in lines[ours:] if text.strip()) <= 1:
        return None
    return line - ours


def _relined(exc: BaseException, source: str, mode: str) -> None:
    """``exc`` (an error of model code ``source`` run in ``mode``) saying the model's own line
    (``_own_line``) in place of the line of the code that ran, which ``script_line`` keeps."""
    if isinstance(exc, ModelCodeError):
        if exc.line:
            exc.said_at(_own_line(source, exc.line, mode))
        return
    notes = getattr(exc, "__notes__", None)
    if not notes or getattr(exc, "script_line", None):
        return
    for i, note in enumerate(notes):
        found = _LINE_NOTE.fullmatch(note)
        if found:
            line = int(found.group(1))
            exc.script_line = line  # type: ignore[attr-defined]
            shown = _own_line(source, line, mode)
            if shown is None:
                del notes[i]
            else:
                notes[i] = f"第 {shown} 行"
            return


def _raise_model_error(error: dict):
    type_name, message, line = error.get("type") or "Error", error.get("message") or "", error.get("line")
    if type_name == "ModelCodeRefused":
        raise ModelCodeRefused([message])
    if type_name in _BUILTIN_ERRORS:
        exc = getattr(builtins, type_name)(message)
        if line:
            exc.add_note(f"第 {line} 行")
        raise exc
    raise ModelCodeError(type_name, message, line)


class HostFunctions(dict):
    """The functions model code may call, by name; counts its changes, so the globals built from it
    for host evaluations are rebuilt when one is added later (workflows/runtime.py adds ``local_rule``)."""

    version = 0

    def _changed(self) -> None:
        self.version += 1

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key):
        super().__delitem__(key)
        self._changed()

    def update(self, *args, **kwargs):
        super().update(*args, **kwargs)
        self._changed()

    def pop(self, *args):
        try:
            return super().pop(*args)
        finally:
            self._changed()

    def setdefault(self, key, default=None):
        try:
            return super().setdefault(key, default)
        finally:
            self._changed()

    def clear(self):
        super().clear()
        self._changed()

    def popitem(self):
        try:
            return super().popitem()
        finally:
            self._changed()


class _Printed:
    """``_print_`` of a plain script run in the host: the one ``restricted.BoundedPrint`` all its print
    statements write to, made when the first of them runs (most scripts print nothing)."""

    __slots__ = ("collector",)

    def __init__(self):
        self.collector: restricted.BoundedPrint | None = None

    def __call__(self, _getattr_=None):
        if self.collector is None:
            self.collector = restricted.BoundedPrint()
        return self.collector


_absent_as_null = functools.lru_cache(maxsize=4096)(restricted.absent_as_null)  # per text, as compiled


class _GiveUp(Exception):
    """A plain script the host stops running: the worker runs it from the start."""


_IN_PLACE = (list, dict)
_RECEIVED = (list, dict)  # inputs a plain script may set under another name as they came (_run_plain_script)


class _PlainRun:
    """One run of a plain script's steps (``restricted.plain_script``) in ``scope``."""

    def __init__(self, scope: dict, base: dict):
        self.scope, self.base = scope, base
        self.builtins = base["__builtins__"]
        self.left = restricted.PLAIN_SCRIPT_STEPS  # items the bound's walks may still visit
        self.mutated = False  # a statement that may change a list or dict in place has run (or started)
        self.deadline = time.perf_counter() + restricted.PLAIN_SCRIPT_SECONDS

    def steps(self, plan, in_try: bool) -> None:
        scope, base = self.scope, self.base
        for step in plan:
            kind = step[0]
            if kind == "try":
                try:
                    self.steps(step[1], True)
                except (_GiveUp, restricted.TooLarge, MemoryError, RecursionError):
                    raise
                except Exception:  # noqa: BLE001 — ``except Exception:`` of the model's script
                    self.steps(step[2], in_try)
                continue
            for name in step[2] if kind == "if" else step[3]:
                value = scope.get(name, _MISSING)
                if value is _MISSING:
                    # missing: outside a try the worker's NameError (and its message); inside, the
                    # statement raises it here as there (not before: ``a if c else missing``), unless
                    # the name is a builtin's (a host object)
                    if not in_try or name in self.builtins:
                        raise _GiveUp
                elif name in base and base[name] is value:  # a global: the worker's
                    raise _GiveUp
            if kind == "if":
                branch = step[3] if eval(step[1], scope) else step[4]
                if time.perf_counter() > self.deadline:  # ``if x in big: pass`` a thousand times
                    raise _GiveUp
                self.steps(branch, in_try)
                continue
            _, code, assigned, _, in_place = step
            if in_place:
                self.mutated = True
            exec(code, scope)
            if in_place and any(isinstance(scope.get(name), _IN_PLACE) for name in assigned):
                # a list or dict changed in place: any value of the scope may hold it
                assigned = [n for n, v in scope.items() if not n.startswith("_") and not (n in base and base[n] is v)]
            for name in assigned:
                self.left = restricted.within_plain_bounds(scope.get(name), self.left)
                if self.left < 0:
                    raise _GiveUp
            if time.perf_counter() > self.deadline:
                raise _GiveUp


class IsolatedEnvironment(TaskDataEnvironment):
    """SpiffWorkflow's script environment: restricted compile, then the host (plain expressions,
    date-helper calls, plain scripts) or a worker process (everything else)."""

    def __init__(self, environment_globals=None, seconds: float = 1.0, isolate: bool = True,
                 wall_seconds: float = WALL_SECONDS):
        super().__init__(environment_globals)
        self.seconds = seconds  # CPU time per evaluation in a worker
        self.wall_seconds = wall_seconds  # the backstop: waiting for a worker's answer
        self.isolate = isolate
        self.host_functions = HostFunctions((k, v) for k, v in self.globals.items()
                                            if callable(v) and k not in restricted.STANDARD_GLOBALS
                                            and not k.startswith("_"))
        self._host_globals: tuple[int, dict] | None = None
        self._globals_read: dict[str, tuple] = {}  # _reads_a_global: text -> (host functions' version, globals read)
        # host: plain expressions; date_call: engine/date_calls.py; host_script: plain scripts (helpers
        # or none); host_call: expressions calling host-safe helpers; helper_call: those helpers' calls
        self.evaluations = {"host": 0, "date_call": 0, "host_script": 0, "host_call": 0, "worker": 0,
                            "helper_call": 0}
        self.date_calls = True  # engine/date_calls.py may answer date-helper calls (tests compare both ways)
        self.plain_scripts = True  # plain scripts may run in the host (tests compare both ways)
        self.host_helpers = True  # plain code calling host-safe helpers may run in the host (the same)
        self.read_shortcut = True  # a literal or a variable's name read without eval (the same)
        self.assign_shortcut = True  # a script of assignments of names and literals run without exec (the same)

    def _inputs(self, names, context, external_context, null=frozenset()) -> tuple[dict, dict]:
        """What the worker gets: the variables ``names`` reads, the host functions it calls, and None
        for a variable in ``null`` (translated FEEL) the case lacks (unchanged, it is not set back)."""
        data, functions = {}, {}
        for name in names:
            if name in context:
                data[name] = restricted.encode(context[name], name)
            elif external_context and name in external_context:
                data[name] = restricted.encode(external_context[name], name)
            elif name in self.host_functions:
                functions[name] = self.host_functions[name]
            elif name in null:
                data[name] = None
        return data, functions

    def evaluate(self, expression, context, external_context=None):
        value = self._evaluate(expression, context, external_context)
        _charge_result(expression, value)
        return value

    def _evaluate(self, expression, context, external_context=None):
        try:
            code, names, plain = compiled(expression, "eval")
            read = _literal_or_name(expression) if plain and self.read_shortcut else None
            if read is not None:  # what eval in the host scope would give, without building the scope
                literal, name = read
                if name is None:
                    self.evaluations["host"] += 1
                    return literal
                if name in context:
                    self.evaluations["host"] += 1
                    return context[name]
                if external_context and name in external_context:
                    self.evaluations["host"] += 1
                    return external_context[name]
            null = _absent_as_null(expression)  # translated FEEL: an absent variable is None
            if plain and not self._conversion_shadowed(names, context, external_context) \
                    and not self._reads_a_global(expression, context, external_context) or not self.isolate:
                # code that is not plain (only with isolation off: the tests' comparisons) gets its own
                scope = self._host_scope() if plain else restricted.restricted_globals(self.host_functions)
                scope.update(external_context or {})
                scope.update({n: context[n] for n in names if n in context})
                for name in null:
                    scope.setdefault(name, None)
                self.evaluations["host"] += 1  # an error the expression raises is the host's answer too
                try:
                    return eval(code, scope)
                except restricted.TooLarge:  # int() of a huge decimal: the worker and its CPU bound
                    self.evaluations["host"] -= 1
            accepted = date_calls.plan(expression) if self.date_calls else None
            if accepted is not None:
                try:
                    value = date_calls.evaluate(accepted, context, external_context, self.host_functions)
                except Exception:  # noqa: BLE001 — not answered here: the sandbox gives its answer or error
                    pass
                else:
                    self.evaluations["date_call"] += 1
                    return value
            fast = _fast_expression(expression) if self.host_helpers else None
            if fast is not None and not self._conversion_shadowed(names, context, external_context):
                value = self._run_fast_expression(fast, context, external_context, null)
                if value is not _MISSING:
                    return value
            data, functions = self._inputs(names, context, external_context, null)
            hosted = _helper_expression(expression) if self.host_helpers else None
            if hosted is not None and not self._conversion_shadowed(names, context, external_context):
                value = self._run_helper_expression(hosted, data, functions)
                if value is not _MISSING:
                    return value
            self.evaluations["worker"] += 1
            reply = pool().run("eval", expression, data, functions, self.seconds, self.wall_seconds)
            if "error" in reply:
                _raise_model_error(reply["error"])
            return restricted.decode(reply.get("ok"))
        except Exception as exc:  # noqa: BLE001 — re-raised unless translated FEEL failed on its data
            _relined(exc, expression, "eval")
            if not expression.startswith("#"):
                raise
            return self._feel_failed(self._evaluate, "eval", expression, context, external_context, exc)

    def _feel_failed(self, run, mode: str, source: str, context, external_context, exc: Exception):
        """A translated FEEL expression (or a script of FEEL mappings, ``mode`` ``exec``) whose Python
        failed (``exc``): run again with each one-step path as engine/feel_lists.feel_get (a path over
        a list is FEEL's projection, engine/feel_null.projected) when Python stopped on a type; what
        still fails is said in Chinese naming the expression (engine/feel_errors.py) in the words of
        the engine's other expression stops. Any other failure, and code not translated from FEEL
        (no absent-as-null or source line), is re-raised as it was."""
        from . import feel_errors, feel_null

        if not (source.startswith(restricted.ABSENT_AS_NULL) or source.startswith(feel_errors.SOURCE)):
            raise exc
        error = feel_errors.type_name_and_message(exc)
        if error is None:
            raise exc
        if error[0] == "TypeError" and (other := feel_null.projected(source, mode)) is not None:
            try:
                return run(other, context, external_context)
            except Exception as again:  # noqa: BLE001 — said below if it is the data's, else as it is
                if feel_errors.type_name_and_message(again) is None:
                    raise
                exc = again
        words = feel_errors.said(exc, source, _assigned_at(source, exc) if mode == "exec" else None, context)
        raise ModelCodeError("JuelMethodError", words or str(exc)) from exc

    def _helpers(self, called: frozenset, functions: dict) -> dict | None:
        """The helpers plain code run in the host may call, as it calls them (``_HostCall``), or None
        when the worker must run it: every host function the code names (``functions``, from
        ``_inputs``: not shadowed by case data) is one it calls (one read as a value, ``x = now``, is
        the worker's) and declared host-safe (``host_safe``), and every name it calls is one of them
        (not case data, a builtin or a standard class)."""
        if not called and not functions:
            return {}
        if not self.host_helpers or functions.keys() != called:
            return None
        if not all(is_host_safe(function) for function in functions.values()):
            return None
        budget = [HELPER_CALLS, HELPER_BYTES]  # this run's, shared by its helpers
        return {name: _HostCall(function, name, self.evaluations, budget) for name, function in functions.items()}

    def _fast_calls(self, called: frozenset, functions: dict) -> dict | None:
        """The helpers a plain script calls as ``_FastCall`` when every one is allow-listed
        (``_fast_helpers``, by name and identity: a JUEL mapping's ``duban_el_stored(duban_el_arith(...))``)
        and every host function it names is one it calls, else None (the usual ``_helpers``). Over
        simple values (``_simple``) a helper's call crossed as ``_HostCall`` crosses it is the call
        itself — so the script's run gives the same reply without a JSON trip per argument (a
        mapping's Chinese texts took it); a call that is not simple gives up (``_GiveUp``) and the
        script runs again from the start the usual way."""
        if not called or not self.host_helpers or functions.keys() != called:
            return None
        allowed = _fast_helpers()
        if not all(allowed.get(name) is function for name, function in functions.items()):
            return None
        counter = self.evaluations
        return {name: _FastCall(function, counter) for name, function in functions.items()}

    def _run_helper_expression(self, hosted, data: dict, functions: dict):
        """The value of an expression that calls host-safe helpers (``restricted.helper_expression``),
        computed in the host as the worker would (its globals with the guards of a plain script, the
        inputs decoded from ``data``, the helpers as ``_HostCall``, the result across the same
        encoding), or ``_MISSING`` when the worker must answer: a helper not host-safe, a name read
        that is not case data, a bound (``TooLarge``), a value that cannot cross. An error the
        expression raises is reported as the worker reports it (``restricted.error_reply``)."""
        code, called, reads = hosted
        helpers = self._helpers(called, functions)
        if helpers is None:
            return _MISSING
        base = _plain_script_globals()
        for name in reads:  # case data, or missing everywhere (NameError as in the worker when reached)
            if name not in data and (name in base or name in base["__builtins__"] or name in functions):
                return _MISSING  # a global read as a value (``str(range)``, ``x = now``): the worker's
        scope = dict(base)
        scope.update(helpers)
        try:
            scope.update(restricted.decode(data))
            value = eval(code, scope)
        except (_GiveUp, restricted.TooLarge, MemoryError, RecursionError):
            return _MISSING
        except Exception as exc:  # noqa: BLE001 — the model's error, reported as the worker reports it
            self.evaluations["host_call"] += 1
            _raise_model_error(restricted.error_reply(exc))
        try:
            value = date_calls.crossed(value, "表达式结果")[0]
        except Exception:  # noqa: BLE001 — not serializable, too large: the worker's answer
            return _MISSING
        self.evaluations["host_call"] += 1
        return value

    def _run_fast_expression(self, fast, context: dict, external_context, null):
        """The value of an expression calling only ``_FAST_HELPERS`` (a JUEL condition's
        ``duban_el_coerce``...) over simple values (``_simple``), as ``_run_helper_expression`` gives
        it, without encoding the inputs or crossing each call: the values read as the case holds them,
        each helper called as ``_FastCall``. ``_MISSING`` (the usual way) when a name it calls is
        case data or not the very function allow-listed, a value read is missing or not simple, or a
        call gives up. An error the expression raises is reported as ``_run_helper_expression`` does."""
        code, called, reads = fast
        allowed = _fast_helpers()
        functions = self.host_functions
        for name in called:
            if name in context or (external_context and name in external_context) \
                    or functions.get(name) is not allowed[name]:
                return _MISSING
        scope = dict(_plain_script_globals())
        for name in reads:
            if name in context:
                value = context[name]
            elif external_context and name in external_context:
                value = external_context[name]
            elif name in null:
                value = None
            else:
                return _MISSING  # a global or a missing name: the usual way answers
            if not _simple(value):
                return _MISSING
            scope[name] = value
        counter = self.evaluations
        for name in called:
            scope[name] = _FastCall(allowed[name], counter)
        try:
            value = eval(code, scope)
        except (_GiveUp, restricted.TooLarge, MemoryError, RecursionError):
            return _MISSING  # the usual way runs it again from the start
        except Exception as exc:  # noqa: BLE001 — the model's error, reported as the worker reports it
            counter["host_call"] += 1
            _raise_model_error(restricted.error_reply(exc))
        if not _simple(value):
            return _MISSING
        counter["host_call"] += 1
        return value

    def _host_scope(self) -> dict:
        """A fresh copy of the globals a host evaluation runs in (allow-listed builtins, guards,
        standard classes, host functions): built once, not per evaluation (it was nine tenths of a
        rule test's cost), and again when a host function is added, replaced or removed. A plain
        expression cannot assign, so the copy only keeps one evaluation's variables from the next."""
        functions = self.host_functions
        version = functions.version if isinstance(functions, HostFunctions) else None
        cached = self._host_globals
        if cached is None or version is None or cached[0] != version:
            scope = restricted.restricted_globals(functions)
            scope["int"] = restricted.guarded_int  # int(Decimal("1e99999")): a second of host CPU
            scope["_mul_"] = restricted.guarded_mul  # ``*`` (restricted.guarded_expression)
            cached = (version, scope)
            self._host_globals = cached
        return dict(cached[1])

    def _reads_a_global(self, expression: str, context, external_context) -> bool:
        """A plain expression reads, as a value, a name the case lacks that the host's scope holds — a
        host function, a builtin, a standard module (``str(now)``, ``str(range)``, ``f"{math}"``): the
        worker answers, as for a helper expression (``_run_helper_expression``) and a plain script.
        In the host its text named the host's code and memory (「<function
        DubanScriptEngine.__init__.<locals>.<lambda> at 0x7f62…>」, 「<function guarded_int at 0x…>」)
        until 2026-12-07. Which of its names could be such a global is kept per text (and host
        functions' version): for most expressions none."""
        functions = self.host_functions
        found = self._globals_read.get(expression)
        if found is None or found[0] != getattr(functions, "version", None) or found[0] is None:
            found = (getattr(functions, "version", None),
                     tuple(n for n in _values_read(expression)
                           if n in _HOST_GLOBALS or n in functions and callable(functions[n])))
            if len(self._globals_read) < 4096:
                self._globals_read[expression] = found
        for name in found[1]:
            if name not in context and not (external_context and name in external_context):
                return True
        return False

    def _conversion_shadowed(self, names, context, external_context) -> bool:
        """A plain expression calls a conversion (``restricted.PLAIN_CALLS``: bool, int...) that a
        case variable or a host function is named after: the worker decides, as it always did."""
        for name in restricted.PLAIN_CALLS.intersection(names):
            if name in context or name in self.host_functions or (external_context and name in external_context):
                return True
        return False

    def check_for_overwrite(self, context, external_context) -> None:
        """Case data named like a function of the environment (now, date, start_case…) is the
        script's variable, as a variable shadows a global in Python and as the vendors' engines read
        a model's names (a Camunda form's field 「date」 read by ``${date}``; ``_inputs`` gives the
        data, not the function, already): SpiffWorkflow refused every script of such a case, even
        one not reading the name, in English. Data handed in under such a name that no drawn form
        declares is refused where it comes in (engine/step.refuse_function_names), so our own
        models' calls (``now()``) keep their function. Case data that is also given as external
        context is still refused (SpiffWorkflow's check, asked only then)."""
        if external_context and not external_context.keys().isdisjoint(context):
            both = external_context.keys() & context.keys()
            super().check_for_overwrite({k: context[k] for k in both}, external_context)

    def execute(self, script, context, external_context=None):
        try:
            self.check_for_overwrite(context, external_context or {})
            code, names, _ = compiled(script, "exec")
            data, functions = self._inputs(names, context, external_context, _absent_as_null(script))
            plan = _plain_script(script) if self.plain_scripts else None
            if plan is not None and not self._conversion_shadowed(names, context, external_context):
                moves = _assignments(script) if self.assign_shortcut and not functions else None
                reply = self._run_assignments(moves, data) if moves is not None else None
                if reply is not None:
                    self.evaluations["host_script"] += 1
                    return self._apply_script_reply(reply, context)
                fast = self._fast_calls(plan[1], functions)
                reply = self._run_plain_script(plan[0], data, fast) if fast else None
                if reply is not None:
                    self.evaluations["host_script"] += 1
                    return self._apply_script_reply(reply, context)
                helpers = self._helpers(plan[1], functions)
                reply = self._run_plain_script(plan[0], data, helpers) if helpers is not None else None
                if reply is not None:
                    self.evaluations["host_script"] += 1
                    return self._apply_script_reply(reply, context)
            self.evaluations["worker"] += 1
            reply = pool().run("exec", script, data, functions, self.seconds, self.wall_seconds)
            if "error" in reply:
                _raise_model_error(reply["error"])
            return self._apply_script_reply(reply, context)
        except Exception as exc:  # noqa: BLE001 — re-raised unless translated FEEL failed on its data
            _relined(exc, script, "exec")
            if not script.startswith("#"):
                raise
            return self._feel_failed(self.execute, "exec", script, context, external_context, exc)

    def _run_assignments(self, moves: tuple, data: dict) -> dict | None:
        """A plain script of assignments only (``_assignments``: ``category = category``,
        ``extension_approved = approved``, ``conclusion = "合格"``), run as ``_run_plain_script``
        runs it — the inputs decoded from ``data``, each statement's value within the host's bound,
        the reply ``restricted.script_reply`` gives — without building its globals or running its
        compiled statements. None (the usual run decides, as before) when a statement reads a name
        that is neither case data nor set before it (a global, a helper, a missing name), assigns a
        global's name, passes the bound, or a value cannot be case data."""
        base = _plain_script_globals()
        try:
            inputs = restricted.decode(data)
            scope = dict(inputs)
            left = restricted.PLAIN_SCRIPT_STEPS
            for target, source, literal in moves:
                if target in base:
                    return None
                if source is not None:
                    if source not in scope:
                        return None
                    literal = scope[source]
                scope[target] = literal
                left = restricted.within_plain_bounds(literal, left)
                if left < 0:
                    return None
            changed = {}
            for name, value in scope.items():
                if name in inputs and inputs[name] is value:  # the value it got: unchanged
                    continue
                encoded = restricted.encode(value, name)
                if name not in data or data[name] != encoded:
                    changed[name] = encoded
        except Exception:  # noqa: BLE001 — not serializable, too large: the usual run gives its answer
            return None
        return {"set": changed, "del": []}

    def _run_plain_script(self, plan, data: dict, helpers: dict | None = None) -> dict | None:
        """Run a plain script (``restricted.plain_script``) in the host as the worker would: the same
        globals (a script naming a host function goes to the worker: it has no stubs here), the inputs as
        the worker gets them (``data``, encoded, decoded into a scope of its own, so nothing of the case
        is touched), the same reply (``restricted.script_reply``, with what it printed) and the same
        errors. After each statement every value it assigned must be within the host's bound
        (``restricted.within_plain_bounds``, which also bounds the walks of all statements together) —
        after one that changed a list or dict in place (``x += [1]``, ``d["k"] = v``) every value of the
        scope, since others may hold it — and all of them must end within
        ``restricted.PLAIN_SCRIPT_SECONDS``; a statement can only combine values already in the scope,
        so no statement allocates more than a few times what the case and the bound already hold.
        Past the bound, on a MemoryError or RecursionError, or when a statement reads a name that is
        not case data nor a value the script made (a global such as ``now`` or ``range``; outside a
        ``try``, a missing name too), None: the worker runs the script from the start on the same
        ``data``. ``try: ... except Exception: ...`` is answered here: an error a statement of its body
        raises (NameError of a missing name included) runs the handler, as in the worker; the host's own
        reasons to give up (``_GiveUp``, ``TooLarge``, MemoryError, RecursionError) are not caught.
        ``helpers``: the host-safe helpers the script calls (``_helpers``), globals as in the worker, where
        they are stubs calling the same functions back in the host; a name read as a value that is one
        of them makes the host give up as any other global does."""
        base = _plain_script_globals()
        if helpers:
            base = {**base, **helpers}
        scope = dict(base)
        printed = _Printed()
        scope["_print_"] = printed  # every statement's print() writes to one collector, made at the first
        try:
            inputs = restricted.decode(data)
            # each list or dict decoded for an input, by identity: its encoded form is ``data``'s
            received = {id(v): data[n] for n, v in inputs.items() if type(v) in _RECEIVED}
            run = _PlainRun(scope, base)
            scope.update(inputs)
            if "Exception" in scope:  # case data named Exception: ``except Exception`` is the worker's to read
                return None
            run.steps(plan, False)
            # an input the script neither assigned nor changed in place (no such statement ran) is the
            # value it got: not encoded again and compared (the worker's reply leaves it out too); one
            # it set under another name as it came (an output mapping) is sent as ``data`` encoded it
            if run.mutated:
                kept, received = (), {}
            else:
                kept = [n for n, v in inputs.items() if scope.get(n, _MISSING) is v]
            reply = restricted.script_reply(scope, base, data, kept, received)
        except (_GiveUp, restricted.TooLarge, MemoryError, RecursionError):
            return None
        except Exception as exc:  # noqa: BLE001 — the model's error, reported as the worker reports it
            _raise_model_error(restricted.error_reply(exc))
        if printed.collector is not None and printed.collector.txt:
            reply["printed"] = printed.collector.text()
        return reply

    def _apply_script_reply(self, reply: dict, context: dict) -> bool:
        _charge_written(reply.get("set") or {})
        for name, value in (reply.get("set") or {}).items():
            if name in self.globals:
                continue
            context[name] = restricted.decode(value)
        for name in reply.get("del") or ():
            context.pop(name, None)
        if reply.get("printed"):
            from .case_log import record_output
            record_output(reply["printed"])
        return True


__all__ = ["IsolatedEnvironment", "ScriptTimeout", "ScriptDataTooLarge", "ExpressionResultTooLarge", "WorkerInputTooLarge", "EvaluatorCrashed", "ModelCodeError", "ModelCodeRefused",
           "NotSerializable", "pool", "compiled"]
