"""Events that ran differently from Camunda 7 and Flowable (session 22, issue 15).

Each model is drawn as its vendor's modeler saves it (tests/bpmn/interop/), and every case runs on
SQLite and PostgreSQL, the engine made anew (a restart) where a case waits.

1. A compensation throw with ``waitForCompletion="false"`` (BPMN 2.0 §10.5.5: the throw event "just
   triggers the compensation and immediately continues"; Flowable's 「Wait for completion」):
   tests/bpmn/interop/camunda7_suspension_compensation_nowait.bpmn — 行政复议 revokes a 责令停产停业
   (《安全生产法》第六十五条第一款第三项) and 告知当事人 opens beside 恢复生产经营 and 退还安全生产许可证.
   Before, the attribute was ignored: 告知当事人 waited for both handlers.
"""
from __future__ import annotations

from tests.test_event_subprocess_scoped import World, world  # noqa: F401  (the fixture)

NOWAIT = "camunda7_suspension_compensation_nowait"


def test_a_compensation_throw_not_waiting_opens_the_next_task_beside_the_handlers(world):  # noqa: F811
    world.deploy(f"{NOWAIT}.bpmn")
    case_id = world.start(NOWAIT)
    world.work(case_id, "责令停产停业")
    world.work(case_id, "暂扣安全生产许可证")
    world.work(case_id, "行政复议", {"revoked": True})
    assert world.open(case_id) == ["告知当事人", "恢复生产经营", "退还安全生产许可证"]
    world.restart()
    world.work(case_id, "告知当事人")
    assert world.open(case_id) == ["恢复生产经营", "退还安全生产许可证"]  # the case ends with its handlers
    assert world.engine.case(case_id).status == "running"
    world.work(case_id, "退还安全生产许可证")
    world.work(case_id, "恢复生产经营")
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"

