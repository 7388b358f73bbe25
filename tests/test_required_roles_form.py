"""``require_roles`` (engine/step.py ``check_required_roles``) in a person's own completion, on a real
database: the refusal is a form error beside the field the model names, in Chinese, naming each person
who does not qualify, and the completion is not made (nothing written, the task still open).

The model, tests/bpmn/collective_discussion.bpmn (spiff-arena's ``postScript`` on a user task, as
bpmn/enforcement_case.bpmn uses it): 组织集体讨论 requires every ``committee_members`` entry to be an
执法人员 of the case's own unit.
"""
from __future__ import annotations

import pytest

from engine import ManualClock
from engine.errors import InvalidData
from tests.support import START, deploy, make_engine

MODEL = "collective_discussion"


def test_a_refused_committee_is_a_form_error_beside_the_field_naming_each_person_and_nothing_is_completed(
        database_url):
    """王五 is an 执法人员 of 西城区, 钱科 东城区's 科室负责人: both are named, in the order typed, by
    their names, joined by 、, under ``committee_members`` (the field the page marks); the task stays
    open and a corrected committee goes through (mutation testing: the field the error is attached
    to, the default field, the joiner and the name look-up were pinned by no test)."""
    e = make_engine(database_url, clock=ManualClock(START))
    try:
        deploy(e, f"{MODEL}.bpmn")
        case = e.start(MODEL, by="zhang", org="east")
        (task,) = e.case(case.id).tasks
        with pytest.raises(InvalidData) as refused:
            e.complete(task.id, "zhang", {"committee_members": ["zhang", "wang", "eastboss", "li"]})
        assert refused.value.errors == {"committee_members": "参加集体讨论的须为本单位执法人员：王五、钱科"}
        view = e.case(case.id)
        assert [t.spec_id for t in view.tasks] == ["Activity_0convene"] and not e.incidents()
        e.complete(task.id, "zhang", {"committee_members": ["zhang", "li"]})
        assert [t.spec_id for t in e.case(case.id).tasks] == ["Activity_0decide"]
    finally:
        e.dispose()
