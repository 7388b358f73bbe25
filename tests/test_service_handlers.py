"""Service task handlers registered by workflows/ (workflows/services.py): a Camunda model's
``camunda:class="...LookupEnterprise"`` reads the case's enterprise from the registry (一企一档);
an enterprise the registry does not know is an incident with the handler's Chinese message."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import ManualClock
from engine.errors import IncidentRaised
from tests.support import START
from workflows.enterprises.credit_code import complete as credit_code
from workflows.enterprises.registry import EnterpriseRegistry
from workflows.runtime import build_engine

MODEL = Path(__file__).resolve().parent / "bpmn" / "interop" / "camunda_lookup.bpmn"
CODE = credit_code("91110101MA0000009")


@pytest.fixture
def engine(database_url):
    eng = build_engine(database_url, clock=ManualClock(START), deploy=False)
    eng.directory.add_org("east", "东城区")
    eng.directory.add_user("zhang", org="east", roles=["inspector"], name="张三")
    EnterpriseRegistry(eng.db.engine, clock=eng.clock.now).add(
        {"credit_code": CODE, "name": "示范市丁化工有限公司", "org_unit": "east", "sector": "危化", "size": "中型",
         "risk_level": "橙"}, by="test")
    eng.deploy(MODEL, by="zhang")
    yield eng
    eng.dispose()


def test_a_camunda_class_reads_the_case_enterprise_from_the_registry(engine):
    case = engine.start("camunda_lookup", by="zhang", org="east", party=CODE)
    data = engine.case(case.id).data
    assert data["enterprise_name"] == "示范市丁化工有限公司" and data["enterprise_risk_level"] == "橙"
    assert [t.spec_id for t in engine.case(case.id).tasks] == ["confirm"]


def test_an_enterprise_the_registry_does_not_know_is_an_incident_naming_the_code(engine):
    unknown = credit_code("91110101MA0000010")
    with pytest.raises(IncidentRaised) as err:
        engine.start("camunda_lookup", by="zhang", org="east", party=unknown)
    assert f"企业库中没有统一社会信用代码为 {unknown} 的企业" in str(err.value)
    assert "服务任务「查询一企一档」(lookup)" in str(err.value)
