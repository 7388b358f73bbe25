"""A seventh batch of public models nobody here had tried (camunda-bpm-platform's message, signal,
multi-instance, call activity, gateway and service task test resources, Flowable's signal, timer and
sub-process test resources, lib-bpmn-engine's Camunda Modeler 8 files; bench/interop.py --walk --dir
runs such a folder): what Duban refused though the engine they were drawn for runs it, or ran the
wrong way. Each is drawn again as its tool saves it, with our own names and Chinese labels
(tests/bpmn/interop/), and run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from tests.interop_support import CORPUS, user_for
from tests.support import make_engine

MODELS = ("camunda7_qname_refs.bpmn",)


@pytest.fixture(scope="module")
def engine(module_database_url):
    eng = make_engine(module_database_url)
    for name in MODELS:
        eng.deploy(CORPUS / name, by="boss")
    yield eng
    eng.dispose()


def _open(engine, case_id) -> list[str]:
    return sorted(t.spec_id for t in engine.case(case_id).tasks)


def _do(engine, case_id, spec_id, data=None) -> None:
    task = next(t for t in engine.case(case_id).tasks if t.spec_id == spec_id)
    engine.complete(task.id, user_for(engine, task), dict(data or {}))


def test_references_written_as_qualified_names_resolve_through_their_prefix(engine):
    """隐患线索核查 (Camunda's MessageStartEventTest.testMessageStartEventAndNoneStartEvent shape, written
    by hand with ``xmlns:tns`` and ``messageRef="tns:Msg_tip"``): BPMN types messageRef, signalRef and
    attachedToRef as qualified names and Camunda resolves the prefix; the deploy refused the file
    「引用的消息已不存在」. Anyone may report a hazard to the supervising department (《安全生产法》
    第七十四条): a 隐患线索来信 starts a case at 核查来信线索; a case started by hand takes the none start,
    巡查登记, as Camunda's startProcessInstanceByKey does; 隐患线索撤回 ends the check by its boundary."""
    by_hand = engine.start("camunda7_qname_refs", by="zhang", org="east").id
    assert _open(engine, by_hand) == ["patrol_record"]
    started = engine.correlate_message("隐患线索来信", by="boss")
    assert started["started"] and _open(engine, started["case_id"]) == ["verify_tip"]
    engine.broadcast_signal("隐患线索撤回", by="boss")
    assert engine.case(started["case_id"]).status == "completed"
    _do(engine, by_hand, "patrol_record")
    assert engine.case(by_hand).status == "completed"


def test_a_prefix_the_file_does_not_declare_is_left_for_the_reference_check():
    from lxml import etree

    from engine.qname_refs import unprefix
    root = etree.fromstring(
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:tns="urn:x">'
        b'<message id="m"/><process id="p"><startEvent id="s"><messageEventDefinition messageRef="tns:m"/>'
        b'</startEvent><intermediateCatchEvent id="c"><messageEventDefinition messageRef="other:m"/>'
        b'</intermediateCatchEvent></process></definitions>')
    rewritten = unprefix(root)
    assert [(el.getparent().get("id"), written) for el, _, written in rewritten] == [("s", "tns:m")]
    refs = [d.get("messageRef") for d in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}messageEventDefinition")]
    assert refs == ["m", "other:m"]
