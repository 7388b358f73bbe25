"""A model declares its 案号 prefix (``caseNumberPrefix`` on its process, engine/case_numbers.py), so two
processes whose keys have the same initials are told apart by 案号: hazard_statistics_report
(隐患排查治理情况统计分析表报送) and hazard_self_report (隐患自查自报) were both HSR-… (issue 15).

Validated at deploy (2–6 letters or digits, a letter first; unique among the deployed processes, or
refused naming both, in Chinese), read from the deployed model when the counter is asked, never
from a running case; cases keep the numbers they were given. SQLite and PostgreSQL, models from
tests/bpmn and bpmn/."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from engine import Engine, InvalidModel, ManualClock
from engine import validation
from engine.schema import AuditEvent, Counter
from tests.support import BPMN, START, deploy, make_engine

OURS = Path(__file__).resolve().parent.parent / "bpmn"
APPROVAL = (BPMN / "approval.bpmn").read_text(encoding="utf-8")
WTW_NAME = "等待后办理"  # tests/bpmn/timers_misc.bpmn's wait_then_work


def _model(prefix: str | None, key: str = "approval", name: str = "登记审批") -> str:
    """tests/bpmn/approval.bpmn as process ``key`` named ``name``, declaring ``prefix`` (None: none)."""
    text = APPROVAL.replace('<bpmn:process id="approval" name="登记审批"', f'<bpmn:process id="{key}" name="{name}"')
    text = text.replace('id="approval_lanes"', f'id="{key}_lanes"')
    if prefix is not None:
        text = text.replace('isExecutable="true">', 'isExecutable="true">\n    <bpmn:extensionElements><spiffworkflow:properties>'
                            f'<spiffworkflow:property name="caseNumberPrefix" value="{prefix}" />'
                            '</spiffworkflow:properties></bpmn:extensionElements>', 1)
    return text


@pytest.fixture
def engine(database_url):
    e = make_engine(database_url, clock=ManualClock(START))
    yield e
    e.dispose()


def _counters(e: Engine) -> dict[str, int]:
    with e.db.engine.connect() as conn:
        return dict(conn.execute(sa.select(Counter.name, Counter.value)).all())


def test_a_declared_case_number_prefix_numbers_the_cases_and_typed_full_width_or_lower_case_reads_the_same(engine):
    engine.deploy(_model("ｄｊｓｐ"), by="boss", filename="approval.bpmn")  # typed full-width, lower-case
    deploy(engine, "timers_misc.bpmn")
    assert engine.start("approval", by="zhang", org="east").case_no == "DJSP-2026-00001"
    assert engine.start("approval", by="li", org="east").case_no == "DJSP-2026-00002"
    assert engine.start("wait_then_work", by="zhang", org="east").case_no == "WTW-2026-00001"  # declares none
    with engine.db.engine.connect() as conn:
        chains = set(conn.execute(sa.select(AuditEvent.chain).where(AuditEvent.action == "case_anchored")).scalars())
    assert chains == {"case_no:DJSP:2026", "case_no:WTW:2026"}
    assert engine.verify_audit() is None


@pytest.mark.parametrize("typed", ["H", "HSSTATS", "1HS", "HS-1", "隐患"])
def test_a_case_number_prefix_not_2_to_6_letters_or_digits_is_refused_at_deploy_naming_the_field(engine, typed):
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(_model(typed), by="boss", filename="approval.bpmn")
    said = str(refused.value)
    assert "案号前缀" in said and "2～6 位英文字母或数字" in said and f"「{typed}」" in said and "登记审批" in said
    assert engine.models.versions("approval") == []  # nothing deployed


def test_a_declared_prefix_another_process_gives_its_cases_is_refused_naming_both_processes(engine):
    """Against another process's initials (wait_then_work: WTW) and another's declared prefix; a
    redeploy of the same process keeps its own prefix; two processes whose initials alone agree
    deploy as before."""
    deploy(engine, "timers_misc.bpmn")  # WTW
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(_model("wtw", key="annual_review", name="年度复核"), by="boss", filename="annual.bpmn")
    said = str(refused.value)
    assert "「年度复核」" in said and f"「{WTW_NAME}」" in said and "案号前缀「WTW」" in said and "无法区分" in said
    engine.deploy(_model("NDFH", key="annual_review", name="年度复核"), by="boss", filename="annual.bpmn")
    with pytest.raises(InvalidModel) as refused:  # declared against declared
        engine.deploy(_model("NDFH", key="year_check", name="年度检查"), by="boss", filename="year.bpmn")
    assert "「年度检查」" in str(refused.value) and "「年度复核」" in str(refused.value)
    with pytest.raises(InvalidModel):  # initials against a declared prefix: the newcomer is told to declare one
        engine.deploy(_model(None, key="n_d_f_h", name="另一流程"), by="boss", filename="ndfh.bpmn")
    engine.deploy(_model("NDFH", key="annual_review", name="年度复核（第二版）"), by="boss", filename="annual.bpmn")
    engine.deploy(_model(None, key="a_b", name="甲乙"), by="boss", filename="ab.bpmn")
    engine.deploy(_model(None, key="alpha_beta", name="阿尔法"), by="boss", filename="alpha.bpmn")  # AB and AB, as before
    assert engine.start("annual_review", by="zhang", org="east").case_no == "NDFH-2026-00001"


def test_cases_keep_their_numbers_when_a_new_version_declares_a_prefix_and_another_server_process_sees_it(database_url):
    """Server process 1 deploys; server process 2, which numbered 登记审批 A before, numbers by the
    deployed model at once (its guess A moved back: A's next is 00002, not 00003); the first case
    keeps A-2026-00001; both anchor chains verify."""
    one = make_engine(database_url, clock=ManualClock(START))
    deploy(one, "approval.bpmn")
    two = Engine(database_url, clock=ManualClock(START))
    first = two.start("approval", by="zhang", org="east")
    assert first.case_no == "A-2026-00001"
    one.deploy(_model("DJSP"), by="boss", filename="approval.bpmn")
    assert two.start("approval", by="zhang", org="east").case_no == "DJSP-2026-00001"
    assert two.start("approval", by="zhang", org="east").case_no == "DJSP-2026-00002"
    assert _counters(two)["case_no:A:2026"] == 1
    one.deploy(_model(None), by="boss", filename="approval.bpmn")  # and back
    assert two.start("approval", by="li", org="east").case_no == "A-2026-00002"
    assert two.case(first.id).case_no == "A-2026-00001"
    assert one.verify_audit() is None
    one.dispose()
    two.dispose()


def test_our_processes_each_number_their_cases_by_a_prefix_of_their_own():
    """Every process in bpmn/: no two share a prefix; 隐患排查治理情况统计分析表报送 is HSS, 隐患自查自报 HSR."""
    prefixes: dict[str, str] = {}
    for path in sorted(OURS.glob("*.bpmn")):
        pf = validation.read_file(path.read_bytes(), path.name)
        for key, declared in validation.case_prefixes(pf).items():
            prefix = declared or "".join(w[0] for w in key.split("_") if w).upper()[:4]
            assert prefix not in prefixes, (key, prefixes[prefix], prefix)
            prefixes[prefix] = key
    assert prefixes["HSS"] == "hazard_statistics_report" and prefixes["HSR"] == "hazard_self_report"
