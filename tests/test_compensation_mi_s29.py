"""Compensation of a multi-instance activity (BPMN 2.0 §10.5.6; Camunda 7/8, whose handler "is invoked
for the same amount" as the activity completed): a compensation boundary event on a parallel or a
sequential multi-instance task runs its handler once for each instance that completed, the one
completed last first, each on that instance's data (its input item, what it wrote); an instance
cancelled by the completion condition is not compensated (engine/compensation.py ``_completions``).
Before, the deploy refused such a boundary event (「…附着在多实例或循环的…上，这种补偿本系统暂不支持」).

tests/bpmn/joint_notice_withdrawal.bpmn (bpmn.io): a 联合检查 notified to three enterprises in
parallel (送达检查通知, handler 撤回检查通知), inspected one after another (现场检查, sequential,
handler 作废检查记录), then 审定: 撤销 withdraws each notice and voids each record.
tests/bpmn/interop/camunda7_mi_compensation.bpmn (Camunda Modeler 5 for 7.22): 查封场所 for each site,
解除查封 for each site sealed when 行政复议 revokes it (《行政强制法》第二十八条). SQLite and PostgreSQL;
the engine is made anew (a restart) between the completions and the compensation, and again while
the handlers are open.
"""
from __future__ import annotations

from engine import state
from engine.schema import Case
from tests.support import BPMN
from tests.test_event_subprocess_scoped import World, world  # noqa: F401  (the fixture)

JOINT = "joint_notice_withdrawal"
SEIZURE = "seizure_sites_revocable"
FIRMS = ["甲化工公司", "乙煤矿", "丙烟花厂"]


def _workflow(world: World, case_id: int):
    eng = world.engine
    with eng.db.read() as s:
        spec, subs = eng.models.specs(s, s.get(Case, case_id).bundle_hash)
        return state.restore(s, case_id, spec, subs, eng.script_engine).workflow


def _open_of(world: World, case_id: int, element: str, item: str) -> dict[str, str]:
    """The open tasks of ``element`` by the value of ``item`` in their data (which enterprise, which site)."""
    workflow = _workflow(world, case_id)
    open_ids = {t.id for t in world.engine.case(case_id).tasks}
    return {t.data[item]: str(t.id) for t in workflow.tasks.values()
            if t.task_spec.bpmn_id == element and str(t.id) in open_ids}


def _started(world: World, case_id: int, throw: str, *items: str) -> list[tuple]:
    """The handler tasks the throw event started, in the order it started them: name and ``items`` of their data."""
    event = next(t for t in _workflow(world, case_id).tasks.values() if t.task_spec.bpmn_id == throw)
    return [(c.task_spec.bpmn_name, *(c.data.get(i) for i in items)) for c in event.children if c.triggered]


def _complete(world: World, case_id: int, task_id: str, data: dict, by: str = "zhang") -> None:
    world.engine.complete(task_id, by, data)
    world.engine._evict(case_id)


def _joint(world: World) -> int:
    world.engine.deploy(BPMN / f"{JOINT}.bpmn", by="boss")
    return world.start(JOINT, {"enterprises": FIRMS})


def test_a_revoked_joint_inspection_withdraws_each_notice_and_voids_each_record_the_last_first(world):  # noqa: F811
    """Parallel 送达检查通知 completed 乙, 甲, 丙; sequential 现场检查 甲, 乙, 丙: 撤销 opens 作废检查记录
    for 丙, 乙, 甲, then 撤回检查通知 for 丙, 甲, 乙 — each with its enterprise and its own receipt."""
    case_id = _joint(world)
    notices = _open_of(world, case_id, "Activity_notify", "enterprise")
    assert sorted(notices) == sorted(FIRMS)
    for firm in ["乙煤矿", "甲化工公司", "丙烟花厂"]:
        _complete(world, case_id, notices[firm], {"receipt": f"{firm}签收"})
    for firm in FIRMS:  # one after another: each opens when the one before is done
        (task_id,) = _open_of(world, case_id, "Activity_inspect", "checked").values()
        assert _open_of(world, case_id, "Activity_inspect", "checked") == {firm: task_id}
        _complete(world, case_id, task_id, {"finding": f"{firm}隐患两项"})
    world.restart()  # the completions recorded with the case, as a server restarted would read them
    world.work(case_id, "审定检查结果", {"revoked": True})
    assert world.open(case_id) == sorted([f"作废检查记录（{f}）" for f in FIRMS] + [f"撤回检查通知（{f}）" for f in FIRMS])
    started = _started(world, case_id, "Event_undo", "checked", "finding", "enterprise", "receipt")
    assert [s[:3] for s in started[:3]] == [  # 现场检查 completed after every 送达检查通知
        ("作废检查记录", "丙烟花厂", "丙烟花厂隐患两项"), ("作废检查记录", "乙煤矿", "乙煤矿隐患两项"),
        ("作废检查记录", "甲化工公司", "甲化工公司隐患两项")]
    assert [(s[0], *s[3:]) for s in started[3:]] == [
        ("撤回检查通知", "丙烟花厂", "丙烟花厂签收"), ("撤回检查通知", "甲化工公司", "甲化工公司签收"),
        ("撤回检查通知", "乙煤矿", "乙煤矿签收")]
    world.restart()
    withdrawals = _open_of(world, case_id, "Activity_withdraw", "enterprise")
    voids = _open_of(world, case_id, "Activity_void", "checked")
    for firm in FIRMS:
        _complete(world, case_id, withdrawals[firm], {})
        _complete(world, case_id, voids[firm], {})
        if firm != FIRMS[-1]:
            assert "告知各企业" not in world.open(case_id)  # the throw event waits for every handler
    assert world.open(case_id) == ["告知各企业"]
    world.work(case_id, "告知各企业")
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"
    assert world.engine.verify_audit() is None


