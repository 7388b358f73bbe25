"""Which round each compensation of a loop activity undoes (补偿的是第几次): a task drawn with a standard
loop (``standardLoopCharacteristics``, as bpmn-js draws it: tests/bpmn/interop/bpmnio_loop_compensation.bpmn,
整改复查 — 现场复查 repeated until the rectification passes, at most three times) is compensated once
for each round it completed, the last first (BPMN 2.0 §10.5.6), and each handler task is named with
its round — 「撤销复查记录（第2次）」 — in the case, in the queue and in the history, as a
multi-instance activity's are named with their item since 544e811 (engine/compensation.item_label).
Before, the three 撤销复查记录 looked alike. SQLite and PostgreSQL."""
from __future__ import annotations

from tests.interop_support import CORPUS
from tests.test_event_subprocess_scoped import World, world  # noqa: F401  (the fixture)

KEY = "bpmnio_loop_compensation"


def test_each_undo_of_a_looped_recheck_is_named_with_its_round(world: World):  # noqa: F811
    """现场复查 done three times (the first two did not pass), its conclusion then revoked: 撤回全部复查
    opens 撤销复查记录 for the third, second and first round, named 「撤销复查记录（第3次）」 …; the
    queue and the history's 生成待办 and 办理 say the round too, and the case ends once all are done."""
    world.engine.deploy(CORPUS / f"{KEY}.bpmn", by="boss")
    case_id = world.start(KEY)
    for passed in (False, False, True):
        world.work(case_id, "现场复查", {"passed": passed})
    world.work(case_id, "审定复查结论", {"revoked": True})
    expected = [f"撤销复查记录（第{n}次）" for n in (1, 2, 3)]
    assert world.open(case_id) == expected
    assert sorted(t.name for t in world.engine.queue("zhang") if t.case_id == case_id) == expected
    world.work(case_id, "撤销复查记录（第2次）")
    history = world.engine.case(case_id).history
    assert set(expected) <= {e["detail"]["task"] for e in history if e["action"] == "task_opened"}
    assert [e["detail"]["task"] for e in history if e["action"] == "completed"][-1] == "撤销复查记录（第2次）"
    for name in ("撤销复查记录（第1次）", "撤销复查记录（第3次）"):
        world.work(case_id, name)
    assert world.engine.case(case_id).status == "completed" and not world.engine.incidents()


def test_a_loop_done_once_names_its_single_undo_with_its_round(world: World):  # noqa: F811
    """Passed at the first 现场复查: one 撤销复查记录, 「（第1次）」."""
    world.engine.deploy(CORPUS / f"{KEY}.bpmn", by="boss")
    case_id = world.start(KEY)
    world.work(case_id, "现场复查", {"passed": True})
    world.work(case_id, "审定复查结论", {"revoked": True})
    assert world.open(case_id) == ["撤销复查记录（第1次）"]
