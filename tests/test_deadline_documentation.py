"""Every deadline of our processes names its law in the model (developers' guide, "Lawful").

A user task with a due date (``dueDate``) shows the person working it why that day: the task page
reads the element's documentation (webui/diagram.py) and puts it under 办理依据. A deadline whose task
carried no documentation showed a date with no law beside it (现场复查, 提交整改方案, 缴纳罚款...).
The law is named as the statute or rule (《…》, 总局令/部令/国务院令 by number, or a State Council document
such as 国发〔2019〕5号); a period the bureau
sets itself says so (本地规定 / 本局设定) next to the rule it serves.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

BPMN = Path(__file__).resolve().parent.parent / "bpmn"
B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
LAW = re.compile(r"《[^》]+》|(?:总局|部|国务院)?令第\d+号|[\u4e00-\u9fa5]+〔\d{4}〕\d+号")


def _deadline_tasks():
    for path in sorted(BPMN.glob("*.bpmn")):
        for task in etree.parse(str(path)).getroot().iter(f"{B}userTask"):
            if any(p.get("name") == "dueDate" for p in task.iter() if p.get("value")):
                yield pytest.param(path, task, id=f"{path.stem}-{task.get('id')}")


@pytest.mark.parametrize("path, task", list(_deadline_tasks()))
def test_a_user_task_with_a_deadline_names_its_law_in_its_documentation(path, task):
    doc = task.find(f"{B}documentation")
    text = (doc.text or "") if doc is not None else ""
    assert LAW.search(text), f"{path.name} {task.get('id')}「{task.get('name')}」: 期限没有写明法律依据"


def test_the_deadline_tasks_of_all_our_processes_are_checked():
    """The walk above finds the deadlines (a parser change must not leave it checking nothing)."""
    found = {(p.stem, t.get("id")) for p, t in (param.values for param in _deadline_tasks())}
    assert {("hazard_supervision", "onsite_review"), ("enforcement_case", "pay_fine"),
            ("accident_investigation", "approve_report"), ("dishonesty_list", "publish")} <= found
    assert len(found) >= 30
