"""Costs found by ``bench/throughput.py --model`` on our own processes that a step paid far beyond the
5-task model's, held here by the behaviour that removed them:

- a decision table's rule tests and conditions that convert a value (``bool(major_criterion) ==
  True``, ``int(deaths or 0) >= 30``: bpmn/hazard_grade.dmn, accident_grade.dmn) are evaluated in
  the host, like any plain expression, with the isolated worker's answer — not sent to it one
  round trip each (engine/restricted.py ``PLAIN_CALLS``);
- a case a script starts (``start_case``: 事故调查 → 事后评估, 执法案件) no longer parses the model
  files again to find the processes they call (engine/models.py ``_called_by``).
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from engine import ManualClock, evaluator, validation
from engine.scripting import DubanScriptEngine
from tests.support import BPMN, START, deploy, make_engine, open_task_id

BENCH_MODEL = Path(__file__).resolve().parent.parent / "bench" / "models" / "five_tasks.bpmn"

CONVERSIONS = [  # (expression, case data): what decision tables and gateways of real models test
    ("(bool(major_criterion)) == (True)", {"major_criterion": "第十二项"}),
    ("(bool(major_criterion)) == (True)", {"major_criterion": None}),
    ("int(deaths or 0)>= 30", {"deaths": "31"}),
    ("int(deaths or 0)>= 30", {"deaths": None}),
    ("float(direct_loss or 0)>= 100000000", {"direct_loss": 1.5e8}),
    ("float(direct_loss or 0)>= 100000000", {"direct_loss": Decimal("99999999.5")}),
    ("len(items) > 2 and str(level) == '重大'", {"items": [1, 2, 3], "level": "重大"}),
    ("abs(score - 60) <= 5", {"score": 57}),
    ("int(deaths) > 3", {"deaths": "三人"}),  # the worker's ValueError, from the host
    ("int(deaths) > 3", {}),  # NameError
    ("len(x) * 1000 > 1", {"x": "ab"}),  # a product, guarded (restricted.guarded_expression; 2026-12-05)
    ("fine * 2 >= cap", {"fine": 5000, "cap": 10000}),
]

NOT_IN_THE_HOST = [  # still the worker's: other calls, several arguments, attributes, a power
    ("int(x, 2) > 1", {"x": "101"}),
    ("int(*xs) > 1", {"xs": ["5"]}),
    ("round(x) > 1", {"x": 2.5}),
    ("max(xs) > 1", {"xs": [1, 2]}),
    ("x ** 2 > 1", {"x": 3}),
    ("str(x).upper() == 'A'", {"x": "a"}),
    ("bool(__import__('os'))", {}),
    ("int(x=1) > 0", {}),
    ("int(x) > 1", {"x": "5", "int": "一个变量"}),  # a case variable named int: the worker's TypeError
]


@pytest.fixture(scope="module")
def env():
    return DubanScriptEngine(ManualClock(START)).environment


def outcome(fn):
    try:
        value = fn()
    except Exception as exc:  # noqa: BLE001 - the error itself is compared
        return ("error", type(exc).__name__)
    return ("ok", type(value).__name__, repr(value))


def in_the_worker(expression: str, data: dict):
    """What the isolated worker answers (the path these expressions took before)."""
    from engine import restricted

    def run():
        reply = evaluator.pool().run("eval", expression, {k: restricted.encode(v, k) for k, v in data.items()}, {}, 2.0)
        if "error" in reply:
            evaluator._raise_model_error(reply["error"])
        return restricted.decode(reply.get("ok"))
    return outcome(run)


@pytest.mark.parametrize("expression,data", CONVERSIONS)
def test_a_conversion_in_a_rule_test_is_answered_in_the_host_as_the_worker_answers_it(env, expression, data):
    host, worker = env.evaluations["host"], env.evaluations["worker"]
    got = outcome(lambda: env.evaluate(expression, dict(data)))
    assert (env.evaluations["host"], env.evaluations["worker"]) == (host + 1, worker)
    assert got == in_the_worker(expression, data)


@pytest.mark.parametrize("expression,data", NOT_IN_THE_HOST)
def test_anything_else_still_goes_to_the_worker_or_is_refused(env, expression, data):
    host = env.evaluations["host"]
    outcome(lambda: env.evaluate(expression, dict(data)))
    assert env.evaluations["host"] == host


def test_a_decision_table_of_a_real_model_runs_without_a_worker(sqlite_url):
    """hazard_grade.dmn (四项 bool() 输入) decides a hazard's grade in the step that registers it."""
    from workflows.runtime import build_engine

    engine = build_engine(sqlite_url, clock=ManualClock(START))
    try:
        from workflows.demo import Desk, load_directory, register_enterprises
        load_directory(engine)
        register_enterprises(engine)
        desk = Desk(engine)
        case = desk.start("hazard_supervision", by="zhang_san", org="dongcheng")
        env = engine.script_engine.environment
        before = dict(env.evaluations)
        desk.do(case.id, "登记隐患")
        assert engine.case(case.id).data["hazard_grade"] == "重大"
        rule_tests = env.evaluations["host"] - before["host"]
        assert rule_tests >= 4 and env.evaluations["worker"] - before["worker"] <= 2  # the register script only
    finally:
        engine.dispose()


