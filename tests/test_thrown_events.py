"""Messages and signals a step throws to other cases (engine/messages.py ``deliver_thrown``): a
thrown message reaches the one waiting step of the one waiting case (two: an incident on the
thrower), a thrown signal every waiting case,
the throwing case audits whom it reached; and on PostgreSQL the lookup of the waiting cases rides
the pipeline of the step's own writes (a statement rendered once, engine/sqlexec.py). Real SQLite
and PostgreSQL."""
from __future__ import annotations

import pytest

from engine.errors import IncidentRaised, NotFound

from tests.interop_support import drive
from tests.support import BPMN, make_engine, statements_sent
from tests.test_commit_pipeline import _waits_of

CORPUS = BPMN / "interop"

_NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t"'

# 发出: one user task, then a thrown message 整改完成 (data kind == "message") or signal 接力.
THROWER = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS} id="d_thrower">
  <bpmn:signal id="S" name="接力" />
  <bpmn:message id="M" name="整改完成" />
  <bpmn:process id="thrower" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="go" name="发出"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="g" default="f4"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:intermediateThrowEvent id="msg"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing><bpmn:messageEventDefinition id="tm" messageRef="M" /></bpmn:intermediateThrowEvent>
    <bpmn:intermediateThrowEvent id="sig"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing><bpmn:signalEventDefinition id="ts" signalRef="S" /></bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="e1"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e2"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="go" />
    <bpmn:sequenceFlow id="f2" sourceRef="go" targetRef="g" />
    <bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="msg"><bpmn:conditionExpression>kind == "message"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="g" targetRef="sig" />
    <bpmn:sequenceFlow id="f5" sourceRef="msg" targetRef="e1" />
    <bpmn:sequenceFlow id="f6" sourceRef="sig" targetRef="e2" />
  </bpmn:process>
