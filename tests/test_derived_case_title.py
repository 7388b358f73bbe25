"""A case started from another (关联案件) by a person is named after the case it came from (engine/step.py ``start_in``).

A script's ``start_case`` hands the start its case's title; a person starting a linked case from a case
page (or an incident's retry of such a start) does not, and the start reads the title itself — on a real
database.
"""
from __future__ import annotations

from tests.support import deploy, make_engine


def test_a_linked_case_started_without_a_title_is_named_after_the_case_it_came_from(database_url):
    """Guard (``start_in``: the parent's title read when the caller did not give it): 登记隐患 case
    「东城化工“5·12”事故隐患」 → a 罚款计算 case started from it without a title is
    「东城化工“5·12”事故隐患·罚款计算」 and linked to it; one given a title keeps that title
    (mutation testing: the parent's title not read, or read from no case, went unnoticed — the
    tests' linked starts all came from scripts, which pass the title)."""
    e = make_engine(database_url)
    deploy(e, "approval.bpmn", "failing_script.bpmn")
    parent = e.start("approval", by="zhang", org="east", title="东城化工“5·12”事故隐患")
    linked = e.start("fine_calc", by="zhang", org="east", parent_case_id=parent.id)
    view = e.case(linked.id)
    assert (view.title, view.parent_case_id) == ("东城化工“5·12”事故隐患·罚款计算", parent.id)
    titled = e.start("fine_calc", by="zhang", org="east", parent_case_id=parent.id, title="罚款（第２次）")
    assert e.case(titled.id).title == "罚款（第２次）"
    e.dispose()