def test_a_case_started_by_a_script_parses_no_model_file(sqlite_url, monkeypatch):
    """spawning.bpmn's script starts two cases of wait_then_work per case: the second parent's
    children start without reading any model file; a new version of the child process deployed
    meanwhile is the one they start on."""
    engine = make_engine(sqlite_url, clock=ManualClock(START))
    reads = []
    real = validation.read_file
    monkeypatch.setattr(validation, "read_file", lambda *a, **k: reads.append(a[1]) or real(*a, **k))
    try:
        deploy(engine, "spawning.bpmn", "timers_misc.bpmn")
        first = engine.models.latest("wait_then_work")

        def spawn() -> list[int]:
            case = engine.start("spawning", by="zhang", org="east", data={"other_unit": "west"})
            engine.complete(open_task_id(engine, case.id), "zhang", {})
            return [c.model_id for c in engine.cases(process_key="wait_then_work", limit=100)
                    if c.parent_case_id == case.id]

        assert spawn() == [first.id, first.id]
        reads.clear()
        assert spawn() == [first.id, first.id]
        assert reads == []
        text = (BPMN / "timers_misc.bpmn").read_text(encoding="utf-8")
        engine.deploy(text.replace('name="等待后办理"', 'name="等待后办理（第二版）"').encode("utf-8"),
                      by="boss", filename="timers_misc.bpmn")
        second = engine.models.latest("wait_then_work")
        assert second.version == 2
        assert spawn() == [second.id, second.id]
    finally:
        engine.dispose()


def test_a_host_evaluation_sees_the_functions_as_they_are_now(env):
    """The globals of host evaluations are built once, not per rule test (31 -> 11 µs a test), and
    again when a host function is added, replaced or removed (workflows/runtime.py adds local_rule
    after the engine is built); one evaluation's variables never reach the next."""
    env.host_functions["grade_of"] = lambda value: "重大" if value else "一般"
    assert env.evaluate("str(grade_of(major)) == '重大'", {"major": True}) is True  # a call: the worker's
    assert env.evaluate("grade_of == grade_of", {}) is True  # plain: the host's, with the new function
    env.host_functions["grade_of"] = 42
    assert env.evaluate("grade_of + 1", {}) == 43
    del env.host_functions["grade_of"]
    assert outcome(lambda: env.evaluate("grade_of == 1", {})) == ("error", "NameError")
    assert env.evaluate("int(a) + 1", {"a": "1"}) == 2
    assert outcome(lambda: env.evaluate("a == 1", {})) == ("error", "NameError")  # the last one's a is gone


@pytest.mark.parametrize("files,key,rounds", [
    (["loop.bpmn"], "loop", 6),
    (["child.bpmn", "loop_parallel.bpmn"], "loop_parallel", 4),
    (["loop_inclusive.bpmn"], "loop_inclusive", 4),
    (["approval.bpmn"], "approval", 3),
])
def test_a_step_asks_whether_its_workflow_is_completed_as_spiffworkflow_answers(sqlite_url, monkeypatch, files, key,
                                                                               rounds):
    """``step.workflow_completed`` (the dict of the workflow's tasks asked for an unfinished one)
    answers every step as SpiffWorkflow's ``is_completed`` (its walk of the task tree) answers the
    same workflow, loops, parallel branches, joins and sub-processes included, to the case's end."""
    from engine import step
    from tests.test_differential import engine_walk

    answers = []
    ours = step.workflow_completed

    def both(workflow):
        flag = workflow.completed
        mine = ours(workflow)
        workflow.completed = flag  # SpiffWorkflow's answer from the same state, not from our flag
        answers.append((mine, workflow.is_completed()))
        return mine

    monkeypatch.setattr(step, "workflow_completed", both)
    seen, done, _ = engine_walk(sqlite_url, files, key, rounds, restart_every=0)
    assert done and len(seen) > rounds
    assert [a for a in answers if a[0] != a[1]] == []
    assert (True, True) in answers and (False, False) in answers


def test_a_task_without_a_deadline_or_an_enterprise_enters_no_index_read_only_for_those(sqlite_url):
    """Revision 0017: ``ix_human_task_due`` and ``ix_human_task_overdue`` are read for ``due_at < now``
    and ``ix_human_task_party`` for ``party = ?`` only, so a task without a deadline or of no
    enterprise (every task of bench/models/five_tasks.bpmn) is written to none of the three when it
    opens or is completed — about 4.6 of a completion's 20 WAL frames. The enterprise's deadline task
    is in all three, and the overdue list, the board and the enterprise's queue find it there."""
    import sqlite3

    from engine import queries

    engine = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        deploy(engine, "approval.bpmn", "deadline.bpmn")
        for _ in range(3):
            engine.start("approval", by="zhang", org="east")
        late = engine.start("deadline", by="zhang", org="east", party="91110000000000001H",
                            data={"registered_at": START.isoformat()})
        late_task = open_task_id(engine, late.id)
        path = engine.db.engine.url.database
        engine.db.dispose()  # the WAL written back: dbstat reads the database file's pages
        with sqlite3.connect(path) as conn:
            cells = dict(conn.execute("SELECT name, sum(ncell) FROM dbstat WHERE pagetype = 'leaf' "
                                      "AND name LIKE 'ix_human_task_%' GROUP BY name").fetchall())
        assert cells["ix_human_task_unclaimed"] == 4
        assert cells["ix_human_task_due"] == cells["ix_human_task_overdue"] == cells["ix_human_task_party"] == 1
        later = engine.clock.advance(days=30)
        boss = engine.directory.principal("boss")
        assert [t.id for t in queries.overdue_tasks(engine, boss, later)] == [late_task]
        assert [(c.process_key, c.count) for c in queries.overdue_board(engine, boss, later)] == [("deadline", 1)]
        assert [t.id for t in engine.queue("acme")] == [late_task]
    finally:
        engine.dispose()


