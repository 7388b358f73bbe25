"""Which item each compensation of a multi-instance activity is for (补偿的是哪一项): the handler's
task is named with its instance's item — the enterprise whose notice 撤回检查通知 withdraws, the site
解除查封 releases — in the queue, on the task and in the case's history, as the instances it undoes
were (the item is the multi-instance element variable: bpmn.io's ``inputDataItem``, Camunda 7's
``camunda:elementVariable``; its drawn ``itemLabel`` if the task has one, else the item itself, or
the name of an item that is a record). Before, three 撤回检查通知 looked alike and an official could
not tell which enterprise each was for. engine/compensation.py; SQLite and PostgreSQL."""
from __future__ import annotations

from tests.support import BPMN
from tests.test_compensation_mi_s29 import FIRMS, JOINT, SEIZURE, _complete, _open_of, _workflow
from tests.test_event_subprocess_scoped import World, world  # noqa: F401  (the fixture)


def _open_ids(world: World, case_id: int, element: str) -> list[str]:
    open_ids = {t.id for t in world.engine.case(case_id).tasks}
    return [str(t.id) for t in _workflow(world, case_id).tasks.values()
            if t.task_spec.bpmn_id == element and str(t.id) in open_ids]


def _revoked_joint(world: World, enterprises: list) -> int:
    world.engine.deploy(BPMN / f"{JOINT}.bpmn", by="boss")
    case_id = world.start(JOINT, {"enterprises": enterprises})
    for task_id in _open_ids(world, case_id, "Activity_notify"):
        _complete(world, case_id, task_id, {})
    for _ in enterprises:
        (task_id,) = _open_ids(world, case_id, "Activity_inspect")
        _complete(world, case_id, task_id, {})
    world.restart()
    world.work(case_id, "审定检查结果", {"revoked": True})
    return case_id


def test_each_withdrawal_and_void_is_named_with_its_enterprise_in_the_queue_and_the_history(world):  # noqa: F811
    """撤销 of a 联合检查 of 甲化工公司, 乙煤矿 and 丙烟花厂: the six handler tasks read
    「撤回检查通知（甲化工公司）」… in the case and in 张三's queue; the history's 生成待办 and 办理 name
    the enterprise too."""
    case_id = _revoked_joint(world, FIRMS)
    expected = sorted([f"作废检查记录（{f}）" for f in FIRMS] + [f"撤回检查通知（{f}）" for f in FIRMS])
    assert world.open(case_id) == expected
    assert sorted(t.name for t in world.engine.queue("zhang") if t.case_id == case_id) == expected
    withdrawal = next(t for t in world.engine.case(case_id).tasks if t.name == "撤回检查通知（乙煤矿）")
    world.engine.complete(withdrawal.id, "zhang", {})
    history = world.engine.case(case_id).history
    opened = {e["detail"]["task"] for e in history if e["action"] == "task_opened"}
    assert set(expected) <= opened
    assert [e["detail"]["task"] for e in history if e["action"] == "completed"][-1] == "撤回检查通知（乙煤矿）"


def test_an_enterprise_given_as_a_record_is_named_by_its_name(world):  # noqa: F811
    """Items that are records ({"name": "甲化工公司", "uscc": "…"}): the handler is named by the
    record's name, not by the record."""
    firms = [{"name": f, "uscc": f"91110101MA00000{i}X"} for i, f in enumerate(FIRMS)]
    case_id = _revoked_joint(world, firms)
    assert [n for n in world.open(case_id) if n.startswith("撤回检查通知")] == sorted(f"撤回检查通知（{f}）" for f in FIRMS)


def test_camunda_sites_released_are_named_with_their_site(world):  # noqa: F811
    """tests/bpmn/interop/camunda7_mi_compensation.bpmn (camunda:elementVariable="site"): 解除查封 for
    each site sealed reads 「解除查封（一号仓库）」, 「解除查封（三号堆场）」."""
    world.deploy("camunda7_mi_compensation.bpmn")
    case_id = world.start(SEIZURE, {"sites": ["一号仓库", "三号堆场"]})
    for task_id in _open_of(world, case_id, "Activity_0seal", "site").values():
        _complete(world, case_id, task_id, {"sealNo": "封-001"})
    world.work(case_id, "行政复议审查", {"revoked": True}, by="eastboss")
    assert world.open(case_id) == ["解除查封（一号仓库）", "解除查封（三号堆场）"]
