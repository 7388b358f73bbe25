"""What a person is told when the engine refuses a task to them: Chinese words naming the role or
the unit by name, never a username, a role or unit code, or ``None`` (found by hprobe3: 「用户 zhang
没有该任务所需的角色 (None)」, 「任务属于其他组织机构 (east)」). SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from engine import Forbidden
from tests.support import deploy, engine_fixture

engine = engine_fixture()


def _register_task(engine):
    deploy(engine, "approval.bpmn")
    engine.start("approval", by="zhang", org="east", data={"hazard": "配电箱无防护"})
    (task,) = engine.queue("zhang")
    return task


def test_a_user_without_the_tasks_role_is_told_the_role_by_its_name(engine):
    task = _register_task(engine)
    with pytest.raises(Forbidden) as refused:
        engine.complete(task.id, "eastboss", {})
    words = str(refused.value)
    assert "执法人员" in words, words
    for leak in ("eastboss", "inspector", "None", "(", "用户 "):
        assert leak not in words, words


def test_a_user_of_another_unit_is_told_the_unit_by_its_name(engine):
    task = _register_task(engine)
    with pytest.raises(Forbidden) as refused:
        engine.complete(task.id, "wang", {})
    words = str(refused.value)
    assert "东城区" in words, words
    for leak in ("east", "wang", "("):
        assert leak not in words, words