@pytest.mark.parametrize("files,key,rounds", [
    (["loop.bpmn"], "loop", 6),
    (["child.bpmn", "loop_parallel.bpmn"], "loop_parallel", 4),
    (["loop_inclusive.bpmn"], "loop_inclusive", 4),
    (["approval.bpmn"], "approval", 3),
    (["interop/camunda7_implicit_end.bpmn"], "camunda7_implicit_end", 2),
    (["nested_event_subprocess.bpmn"], "nested_event_subprocess", 2),
])
def test_a_workflow_finds_its_tasks_in_a_state_as_spiffworkflows_walk_finds_them(sqlite_url, monkeypatch, files,
                                                                                 key, rounds):
    """``DubanWorkflow.get_tasks(state=...)`` (the task dict looked through when the walk's answer is
    certain) gives the tasks SpiffWorkflow's walk of the task tree gives, in its order, at every call
    of every step to the case's end; ``update_waiting_tasks`` skips the walk only when the walk
    would find no WAITING task. Loops, parallel and inclusive joins (WAITING), a called child,
    embedded and event sub-processes (the walk enters them: the task found in one is followed up
    through the task it hangs from), two READY tasks at once (the walk's order)."""
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskIterator, TaskState
    from SpiffWorkflow.workflow import Workflow

    from engine import workflow as duban_workflow
    from engine.workflow import DubanWorkflow
    from tests.test_differential import engine_walk

    got, skipped, walks = [], [], []
    fast_get, fast_update = DubanWorkflow.get_tasks, DubanWorkflow.update_waiting_tasks
    walked_waiting, walk = BpmnWorkflow.update_waiting_tasks, Workflow.get_tasks
    calls = []

    def get_both(self, first_task=None, **kwargs):
        walks.clear()
        mine = fast_get(self, first_task, **kwargs)
        walked = bool(walks)
        got.append(([t.id for t in mine], [t.id for t in BpmnWorkflow.get_tasks(self, first_task, **kwargs)],
                    bool(self.subprocesses), walked))
        return mine

    def update_both(self):
        walked = [t.id for t in TaskIterator(self.task_tree, state=TaskState.WAITING)]
        calls.clear()
        fast_update(self)
        skipped.append((not calls, walked))

    monkeypatch.setattr(BpmnWorkflow, "update_waiting_tasks", lambda wf: calls.append(wf) or walked_waiting(wf))
    stack_walk = duban_workflow._update_waiting  # (its order: test_waiting_tasks_are_updated_as_spiffworkflows_…)
    monkeypatch.setattr(duban_workflow, "_update_waiting", lambda root: calls.append(root) or stack_walk(root))
    monkeypatch.setattr(Workflow, "get_tasks", lambda wf, *a, **kw: walks.append(wf) or walk(wf, *a, **kw))
    monkeypatch.setattr(DubanWorkflow, "get_tasks", get_both)
    monkeypatch.setattr(DubanWorkflow, "update_waiting_tasks", update_both)
    seen, done, _ = engine_walk(sqlite_url, files, key, rounds, restart_every=0)
    assert done and len(seen) > rounds
    assert [(mine, walked) for mine, walked, _, _ in got if mine != walked] == []
    assert [walked for skip, walked in skipped if skip and walked] == []
    assert any(len(mine) == 1 and not walked for mine, _, _, walked in got)  # the dict's answer was taken
    if key in ("camunda7_implicit_end", "nested_event_subprocess"):  # with sub-processes too
        assert any(subs and not walked for _, _, subs, walked in got)
    print(key, "get_tasks", len(got), "by size", sorted({len(m) for m, _, _, _ in got}), "with subprocesses",
          sum(s for _, _, s, _ in got), "walked", sum(w for _, _, _, w in got), "update", len(skipped),
          "skipped", sum(s for s, _ in skipped), "walked and found", sum(bool(w) for _, w in skipped))


@pytest.mark.parametrize("files,key,rounds", [
    (["interop/camunda7_implicit_end.bpmn"], "camunda7_implicit_end", 2),
    (["interop/camunda7_event_subprocess.bpmn"], "camunda7_event_subprocess", 2),
    (["child.bpmn", "loop_parallel.bpmn"], "loop_parallel", 4),
    (["nested_event_subprocess.bpmn"], "nested_event_subprocess", 2),
])
def test_a_sub_process_finds_its_tasks_in_a_state_as_spiffworkflows_walk_finds_them(sqlite_url, monkeypatch, files,
                                                                                   key, rounds):
    """A case's sub-processes are ``DubanSubWorkflow``s, whose ``get_tasks(state=...)`` (the task dicts
    looked through: its own and its sub-processes') gives what SpiffWorkflow's
    walk from the sub-process's root gives, in its order, at every call of every step (embedded
    sub-processes, an event sub-process beside one, a called child in a loop, a nested event
    sub-process); ``update_waiting_tasks`` skips the walk only when it would find no WAITING task."""
    from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
    from SpiffWorkflow.util.task import TaskIterator, TaskState
    from SpiffWorkflow.workflow import Workflow

    from engine import workflow as duban_workflow
    from engine.workflow import DubanSubWorkflow
    from tests.test_differential import engine_walk

    got, skipped, calls, walks = [], [], [], []
    fast_get, fast_update = DubanSubWorkflow.get_tasks, DubanSubWorkflow.update_waiting_tasks
    walked_waiting, walk = BpmnSubWorkflow.update_waiting_tasks, Workflow.get_tasks

    def get_both(self, first_task=None, **kwargs):
        walks.clear()
        mine = fast_get(self, first_task, **kwargs)
        walked = bool(walks)
        nested = any(sub.parent_task_id in self.tasks for sub in self.top_workflow.subprocesses.values())
        got.append(([t.id for t in mine], [t.id for t in BpmnSubWorkflow.get_tasks(self, first_task, **kwargs)],
                    nested, walked))
        return mine

    def update_both(self):
        walked = [t.id for t in TaskIterator(self.task_tree, state=TaskState.WAITING)]
        calls.clear()
        fast_update(self)
        skipped.append((not calls, walked))

    monkeypatch.setattr(BpmnSubWorkflow, "update_waiting_tasks", lambda wf: calls.append(wf) or walked_waiting(wf))
    stack_walk = duban_workflow._update_waiting  # (its order: test_waiting_tasks_are_updated_as_spiffworkflows_…)
    monkeypatch.setattr(duban_workflow, "_update_waiting", lambda root: calls.append(root) or stack_walk(root))
    monkeypatch.setattr(Workflow, "get_tasks", lambda wf, *a, **kw: walks.append(wf) or walk(wf, *a, **kw))
    monkeypatch.setattr(DubanSubWorkflow, "get_tasks", get_both)
    monkeypatch.setattr(DubanSubWorkflow, "update_waiting_tasks", update_both)
    seen, done, _ = engine_walk(sqlite_url, files, key, rounds, restart_every=3)  # restored ones too
    assert done and seen
    assert [(mine, walked) for mine, walked, _, _ in got if mine != walked] == []
    assert [walked for skip, walked in skipped if skip and walked] == []
    assert any(not walked for _, _, _, walked in got)  # the dict's answer was taken
    if key in ("camunda7_implicit_end", "nested_event_subprocess"):  # one with a sub-process of its own too
        assert any(nested and not walked for _, _, nested, walked in got)


