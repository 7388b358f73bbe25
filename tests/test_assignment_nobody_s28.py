"""An assignee that names nobody is said, not given to the case's starter; candidates dropped are said
in the case's history (engine/assignment.py ``CandidatesNotFound``, ``dropped_note``). SQLite and PostgreSQL.

Probe 6's Flowable model writes ``flowable:assignee="${brigade}_clerk"``: with no 大队 given it is
「_clerk」 (JUEL's null as "", JSR 245 §1.18.2), no account, and the task went to whoever started
the case without a word. Camunda 7 and Flowable store an assignee as the text, unchecked (the task
sits in nobody's list). Now an assignee is an account or a 姓名, as candidates are (46d3057); a value
that is nobody leaves the task to its role's queue or candidates — said on the case page — and on a
task nothing else queues is an incident naming the task and the value, which an administrator
resolves by correcting the data and retrying. An empty assignee (no one named) is the starter's
task as documented (docs/engine.md, Model properties); ``${initiator}`` is still the starter."""
from __future__ import annotations

import re

import pytest

from engine import IncidentRaised
from tests.support import make_engine
from tests.ui_support import client_login, make_world

_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:flowable="http://flowable.org/bpmn"
  id="Definitions_{key}" targetNamespace="http://www.flowable.org/processdef">
  <process id="{key}" name="隐患登记分派" isExecutable="true">
    <startEvent id="start" flowable:initiator="initiator" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="assign" />
    <userTask id="assign" name="指定承办人员" flowable:assignee="${{initiator}}" />
    <sequenceFlow id="f2" sourceRef="assign" targetRef="register" />
    <userTask id="register" name="登记隐患"{attrs} />
    <sequenceFlow id="f3" sourceRef="register" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>
