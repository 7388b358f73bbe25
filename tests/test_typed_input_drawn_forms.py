"""A number field of a form drawn in Camunda Modeler, typed as officials type it (录入规整, issue 15).

Camunda Modeler's 填写采购单 (tests/bpmn/interop/camunda7_purchase.bpmn) routes on
``${amount gt 10000 && !urgent}``: above 10,000 元 to 负责人审批. A form drawn in the model read a
number by dropping every comma, wherever it stood: ``1,5`` was 15 and ``10,00,1`` was 10001 (the
case went to the wrong flow), while ``1万`` and ``1.5万`` — as our own forms read them — were
refused. Now the same reading as our forms (engine/typed_input): a comma only where it groups
thousands, 万 exact, ``1e3`` / ``inf`` refused; refused naming the field, the task left open.
Real engine, SQLite file and PostgreSQL.
"""
from __future__ import annotations

import pytest

from engine.errors import InvalidData
from engine.typed_input import MISGROUPED
from tests.interop_support import CORPUS
from tests.ui_support import make_world, open_task

MODEL = CORPUS / "camunda7_purchase.bpmn"


@pytest.fixture
def world(database_url, tmp_path):
    w = make_world(tmp_path, url=None if database_url.startswith("sqlite") else database_url)
    w.engine.deploy(MODEL, by="zhao")
    yield w
    w.engine.dispose()


def _requested(world):
    case = world.engine.start("camunda7_purchase", by="zhang", org="east", title="甲公司采购")
    return case, open_task(world.engine, case.id, "Activity_request")


@pytest.mark.parametrize("typed, amount, approval", [
    ("1万", 10000, False), ("10,000", 10000, False), ("10,001", 10001, True), ("1.5万", 15000, True),
    ("５,０００,０００", 5000000, True), ("9 999", 9999, False),
])
def test_the_amount_is_read_as_meant_and_routes_at_the_boundary(world, typed, amount, approval):
    case, task = _requested(world)
    world.engine.complete(task.id, "zhang", {"amount": typed, "urgent": "否"})
    assert world.engine.case(case.id).data["amount"] == amount
    open_now = {t.spec_id for t in world.engine.case(case.id).tasks}
    assert ("Activity_approve" in open_now) is approval, open_now


@pytest.mark.parametrize("typed, said", [("1,5", MISGROUPED), ("10,00,1", MISGROUPED), ("1.000.000", MISGROUPED),
                                         ("1e3", "须为整数"), ("inf", "须为整数")])
def test_an_amount_that_could_be_misread_is_refused_naming_the_field(world, typed, said):
    """1.5 or 15? Said as our own forms say it (workflows/forms/fields.MISGROUPED), after the label."""
    case, task = _requested(world)
    with pytest.raises(InvalidData) as refused:
        world.engine.complete(task.id, "zhang", {"amount": typed, "urgent": "否"})
    assert refused.value.errors == {"amount": "「采购金额（元）」" + said}
    assert world.engine.task(task.id).state == "open" and "amount" not in world.engine.case(case.id).data