@pytest.mark.parametrize("files,key,rounds", [
    (["child.bpmn", "loop_parallel.bpmn"], "loop_parallel", 4),
    (["loop_inclusive.bpmn"], "loop_inclusive", 4),
    (["wait_beside_work.bpmn"], "wait_beside_work", 2),
    (["nested_event_subprocess.bpmn"], "nested_event_subprocess", 2),
    (["interop/camunda7_implicit_end.bpmn"], "camunda7_implicit_end", 2),
    (["interop/camunda7_event_subprocess.bpmn"], "camunda7_event_subprocess", 2),
    (["interop/camunda7_boundary_timers.bpmn"], "camunda7_boundary_timers", 2),
])
def test_waiting_tasks_are_updated_as_spiffworkflows_walk_updates_them(sqlite_url, monkeypatch, files, key, rounds):
    """``update_waiting_tasks`` of a case's workflows (engine/workflow.py ``_update_waiting``, a stack
    instead of SpiffWorkflow's ``TaskIterator``) updates the WAITING tasks SpiffWorkflow's own walk
    updates, in its order, at every call of every step (joins, timers beside work, boundary timers,
    event sub-processes), and the case goes as it goes with SpiffWorkflow's."""
    from SpiffWorkflow import workflow as spiff_workflow
    from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskIterator, TaskState

    from engine import workflow as duban_workflow
    from tests.test_differential import engine_walk

    def named(task):
        return task.workflow.spec.name, task.task_spec.name

    ours: list = []
    update = duban_workflow._update
    monkeypatch.setattr(duban_workflow, "_update", lambda task: ours.append(named(task)) or update(task))
    mine = engine_walk(sqlite_url, files, key, rounds, restart_every=0)
    monkeypatch.undo()

    theirs: list = []

    class Recorded(TaskIterator):
        def __next__(self):
            task = super().__next__()
            if self.task_filter.state == TaskState.WAITING:
                theirs.append(named(task))
            return task

    monkeypatch.setattr(spiff_workflow, "TaskIterator", Recorded)
    monkeypatch.setattr(duban_workflow.DubanWorkflow, "update_waiting_tasks", BpmnWorkflow.update_waiting_tasks)
    monkeypatch.setattr(duban_workflow.DubanSubWorkflow, "update_waiting_tasks", BpmnSubWorkflow.update_waiting_tasks)
    spiffs = engine_walk(sqlite_url, files, key, rounds, restart_every=0)
    for walked in (mine, spiffs):
        walked[2].pop("case_no")  # (the second case of the database)
    assert mine[0] and mine == spiffs
    assert ours == theirs and ours


def test_a_workflows_log_record_is_built_only_when_spiffworkflow_would_emit_it(sqlite_url, monkeypatch):
    """SpiffWorkflow builds the extras of its ``spiff.workflow`` records ("Initialized workflow" for
    each sub-process entered, "Workflow completed") with every task's id in them — a walk of the
    tree — below INFO, then drops the record unless the logger is enabled for INFO: a case's
    workflows build them only when it is. Enabled, the records carry SpiffWorkflow's extras."""
    import logging

    from SpiffWorkflow.workflow import Workflow

    built = []
    spiffs = Workflow.collect_log_extras
    monkeypatch.setattr(Workflow, "collect_log_extras", lambda wf, dct=None: built.append(wf) or spiffs(wf, dct))
    from tests.test_differential import engine_walk

    seen, done, _ = engine_walk(sqlite_url, ["interop/camunda7_implicit_end.bpmn"], "camunda7_implicit_end", 2, 0)
    assert done and len(seen) == 3 and built == []

    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    log = logging.getLogger("spiff.workflow")
    handler, level = Keep(), log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        engine_walk(sqlite_url, ["interop/camunda7_implicit_end.bpmn"], "camunda7_implicit_end", 2, 0)
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
    messages = [r.getMessage() for r in records]
    assert messages.count("Initialized workflow") >= 3 and "Workflow completed" in messages
    assert built and all(isinstance(r.tasks, list) and r.workflow_spec for r in records)
    assert any(getattr(r, "parent_task_id", None) is not None for r in records)  # a sub-process's


