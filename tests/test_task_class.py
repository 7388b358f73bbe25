"""A case's tasks are ``DubanTask``s (engine/task_class.py): quiet unless SpiffWorkflow's logger is on.

Every task a case's workflow holds — the root and the tasks SpiffWorkflow predicts when it makes the
workflow, every child added as the case runs, a sub-process's and a call activity's, a cold load's —
changes its state without building a log record nobody reads; with ``spiff.task`` enabled for INFO
(``duban serve --verbose``) each change is logged as SpiffWorkflow logs it. Saved, the rows say
``Task`` as before (rows of either kind restore alike).
"""
from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa
from SpiffWorkflow.task import Task

from engine import ManualClock, state as wfstate
from engine.schema import Case, TaskRow
from engine.task_class import DubanTask
from tests.support import START, deploy, make_engine
from tests.test_differential import answer

MODELS = ("score.dmn", "child.bpmn", "coverage.bpmn")  # a sub-process, a call activity, a business rule


def _classes(workflow) -> set[type]:
    return {type(t) for w in wfstate.all_workflows(workflow) for t in w.tasks.values()}


def _cached(engine, case_id: int):
    version, loaded, _weight = engine.workflow_cache._entries[case_id]
    return loaded.workflow


def _cold(engine, case_id: int):
    with engine.db.read() as s:
        spec, subs = engine.models.specs(s, s.get(Case, case_id).bundle_hash)
        return wfstate.restore(s, case_id, spec, subs, engine.script_engine).workflow


def _walk_case(engine, case_id: int, check) -> int:
    """Work the case to its end (at most 40 steps), calling ``check`` on its workflow after each."""
    steps = 0
    for step_no in range(40):
        ready = sorted(engine.case(case_id).tasks, key=lambda t: t.spec_id)
        if not ready:
            break
        task = ready[0]
        answers = dict(answer(step_no, task.spec_id, 2), **({"vote_item": "同意"} if task.spec_id == "vote" else {}))
        engine.complete(task.id, "eastboss" if task.role_code == "supervisor" else "zhang", answers)
        check()
        steps += 1
    return steps


def test_every_task_of_a_case_with_sub_processes_is_a_duban_task_warm_and_cold(sqlite_url):
    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.directory.add_user("zhang", org="east", roles=["inspector", "enterprise"], name="张三")
        deploy(e, *MODELS)
        case = e.start("coverage", by="zhang", org="east")
        subs_seen = []

        def check():
            if case.id in e.workflow_cache._entries:
                warm = _cached(e, case.id)
                subs_seen.append(len(warm.subprocesses))
                assert _classes(warm) == {DubanTask}
            assert _classes(_cold(e, case.id)) == {DubanTask}

        check()
        assert _walk_case(e, case.id, check) > 3
        assert max(subs_seen) > 0  # the model's sub-process and call activity were entered
    finally:
        e.dispose()


def test_rows_still_say_task_and_older_rows_restore_as_duban_tasks(sqlite_url):
    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.directory.add_user("zhang", org="east", roles=["inspector", "enterprise"], name="张三")
        deploy(e, *MODELS)
        case = e.start("coverage", by="zhang", org="east")
        with e.db.engine.connect() as conn:
            contents = list(conn.execute(sa.select(TaskRow.content).where(TaskRow.case_id == case.id)).scalars())
        assert contents and {json.loads(c)["typename"] for c in contents} == {"Task"}
        # The registry's restore (SpiffWorkflow's own path, as for rows of an older format) too.
        restored = wfstate._registry.restore(json.loads(contents[0]), workflow=_cold(e, case.id))
        assert type(restored) is DubanTask
    finally:
        e.dispose()


@pytest.fixture
def spiff_log_level():
    log = logging.getLogger("spiff.task")
    was = log.level
    yield log
    log.setLevel(was)


def test_no_log_record_is_built_while_spiff_logging_is_off(sqlite_url, spiff_log_level, monkeypatch):
    """With ``spiff.task`` at WARNING (duban serve's default) a step never asks for a DubanTask's
    record extras — SpiffWorkflow's ``collect_log_extras`` — which it built on every change of state.
    (A new sub-process's root is readied by SpiffWorkflow before the engine adopts it: that one
    change, once a sub-process, still builds its record.)"""
    spiff_log_level.setLevel(logging.WARNING)
    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.directory.add_user("zhang", org="east", roles=["inspector", "enterprise"], name="张三")
        deploy(e, *MODELS)
        case = e.start("coverage", by="zhang", org="east")
        e.workflow_cache._entries.clear()  # a cold step too

        def refuse(self, dct=None):
            if type(self) is not DubanTask:
                return {}
            raise AssertionError(f"log record built for {self.task_spec.name}")

        monkeypatch.setattr(Task, "collect_log_extras", refuse)
        assert _walk_case(e, case.id, lambda: None) > 3
        assert e.case(case.id).status in ("running", "completed")
    finally:
        e.dispose()


