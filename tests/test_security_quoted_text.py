"""A refusal quotes the model's text it refuses cut to 80 characters and …, and a text that breaks
Python's own parser or number reader is a Chinese refusal, never a bare MemoryError or ValueError
(security round three).

Before, a condition of 100,000 brackets written in JUEL or FEEL (Camunda Modeler writes what it is
given) came back whole inside the refusal — 200 KB in every deploy's answer, on the designer's page,
in the REST API's JSON; a script task's FEEL or a decision table's cell likewise. A FEEL list nested
1,000 deep made deploy raise MemoryError (CPython's parser, in the translation's compile) and a timer
duration of 100,000 digits (PT111…1H) Python's ValueError (more digits than it converts).
Models as Camunda Modeler 5 saves them; a real SQLite file and a real PostgreSQL database, and the
REST API once.
"""
from __future__ import annotations

import io

import pytest

from engine import InvalidModel
from engine.errors import NotFound
from engine.excerpt import excerpt
from tests.support import make_engine
from tests.test_security_nesting import TIMER, _model
from tests.ui_support import make_world
from webui.api import create_token

N = 100_000
CONDITIONS = {
    "juel_brackets": "${" + "(" * N + "note" + ")" * N + " == ''}",
    "juel_method_chain": "${execution.getVariable('note')" + " && note" * 20_000 + "}",
    "juel_long_text": "${note == '" + "甲" * N + "' and check(note)}",
    "feel_brackets": "=" + "(" * N + "note" + ")" * N + ' = ""',
    "feel_lists_1000": "=some x in " + "[1," * 1_000 + "] satisfies x > 1",
    "feel_lists_20000": "=some x in " + "[1," * 20_000 + "] satisfies x > 1",
}


@pytest.mark.parametrize("shape", sorted(CONDITIONS))
def test_a_refused_condition_is_quoted_cut_and_names_the_flow(database_url, shape):
    engine = make_engine(database_url)
    try:
        with pytest.raises(InvalidModel) as refused:
            engine.deploy(_model(CONDITIONS[shape]), by="boss", filename="long.bpmn")
        message = str(refused.value)
        assert len(message) < 1_000, (len(message), message[:300])
        assert "连线「空」(f4) 的条件使用" in message and "…」" in message, message[:300]
        assert all(w not in message for w in ("MemoryError", "Recursion", "nested", "Traceback")), message[:300]
        assert all(len(p["message"]) < 1_000 for p in refused.value.problems)
        with pytest.raises(NotFound):  # nothing deployed
            engine.models.latest("deep_condition")
    finally:
        engine.dispose()


@pytest.mark.parametrize("duration", ["PT" + "1" * N + "H", "P" + "9" * 5_000 + "D"], ids=["hours", "days"])
def test_a_timer_duration_with_too_many_digits_is_refused_in_chinese(database_url, duration):
    """整改期限 typed with a stuck key (《安全生产法》第六十五条: the 整改期限 a timer waits for)."""
    engine = make_engine(database_url)
    try:
        with pytest.raises(InvalidModel) as refused:
            engine.deploy(TIMER.replace("EXPR", duration).encode(), by="boss", filename="long_timer.bpmn")
        message = str(refused.value)
        assert "「整改期限」" in message and "中的数字过大" in message and len(message) < 1_000, message[:300]
        assert "ValueError" not in message and "digits" not in message
    finally:
        engine.dispose()


def test_excerpt_keeps_short_text_and_cuts_long_text():
    assert excerpt("${amount > 10000}") == "${amount > 10000}"
    assert excerpt("甲" * 80) == "甲" * 80 and excerpt("甲" * 81) == "甲" * 80 + "…"
    assert excerpt(12345, limit=3) == "123…"


def test_the_rest_api_answers_a_huge_expression_with_a_short_refusal(tmp_path):
    world = make_world(tmp_path)
    try:
        client = world.app.test_client()
        world.engine.directory.add_user("des", org="city", roles=["designer"], name="设计员")
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {create_token(world.engine, 'des', name='测试')}"
        body = _model(CONDITIONS["juel_brackets"])
        r = client.post("/api/models", data={"file": (io.BytesIO(body), "long.bpmn")},
                        content_type="multipart/form-data")
        assert r.status_code in (400, 422), r.status_code  # refused for what it says, not for its size
        assert len(r.get_data()) < 4_000, len(r.get_data())
    finally:
        world.engine.dispose()


def test_an_elements_name_of_100000_characters_is_said_cut(database_url):
    """A flow named with 100,000 characters (a paste gone wrong in the modeler's name box) whose
    condition is refused: the refusal names it by its first 80 characters and its id."""
    engine = make_engine(database_url)
    try:
        model = _model("${a.b(x)}").decode().replace('name="空"', 'name="' + "甲" * N + '"')
        with pytest.raises(InvalidModel) as refused:
            engine.deploy(model.encode(), by="boss", filename="long_name.bpmn")
        message = str(refused.value)
        assert len(message) < 1_000 and "连线「" + "甲" * 80 + "…」(f4)" in message, message[:300]
    finally:
        engine.dispose()
