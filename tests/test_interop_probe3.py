"""A third batch of public models nobody here had tried (yudao / ruoyi-vue-pro's BPM test models,
the Chinese Flowable 请假/会签 tutorials, camunda-8-examples; bench/interop.py --walk --dir runs such
a folder): what Duban ran down a path the engine they were drawn for would not take, or refused
though that engine runs it. Each is drawn again as its tool saves it, with Chinese names
(tests/bpmn/interop/), and run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from engine.expressions import translate

from tests.interop_support import CORPUS, drive
from tests.support import make_engine

MODELS = ("flowable_empty_opinion.bpmn",)


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    for name in MODELS:
        eng.deploy(CORPUS / name, by="boss")
    yield eng
    eng.dispose()


@pytest.mark.parametrize("opinion, level, worked", [
    ("", "major", "sid-8E5A90C3-archive"),
    (None, "major", "sid-8E5A90C3-archive"),
    ("消防通道堵塞，立即清理", "major", "sid-1F7C22D8-order"),
    ("消防通道堵塞，立即清理", "general", "sid-4A9E63B0-track"),
    ("false", "major", "sid-1F7C22D8-order"),
])
def test_juel_empty_tests_for_no_text_not_for_a_no(engine, opinion, level, worked):
    """``${empty opinion}`` holds for null and the empty text (EL 3.0 §1.10), in Flowable as in
    Camunda 7. It was translated as ``not opinion`` and then read text as a yes/no (JUEL's
    Boolean.valueOf where a Boolean is wanted): an official's 整改意见 「消防通道堵塞…」 read as no,
    so ``empty`` held and the case went to 检查记录归档 — no 整改指令 (《安全生产法》第六十五条第一款
    第三项) was given."""
    out = drive(engine, "flowable_empty_opinion",
                data_by_task={"sid-3C0F7E21-opinion": {"opinion": opinion, "hazardLevel": level}})
    assert out.status == "completed", out
    assert [t.spec_id for t in out.tasks] == ["sid-3C0F7E21-opinion", worked], out


@pytest.mark.parametrize("value, holds", [
    (None, True), ("", True), ([], True), ({}, True),
    ("需整改", False), ("false", False), (0, False), (False, False), (["隐患"], False), ({"a": 1}, False),
])
def test_empty_is_els_empty(value, holds):
    """EL's ``empty``: null, "", an empty list or map — not 0, not false, not the text 'false'."""
    for expression, expected in (("${empty x}", holds), ("${!empty x}", not holds), ("${not empty (x)}", not holds),
                                 ("${empty x && true}", holds)):
        python = translate(expression, condition=True)
        assert bool(eval(python, {}, {"x": value})) is expected, (expression, python)  # noqa: S307 - our own translation
