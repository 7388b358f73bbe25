"""An enterprise user reports about its own enterprise only: a 统一社会信用代码 it fills in a form
(workflows/forms/fields.credit_code, checked in workflows/forms/people.py at the completion every
path passes) must be its own enterprise's, on a real SQLite file and real PostgreSQL, through the
engine and the REST API; officials still name any enterprise.

The form is 自查上报隐患 of 隐患自查自报 (bpmn/hazard_self_report.bpmn; 《安全生产事故隐患排查治理
暂行规定》第十四条: the enterprise registers and reports the hazards it finds). Before, 甲化工's
safety officer could report a 重大隐患 under 乙机械's code: it went into the case data the regulator's
records and the 挂牌督办 case it spawns read.
"""
from __future__ import annotations

import datetime as dt

import pytest

from engine import InvalidData
from tests.ui_support import ACME, PASSWORD, make_world, open_task
from workflows.forms.samples import sample

OTHER = "91110101MA0000002B"  # 乙机械's code (a valid one), not acme's


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("party"), url=module_database_url)
    yield w
    w.engine.dispose()


def _report(w, title: str):
    case = w.engine.start("hazard_self_report", by="acme", party=ACME, title=title)
    data = sample("self_report.report", dt.date(2026, 11, 23))
    return case, open_task(w.engine, case.id, "report"), data


def test_an_enterprise_cannot_report_a_hazard_under_another_enterprises_code_art14(world):
    engine = world.engine
    case, task, data = _report(world, "自报：冒用他企代码")
    with pytest.raises(InvalidData) as exc:
        engine.complete(task.id, "acme", {**data, "credit_code": OTHER.lower()})   # as typed, lower case
    assert exc.value.errors == {"credit_code": f"“统一社会信用代码”应为本企业的统一社会信用代码（{ACME}），"
                                               "企业用户只能报送本企业的情况"}
    assert [t.id for t in engine.case(case.id).tasks] == [task.id]
    engine.complete(task.id, "acme", {**data, "credit_code": ACME})
    assert engine.case(case.id).data["credit_code"] == ACME


def test_rest_api_refuses_another_enterprises_code_with_422(world):
    engine = world.engine
    case, task, data = _report(world, "自报：接口冒用他企代码")
    client = world.app.test_client()
    token = client.post("/api/tokens", json={"username": "acme", "password": PASSWORD}).get_json()["token"]
    r = client.post(f"/api/tasks/{task.id}/complete", headers={"Authorization": f"Bearer {token}"},
                    json={"data": {**data, "credit_code": OTHER}})
    assert r.status_code == 422, r.get_json()
    assert "企业用户只能报送本企业的情况" in r.get_json()["errors"]["credit_code"]
    assert [t.id for t in engine.case(case.id).tasks] == [task.id]


def test_an_official_still_names_any_enterprise(world):
    """An inspector registering a hazard (登记隐患) names whichever enterprise he found it at."""
    engine = world.engine
    case = engine.start("hazard_supervision", by="zhang", party=OTHER, title="检查发现：乙机械")
    task = open_task(engine, case.id, "register")
    data = {**sample("hazard.register", dt.date(2026, 11, 23)), "credit_code": OTHER}
    engine.complete(task.id, "zhang", data)
    assert engine.case(case.id).data["credit_code"] == OTHER
