"""Security review of issue 15's seventh session (安全复查七): the last session's landings attacked as
a hostile model designer, a hostile enterprise account, a curious official of another district and
an anonymous HTTP client — each hole on a real SQLite file and a real PostgreSQL database, with real
models.

An official of another district named by case data (案件数据指定的外区人员). An assignee or candidate
computed from case data (``flowable:assignee="${applicant}"``, the countersign's ``${experts}``) is
data a start form, a 12350 message or an import sets. bea2e28 dropped another enterprise's account;
an official of another branch of the org tree (西城区's 王五 on 东城区's case) was still named, and
the task handed him the case to read (``policy._works_on``) and work. Who may act on a case is the
territory's own department (《中华人民共和国安全生产法》第十条第二款: 县级以上地方各级人民政府应急管理部门
对本行政区域内安全生产工作实施综合监督管理; 《中华人民共和国行政处罚法》第二十二条: 行政处罚由违法行为发生地的
行政机关管辖): the case's unit, the units above it and the units below it. Now such a name is dropped
as an unknown one is (the queue, else the starter).
"""
from __future__ import annotations

import pytest

from engine.errors import Forbidden
from tests.support import BPMN, make_engine


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


# --- an official of another district named by case data (案件数据指定的外区人员) ----------------------

def test_an_official_of_another_district_named_by_case_data_is_not_assigned_work_safety_law_art10(engine):
    """整改复查申请 (Flowable 6.8, ``flowable:assignee="${applicant}"``) on 东城区's case naming 西城区's
    王五: he was assigned the task and with it the case to read. Now the task goes where an unknown
    name goes (the starter) and 王五 reads nothing; the city's 赵局 (above) and 东城区's 李四 are still
    named (安全生产法第十条第二款: 本行政区域内)."""
    engine.deploy(BPMN / "interop" / "flowable_assignee_from_data.bpmn", by="boss")
    case = engine.start("flowable_assignee_from_data", by="zhang", org="east", data={"applicant": "wang"})
    assert [t.assignee for t in engine.case(case.id).tasks] == ["zhang"]
    assert engine.queue("wang") == []
    with pytest.raises(Forbidden):
        engine.case(case.id, "wang")
    for name in ("boss", "li"):
        named = engine.start("flowable_assignee_from_data", by="zhang", org="east", data={"applicant": name})
        assert [t.assignee for t in engine.case(named.id).tasks] == [name]
