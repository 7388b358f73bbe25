"""Two codes of a step side by side in one process (步骤开销对比): A/B with an A/A control, any model.

Two engines on two SQLite files (``--postgres``: two PostgreSQL databases) walk the same model as ``bench/throughput.py --model`` walks it
(``ModelBench``: every case started, then a round at a time each case's first ready task completed
by a person who may, with the data its form needs; a case waiting on timers has them fired, untimed).
A *variant* (``VARIANTS``) switches one change of the engine's code on (side ``b``, this checkout) or
off (side ``a``, the code before it): the switch is thrown before each completion, so the two
engines run in one process on one machine, their completions alternated one by one (which side goes
first alternates too), warm (every case in its engine's cache), ``time.thread_time_ns`` around each
``Engine.complete``, the cyclic collector off inside a round and run between rounds. ``--aa``: both
sides run this checkout's code (the A/A control: what the harness's noise is). Reported per run, in
µs a completion: the median of the paired differences b − a (the k-th completion of case i on each
side) and each side's median. Nothing is changed on disk but the two temporary databases.

``--bytecodes``: the Python bytecodes each completion executes (``sys.settrace`` opcode events; means,
the first case's completions left out on both sides), which no load of the machine moves — what Python a change
took away, not what the C code under it (SQLite, the json module's encoder) costs.

``--cache-size 0``: both engines with the workflow cache off — every completion a cold step, its case
restored from its rows (a case another process stepped last, or more cases worked than the cache holds).

    python bench/step_ab.py --variant NAME [--model FILE ...] [--cases 100] [--runs 3] [--aa] [--bytecodes] [--cache-size N] [--postgres ADMIN_URL] [--json]
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

import throughput as tp  # noqa: E402

from engine.errors import EngineError, IncidentRaised  # noqa: E402
from tests.interop_support import fire_waiting_timers, user_for  # noqa: E402

_clock = time.thread_time_ns
_opcodes = [0]


def _count_opcodes(frame, event, arg):
    """A ``sys.settrace`` hook counting the bytecodes Python executes (``--bytecodes``)."""
    frame.f_trace_opcodes = True
    if event == "opcode":
        _opcodes[0] += 1
    return _count_opcodes


def _bytecodes() -> int:
    """A clock that counts bytecodes executed since the hook went on (``--bytecodes``)."""
    return _opcodes[0]

# name -> a function of one bool: True puts this checkout's code in place, False the code before the
# change (each variant keeps what it needs to undo itself). Filled in by the changes that use it.
VARIANTS: dict = {}


def variant(name: str):
    def register(fn):
        VARIANTS[name] = fn
        return fn
    return register


@variant("none")
def _none(new: bool) -> None:
    """No change: a harness check (both sides the same code whatever ``--aa`` says)."""


@variant("task_hot_paths")
def _task_hot_paths(new: bool) -> None:
    """engine/task_class.py ``DubanTask._inherit_data`` (an empty task's data filled by one
    comprehension) and engine/workflow.py ``update_waiting_tasks`` (a plain loop looking for a
    WAITING task); off: SpiffWorkflow's ``_inherit_data`` (DeepMerge) and ``any`` over a generator."""
    from SpiffWorkflow.task import Task

    from engine import task_class, workflow

    saved = _task_hot_paths.__dict__.setdefault("saved", {
        "inherit": task_class.DubanTask.__dict__["_inherit_data"],
        "update": workflow._TasksByDict.__dict__["update_waiting_tasks"]})
    if new:
        task_class.DubanTask._inherit_data = saved["inherit"]
        workflow._TasksByDict.update_waiting_tasks = saved["update"]
        return

    def update_waiting_tasks(self) -> None:  # the code before
        tasks = self.tasks
        if not any(task._state & workflow._WAITING for task in tasks.values()):
            return
        if len(tasks) >= workflow._DEEPEST:
            super(workflow._TasksByDict, self).update_waiting_tasks()
        else:
            workflow._update_waiting(self.task_tree)

    task_class.DubanTask._inherit_data = Task._inherit_data
    workflow._TasksByDict.update_waiting_tasks = update_waiting_tasks


@variant("compensation_snapshot")
def _compensation_snapshot(new: bool) -> None:
    """engine/compensation.py ``_record``: a compensable activity's completion recorded with a deep
    copy of its data (the handler's snapshot); off: the record without it (the code before). Only a
    completion with a compensation boundary event runs it: on other models both sides are the same."""
    from SpiffWorkflow.util.task import TaskState

    from engine import compensation

    saved = _compensation_snapshot.__dict__.setdefault("saved", compensation._record)
    if new:
        compensation._record = saved
        return

    def _record(spec, my_task) -> None:  # the code before
        split = my_task.parent
        main = next((t for t in split.children if not isinstance(t.task_spec, compensation._Boundary)), None) \
            if split else None
        if main is None or main.state != TaskState.COMPLETED:
            return
        handler = (getattr(spec, "extensions", None) or {}).get("properties", {}).get(compensation.HANDLER)
        if not handler:
            return
        root = my_task.workflow.task_tree
        records = list(root.internal_data.get(compensation.COMPENSABLE, ()))
        records.append([handler, main.task_spec.name])
        root._set_internal_data(**{compensation.COMPENSABLE: records})

    compensation._record = _record


