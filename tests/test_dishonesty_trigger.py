"""Listing procedures start by themselves from the cases the rule names — once the bureau has
decided the 行政处罚 (应急管理部令第11号第三条 受到行政处罚; 第四条第二款 谁处罚、谁决定): the penalty
of the enterprise opened from the 批复 of a 重大 accident, or of a second 较大 accident within 12
months, and a penalty on a listed ground — once per trigger."""
from __future__ import annotations

import datetime as dt

import pytest

from engine.scripting import StepRequests
from workflows.demo import CHEMICAL, MACHINERY
from workflows.enterprises.dishonesty import DishonestyHook, install, penalty_ground, within_window
from workflows.forms.dishonesty import ACCIDENT_GROUNDS, PENALTY_GROUNDS

from tests.test_dishonesty_process import at_shanghai, do, w  # noqa: F401  (w is the fixture)

PROCESS = "dishonesty_list"


def listings(w, party=CHEMICAL):
    return [c for c in w.engine.cases(process_key=PROCESS) if c.party == party]


def accident_at_approval(w, party=CHEMICAL, **receive) -> int:
    """An accident case walked to the step before 批复."""
    c = w.desk.start("accident_investigation", by="sun_qi", org="dongcheng", party=party, title="事故").id
    do(w, c, "事故信息接报", **receive)
    do(w, c, "逐级上报事故信息")
    do(w, c, "成立事故调查组")
    do(w, c, "调查取证")
    do(w, c, "起草事故调查报告")
    return c


def approved_accident(w, party=CHEMICAL, **receive) -> int:
    c = accident_at_approval(w, party, **receive)
    do(w, c, "批复事故调查报告")
    return c


def penalty_of(w, accident: int, party=CHEMICAL) -> int:
    """The penalty case of the enterprise itself that the accident's 批复 opened."""
    [c] = [c.id for c in w.engine.cases(process_key="enforcement_case", party=party)
           if c.parent_case_id == accident and w.engine.case(c.id).data.get("party_type") == "单位"]
    return c


def concluded(w, c: int, **proposal) -> int:
    """Walk an enforcement case to 结案 with its forms' sample data (a 处罚 unless ``proposal`` says)."""
    for _ in range(25):
        names = [n for n in w.desk.names(c) if n != "办案期限审查"]
        if not names:
            assert w.engine.case(c).status == "completed"
            return c
        do(w, c, names[0], which=0, **(proposal if names[0] == "案件处理呈批" else {}))
    raise AssertionError("the enforcement case did not conclude")


def test_a_major_accident_lists_only_once_its_penalty_is_decided_order11_art3_art4(w):
    """第三条: 严重失信 is a 行为 that 受到行政处罚; 第四条第二款: the department that decided the penalty
    decides the listing. The 批复 opens the penalty case; the listing procedure waits for its decision."""
    c = accident_at_approval(w, deaths=10, local_level="省级")
    assert w.engine.case(c).data["accident_grade"] == "重大"
    do(w, c, "批复事故调查报告")
    assert listings(w) == []                                      # 批复 alone: no penalty decided yet
    do(w, c, "落实处分和移送司法")
    assert listings(w) == []
    penalty = concluded(w, penalty_of(w, c))
    found = listings(w)
    assert len(found) == 1 and found[0].parent_case_id == penalty
    data = w.engine.case(found[0].id).data
    assert data["ground"] == ACCIDENT_GROUNDS[0] and data["source_case_ids"] == [c, penalty]
    assert data["source_process"] == "enforcement_case" and "重大事故" in data["facts"]
    assert "应急管理部令第11号" in data["basis"]
    assert w.desk.names(found[0].id) == ["拟列入呈批"]


def test_a_major_accident_whose_penalty_is_not_decided_lists_nobody_order11_art3(w):
    c = approved_accident(w, deaths=10, local_level="省级")
    concluded(w, penalty_of(w, c), proposed_outcome="不予处罚")
    assert listings(w) == []


def test_one_larger_accident_does_not_list_but_a_second_within_twelve_months_does(w):
    first = approved_accident(w, deaths=3, local_level="设区的市")
    assert w.engine.case(first).data["accident_grade"] == "较大"
    concluded(w, penalty_of(w, first))
    assert listings(w) == []
    w.clock.set(at_shanghai("2027-03-01", 9))
    second = approved_accident(w, deaths=4, local_level="设区的市")
    assert listings(w) == []
    penalty = concluded(w, penalty_of(w, second))
    found = listings(w)
    assert len(found) == 1 and found[0].parent_case_id == penalty
    data = w.engine.case(found[0].id).data
    assert data["ground"] == ACCIDENT_GROUNDS[1] and data["source_case_ids"] == [first, second, penalty]