def test_bind_processing_kept_for_none_and_the_last_two_datetimes_binds_what_sqlalchemy_binds(sqlite_url):
    """sqlexec asks each bind processor once, when rendering, what it makes of None (a JSON column's
    None is the text 'null', which the serializer encoded again on every row), and UTCDateTime
    remembers its last two datetimes (a step's ``now`` and a new task's ``NO_DUE_DATE`` took turns,
    so each was converted again): the parameters are what SQLAlchemy's conversions give, value by
    value, and a new task's row holds what it held (rules 'null' as text, dates as SQLite's text)."""
    import sqlite3
    from datetime import timedelta, timezone

    import sqlalchemy as sa
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from engine.schema import NO_DUE_DATE, UTCDateTime

    dialect = sqlite_dialect.dialect()
    remembered = UTCDateTime().bind_processor(dialect)
    fresh = sa.types.TypeDecorator.bind_processor(UTCDateTime(), dialect)
    a, b, c = START, START + timedelta(hours=8), NO_DUE_DATE.astimezone(timezone(timedelta(hours=8)))
    for value in (a, b, a, None, b, c, a, c, c, b, None, None, a):
        assert remembered(value) == fresh(value), value

    engine = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        deploy(engine, "approval.bpmn")
        case = engine.start("approval", by="zhang", org="east")
        task_id = open_task_id(engine, case.id)
        path = engine.db.engine.url.database
        engine.db.dispose()
        with sqlite3.connect(path) as conn:
            row = conn.execute("SELECT typeof(rules), rules, due_at, due_sort, created_at, follow_up_at "
                               "FROM human_task WHERE id = ?", (task_id,)).fetchone()
        assert row == ("text", "null", None, "9999-12-31 00:00:00.000000", "2026-11-23 01:00:00.000000", None)
    finally:
        engine.dispose()


def test_the_executors_statements_reach_the_listeners_of_the_engine_and_of_the_connection(sqlite_url):
    """sqlexec calls ``before_cursor_execute`` listeners as Connection.execute does, reading the
    engine's listeners from the engine's dispatch when the connection has none of its own: a
    listener on the engine sees a completion's statements (the engine's benches and round-trip
    tests count them so), one on a connection sees what runs on it, and one that rewrites the SQL
    (``retval=True``) has it run as rewritten."""
    import sqlalchemy as sa

    from engine import sqlexec, step

    engine = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        deploy(engine, "approval.bpmn")
        case = engine.start("approval", by="zhang", org="east")
        task_id = open_task_id(engine, case.id)
        seen: list[str] = []
        listener = lambda conn, cursor, statement, *rest: seen.append(statement.split()[0])  # noqa: E731
        sa.event.listen(engine.db.engine, "before_cursor_execute", listener)
        engine.complete(task_id, "zhang", {})
        sa.event.remove(engine.db.engine, "before_cursor_execute", listener)
        assert {"SELECT", "UPDATE", "INSERT"} <= set(seen), seen
        mine: list[str] = []
        with engine.db.engine.connect() as conn:
            sa.event.listen(conn, "before_cursor_execute",
                            lambda c, cursor, statement, params, context, many: mine.append(statement))
            assert sqlexec.first(conn, step._SELECT_CASE, {"id": case.id}).id == case.id
            sa.event.listen(conn, "before_cursor_execute", retval=True,
                            fn=lambda c, cursor, statement, params, context, many:
                            (statement.replace("WHERE case_instance.id = ?", "WHERE case_instance.id = ? + 1"), params))
            assert sqlexec.first(conn, step._SELECT_CASE, {"id": case.id}) is None  # the rewritten SQL ran
        assert len([s for s in mine if "FROM case_instance" in s]) == 2
    finally:
        engine.dispose()


def test_a_step_reads_none_of_the_case_columns_the_database_keeps_and_they_stay_as_it_keeps_them(database_url):
    """The case columns the database keeps from the others — ``hazard_grade`` and ``listing_deadline``
    generated from ``data`` (on SQLite computed from the row's JSON whenever read), the hazard facts
    of engine/case_facts.py's trigger — are neither read nor written by a step: not by a
    completion's task-and-case read, not by a timer's or a cancel's case read, not by a start's
    insert (PostgreSQL takes the case's id first and inserts the row as the step leaves it). The
    database still keeps them: a case whose data names its 隐患等级 and 挂牌 has them after each step."""
    import sqlalchemy as sa

    from engine.schema import Case
    from tests.support import statements_sent

    kept = ("hazard_grade", "listing_deadline", "hazard_found_day", "hazard_outcome", "hazard_due_day",
            "hazard_cost_fen", "hazard_key")
    engine = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(engine, "approval.bpmn")
        data = {"hazard_grade": "重大", "listed_at": "2026-03-02", "rectify_deadline": "2026-05-01"}
        sent = statements_sent(engine, lambda: engine.start("approval", by="zhang", org="east", data=data))
        case = engine.start("approval", by="zhang", org="east", data=data)
        for user, form in (("zhang", {"location": "一号车间"}), ("boss", {"approved": True})):
            task_id = open_task_id(engine, case.id)
            sent += statements_sent(engine, lambda: engine.complete(task_id, user, form))
        other = engine.start("approval", by="zhang", org="east", data=data)
        sent += statements_sent(engine, lambda: engine.cancel(other.id, by="boss", reason="重复登记"))
        case_rows = [s for s in sent if "case_instance" in s]
        assert case_rows and not [s for s in case_rows if any(column in s for column in kept)]
        with engine.db.engine.connect() as conn:
            rows = conn.execute(sa.select(Case.status, Case.hazard_grade, Case.listing_deadline)
                                .where(Case.id.in_([case.id, other.id])).order_by(Case.id)).all()
        assert [tuple(r) for r in rows] == [("completed", "重大", "2026-05-01"), ("cancelled", "重大", "2026-05-01")]
    finally:
        engine.dispose()