@variant("feel_words")
def _feel_words(new: bool) -> None:
    """engine/evaluator.py ``evaluate`` and ``execute`` inside ``try``: a translated FEEL expression
    that failed on its data is run again with its paths over lists (engine/feel_null.projected) or
    said in Chinese (engine/feel_errors.py); off: the same methods without the ``try`` (the code before)."""
    import inspect
    import textwrap

    from engine import evaluator

    env = evaluator.IsolatedEnvironment
    saved = _feel_words.__dict__.setdefault("saved", {})
    if not saved:
        for name in ("evaluate", "execute"):
            method = env.__dict__[name]
            lines = textwrap.dedent(inspect.getsource(method)).split("\n")
            end = next(i for i, line in enumerate(lines) if line.startswith("    except Exception as exc:"))
            assert lines[1].strip() == "try:", lines[1]
            body = [lines[0]] + [line[4:] if line.startswith("        ") else line for line in lines[2:end]]
            scope: dict = {}
            exec(compile("\n".join(body), evaluator.__file__, "exec"), evaluator.__dict__, scope)  # noqa: S102
            saved[name] = (method, scope[name])
    for name, (now, before) in saved.items():
        setattr(env, name, now if new else before)


@variant("json_encoders")
def _json_encoders(new: bool) -> None:
    """engine/state.py ``_nested_text`` (a mark's text of nested values) and engine/step.py
    ``_encode_json`` (case data and event details that are not flat) by the standard library's C
    encoder called directly; off: ``JSONEncoder.encode``, which makes its C encoder on every call."""
    from engine import state, step

    saved = _json_encoders.__dict__.setdefault("saved", {"nested": state._nested_text, "json": step._encode_json})
    state._nested_text = saved["nested"] if new else state._nested_json
    step._encode_json = saved["json"] if new else step._json_encoder.encode


@variant("pass_hint")
def _pass_hint(new: bool) -> None:
    """engine/workflow.py: a pass's READY task found alone below the task the pass before ran alone is
    taken without ``_reached``; off: ``_ran`` reads None whatever the passes note (every READY task
    found alone is followed up to the root)."""
    from engine.workflow import DubanSubWorkflow, DubanWorkflow

    for cls in (DubanWorkflow, DubanSubWorkflow):
        if new:
            cls.__dict__.get("_ran") is not None and delattr(cls, "_ran")
        else:
            cls._ran = property(lambda self: None, lambda self, value: None)


@variant("write_path")
def _write_path(new: bool) -> None:
    """The Python around a completion's writes: engine/sqlexec.py ``_sent`` returns a ``_Sent`` of two
    slots, engine/audit.py ``_payload_bytes`` checks its fields' types in one C call and
    ``_plain_detail`` a flat dict or list in C, engine/step.py ``write_case`` picks the changed columns
    by ``compress``/``map(operator.ne)``; off: the code before (a ``Pending`` of seven slots, a
    comparison a field, a loop over the detail's items, a generator over the columns)."""
    import operator  # noqa: F401 - the copies below run in this module

    from engine import audit, sqlexec, step

    saved = _write_path.__dict__.setdefault("saved", {
        "sent": sqlexec._sent, "payload": audit._payload_bytes, "plain": audit._plain_detail,
        "write_case": step.write_case})
    if new:
        sqlexec._sent = saved["sent"]
        audit._payload_bytes = saved["payload"]
        audit._plain_detail = saved["plain"]
        step.write_case = saved["write_case"]
        return

    def _sent(conn, r, parameters, many):  # the code before
        sql = r.sql
        try:
            transaction = conn._transaction
            dbapi = conn._dbapi_connection
            if transaction is None or not transaction.is_active or dbapi is None:
                cursor = sqlexec._cursor(conn)
            else:
                cursor = dbapi.dbapi_connection.cursor()
            if conn._has_events or not conn.engine._has_events or "dispatch" not in conn.__dict__ \
                    or conn.engine.dispatch.before_cursor_execute.__class__ is not sqlexec._EmptyListener:
                sql, parameters = sqlexec._announce(conn, cursor, sql, parameters, many)
            else:
                sqlexec.stats.statements += 1
            sqlexec.stats.round_trips += 1
            if many:
                cursor.executemany(sql, parameters)
            else:
                cursor.execute(sql, parameters)
        except conn.dialect.loaded_dbapi.Error as exc:
            raise sqlexec._wrapped(conn, sql, parameters, exc) from exc
        pending = sqlexec._new(sqlexec.Pending)
        pending.conn, pending.r, pending.sql, pending.parameters = conn, r, sql, parameters
        pending.many, pending.cursor, pending.sent = many, cursor, True
        return pending

    def _payload_bytes(chain, seq, case_id, stamp, actor, action, task_id, text, prev_hash):  # the code before
        if (type(actor) is str and type(action) is str and type(chain) is str and type(prev_hash) is str
                and type(seq) is int and type(stamp) is str and type(text) is str
                and (case_id is None or type(case_id) is int) and (task_id is None or type(task_id) is str)):
            return audit._encode_list([chain, seq, case_id, stamp, actor, action, task_id, text, prev_hash])
        return audit.canonical_json([chain, seq, case_id, stamp, actor, action, task_id, text, prev_hash]).encode()

    def _plain_detail(value, depth=0):  # the code before
        kind = type(value)
        if kind in audit._DETAIL_SCALARS:
            return True
        if depth > 16:
            return False
        if kind is dict:
            for key, item in value.items():
                if type(key) is not str or not (type(item) in audit._DETAIL_SCALARS or _plain_detail(item, depth + 1)):
                    return False
            return True
        if kind is list:
            for item in value:
                if not (type(item) in audit._DETAIL_SCALARS or _plain_detail(item, depth + 1)):
                    return False
            return True
        return False

    def write_case(tx, case):  # the code before
        text = case.data_text()
        params = {"b_id": case.id, "updated_at": case.updated_at, "version": case.version}
        head_moved = tx.audit.link_case(tx, case)
        changing = step._changing_values(case)
        if getattr(tx.conn, "duban_defer", None) is not None or case._stored is None:
            columns = ("data",) + step._CHANGING + step._AUDIT_HEAD
        else:
            columns = () if changing == case._stored else tuple(
                key for key, was, now in zip(step._CHANGING, case._stored, changing) if now != was)
            if text != case._stored_text:
                columns = ("data",) + columns
            if head_moved:
                columns += step._AUDIT_HEAD
        new_cases = tx.info.get("duban_new_cases")
        if new_cases is None or case.id not in new_cases or not new_cases[case.id].rebind(step._case_values(case)):
            for key in columns:
                params[key] = text if key == "data" else getattr(case, key)
            statement = step._CASE_UPDATES.get(columns)
            if statement is None:
                statement = step._CASE_UPDATES[columns] = step._case_update(columns)
            sqlexec.defer(tx.conn, statement, params)
        case._stored_text, case._stored = text, changing

    sqlexec._sent = _sent
    audit._payload_bytes = _payload_bytes
    audit._plain_detail = _plain_detail
    step.write_case = write_case


