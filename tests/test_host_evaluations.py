"""Which model code of a case runs in the host and which in the isolated worker (engine/evaluator.py).

A worker's round trip costs the host little CPU but a pipe round trip in wall time (~0.2–3 ms on a
loaded machine), so a model whose one completion sent its parameter mappings or a ``print`` to the
worker ran at a fraction of the rate its CPU time gave. The parameter mappings engine/dialects.py
writes for ``camunda:inputOutput`` and ``zeebe:ioMapping`` (``try: ... except Exception: ...``,
``if not ...: del ...``, ``duban_shadowed_by_inputs['x'] = x``) and a script that prints its result
are plain scripts now (restricted.plain_script), and an expression plain but for ``*`` (a call
activity's ``${fine * 2}``) is evaluated in the host with ``*`` guarded (restricted.guarded_expression): each case below is walked through the public API with
no evaluation in a worker, and ends with the same data and the same printed text as when every
script goes to the worker (``plain_scripts`` off). Counts, not times.
"""
from __future__ import annotations

import pytest

from tests.support import deploy, make_engine, open_task_id

# model, its process, start data, [(user, form data) per task completed]
WALKS = [
    ("interop/flowable_review.bpmn", "flowable_review", {}, [("li", {"passed": True})]),
    ("interop/camunda7_io_shadowing.bpmn", "camunda7_io_shadowing",
     {"deadline_days": 10, "reviewer_note": "原意见", "amount": 300, "level": "一般"},
     [("zhang", {"review_result": "已按期整改"})]),
    ("interop/camunda7_io_shadowing.bpmn", "camunda7_io_shadowing",  # the shadowed variables absent
     {"deadline_days": 10, "amount": 300}, [("zhang", {})]),
    ("interop/zeebe_io_shadowing.bpmn", "zeebe_io_shadowing", {"deadline_days": 10}, [("eastboss", {})]),
    ("interop/zeebe_mapped_child.bpmn", "zeebe_mapped_child", {"deadline_days": 30, "notice": "整改通知"},
     [("zhang", {})]),
    ("interop/zeebe_mapped_child.bpmn", "zeebe_mapped_child", {"deadline_days": 30, "days_left": 2,
                                                                "notice": "整改通知"}, [("zhang", {})]),
    # two output parameters: ``checklist, unitRecord = (checkItems, inspectedUnit)`` (restricted._parallel_assignment)
    ("interop/camunda7_list_map_parameters.bpmn", "camunda7_list_map_parameters",
     {"extraItem": "有限空间作业", "unitName": "甲化工有限公司"}, [("zhang", {})]),
    # a call activity's input ``${fine * 2}`` / ``=days * 2``: plain but for ``*`` (guarded_expression)
    (("interop/camunda7_mapped_child.bpmn", "interop/camunda7_mapped_parent.bpmn"), "camunda7_mapped_parent", {},
     [("eastboss", {"fine": 5000}), ("zhang", {}), ("eastboss", {})]),
    (("interop/zeebe_mapped_child.bpmn", "interop/zeebe_mapped_parent.bpmn"), "zeebe_mapped_parent",
     {"days": 10, "notice_no": "N-1"}, [("eastboss", {}), ("zhang", {}), ("eastboss", {})]),
]


def walk(engine, process: str, start: dict, steps: list) -> tuple[dict, list[str], dict]:
    env = engine.script_engine.environment
    before = dict(env.evaluations)
    case_id = engine.start(process, by="li", org="east", data=dict(start)).id
    for user, data in steps:
        engine.complete(open_task_id(engine, case_id), user, dict(data))
    view = engine.case(case_id)
    assert view.status == "completed", view.status
    printed = [h["detail"]["text"] for h in view.history if h["action"] == "script_output"]
    data = {k: v for k, v in view.data.items() if k != "case_no"}  # the case's own number differs
    return data, printed, {k: env.evaluations[k] - before[k] for k in before}


@pytest.mark.parametrize("model, process, start, steps", WALKS)
def test_parameter_mappings_and_print_run_in_the_host_as_in_the_worker(database_url, model, process, start, steps):
    engine = make_engine(database_url)
    try:
        deploy(engine, *([model] if isinstance(model, str) else model))
        env = engine.script_engine.environment
        data, printed, counted = walk(engine, process, start, steps)
        assert counted["worker"] == 0, counted
        assert counted["host_script"] + counted["host"] >= 1, counted
        env.plain_scripts = False  # every script to the worker: the same case
        try:
            worker_data, worker_printed, worker_counted = walk(engine, process, start, steps)
        finally:
            env.plain_scripts = True
        if process.endswith("_parent"):
            assert data["district_verdict" if process.startswith("camunda7") else "result"] == {
                "camunda7_mapped_parent": "YH-2026-0042 已核查，罚款上限 10000", "zeebe_mapped_parent": "N-1：整改完毕"}[process]
        else:
            assert worker_counted["worker"] == counted["host_script"]
        assert data == worker_data
        assert printed == worker_printed
        if process == "flowable_review":
            assert printed == ["复查合格 合格"]
        if process == "camunda7_io_shadowing":  # the inputs were the task's own; the case keeps its values
            assert data["deadline_days"] == 10 and data["review_deadline"] == 25 and data["fine"] == 600
            assert ("reviewer_note" in data) == ("reviewer_note" in start) and "duban_shadowed_by_inputs" not in data
    finally:
        engine.dispose()