def test_datetimes_read_from_sqlite_text_are_what_sqlalchemys_processor_gives_in_one_call(sqlite_url, monkeypatch):
    """UTCDateTime reads SQLite's stored text by one ``datetime.fromisoformat`` of the text with
    ``+00:00`` after it, not SQLAlchemy's conversion then ``datetime.replace(tzinfo=...)`` (~1.2 µs
    a value alone: two in every completion's task-and-case read, four a row of a page of tasks). The
    values are TypeDecorator's, text by text, odd ones too (a date alone, an offset of its own, no
    time at all); and a completion, a queue and a case page read their rows without the two-step
    processor (``process_result_value`` made to fail: it fails with UTCDateTime's own removed)."""
    from datetime import timedelta, timezone

    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql as pg_dialect
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from engine.schema import UTCDateTime

    for dialect, values in (
            (sqlite_dialect.dialect(), [None, "2026-11-23 01:00:00.123456", "2026-11-23 01:00:00", "2026-11-23",
                                        "2026-11-23T01:00:00.5", "9999-12-31 00:00:00.000000", "2026-11-23 09:00:00+08:00",
                                        "2026-11-23 01:00:00.000000+00:00", "2026-11-23T01", "无效", ""]),
            (pg_dialect.dialect(), [None, START.replace(tzinfo=None), START.astimezone(timezone(timedelta(hours=8)))])):
        ours = UTCDateTime()._cached_result_processor(dialect, None)
        theirs = sa.types.TypeDecorator.result_processor(UTCDateTime().dialect_impl(dialect), dialect, None)
        for value in values:
            assert _outcome(ours, value) == _outcome(theirs, value), (dialect.name, value)

    def two_step(self, value, dialect):
        raise AssertionError("TypeDecorator's two-step result processor was used")

    monkeypatch.setattr(UTCDateTime, "process_result_value", two_step)
    engine = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        deploy(engine, "approval.bpmn")
        case = engine.start("approval", by="zhang", org="east")
        engine.complete(open_task_id(engine, case.id), "zhang", {"location": "一号车间"})
        assert [t.name for t in engine.queue("boss")] == ["审批"]
        assert engine.case(case.id).started_at == START
    finally:
        engine.dispose()



def _outcome(process, value):
    try:
        read = process(value)
    except Exception as exc:  # noqa: BLE001 - the error itself is compared
        return ("error", type(exc).__name__)
    return ("ok", read, None if read is None else read.tzinfo)


def test_an_aware_utc_datetime_binds_on_sqlite_as_sqlalchemys_text_without_its_conversion(monkeypatch):
    """A clock's ``now`` and ``NO_DUE_DATE`` (aware UTC) are bound on SQLite by ``isoformat`` alone,
    not TypeDecorator's ``astimezone``, ``replace`` and SQLAlchemy's format dict (on the system
    clock every step has new ones for the memo to miss): the same text for 2,000 random instants and
    the edges (years 1, 999, 9999; no microseconds); other zones, naive values and None as before.
    With TypeDecorator's conversion made to fail, a UTC instant still binds (fails with the
    shortcut removed)."""
    import random
    from datetime import datetime, timedelta, timezone

    import sqlalchemy as sa
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from engine.schema import NO_DUE_DATE, UTCDateTime

    dialect = sqlite_dialect.dialect()
    ours = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    theirs = sa.types.TypeDecorator.bind_processor(UTCDateTime().dialect_impl(dialect), dialect)
    draw = random.Random(15)
    utc = timezone.utc
    values = [NO_DUE_DATE, START, datetime(1, 1, 1, tzinfo=utc), datetime(999, 5, 6, 7, 8, 9, tzinfo=utc),
              START.astimezone(timezone(timedelta(hours=8))), None]
    values += [datetime(draw.randint(1, 9999), draw.randint(1, 12), draw.randint(1, 28), draw.randint(0, 23),
                        draw.randint(0, 59), draw.randint(0, 59), draw.choice([0, draw.randint(0, 999_999)]), tzinfo=utc)
               for _ in range(2000)]
    for value in values:
        assert ours(value) == theirs(value), value
    with pytest.raises(ValueError):
        ours(START.replace(tzinfo=None))  # naive: refused as before

    def converted(self, value, dialect):
        raise AssertionError("TypeDecorator's conversion was used")

    monkeypatch.setattr(UTCDateTime, "process_bind_param", converted)
    bind = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert bind(START + timedelta(microseconds=7)) == "2026-11-23 01:00:00.000007"


@pytest.mark.parametrize("path,key,events,external", [
    (BENCH_MODEL, "five_tasks", False, False),  # user tasks only: neither projection walks the tasks
    (BPMN / "defense_message_only.bpmn", "defense_message_only", True, False),  # in an event sub-process only
    (BPMN / "interop" / "camunda7_event_gateway.bpmn", "camunda7_event_gateway", True, False),  # an event gateway's
    (BPMN / "interop" / "camunda_external.bpmn", "camunda_external", False, True),
])
def test_the_after_step_projections_skip_their_task_walk_only_for_processes_nothing_in_can_wait_so(
        sqlite_url, path, key, events, external):
    """``messages.project_waits`` and ``external_tasks.project_external`` run after every step; they
    look through the case's tasks only when an element of its processes — sub-processes and event
    sub-processes included — catches a message or signal, or is an external service task. The
    rows a skipped walk would have projected are empty: tests/test_events.py,
    test_interop_corpus.py and test_event_subprocess_waits.py deliver to and fetch what the others
    project."""
    from engine import external_tasks, messages
    from engine.workflow import DubanWorkflow

    engine = make_engine(sqlite_url)
    try:
        engine.deploy(path, by="boss")
        with engine.db.write() as s:
            bundle = engine.models.bundle_for_start(s, key)[1]
            spec, subprocess_specs = engine.models.specs(s, bundle)
        workflow = DubanWorkflow(spec, subprocess_specs)
        assert messages.may_catch_events(workflow) is events
        assert external_tasks.may_wait_external(workflow) is external
    finally:
        engine.dispose()