@variant("bind_many")
def _bind_many(new: bool) -> None:
    """engine/sqlexec.py ``_bound_many`` (an ``executemany``'s rows bound by ``map`` over the binder)
    and engine/audit.py ``_plain_detail`` (a dict's keys looked at in C, its values in a loop of their
    own); off: a comprehension calling ``_bound`` a row (here in a function of its own: one frame more
    than inline) and the look of fbacd15 (keys and values in C, else a loop over the items)."""
    from engine import audit, sqlexec

    saved = _bind_many.__dict__.setdefault("saved", {"many": sqlexec._bound_many, "plain": audit._plain_detail})
    if new:
        sqlexec._bound_many, audit._plain_detail = saved["many"], saved["plain"]
        return

    def _bound_many(r, rows):  # the code before
        return [sqlexec._bound(r, p) for p in rows]

    def _plain_detail(value, depth=0):  # the code before
        kind = type(value)
        if kind in audit._DETAIL_SCALARS:
            return True
        if depth > 16:
            return False
        if kind is dict:
            if audit._TEXT.issuperset(map(type, value)) and audit._DETAIL_SCALARS.issuperset(map(type, value.values())):
                return True
            for key, item in value.items():
                if type(key) is not str or not (type(item) in audit._DETAIL_SCALARS or _plain_detail(item, depth + 1)):
                    return False
            return True
        if kind is list:
            if audit._DETAIL_SCALARS.issuperset(map(type, value)):
                return True
            for item in value:
                if not (type(item) in audit._DETAIL_SCALARS or _plain_detail(item, depth + 1)):
                    return False
            return True
        return False

    sqlexec._bound_many, audit._plain_detail = _bound_many, _plain_detail