def test_state_changes_are_logged_as_before_when_spiff_logging_is_on(sqlite_url, spiff_log_level, caplog):
    spiff_log_level.setLevel(logging.INFO)
    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.directory.add_user("zhang", org="east", roles=["inspector", "enterprise"], name="张三")
        deploy(e, *MODELS)
        with caplog.at_level(logging.INFO, logger="spiff.task"):
            case = e.start("coverage", by="zhang", org="east")
            e.complete(sorted(e.case(case.id).tasks, key=lambda t: t.spec_id)[0].id, "zhang", answer(0, "x", 2))
        changes = [r for r in caplog.records if r.name == "spiff.task" and r.getMessage().startswith("State changed to")]
        assert len(changes) > 5
        assert {"task_spec", "workflow_spec", "elapsed"} <= set(vars(changes[0]))  # SpiffWorkflow's own extras
    finally:
        e.dispose()


def test_a_steps_task_rows_are_written_by_the_direct_writer_not_the_registry(sqlite_url, monkeypatch):
    """state._task_json writes a DubanTask's row itself (``_task_text``), as it did a plain Task's:
    the registry's generic conversion (about twice the cost) is left for other classes. Watched by
    passing every registry conversion through and noting the tasks among them."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    try:
        e.directory.add_user("zhang", org="east", roles=["inspector", "enterprise"], name="张三")
        deploy(e, *MODELS)
        converted = []
        convert = wfstate._registry.convert

        def noting(obj, *args, **kwargs):
            if isinstance(obj, Task):
                converted.append(type(obj).__name__)
            return convert(obj, *args, **kwargs)

        monkeypatch.setattr(wfstate._registry, "convert", noting)
        case = e.start("coverage", by="zhang", org="east")
        assert _walk_case(e, case.id, lambda: None) > 3
        assert converted == []
        # and the direct writer's row is the registry's
        workflow = _cold(e, case.id)
        for task in workflow.tasks.values():
            assert wfstate._task_json(task, str(task.id)) == wfstate.reference_text(task)
    finally:
        e.dispose()


def test_a_level_set_between_steps_holds_from_the_next_step_on(sqlite_url, spiff_log_level, caplog):
    """Whether ``spiff.task`` emits INFO is asked once a step (``task_class.decide_logging``, as the
    write transaction begins), not at each state change: a level set between two completions — on,
    then off again — is what the next completion logs by. Fails if the answer is kept from an
    earlier step (or from import): the change would be logged by the level before."""
    e = make_engine(sqlite_url, clock=ManualClock(START))
    caplog.set_level(logging.DEBUG)  # caplog's handler takes all; the logger's own level decides
    try:
        e.directory.add_user("zhang", org="east", roles=["inspector", "enterprise"], name="张三")
        deploy(e, *MODELS)

        def changes_of_a_completion(case_id: int, step_no: int) -> int:
            caplog.clear()
            task = sorted(e.case(case_id).tasks, key=lambda t: t.spec_id)[0]
            e.complete(task.id, "zhang", answer(step_no, task.spec_id, 2))
            return len([r for r in caplog.records if r.name == "spiff.task"
                        and r.getMessage().startswith("State changed to")])

        spiff_log_level.setLevel(logging.WARNING)
        case = e.start("coverage", by="zhang", org="east")
        assert changes_of_a_completion(case.id, 0) == 0
        spiff_log_level.setLevel(logging.INFO)
        assert changes_of_a_completion(case.id, 1) > 0
        spiff_log_level.setLevel(logging.WARNING)
        assert changes_of_a_completion(case.id, 2) == 0
        logging.disable(logging.INFO)  # the logging module's own switch, as isEnabledFor reads it
        try:
            spiff_log_level.setLevel(logging.INFO)
            assert changes_of_a_completion(case.id, 3) == 0
        finally:
            logging.disable(logging.NOTSET)
    finally:
        e.dispose()