def test_larger_accidents_more_than_twelve_months_apart_do_not_list(w):
    approved_accident(w, deaths=3, local_level="设区的市")
    w.clock.set(at_shanghai("2027-06-02", 9))
    second = approved_accident(w, deaths=3, local_level="设区的市")
    concluded(w, penalty_of(w, second))
    assert listings(w) == []


def test_the_earlier_accident_decided_later_does_not_list_the_enterprise_twice(w):
    first = approved_accident(w, deaths=3, local_level="设区的市")
    w.clock.set(at_shanghai("2026-09-01", 9))
    second = approved_accident(w, deaths=3, local_level="设区的市")
    concluded(w, penalty_of(w, second))
    assert len(listings(w)) == 1
    concluded(w, penalty_of(w, first))
    assert len(listings(w)) == 1


def test_general_accidents_and_other_enterprises_do_not_count(w):
    approved_accident(w)                                          # 一般
    approved_accident(w, party=MACHINERY, deaths=3, local_level="设区的市")
    w.clock.set(at_shanghai("2026-10-01", 9))
    third = approved_accident(w, deaths=3, local_level="设区的市")
    concluded(w, penalty_of(w, third))
    assert listings(w) == [] and listings(w, MACHINERY) == []


def test_a_penalty_for_producing_without_a_licence_starts_the_listing_when_the_case_concludes(w):
    c = w.desk.start("enforcement_case", by="zhang_san", org="dongcheng", party=CHEMICAL, title="甲化工无证生产案").id
    for _ in range(20):
        names = [n for n in w.desk.names(c) if n != "办案期限审查"]
        if not names:
            break
        extra = {"violation": "未取得安全生产许可证擅自从事危险化学品生产"} if names[0] == "案件处理呈批" else {}
        assert listings(w) == []
        do(w, c, names[0], **extra)
    assert w.engine.case(c).status == "completed"
    found = listings(w)
    assert len(found) == 1 and found[0].parent_case_id == c
    data = w.engine.case(found[0].id).data
    assert data["ground"] == PENALTY_GROUNDS[0] and data["source_process"] == "enforcement_case"


@pytest.mark.parametrize("data, ground", [
    ({"violation": "未取得安全生产许可证擅自生产"}, PENALTY_GROUNDS[0]),
    ({"violation": "安全生产许可证被暂扣期间继续生产"}, PENALTY_GROUNDS[0]),
    ({"penalty_basis": "《安全生产法》第一百一十四条第二款"}, ACCIDENT_GROUNDS[2]),
    ({"violation_facts": "事故发生后瞒报死亡人数"}, ACCIDENT_GROUNDS[3]),
    ({"violation": "出具虚假报告"}, PENALTY_GROUNDS[1]),
    ({"violation": "未按规定开展安全培训", "dishonesty_ground": PENALTY_GROUNDS[2]}, PENALTY_GROUNDS[2]),
    ({"violation": "未按规定开展安全培训"}, None),
])
def test_penalty_grounds(data, ground):
    decided = {"proposed_outcome": "处罚", "decided_at": "2026-06-01T09:00:00+08:00"}
    assert penalty_ground({**decided, **data}) == ground
    assert penalty_ground({**data, "proposed_outcome": "不予处罚"}) is None


def test_twelve_months_either_way():
    a = dt.datetime(2026, 3, 31, 8, tzinfo=dt.timezone.utc)
    assert within_window(a, dt.datetime(2027, 3, 31, 8, tzinfo=dt.timezone.utc))
    assert within_window(dt.datetime(2027, 3, 31, 8, tzinfo=dt.timezone.utc), a)
    assert not within_window(a, dt.datetime(2027, 3, 31, 9, tzinfo=dt.timezone.utc))


def test_install_is_idempotent_and_build_engine_installs(w):
    hooks = [h for h in w.engine.after_step_hooks if isinstance(h, DishonestyHook)]
    assert len(hooks) == 1 and install(w.engine) is hooks[0]


def test_hook_asks_the_engine_to_start_the_case_inside_the_step(w):
    """The hook only queues the start; the engine runs it after the step, in the same transaction."""
    hook = next(h for h in w.engine.after_step_hooks if isinstance(h, DishonestyHook))
    from engine.schema import Case
    case = Case(id=999, case_no="ECS-2026-99999", process_key="enforcement_case", party=CHEMICAL, status="completed",
                title="案", data={"proposed_outcome": "处罚", "decided_at": "2026-06-01",
                                  "violation": "未取得安全生产许可证擅自生产"})
    with w.engine.db.read() as s, StepRequests() as requests:
        hook(s, case, None)
    [(kind, args)] = requests.items
    assert (kind, args["process_key"], args["data"]["source_case_ids"]) == ("start_case", PROCESS, [999])
    assert args.get("party", args["data"].get("party")) == CHEMICAL
