"""A task that does not exist, and one that does, looked up by each use case (engine/tasks.py), on a real database.

A stale link, a task id typed or pasted wrong, a page left open while the case moved on: each use case
that takes a task id says in Chinese which task it could not find, and the check that a person may
work a task answers for the task asked about.
"""
from __future__ import annotations

import uuid

import pytest

from engine import NotFound
from tests.support import deploy, make_engine


def test_each_use_case_names_a_task_that_does_not_exist_and_may_work_answers_for_the_task_asked(database_url):
    """Guard (``tasks.complete``, ``task``, ``claim`` through ``_lock_task``, ``may_work``: the
    ``row is None`` checks and their messages): completing, reading or claiming an id no task has is
    refused with 「任务不存在: <id>」; ``may_work`` is False for it, True for a real open task the
    inspector may work and False for it to a user of another unit (mutation testing: the messages
    dropped, or the checks inverted, went unnoticed)."""
    e = make_engine(database_url)
    deploy(e, "failing_script.bpmn")
    e.start("fine_calc", by="zhang", org="east")
    (enter,) = e.queue("zhang")
    missing = str(uuid.uuid4())
    for use in (lambda: e.complete(missing, "zhang", {"total": 3000, "days": 30}), lambda: e.task(missing),
                lambda: e.claim(missing, "zhang")):
        with pytest.raises(NotFound) as refused:
            use()
        assert str(refused.value) == f"任务不存在: {missing}"
    assert e.task(enter.id).name == "录入罚款"
    assert (e.may_work(enter.id, "zhang"), e.may_work(missing, "zhang")) == (True, False)
    e.directory.add_user("wu", org="west", roles=["inspector"])
    assert e.may_work(enter.id, "wu") is False
    e.dispose()
