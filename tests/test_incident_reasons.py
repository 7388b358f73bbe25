"""An incident says the reason a host function gave, not the names of the errors that carried it.

A script calling ``workdays_after`` (工作日计算) with a count typed in full-width digits 「１０」 is
refused by the function in Chinese; SpiffWorkflow and our script runner wrap that refusal in
``ModelCodeError:HostFunctionError: TypeError: …``. The incident page and the API's refusal
(webui/labels.incident_explanation) show the function's own sentence and the script's line — before,
the English wrapper matched the generic 「计算时数据类型不符」 explanation and the precise reason was lost.
Real engine, real SQLite file, real model (tests/bpmn/workday_deadline.bpmn).
"""
from __future__ import annotations

import re

import pytest

from engine.errors import IncidentRaised
from tests.support import deploy, make_engine
from webui.labels import incident_explanation, incident_refusal


def test_a_host_functions_chinese_refusal_reaches_the_incident_page(tmp_path):
    e = make_engine(f"sqlite:///{tmp_path}/duban.sqlite")
    deploy(e, "workday_deadline.bpmn")
    case = e.start("workday_deadline", by="zhang", org="east")
    (task,) = e.queue("zhang")
    with pytest.raises(IncidentRaised) as raised:
        e.complete(task.id, "zhang", {"整改天数": "１０"})
    (incident,) = e.incidents(case_id=case.id)
    shown = incident_explanation(incident.message)
    assert shown == "环节“计算整改期限”出错：工作日天数须为整数（如 10），而不是「１０」（脚本第 1 行）"
    assert incident_refusal(raised.value).endswith(shown)
    assert not re.search(r"[A-Za-z]{3,}", shown)
    e.dispose()


def test_a_wrapped_python_error_keeps_its_explanation():
    """Only a Chinese innermost message is shown as it is; a Python error under the same wrappers is
    still explained by its pattern (no English reaches the page)."""
    text = incident_explanation("ModelCodeError:TypeError: unsupported operand type(s) for +: 'int' and 'str' (第 2 行).",
                                "计算罚款")
    assert text == "环节“计算罚款”出错：计算时数据类型不符（如文字与数字相加），请检查提交的数值"