"""

_MODELS = {
    "clerk_of_brigade": ' flowable:assignee="${brigade}_clerk"',
    "clerk_or_group": ' flowable:assignee="${brigade}_clerk" flowable:candidateGroups="supervisor"',
    "handler_named": ' flowable:assignee="${handler}"',
    "reviewers_named": ' flowable:candidateUsers="${reviewers}"',
    "handler_or_reviewers": ' flowable:assignee="${handler}" flowable:candidateUsers="${reviewers}"',
}
_USERS = ("zhang", "li", "wang", "boss", "eastboss", "dc_clerk")


def _deploy(eng) -> None:
    for key, attrs in _MODELS.items():
        eng.deploy(_MODEL.format(key=key, attrs=attrs).encode(), by="boss", filename=f"{key}.bpmn")


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    eng.directory.add_user("dc_clerk", org="east", roles=["inspector"], name="周文书")
    _deploy(eng)
    yield eng
    eng.dispose()


def _to_register(engine, key: str, data: dict):
    """Start ``key`` (zhang starts it and does 指定承办人员 himself) and hand in ``data`` there."""
    case = engine.start(key, by="zhang", org="east", data={})
    (assign,) = engine.case(case.id).tasks
    assert assign.assignee == "zhang"  # ${initiator}: the starter, as before
    engine.complete(assign.id, "zhang", data)
    return case


def _register(engine, case_id: int):
    (task,) = [t for t in engine.case(case_id).tasks if t.name == "登记隐患"]
    return task


def _who_may(engine, case_id: int) -> list[str]:
    task = _register(engine, case_id)
    return sorted(u for u in _USERS if task.id in [t.id for t in engine.queue(u, limit=500)])


def _said(engine, case_id: int) -> list[str]:
    return [h["detail"]["message"] for h in engine.case(case_id).history
            if h["action"] == "task_opened" and "message" in h["detail"]]


def test_an_assignee_of_a_null_brigade_is_the_starters_task_and_the_history_says_why(engine):
    """Probe 6: ``${brigade}_clerk`` with no 大队 is 「_clerk」. With no role, group or candidate to queue
    it for, the task is the starter's as documented (docs/engine.md) and as security reviews 6 and 7
    pin for an official who may not be named — no longer without a word: the 办理记录 says whom the
    model named. (48bcfe1 made it an incident; the full run showed that stopped every public model
    naming its vendor's demo user, camunda:assignee="demo", at its first task.)"""
    case = _to_register(engine, "clerk_of_brigade", {"brigade": None})
    assert _register(engine, case.id).assignee == "zhang"
    assert _said(engine, case.id) == ["办理人「_clerk」在本系统中找不到对应的人员，已交给发起人办理"]
    assert engine.incidents(case_id=case.id) == []


def test_an_assignee_typed_as_a_name_is_that_person(engine):
    case = _to_register(engine, "handler_named", {"handler": "周文书"})
    assert _register(engine, case.id).assignee == "dc_clerk"
    assert _said(engine, case.id) == []


@pytest.mark.parametrize("handler", ["东城文书", "王五", "wang"])  # nobody; 西城区's official, by name and account
def test_an_assignee_naming_nobody_the_case_may_name_is_the_starters_and_said(engine, handler):
    case = _to_register(engine, "handler_named", {"handler": handler})
    assert _register(engine, case.id).assignee == "zhang"
    assert _said(engine, case.id) == [f"办理人「{handler}」在本系统中找不到对应的人员，已交给发起人办理"]


def test_an_empty_assignee_is_still_the_starters_task_as_documented(engine):
    """docs/engine.md: no one named (an empty value), no role to queue it for: the one who opened the case."""
    case = _to_register(engine, "handler_named", {"handler": ""})
    assert _register(engine, case.id).assignee == "zhang"
    assert _said(engine, case.id) == []


def test_with_candidate_groups_the_groups_queue_takes_it_and_the_history_says_why(engine):
    case = _to_register(engine, "clerk_or_group", {"brigade": None})
    task = _register(engine, case.id)
    assert task.assignee is None
    assert _who_may(engine, case.id) == ["boss", "eastboss"]
    assert _said(engine, case.id) == ["办理人「_clerk」在本系统中找不到对应的人员，改由可办理本任务的人员认领"]


def test_candidates_not_found_are_dropped_and_said_in_the_history(engine):
    """李四 and 钱科 are found; 王五 (西城区) and 东城文书 (nobody) are dropped: before, without a word."""
    case = _to_register(engine, "reviewers_named", {"reviewers": "李四、王五、钱科、东城文书"})
    assert _who_may(engine, case.id) == ["eastboss", "li"]
    assert _said(engine, case.id) == ["候选人「王五」、「东城文书」在本系统中找不到对应的人员，已从候选人中略去"]


def test_an_assignee_nobody_is_with_candidates_found_goes_to_the_candidates(engine):
    case = _to_register(engine, "handler_or_reviewers", {"handler": "东城文书", "reviewers": "李四"})
    assert _register(engine, case.id).assignee is None
    assert _who_may(engine, case.id) == ["li"]
    assert _said(engine, case.id) == ["办理人「东城文书」在本系统中找不到对应的人员，改由可办理本任务的人员认领"]


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    _deploy(w.engine)
    yield w
    w.engine.dispose()


def test_the_case_page_history_names_the_candidates_dropped(world):
    eng = world.engine
    case = eng.start("reviewers_named", by="qian", org="east", data={})
    (assign,) = eng.case(case.id).tasks
    eng.complete(assign.id, "qian", {"reviewers": "李四，王五"})
    page = client_login(world.app, "qian").get(f"/cases/{case.id}").get_data(as_text=True)
    timeline = page.split('id="timeline"')[1].split("</ol>")[0]
    entries = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", i)).strip()
               for i in re.findall(r'<li class="ev-task_opened">(.*?)</li>', timeline, re.S)]
    assert any("生成待办" in e and "登记隐患" in e and "候选人「王五」在本系统中找不到对应的人员，已从候选人中略去" in e
               for e in entries), entries


@pytest.mark.parametrize("typed", ["周　文书", " 周 文书 ", "周文书\u200b"])
def test_a_name_typed_with_blanks_or_unseen_characters_is_read_as_forms_read_it(engine, typed):
    """An official lines up a name with a full-width blank or pastes one with a zero-width space: the
    forms read 周文书 (engine/typed_input.person_name, hinput2); the 姓名 lookup now reads it the same
    way. Before: 「周　文书」 matched nobody and the step was an incident."""
    case = _to_register(engine, "handler_named", {"handler": typed})
    assert _register(engine, case.id).assignee == "dc_clerk"
    case = _to_register(engine, "reviewers_named", {"reviewers": f"李四、{typed}"})
    assert _who_may(engine, case.id) == ["dc_clerk", "li"]