@variant("script_overheads")
def _script_overheads(new: bool) -> None:
    """engine/evaluator.py: ``IsolatedEnvironment.check_for_overwrite`` without a set of every global's
    name per script, ``_absent_as_null`` kept per text, a plain script's print collector made at its
    first print, and the inputs a plain script left as they were not encoded again for its reply;
    engine/restricted.py: ``encode`` writing a path only for a value at fault, ``script_reply`` passing
    a global by one look-up; off: SpiffWorkflow's check, ``restricted.absent_as_null`` on every
    evaluation, and the run, ``encode`` and ``script_reply`` as before."""
    from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment

    from engine import evaluator, restricted

    env = evaluator.IsolatedEnvironment
    saved = _script_overheads.__dict__.setdefault("saved", {
        "check": env.__dict__["check_for_overwrite"], "null": evaluator._absent_as_null,
        "run": env.__dict__["_run_plain_script"], "encode": restricted.encode, "reply": restricted.script_reply})
    if new:
        env.check_for_overwrite = saved["check"]
        evaluator._absent_as_null = saved["null"]
        env._run_plain_script = saved["run"]
        restricted.encode = saved["encode"]
        restricted.script_reply = saved["reply"]
        return

    def run_plain_script(self, plan, data, helpers=None):  # the code before
        base = evaluator._plain_script_globals()
        if helpers:
            base = {**base, **helpers}
        scope = dict(base)
        printed = restricted.BoundedPrint()
        scope["_print_"] = lambda _getattr_=None: printed
        run = evaluator._PlainRun(scope, base)
        try:
            scope.update(restricted.decode(data))
            if "Exception" in scope:
                return None
            run.steps(plan, False)
            reply = restricted.script_reply(scope, base, data)
        except (evaluator._GiveUp, restricted.TooLarge, MemoryError, RecursionError):
            return None
        except Exception as exc:  # noqa: BLE001
            evaluator._raise_model_error(restricted.error_reply(exc))
        if printed.txt:
            reply["printed"] = printed.text()
        return reply

    def encode(value, path="值"):  # the code before: a path text for every item walked
        if value is None or isinstance(value, (bool, str, float)):
            return value
        if isinstance(value, int):
            if abs(value) > 10 ** 300:
                raise restricted.NotSerializable(path, value)
            return value
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if not isinstance(k, str):
                    raise restricted.NotSerializable(f"{path}[{k!r}]", k)
                out[k] = encode(v, f"{path}.{k}")
            if restricted.TAG in out:
                out = {restricted.TAG: "dict", "v": out}
            return out
        if isinstance(value, (list, tuple)):
            return [encode(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return saved["encode"](value, path)

    def script_reply(scope, base, inputs, kept=()):  # the code before
        changed, deleted = {}, [k for k in inputs if k not in scope]
        for name, value in scope.items():
            if name.startswith("_") or (name in base and base[name] is value) or callable(value) \
                    or type(value).__name__ == "module":
                continue
            encoded = restricted.encode(value, name)
            if name not in inputs or inputs[name] != encoded:
                changed[name] = encoded
        return {"set": changed, "del": deleted}

    env.check_for_overwrite = TaskDataEnvironment.check_for_overwrite
    evaluator._absent_as_null = restricted.absent_as_null
    env._run_plain_script = run_plain_script
    restricted.encode = encode
    restricted.script_reply = script_reply


def _code_before(module, rev: str, *parts: tuple[str, str]) -> dict:
    """``module``'s namespace with the code it had at ``rev`` (read from git) run over it: each of
    ``parts`` is (the text it begins with, the text after its end, looked for from its beginning;
    empty: the end of the file).
    A variant's off side: our own code of before, compared with what the module holds now."""
    import subprocess

    path = f"engine/{module.__name__.rsplit('.', 1)[-1]}.py"
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"],
                            capture_output=True, text=True, check=True).stdout
    space = dict(vars(module))
    for begin, end in parts:
        at = source.index(begin)
        stop = source.index(end, at) if end else len(source)
        exec(compile(source[at:stop], f"{path}@{rev}", "exec"), space)  # noqa: S102 - ours, of before
    return space


def _swap_to_before(variant, module, attr: str, new: bool, rev: str, *parts: tuple[str, str]) -> None:
    """``module.attr`` as it is (``new``) or as at ``rev`` (``_code_before``), the two kept on the
    variant's function after the first call."""
    saved = variant.__dict__.get("saved")
    if saved is None:
        saved = variant.__dict__["saved"] = (getattr(module, attr), _code_before(module, rev, *parts)[attr])
    setattr(module, attr, saved[0] if new else saved[1])


@variant("dirty_save")
def _dirty_save(new: bool) -> None:
    """engine/state.py ``save`` visiting, after a warm step that made or took out no task, only the
    always-visited tasks and the quiet ones whose fields no longer match their mark (``_dirty_plan``);
    off: ``save`` as it was at e729ce2 (read from git: every live task's mark taken and compared at
    every save) and ``DubanTask._add_child`` as it was."""
    from SpiffWorkflow.task import Task

    from engine import state, task_class

    saved = _dirty_save.__dict__.get("saved")
    if saved is None:
        space = _code_before(state, "e729ce2", ("def save(conn", "def _gone("))
        cls = task_class.DubanTask

        def add_child(self, task_spec, state=task_class.TaskState.MAYBE):  # the code before
            child = Task._add_child(self, task_spec, state)
            child.__class__ = cls
            return child

        saved = _dirty_save.__dict__["saved"] = {
            "save": state.save, "old_save": space["save"], "add_child": cls.__dict__["_add_child"],
            "old_add_child": add_child}
    state.save = saved["save"] if new else saved["old_save"]
    task_class.DubanTask._add_child = saved["add_child"] if new else saved["old_add_child"]


@variant("log_decided")
def _log_decided(new: bool) -> None:
    """engine/task_class.py ``DubanTask._set_state`` reading whether ``spiff.task`` emits INFO from
    the flag ``decide_logging`` sets as each write transaction begins; off: the logger's
    ``isEnabledFor(INFO)`` asked at every change of a task's state, as before, and no flag decided."""
    import time as _time

    from SpiffWorkflow.task import Task

    from engine import step, task_class

    cls = task_class.DubanTask
    saved = _log_decided.__dict__.get("saved")
    if saved is None:
        log, info, debug = task_class._spiff_log, task_class._INFO, task_class._DEBUG

        def set_state(self, value: int) -> None:  # the code before
            if value != self._state:
                if log.isEnabledFor(info):
                    Task._set_state(self, value)
                    return
                self.last_state_change = _time.time()
                self._state = value
            elif log.isEnabledFor(debug):
                Task._set_state(self, value)

        saved = _log_decided.__dict__["saved"] = (cls.__dict__["_set_state"], set_state, step.decide_logging)
    cls._set_state = saved[0] if new else saved[1]
    step.decide_logging = saved[2] if new else (lambda: None)


@variant("rested")
def _rested(new: bool) -> None:
    """engine/step.py ``advance`` not looking through the case's tasks for an engine task again after
    ``do_engine_steps`` ended with none to run and no event waiting (``DubanWorkflow.rested``); off:
    ``advance`` as at 8b23b6f (read from git: it always looked). The flag is set on both sides (a
    store a ``do_engine_steps``)."""
    from engine import step

    _swap_to_before(_rested, step, "advance", new, "8b23b6f", ("def advance(workflow", "class Unrested("))


@variant("read_shortcut")
def _read_shortcut(new: bool) -> None:
    """engine/evaluator.py ``_literal_or_name``: an expression that is a literal or a variable's name
    read without building a scope for ``eval``; off: every plain expression evaluated as before."""
    from engine import evaluator

    saved = _read_shortcut.__dict__.setdefault("saved", evaluator._literal_or_name)
    evaluator._literal_or_name = saved if new else (lambda source: None)


@variant("mark_and_workflows")
def _mark_and_workflows(new: bool) -> None:
    """engine/state.py ``_mark`` answering None for the last save's tasks finished in it before
    looking at their state, and ``all_workflows`` a tuple; off: both as at e729ce2 (read from git:
    ``all_workflows`` a generator, in every module that imported it)."""
    from engine import external_tasks, messages, projection, stall, state

    saved = _mark_and_workflows.__dict__.get("saved")
    if saved is None:
        space = _code_before(state, "e729ce2", ("def all_workflows(", "\n\n\n"), ("def _mark(", "\n\n\ndef _same_ids("))
        saved = _mark_and_workflows.__dict__["saved"] = {
            "mark": (state._mark, space["_mark"]), "workflows": (state.all_workflows, space["all_workflows"])}
    mark, workflows = (saved["mark"][0], saved["workflows"][0]) if new else (saved["mark"][1], saved["workflows"][1])
    state._mark = mark
    for module in (state, projection, messages, stall, external_tasks):
        module.all_workflows = workflows


@variant("assign_shortcut")
def _assign_shortcut(new: bool) -> None:
    """engine/evaluator.py ``_assignments``: a plain script of assignments of names and literals run
    without building its globals or exec; off: every plain script run as before."""
    from engine import evaluator

    saved = _assign_shortcut.__dict__.setdefault("saved", evaluator._assignments)
    evaluator._assignments = saved if new else (lambda source: None)


@variant("juel_fast")
def _juel_fast(new: bool) -> None:
    """engine/evaluator.py ``_fast_expression``: a JUEL condition or mapping calling only
    engine/juel_operators' helpers evaluated over simple values without encoding its inputs or
    crossing each call; off: such expressions take the host helper path as before."""
    from engine import evaluator

    saved = _juel_fast.__dict__.setdefault("saved", evaluator._fast_expression)
    evaluator._fast_expression = saved if new else (lambda source: None)


@variant("juel_mapping_fast")
def _juel_mapping_fast(new: bool) -> None:
    """engine/evaluator.py ``IsolatedEnvironment._fast_calls``: a plain script (a JUEL mapping)
    calling only engine/juel_operators' helpers runs with each call as ``_FastCall`` over simple
    values; off: each call crossed to JSON and back (``_HostCall``) as before."""
    from engine import evaluator

    cls = evaluator.IsolatedEnvironment
    saved = _juel_mapping_fast.__dict__.setdefault("saved", cls._fast_calls)
    cls._fast_calls = saved if new else (lambda self, called, functions: None)


@variant("mapped_as_it_came")
def _mapped_as_it_came(new: bool) -> None:
    """engine/evaluator.py ``_run_plain_script``'s ``received``: a list or dict a plain script sets
    under another name as it came (an output mapping's ``checklist = checkItems``) is sent back in the
    encoded form it was received in, not encoded again; off: encoded again as before."""
    from engine import evaluator

    evaluator._RECEIVED = (list, dict) if new else ()


@variant("ended_top_row")
def _ended_top_row(new: bool) -> None:
    """engine/state.py ``save`` leaving the top workflow row of a case that has ended as its last
    running step wrote it (``_ENDED_TOP_ROW``); off: ``save`` as at d8619e3 (read from git: the
    ending save rewrote that row with the case data and ``completed``)."""
    from engine import state

    _swap_to_before(_ended_top_row, state, "save", new, "d8619e3", ("def save(conn", "\n\n\n# A live task that is predicted"))


@variant("ended_plan")
def _ended_plan(new: bool) -> None:
    """engine/state.py ``save`` planning (``_dirty_plan``) for the save that ends a case too; off:
    ``save`` as at 6cf6d74 (read from git: the ending save walked every live task)."""
    from engine import state

    _swap_to_before(_ended_plan, state, "save", new, "6cf6d74", ("def save(conn", "\n\n\n# A live task that is predicted"))


@variant("gone_from_walk")
def _gone_from_walk(new: bool) -> None:
    """engine/state.py ``save`` keeping, in a walk of every live task, each task with its id for
    ``_gone`` (the tasks a pruning save left live); off: ``save`` and ``_gone`` as at 0dceee5 (read
    from git: ``_gone`` walked every workflow's tree again for them)."""
    from engine import state

    saved = _gone_from_walk.__dict__.get("saved")
    if saved is None:
        space = _code_before(state, "0dceee5", ("def save(conn", "\n\n\n# A live task that is predicted"),
                             ("def _gone(", ""))
        saved = _gone_from_walk.__dict__["saved"] = (state.save, space["save"])
    state.save = saved[0] if new else saved[1]


@variant("kept_pg_writers")
def _kept_pg_writers(new: bool) -> None:
    """engine/database.py ``Database.take_writer``/``give_back_writer`` keeping a PostgreSQL writer's
    connection for the next transaction (pinged when idle past ``IDLE_PING_SECONDS``); off: each
    transaction takes one from the pool and hands it back (``--postgres``; SQLite: no change)."""
    from engine.database import Database

    saved = _kept_pg_writers.__dict__.get("saved")
    if saved is None:
        take, give = Database.take_writer, Database.give_back_writer

        def take_pooled(self):  # the code before
            if not self.is_sqlite:
                conn = self.engine.connect()
                conn.execution_options(duban_write=True)
                return conn, None, None, None
            return take(self)

        def give_pooled(self, taken):  # the code before
            if not self.is_sqlite:
                taken[0].close()
                return
            give(self, taken)
        saved = _kept_pg_writers.__dict__["saved"] = ((take, give), (take_pooled, give_pooled))
    Database.take_writer, Database.give_back_writer = saved[0] if new else saved[1]


@variant("positional_pg")
def _positional_pg(new: bool) -> None:
    """engine/sqlexec.py rendering PostgreSQL's statements with ``%s`` placeholders and binding a tuple
    (``_positional``); off: ``%(name)s`` and a dict, as before (every statement's rendering kept per
    side and swapped in with the switch; ``--postgres``; SQLite: no change)."""
    from engine import sqlexec

    state = _positional_pg.__dict__.get("state")
    if state is None:
        state = _positional_pg.__dict__["state"] = {"on": True, True: {}, False: {}, "fn": sqlexec._positional}
    if state["on"] == new:
        return
    kept, wanted = state[state["on"]], state[new]
    for sql in sqlexec._ALL:
        kept[id(sql)] = sql._rendered
        sql._rendered = wanted.get(id(sql)) or {}
    sqlexec._positional = state["fn"] if new else (lambda dialect: dialect)
    state["on"] = new


@variant("own_listener")
def _own_listener(new: bool) -> None:
    """engine/sqlexec.py ``_announce`` passing over the executor's own ``before_cursor_execute``
    listener (``_flush_before_statement``) for the statements it sends itself; off: every listener
    called (``--postgres``; SQLite has none)."""
    from engine import sqlexec

    saved = _own_listener.__dict__.get("saved")
    if saved is None:
        def announce(conn, cursor, sql, parameters, many):  # the code before: every listener called
            listeners = (conn.dispatch if conn._has_events else conn.engine.dispatch).before_cursor_execute
            for listener in listeners:
                sql, parameters = listener(conn, cursor, sql, parameters, None, many)
            sqlexec.stats.statements += 1
            return sql, parameters
        saved = _own_listener.__dict__["saved"] = (sqlexec._announce, announce)
    sqlexec._announce = saved[0] if new else saved[1]


@variant("join_dict")
def _join_dict(new: bool) -> None:
    """engine/gateways.py ``ParallelGateway``: a parallel join's check from the task dict (``_meet``,
    no walk, at any depth); off: SpiffWorkflow's own check (the walk and its recursive looks up)."""
    from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway as SpiffParallel

    from engine import gateways
    saved = _join_dict.__dict__.setdefault("saved", gateways.ParallelGateway.__dict__["_check_threshold_unstructured"])
    gateways.ParallelGateway._check_threshold_unstructured = saved if new else SpiffParallel._check_threshold_unstructured


@variant("engine_ready")
def _engine_ready(new: bool) -> None:
    """engine/workflow.py ``DubanWorkflow._ready_to_run``: a pass's one READY engine task found in the
    task dict whatever people's tasks are READY beside it; off: ``get_tasks(state=READY)`` (the code
    before)."""
    from engine.workflow import _READY, DubanWorkflow
    saved = _engine_ready.__dict__.setdefault("saved", DubanWorkflow.__dict__["_ready_to_run"])
    DubanWorkflow._ready_to_run = saved if new else (lambda self: self.get_tasks(state=_READY))


@variant("spiff_run")
def _spiff_run(new: bool) -> None:
    """Both of the above."""
    _join_dict(new)
    _engine_ready(new)


@variant("wrote_nothing")
def _wrote_nothing(new: bool) -> None:
    """engine/boundary_data.py ``written`` asking first whether the task wrote anything
    (``_wrote_nothing``: its data equal to its parent's, nothing brought nor given) before walking
    the workflow's tasks for the paths' heads; off: the walk for every completed task, as before."""
    from engine import boundary_data

    saved = _wrote_nothing.__dict__.setdefault("saved", boundary_data._wrote_nothing)
    boundary_data._wrote_nothing = saved if new else (lambda task: False)


@variant("flat_check")
def _flat_check(new: bool) -> None:
    """engine/step.py ``encode_data`` and ``_plain_copy`` and engine/state.py ``_nested_of`` looking
    at the types of a dict's keys and values in C (``frozenset.issuperset`` over ``map(type, …)``);
    off: the three as at d425f6b (read from git: a Python loop over the items)."""
    from engine import state, step

    saved = _flat_check.__dict__.get("saved")
    if saved is None:
        old_step = _code_before(step, "d425f6b", ("def encode_data(", "\n\n\ndef jsonable("),
                                ("def _plain_copy(", "\n\n\n# --- the transaction"))
        old_state = _code_before(state, "d425f6b", ("def _nested_of(", "\n\n\ndef _mark("))
        saved = _flat_check.__dict__["saved"] = ((step.encode_data, step._plain_copy, state._nested_of),
                                                 (old_step["encode_data"], old_step["_plain_copy"],
                                                  old_state["_nested_of"]))
    step.encode_data, step._plain_copy, state._nested_of = saved[0] if new else saved[1]


@variant("plan_tuple")
def _plan_tuple(new: bool) -> None:
    """engine/state.py ``_dirty_plan`` comparing a quiet task's first five mark fields as one tuple;
    off: ``_dirty_plan`` as at d425f6b (read from git: five comparisons in Python)."""
    from engine import state

    _swap_to_before(_plan_tuple, state, "_dirty_plan", new, "d425f6b",
                    ("def _dirty_plan(", "\n\n\ndef _gone("))


@variant("cold_restore")
def _cold_restore(new: bool) -> None:
    """engine/state.py ``restore_rows`` as of session 31: the rows' ids parsed in one msgspec call
    (``_ids_of``), each data-less task's mark taken from what is at hand, and the quiet and loud
    tasks sorted with the tree taken as kept, so that the step's save plans (``_COLD_PLAN``); off:
    ``restore_rows`` and ``_restore_direct`` as at f6498f4 (read from git). Run with ``--cache-size 0``:
    every completion restores its case."""
    from engine import state

    _swap_to_before(_cold_restore, state, "restore_rows", new, "f6498f4",
                    ("def restore_rows(", "\n\n\n_decode_row"), ("def _restore_direct(", "\n\n\ndef _fill_fields("))


class Side:
    """One engine walking the model; ``step()`` completes the next task of one case, timed."""

    def __init__(self, model: Path, url: str, cases: int, cache_size: int | None = None):
        self.bench = tp.ModelBench(model)
        self.engine = self.bench.engine(url)
        if cache_size is not None:
            self.engine.workflow_cache.size = cache_size
        self.cases = []
        for _ in range(cases):
            with contextlib.suppress(IncidentRaised):
                self.cases.append(self.bench.start(self.engine))
        self.done: dict[int, int] = {}  # case -> completions

    def step(self, case_id: int, switch, new: bool) -> tuple[tuple[int, int], int] | None:
        """Complete the case's next task (firing its timers first if it waits on them only);
        ((case, k), ns) or None when the case has ended or waits on anything else."""
        engine = self.engine
        for _ in range(5):
            view = engine.case(case_id)
            if view.status != "running":
                return None
            if view.tasks:
                break
            if not view.timers:
                return None
            fire_waiting_timers(engine, view.timers)
        else:
            return None
        task = view.tasks[0]
        user, data = user_for(engine, task, self.bench.starter[0]), self.bench.data_for(engine, task)
        switch(new)
        counting = _clock is _bytecodes
        if counting:
            sys.settrace(_count_opcodes)
        t0 = _clock()
        try:
            engine.complete(task.id, user, data)
        except (IncidentRaised, EngineError):
            return None
        finally:
            if counting:
                sys.settrace(None)
        spent = _clock() - t0
        k = self.done.get(case_id, 0)
        self.done[case_id] = k + 1
        return (self.cases.index(case_id), k), spent


def _databases(tmp: Path, index: int, postgres: str | None, stack: contextlib.ExitStack) -> list[str]:
    """Two empty databases: SQLite files in ``tmp``, or (``--postgres ADMIN_URL``) two PostgreSQL
    databases made on that server and dropped afterwards."""
    if postgres is None:
        return [f"sqlite:///{tmp / f'a{index}.sqlite'}", f"sqlite:///{tmp / f'b{index}.sqlite'}"]
    import uuid

    import sqlalchemy as sa
    admin = sa.create_engine(postgres, isolation_level="AUTOCOMMIT")
    stack.callback(admin.dispose)
    urls = []
    for _ in range(2):
        name = "ab_" + uuid.uuid4().hex[:12]
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

        def drop(name=name):
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        stack.callback(drop)
        urls.append(postgres.rsplit("/", 1)[0] + "/" + name)
    return urls


def run(model: Path, switch, cases: int, tmp: Path, index: int, aa: bool, postgres: str | None = None,
        cache_size: int | None = None) -> dict:
    with contextlib.ExitStack() as stack:
        return _run_on(model, switch, cases, _databases(tmp, index, postgres, stack), aa, cache_size)


def _run_on(model: Path, switch, cases: int, urls: list[str], aa: bool, cache_size: int | None = None) -> dict:
    sides = [Side(model, urls[0], cases, cache_size), Side(model, urls[1], cases, cache_size)]
    new_code = (aa, True)
    times: list[dict] = [{}, {}]
    pending = [list(side.cases) for side in sides]
    turn = 0
    try:
        for _ in range(tp.MAX_ROUNDS):
            if not any(pending):
                break
            gc.collect()
            gc.disable()
            try:
                still: list[list[int]] = [[], []]
                for n in range(max(len(p) for p in pending)):
                    order = (0, 1) if turn % 2 == 0 else (1, 0)
                    turn += 1
                    for s in order:
                        if n >= len(pending[s]):
                            continue
                        got = sides[s].step(pending[s][n], switch, new_code[s])
                        if got is not None:
                            times[s][got[0]] = got[1]
                            still[s].append(pending[s][n])
                pending = still
            finally:
                gc.enable()
    finally:
        switch(True)
        for side in sides:
            side.engine.dispose()
    if _clock is _bytecodes:
        # means, the first case's completions left out on both sides: side a goes first there, and the
        # first completion of each kind of task pays what a process does once (statements rendered,
        # a form's schema built)
        a, b = ([v for (case, _k), v in side.items() if case != 0] for side in times)
        return {"completions": len(a), "b_minus_a_bytecodes": round(statistics.mean(b) - statistics.mean(a)),
                "a_bytecodes": round(statistics.mean(a)), "b_bytecodes": round(statistics.mean(b))}
    paired = [times[1][k] - times[0][k] for k in times[0] if k in times[1]]

    def us(values):
        return round(statistics.median(values) / 1000, 1) if values else None
    return {"completions": len(paired), "b_minus_a_us": us(paired), "a_us": us(list(times[0].values())),
            "b_us": us(list(times[1].values()))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variant", required=True, choices=sorted(VARIANTS))
    ap.add_argument("--model", action="append", type=Path,
                    help="a .bpmn file (repeatable; default bench/models/five_tasks.bpmn)")
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--aa", action="store_true", help="both sides this checkout's code (the A/A control)")
    ap.add_argument("--bytecodes", action="store_true",
                    help="count the bytecodes Python executes in each completion instead of timing it "
                         "(sys.settrace: the same count whatever the machine's load; C code counts nothing)")
    ap.add_argument("--cache-size", type=int, default=None,
                    help="both engines' workflow cache size (0: every completion restores its case from its rows)")
    ap.add_argument("--postgres", default=None,
                    help="an admin URL of a PostgreSQL server: the two engines on two databases made there")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    switch = VARIANTS[args.variant]
    if args.bytecodes:
        global _clock
        _clock = _bytecodes
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.model or [ROOT / "bench" / "models" / "five_tasks.bpmn"]:
            runs = [run(model.resolve(), switch, args.cases, Path(tmp), i + 10 * len(out), args.aa, args.postgres,
                        args.cache_size)
                    for i in range(args.runs)]
            row = {"model": model.name, "variant": args.variant, "aa": args.aa, "runs": runs}
            out.append(row)
            if not args.json and args.bytecodes:
                print(f"{model.name:<44} {'A/A' if args.aa else 'A/B'} b-a bytecodes: "
                      + ", ".join(f"{r['b_minus_a_bytecodes']:+d} ({r['a_bytecodes']}/{r['b_bytecodes']})" for r in runs),
                      flush=True)
            elif not args.json:
                print(f"{model.name:<44} {'A/A' if args.aa else 'A/B'} b-a µs: "
                      + ", ".join(f"{r['b_minus_a_us']:+.1f}" for r in runs if r["b_minus_a_us"] is not None)
                      + "   a/b medians: " + ", ".join(f"{r['a_us']}/{r['b_us']}" for r in runs), flush=True)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