def test_an_upheld_joint_inspection_withdraws_nothing(world):  # noqa: F811
    case_id = _joint(world)
    for task_id in _open_of(world, case_id, "Activity_notify", "enterprise").values():
        _complete(world, case_id, task_id, {})
    for _ in FIRMS:
        (task_id,) = _open_of(world, case_id, "Activity_inspect", "checked").values()
        _complete(world, case_id, task_id, {})
    world.work(case_id, "审定检查结果", {"revoked": False})
    assert world.engine.case(case_id).status == "completed" and not world.engine.incidents()


def test_camunda_sites_sealed_are_each_released_and_a_site_cancelled_by_the_completion_condition_is_not(world):  # noqa: F811
    """Camunda 7 (camunda:collection, camunda:elementVariable) with a completion condition of two
    sites sealed: the third instance is cancelled when the second completes, so 撤销 opens 解除查封
    for the two sealed sites only, the one sealed last first."""
    world.deploy(f"{SEIZURE.replace('seizure_sites_revocable', 'camunda7_mi_compensation')}.bpmn", replace=(
        'camunda:elementVariable="site" />',
        'camunda:elementVariable="site"><bpmn:completionCondition xsi:type="bpmn:tFormalExpression">'
        '${nrOfCompletedInstances >= 2}</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>'))
    case_id = world.start(SEIZURE, {"sites": ["一号仓库", "二号车间", "三号堆场"]})
    sites = _open_of(world, case_id, "Activity_0seal", "site")
    _complete(world, case_id, sites["三号堆场"], {"sealNo": "封-003"})
    _complete(world, case_id, sites["一号仓库"], {"sealNo": "封-001"})
    assert world.open(case_id) == ["行政复议审查"]  # 二号车间's instance cancelled: two sealed
    world.restart()
    world.work(case_id, "行政复议审查", {"revoked": True}, by="eastboss")
    assert _started(world, case_id, "Event_0undo", "site", "sealNo") == [
        ("解除查封", "一号仓库", "封-001"), ("解除查封", "三号堆场", "封-003")]
    world.restart()
    for task_id in _open_of(world, case_id, "Activity_0release", "site").values():
        _complete(world, case_id, task_id, {})
    assert world.engine.case(case_id).status == "completed" and not world.engine.incidents()


def test_a_loop_task_is_compensated_once_for_each_round_the_last_first(world):  # noqa: F811
    """tests/bpmn/recheck_loop_compensation.bpmn: 复查 drawn as a loop (standardLoopCharacteristics,
    loopMaximum 2): 撤销复查 opens once for each round, the second first, each on its round's data."""
    world.engine.deploy(BPMN / "recheck_loop_compensation.bpmn", by="boss")
    case_id = world.start("recheck_loop_compensation")
    for round_no in (1, 2):
        world.work(case_id, "复查", {"round": round_no})
    world.restart()
    assert _started(world, case_id, "t", "round") == [("撤销复查", 2), ("撤销复查", 1)]
    for task_id in _open_of(world, case_id, "undo", "round").values():
        _complete(world, case_id, task_id, {})
    assert world.engine.case(case_id).status == "completed" and not world.engine.incidents()