</bpmn:definitions>"""

# 接力 waits for the signal 接力 at its start, then throws it on (a relay) and ends.
RELAY = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS} id="d_relay">
  <bpmn:signal id="S" name="接力" />
  <bpmn:process id="relay" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:signalEventDefinition id="c" signalRef="S" /></bpmn:intermediateCatchEvent>
    <bpmn:intermediateThrowEvent id="pass"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing><bpmn:signalEventDefinition id="t" signalRef="S" /></bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="pass" />
    <bpmn:sequenceFlow id="f3" sourceRef="pass" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


# 等待: waits for the signal 接力 and ends.
WAITER = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {_NS} id="d_waiter">
  <bpmn:signal id="S" name="接力" />
  <bpmn:process id="waiter" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing><bpmn:signalEventDefinition id="c" signalRef="S" /></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


def _engine(url: str):
    e = make_engine(url)
    e.deploy(THROWER.encode("utf-8"), by="boss", filename="thrower.bpmn")
    e.deploy(RELAY.encode("utf-8"), by="boss", filename="relay.bpmn")
    e.deploy(WAITER.encode("utf-8"), by="boss", filename="waiter.bpmn")
    e.deploy(CORPUS / "message_catch.bpmn", by="boss")
    return e


@pytest.fixture
def engine(database_url):
    e = _engine(database_url)
    yield e
    e.dispose()


def _waiting_for_message(engine, hazard_no: str) -> int:
    out = drive(engine, "message_catch", data={"hazard_no": hazard_no})
    assert out.status == "waiting"
    return out.case_id


def _throw(engine, kind: str) -> int:
    case = engine.start("thrower", by="zhang", org="east", data={"kind": kind})
    task = engine.case(case.id).tasks[0]
    engine.complete(task.id, "zhang", {})
    assert engine.case(case.id).status == "completed"
    return case.id


def _thrown(engine, case_id: int) -> list[dict]:
    return [h["detail"] for h in engine.case(case_id).history if h["action"].endswith("_thrown")]


def _received(engine, case_id: int, kind: str) -> int:
    return [h["action"] for h in engine.case(case_id).history].count(f"{kind}_received")


def test_a_thrown_message_reaches_the_one_waiting_case_and_two_are_an_incident_on_the_thrower(engine):
    """A message is for one waiting step (engine/messages.deliver_thrown): the one case waiting gets
    it, the next throw the case that waits then; two cases waiting that nothing tells apart are an
    incident on the thrower naming both (it reached the one with the lowest id: test_one_rule_s23)."""
    first = _waiting_for_message(engine, "YH-1")
    thrower = _throw(engine, "message")
    assert _thrown(engine, thrower) == [{"name": "整改完成", "delivered_to": [first]}]
    assert [t.spec_id for t in engine.case(first).tasks] == ["recheck"] and _received(engine, first, "message") == 1
    second = _waiting_for_message(engine, "YH-2")
    thrower = _throw(engine, "message")  # the next one: the case waiting now
    assert _thrown(engine, thrower) == [{"name": "整改完成", "delivered_to": [second]}]
    assert _thrown(engine, _throw(engine, "message")) == [{"name": "整改完成", "delivered_to": []}]
    both = [_waiting_for_message(engine, "YH-3"), _waiting_for_message(engine, "YH-4")]
    case = engine.start("thrower", by="zhang", org="east", data={"kind": "message"})
    with pytest.raises(IncidentRaised, match="匹配到 2 个等待中的案件") as raised:
        engine.complete(engine.case(case.id).tasks[0].id, "zhang", {})
    assert all(engine.case(c).case_no in raised.value.message for c in both)
    assert [_received(engine, c, "message") for c in both] == [0, 0]
    assert engine.verify_audit() is None


def test_a_thrown_signal_reaches_every_waiting_case_and_none_that_waits_for_another(engine):
    waiters = [engine.start("waiter", by="zhang", org="east").id for _ in range(3)]
    other = _waiting_for_message(engine, "YH-3")
    thrower = _throw(engine, "signal")
    assert _thrown(engine, thrower) == [{"name": "接力", "delivered_to": waiters}]
    assert [engine.case(c).status for c in waiters] == ["completed"] * 3
    assert [_received(engine, c, "signal") for c in waiters] == [1] * 3
    assert engine.case(other).status == "running" and _received(engine, other, "message") == 0
    assert engine.verify_audit() is None


def test_a_signal_passed_on_by_the_cases_it_reaches_reaches_each_once_and_the_chain_stops_at_its_depth(engine):
    """Seven cases wait for 接力 and throw it on when they catch it. The first reached passes it to
    the other six in the same transaction, the second to the five left, and so on until the chain
    is MAX_THROW_DEPTH (5) throws deep: the cases reached there throw nothing further. Before, the
    throwing step failed (Conflict 案件已办结): each level went on to the cases it had read before
    a deeper level had reached them, and nothing was written."""
    relays = [engine.start("relay", by="zhang", org="east").id for _ in range(7)]
    thrower = _throw(engine, "signal")
    assert [engine.case(c).status for c in relays] == ["completed"] * 7
    assert [_received(engine, c, "signal") for c in relays] == [1] * 7
    assert _thrown(engine, thrower) == [{"name": "接力", "delivered_to": relays[:1]}]
    passed = [_thrown(engine, c) for c in relays]
    assert passed[:4] == [[{"name": "接力", "delivered_to": relays[1:2]}], [{"name": "接力", "delivered_to": relays[2:3]}],
                          [{"name": "接力", "delivered_to": relays[3:4]}], [{"name": "接力", "delivered_to": relays[4:]}]]
    assert passed[4:] == [[], [], []]  # thrown five deep: not delivered, not audited
    assert engine.verify_audit() is None


def test_a_step_throwing_a_signal_looks_up_its_catchers_in_the_pipeline_of_its_writes(postgres_url):
    """Before: 4 round trips — the lookup of the waiting cases built and sent through SQLAlchemy,
    which first sent the step's queued writes in a pipeline of their own. Now 3: the case and its
    task, then the writes and the lookup in one pipeline, then the audit events with the COMMIT."""
    e = _engine(postgres_url)
    try:
        _throw(e, "signal")  # warm: the model and the directory in their caches
        for waiting in (0, 1):
            relays = [e.start("waiter", by="zhang", org="east").id for _ in range(waiting)]
            case = e.start("thrower", by="zhang", org="east", data={"kind": "signal"})
            task = e.case(case.id).tasks[0]
            sent: list[str] = []
            waits = _waits_of(e, lambda: sent.extend(statements_sent(e, lambda: e.complete(task.id, "zhang", {}))))
            lookups = [" ".join(s.split()[:3]) for s in sent if s.startswith("SELECT event_wait")]
            assert lookups == ["SELECT event_wait.case_id, event_wait.correlation"]  # what it needs of them
            assert waits == 3 + waiting, sent  # a reached case: locked and read (its writes ride the last pipeline)
            assert _thrown(e, case.id)[0]["delivered_to"] == relays
        assert e.verify_audit() is None
    finally:
        e.dispose()


def test_a_broadcast_signal_to_cases_that_pass_it_on_reaches_each_once(engine):
    """``broadcast_signal`` reaches the first waiting case, which passes the signal on to the
    others in the same transaction: each is reached once, and the broadcast names the case it
    reached itself. Before: Conflict (案件已办结) on the second case, nothing written."""
    relays = [engine.start("relay", by="zhang", org="east").id for _ in range(3)]
    assert engine.broadcast_signal("接力", by="boss") == {"delivered": relays[:1], "started": []}
    assert [engine.case(c).status for c in relays] == ["completed"] * 3
    assert [_received(engine, c, "signal") for c in relays] == [1] * 3
    assert engine.verify_audit() is None


def test_a_broadcast_signal_to_an_org_that_does_not_exist_is_not_found_and_reaches_nobody(engine):
    waiter = engine.start("waiter", by="zhang", org="east").id
    with pytest.raises(NotFound):
        engine.broadcast_signal("接力", by="boss", org="nowhere")
    assert engine.case(waiter).status == "running"
    assert engine.broadcast_signal("接力", by="boss", org="city") == {"delivered": [waiter], "started": []}


def test_a_broadcast_signal_finds_its_cases_in_the_round_trip_of_the_directory_counter(postgres_url):
    """The waiting cases are read in the pipeline that reads the directory counter and the models'
    stamp; the org unit's subtree comes from the directory's cache at that counter; no ORM session.
    Before: the waits were read on their own, and the org unit and its subtree read each time."""
    e = _engine(postgres_url)
    try:
        e.broadcast_signal("接力", by="boss", org="east")  # warm: the directory's cache
        for waiting in (0, 1):
            waiters = [e.start("waiter", by="zhang", org="east").id for _ in range(waiting)]
            e.start("waiter", by="wang", org="west")  # waits outside the org given
            got: dict = {}
            sent: list[str] = []
            waits = _waits_of(e, lambda: sent.extend(statements_sent(
                e, lambda: got.update(e.broadcast_signal("接力", by="boss", org="east")))))
            assert got == {"delivered": waiters, "started": []}
            assert not [s for s in sent if s.startswith("SELECT org_unit")], sent
            assert waits == 2 + waiting, sent  # a reached case: locked and read; the writes ride the COMMIT
    finally:
        e.dispose()