def test_a_step_calls_do_engine_steps_only_with_an_engine_task_to_run_and_fires_due_timers_either_way(
        sqlite_url, monkeypatch):
    """``step.advance``: a completion that leaves only a person's tasks READY (4 of the 5 of
    bench/models/five_tasks.bpmn) does not call SpiffWorkflow's ``do_engine_steps``, whose loop would
    run nothing — only its ``refresh_timers``. So a timer already due beside the work
    (tests/bpmn/wait_beside_work.bpmn: 整改期满 one day after the start) fires in that completion
    as before, its catch event READY is run by the one ``do_engine_steps`` of the step's next round
    (two before: one found nothing to run), and 复查 opens; the last completion of the 5-task model,
    with its end to run, still calls it."""
    from engine.workflow import DubanWorkflow

    calls = []
    engine_steps = DubanWorkflow.do_engine_steps

    def counted(self, *args, **kwargs):
        calls.append(self)
        return engine_steps(self, *args, **kwargs)

    monkeypatch.setattr(DubanWorkflow, "do_engine_steps", counted)
    engine = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        engine.deploy(BENCH_MODEL, by="boss")
        deploy(engine, "wait_beside_work.bpmn")
        case = engine.start("five_tasks", by="zhang", org="east")
        for n in range(5):
            calls.clear()
            engine.complete(open_task_id(engine, case.id), "zhang", {"意见": "同意"})
            assert len(calls) == (0 if n < 4 else 1)
        assert engine.case(case.id).status == "completed"

        wait = engine.start("wait_beside_work", by="zhang", org="east")
        engine.clock.advance(days=2)  # the timer is due; no sweep has run
        calls.clear()
        engine.complete(open_task_id(engine, wait.id), "zhang", {})  # 登记: 审核 opens; the timer fires
        assert len(calls) == 1
        view = engine.case(wait.id)
        assert sorted(t.name for t in view.tasks if t.state == "open") == ["复查", "审核"]
        assert [h["action"] for h in view.history].count("timer_fired") == 1
    finally:
        engine.dispose()



def test_a_step_with_no_event_waiting_looks_for_an_engine_task_once(sqlite_url, monkeypatch):
    """``step.advance``: with nothing in the workflow's waiting events, SpiffWorkflow's
    ``refresh_timers`` would change no task, so a middle completion of the 5-task model looks
    through the case's tasks for an engine task once, not again after it (counted), and calls no
    ``refresh_timers``; a case with a timer waiting beside the work
    (tests/bpmn/wait_beside_work.bpmn) still has its timers refreshed at every completion, and the
    timer due fires in the completion as before."""
    from engine import step
    from engine.workflow import DubanWorkflow

    looks, refreshed = [], []
    look = step._engine_task_ready
    refresh = DubanWorkflow.refresh_timers
    monkeypatch.setattr(step, "_engine_task_ready", lambda workflow: looks.append(workflow) or look(workflow))
    monkeypatch.setattr(DubanWorkflow, "refresh_timers", lambda self: refreshed.append(self) or refresh(self))
    engine = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        engine.deploy(BENCH_MODEL, by="boss")
        deploy(engine, "wait_beside_work.bpmn")
        case = engine.start("five_tasks", by="zhang", org="east")
        for _ in range(4):
            looks.clear()
            refreshed.clear()
            engine.complete(open_task_id(engine, case.id), "zhang", {"意见": "同意"})
            assert (len(looks), len(refreshed)) == (1, 0)
        engine.complete(open_task_id(engine, case.id), "zhang", {"意见": "同意"})
        assert engine.case(case.id).status == "completed"

        wait = engine.start("wait_beside_work", by="zhang", org="east")
        engine.clock.advance(days=2)  # the timer is due; no sweep has run
        refreshed.clear()
        engine.complete(open_task_id(engine, wait.id), "zhang", {})  # 登记: 审核 opens; the timer fires
        assert refreshed
        view = engine.case(wait.id)
        assert sorted(t.name for t in view.tasks if t.state == "open") == ["复查", "审核"]
        assert [h["action"] for h in view.history].count("timer_fired") == 1
    finally:
        engine.dispose()

