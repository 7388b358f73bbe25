"""A case's own interrupting message event sub-process, started once, is not started a second time
by the next message of its name that a task inside it waits for (BPMN 2.0 §10.3.5: once an
interrupting event sub-process has started, its scope listens for none of its event sub-processes'
events; Camunda 7's MessageEventSubprocessTest: the scope's subscription is gone once the
interrupting handler runs).

tests/bpmn/interop/camunda7_letter_takeover.bpmn (Camunda Modeler 5 for 7.20): 企业来函 takes the
case over from 调查取证 (企业来函处置); after 来函登记 the handler waits for the enterprise's next
企业来函 (等待补充来函), then 补充来函审查. SpiffWorkflow's ``update_collaboration`` started the event
sub-process again at the case's top for that second letter — the first handler's catch event and
the new handler's start both caught it — and the new one, interrupting, cancelled the first's
work: 来函登记 opened again and 补充来函审查 never came. SQLite and PostgreSQL; the engine is made
anew (a restart) between the letters.
"""
from __future__ import annotations

from tests.test_event_subprocess_scoped import World, world  # noqa: F401  (the fixture)

KEY = "camunda7_letter_takeover"


def test_the_second_letter_reaches_the_handlers_catch_event_only(world):  # noqa: F811
    world.deploy(f"{KEY}.bpmn")
    case_id = world.start(KEY)
    world.engine.correlate_message("企业来函", by="zhang", case_id=case_id)
    world.engine._evict(case_id)
    assert world.open(case_id) == ["来函登记"]  # 调查取证 cancelled
    world.work(case_id, "来函登记")
    assert world.open(case_id) == []
    world.restart()
    world.engine.correlate_message("企业来函", by="zhang", case_id=case_id)
    world.engine._evict(case_id)
    assert world.open(case_id) == ["补充来函审查"]  # not a second 来函登记
    world.work(case_id, "补充来函审查")
    assert not world.engine.incidents()
    assert world.engine.case(case_id).status == "completed"


def test_a_letter_before_the_takeover_starts_the_handler_once(world):  # noqa: F811
    world.deploy(f"{KEY}.bpmn")
    case_id = world.start(KEY)
    world.work(case_id, "调查取证")
    assert world.open(case_id) == ["作出处理决定"]
    world.engine.correlate_message("企业来函", by="zhang", case_id=case_id)
    world.engine._evict(case_id)
    assert world.open(case_id) == ["来函登记"]