def test_a_step_whose_engine_steps_ended_with_nothing_to_run_does_not_look_again(sqlite_url, monkeypatch):
    """``step.advance`` after ``DubanWorkflow.do_engine_steps``: its last pass found no engine task to
    run and no event waited (so ``refresh_timers`` readied nothing): ``rested``, and the step does not
    look through the case's tasks again — the ending completion of the 5-task model (its end event,
    end join and end run in passes) looks once, before the passes (twice before). With a timer
    waiting (tests/bpmn/wait_beside_scripts.bpmn: 登记, the script 记录登记, a wait of a day, the
    script 计算逾期, 复查; 审核 beside) the look after is still made: a timer that comes due while the
    step runs (the clock moved on as the passes end) fires in ``refresh_timers`` and readies
    计算逾期, which a stale answer would leave unrun (复查 would not open in that completion)."""
    from engine.workflow import DubanWorkflow
    from engine import step

    looks = []
    look = step._engine_task_ready
    monkeypatch.setattr(step, "_engine_task_ready", lambda workflow: looks.append(workflow) or look(workflow))
    engine = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        engine.deploy(BENCH_MODEL, by="boss")
        deploy(engine, "wait_beside_scripts.bpmn")
        case = engine.start("five_tasks", by="zhang", org="east")
        for _ in range(4):
            engine.complete(open_task_id(engine, case.id), "zhang", {"意见": "同意"})
        looks.clear()
        engine.complete(open_task_id(engine, case.id), "zhang", {"意见": "同意"})
        assert engine.case(case.id).status == "completed"
        assert len(looks) == 1

        wait = engine.start("wait_beside_scripts", by="zhang", org="east")
        register = next(t.id for t in engine.case(wait.id).tasks if t.name == "登记")
        refresh = DubanWorkflow.refresh_timers

        def later(self):  # the day passes while the step runs: after its passes, before the timers' look
            if self.event_manager.tasks:
                engine.clock.advance(days=2)
            return refresh(self)

        monkeypatch.setattr(DubanWorkflow, "refresh_timers", later)
        engine.complete(register, "zhang", {})  # 记录登记, waiting; the day passes; 计算逾期; 复查
        view = engine.case(wait.id)
        assert sorted(t.name for t in view.tasks if t.state == "open") == ["复查", "审核"]
        assert view.data["registered"] is True and view.data["overdue"] is True
    finally:
        engine.dispose()


def test_a_step_calls_only_the_after_step_hooks_that_can_apply_to_its_model(sqlite_url):
    """engine/step.py ``hooks_for``: a step of a case whose model catches no message or signal and
    has no external task (bench/models/five_tasks.bpmn) does not call ``project_waits`` or
    ``project_external`` (their ``applies_to`` says so); a model with an external task
    (camunda_external.bpmn) calls ``project_external``. The stall check and any hook without
    ``applies_to`` are called on every step, and a hook added after a case's first step is called
    on its next one."""
    import functools

    calls: list[str] = []

    def counted(hook):
        @functools.wraps(hook)  # keeps ``applies_to`` (copies the hook's __dict__)
        def wrapper(session, case, workflow):
            calls.append(hook.__name__)
            return hook(session, case, workflow)
        return wrapper

    def extra(session, case, workflow):
        calls.append("extra")

    engine = make_engine(sqlite_url)
    try:
        engine.after_step_hooks[:] = [counted(h) for h in engine.after_step_hooks]
        engine.deploy(BENCH_MODEL, by="boss")
        engine.deploy(BPMN / "interop" / "camunda_external.bpmn", by="boss")
        case = engine.start("five_tasks", by="zhang", org="east", data={})
        engine.complete(open_task_id(engine, case.id), "zhang", {})
        assert calls == ["check", "check"]
        engine.after_step_hooks.append(extra)
        calls.clear()
        engine.complete(open_task_id(engine, case.id), "zhang", {})
        assert calls == ["check", "extra"]
        engine.after_step_hooks.remove(extra)
        calls.clear()
        engine.start("camunda_external", by="zhang", org="east", data={})
        assert calls == ["check", "project_external"]
    finally:
        engine.dispose()


@pytest.mark.parametrize("model,steps", [
    (BENCH_MODEL, 5),
    (BPMN / "approval.bpmn", 8),  # a gateway between the tasks
    (BPMN / "interop" / "bpmnio_implicit_split.bpmn", 6),  # two READY tasks at once
])
def test_a_pass_takes_the_task_below_the_one_it_just_ran_as_the_walk_finds_it(sqlite_url, monkeypatch, model, steps):
    """``DubanWorkflow.do_engine_steps``: the READY task found alone below the task the pass before
    ran alone (the end event's end join, the end join's end: every case's last completion) is the
    walk's answer without following it up to the root (``_reached`` not called for it); every answer
    of every step is the walk's (BpmnWorkflow's iterator), in its order — a pass's list
    (``_ready_to_run``) the walk's READY tasks that are not a person's."""
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    from engine import workflow as duban_workflow
    from engine.workflow import DubanWorkflow

    answers, reached = [], []
    fast_get, fast_reached = DubanWorkflow.get_tasks, duban_workflow._reached
    fast_ready = DubanWorkflow._ready_to_run

    def both(self, first_task=None, **kwargs):
        mine = fast_get(self, first_task, **kwargs)
        answers.append(([t.id for t in mine], [t.id for t in BpmnWorkflow.get_tasks(self, first_task, **kwargs)],
                        False))
        return mine

    def ready(self):
        before = len(reached)
        ran = self._ran
        mine = fast_ready(self)
        walked = BpmnWorkflow.get_tasks(self, state=TaskState.READY)
        answers.append(([t.id for t in mine if not t.task_spec.manual],
                        [t.id for t in walked if not t.task_spec.manual],
                        len(mine) == 1 and len(reached) == before and ran is not None))
        return mine

    monkeypatch.setattr(duban_workflow, "_reached", lambda *a: reached.append(a) or fast_reached(*a))
    monkeypatch.setattr(DubanWorkflow, "get_tasks", both)
    monkeypatch.setattr(DubanWorkflow, "_ready_to_run", ready)
    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        model_key = e.deploy(model, by="boss").key
        cases = [e.start(model_key, by="zhang", org="east", data={"备注": "基准测试"}) for _ in range(2)]
        for _ in range(steps):
            for case in cases:
                tasks = e.case(case.id).tasks
                if tasks:
                    e.complete(tasks[0].id, "eastboss" if tasks[0].role_code == "supervisor" else "zhang",
                               {"意见": "同意", "approved": True})
        assert all(e.case(case.id).status == "completed" for case in cases)
    finally:
        e.dispose()
    assert [(mine, walked) for mine, walked, _ in answers if mine != walked] == []
    assert sum(by_hint for _, _, by_hint in answers) >= 2 * len(cases)  # the end join and the end, each case
