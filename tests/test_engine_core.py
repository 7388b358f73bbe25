"""The engine core on both databases: a case walked end to end with role checks, concurrency,
deploy validation and versions, incidents, and the tamper-evident audit log."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from engine import Conflict, Forbidden, IncidentRaised, InvalidModel, NotFound
from engine.schema import AuditEvent, TaskRow
from tests.support import BPMN, deploy, engine_fixture, make_engine


engine = engine_fixture()


def only(tasks):
    assert len(tasks) == 1, [t.name for t in tasks]
    return tasks[0]


def test_case_walked_from_start_to_end_with_role_checks(engine):
    deploy(engine, "approval.bpmn")
    case = engine.start("approval", by="zhang", org="east", data={"hazard": "配电箱无防护"})
    assert case.case_no.startswith("A-2026-")
    register = only(engine.queue("zhang"))
    assert register.name == "登记隐患" and register.role_code == "inspector"
    # Same role but another district: not in the queue, and completing is refused.
    assert engine.queue("wang") == []
    with pytest.raises(Forbidden):
        engine.complete(register.id, "wang", {})
    # Wrong role in the right district.
    with pytest.raises(Forbidden):
        engine.complete(register.id, "eastboss", {})
    engine.claim(register.id, "zhang")
    assert engine.queue("li") == []  # claimed: gone from the group queue
    with pytest.raises(Conflict):
        engine.claim(register.id, "li")
    engine.complete(register.id, "zhang", {"location": "一号车间"})

    approve = only(engine.queue("eastboss"))
    assert approve.name == "审批"
    assert only(engine.queue("boss")).id == approve.id  # the city supervisor sees the district below
    with pytest.raises(Forbidden):
        engine.complete(approve.id, "zhang", {"approved": True})
    engine.complete(approve.id, "boss", {"approved": False})  # sent back
    again = only(engine.queue("li"))
    assert again.name == "登记隐患" and again.id != register.id
    engine.complete(again.id, "li", {})
    engine.complete(only(engine.queue("boss")).id, "boss", {"approved": True})

    view = engine.case(case.id)
    assert view.status == "completed" and view.tasks == []
    assert view.data["hazard"] == "配电箱无防护" and view.data["approved"] is True
    actions = [e["action"] for e in view.history]
    assert actions[0] == "started" and actions[-1] == "case_completed"
    assert actions.count("completed") == 4 and "claimed" in actions
    assert [e["actor"] for e in view.history if e["action"] == "completed"] == ["zhang", "boss", "li", "boss"]
    assert [t.name for t in engine.done_by("boss")] == ["审批", "审批"]
    with pytest.raises(Forbidden):
        engine.case(case.id, username="wang")
    assert engine.verify_audit() is None


def test_enterprise_user_sees_only_its_own_cases(engine):
    engine.deploy(_enterprise_model(), by="boss", filename="ent.bpmn")
    mine = engine.start("ent_plan", by="zhang", org="east", party="91110000000000001H")
    other = engine.start("ent_plan", by="zhang", org="east", party="91110000000000002L")
    queue = engine.queue("acme")
    assert [t.case_id for t in queue] == [mine.id]
    other_task = only([t for t in engine.queue("eastboss", limit=100) if t.case_id == other.id] or
                      engine.case(other.id).tasks)
    with pytest.raises(Forbidden):
        engine.complete(other_task.id, "acme", {})
    assert [c.id for c in engine.cases("acme")] == [mine.id]
    engine.complete(queue[0].id, "acme", {"plan": "三个月内完成整改"})
    assert engine.case(mine.id).status == "completed"


def _enterprise_model() -> str:
    return (BPMN / "approval.bpmn").read_text(encoding="utf-8").replace(
        'id="approval"', 'id="ent_plan"').replace('name="执法人员"', 'name="生产经营单位"').replace(
        '<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>', '').replace(
        '<bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="approve" />',
        '<bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="end" />').replace(
        '<bpmn:userTask id="approve" name="审批" />', '').replace(
        '<bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="decided" />', '').replace(
        '<bpmn:exclusiveGateway id="decided" default="f_back" />', '').replace(
        '<bpmn:sequenceFlow id="f_ok" sourceRef="decided" targetRef="end"><bpmn:conditionExpression>approved == True</bpmn:conditionExpression></bpmn:sequenceFlow>', '').replace(
        '<bpmn:sequenceFlow id="f_back" sourceRef="decided" targetRef="register" />', '').replace(
        '<bpmn:flowNodeRef>decided</bpmn:flowNodeRef>', '')


def test_task_completed_from_two_engines_at_once_completes_once(database_url):
    first = make_engine(database_url)
    deploy(first, "approval.bpmn")
    case = first.start("approval", by="zhang", org="east")
    task = only(first.queue("zhang"))
    # A second engine object: its own connection pool and cache, like another web process.
    from engine import Engine
    second = Engine(database_url, clock=first.clock)
    barrier = threading.Barrier(2)
    results = []

    def submit(eng, user):
        barrier.wait()
        try:
            eng.complete(task.id, user, {"by": user})
            results.append("ok")
        except Conflict as exc:
            results.append(f"conflict: {exc}")

    threads = [threading.Thread(target=submit, args=(first, "zhang")),
               threading.Thread(target=submit, args=(second, "li"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.split(":")[0] for r in results) == ["conflict", "ok"], results
    view = first.case(case.id)
    assert [e["action"] for e in view.history].count("completed") == 1
    assert len(view.tasks) == 1 and view.tasks[0].name == "审批"
    # A repeated submit of the finished task is refused, from either engine.
    for eng in (first, second):
        with pytest.raises(Conflict):
            eng.complete(task.id, "zhang", {})
    assert first.verify_audit() is None
    second.dispose()
    first.dispose()


def test_invalid_bpmn_is_rejected_with_line_and_element_and_previous_version_stays(engine):
    (v1,) = deploy(engine, "approval.bpmn")
    running = engine.start("approval", by="zhang", org="east")
    with pytest.raises(InvalidModel) as err:
        engine.deploy(BPMN / "unconnected.bpmn", by="boss")
    assert err.value.element_id == "orphan" and err.value.filename == "unconnected.bpmn"
    assert err.value.line == 11 and "用户任务「未连线任务」(orphan) 没有连线" in str(err.value)
    with pytest.raises(InvalidModel) as err:
        engine.deploy(b"<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>\n<oops></bpmn:definitions>",
                      by="boss", filename="broken.bpmn")
    assert err.value.line == 2 and "XML 格式错误" in str(err.value)
    assert engine.models.latest("approval").version == 1
    # Identical content: no new version. Changed content: version 2; the running case stays on 1.
    assert engine.deploy(BPMN / "approval.bpmn", by="boss").version == 1
    v2 = engine.deploy(BPMN / "approval_v2.bpmn", by="boss")
    assert v2.version == 2 and v2.key == "approval"
    newer = engine.start("approval", by="zhang", org="east")
    assert engine.case(running.id).model_version == 1 and engine.case(newer.id).model_version == 2
    engine.complete(only([t for t in engine.queue("zhang") if t.case_id == running.id]).id, "zhang", {})
    assert engine.case(running.id).tasks[0].name == "审批"


def test_lane_naming_an_unknown_role_deploys_with_a_warning_and_its_task_goes_to_the_starter(engine):
    text = (BPMN / "approval.bpmn").read_text(encoding="utf-8").replace('name="执法人员"', 'name="巡查员"')
    pf = engine.models.validate(text, "approval.bpmn")
    (warning,) = [w for w in pf.warnings if w.element_id == "lane_inspector"]
    assert "泳道「巡查员」(lane_inspector) 未对应任何角色" in warning.message and warning.severity == "warning"
    engine.deploy(text, by="boss", filename="approval.bpmn")
    case = engine.start("approval", by="li", org="east")
    (task,) = engine.case(case.id).tasks
    assert task.role_code is None and task.assignee == "li"
    assert task.id in {t.id for t in engine.queue("li")} and task.id not in {t.id for t in engine.queue("zhang")}


def test_failing_script_leaves_case_at_previous_step_with_an_incident(engine):
    deploy(engine, "failing_script.bpmn")
    case = engine.start("fine_calc", by="zhang", org="east")
    enter = only(engine.queue("zhang"))
    before = engine.case(case.id)
    with pytest.raises(IncidentRaised) as err:
        engine.complete(enter.id, "zhang", {"total": 3000, "days": 0})
    assert "division by zero" in str(err.value)
    after = engine.case(case.id)
    assert [t.id for t in after.tasks] == [enter.id]  # still at 录入罚款, not half-way
    assert after.data == before.data
    (incident,) = engine.incidents(case_id=case.id)
    assert incident.element_id == "calc" and incident.resolved_at is None
    assert "incident" in [e["action"] for e in after.history]
    with pytest.raises(Forbidden):
        engine.retry_incident(incident.id, by="zhang")  # inspectors cannot retry
    engine.retry_incident(incident.id, by="eastboss", data={"total": 3000, "days": 30})
    fixed = engine.case(case.id)
    assert fixed.tasks[0].name == "复核" and fixed.data["daily"] == 100
    assert engine.incidents(case_id=case.id) == []
    assert engine.verify_audit() is None


def test_tampered_audit_row_is_detected(engine):
    deploy(engine, "approval.bpmn")
    case = engine.start("approval", by="zhang", org="east")
    engine.complete(only(engine.queue("zhang")).id, "zhang", {"note": "原始记录"})
    assert engine.verify_audit() is None
    with engine.db.write() as s:
        ev = s.execute(sa.select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == "completed")).scalar_one()
        ev.detail = ev.detail.replace("原始记录", "篡改记录")
        seq = ev.seq
    broken = engine.verify_audit()
    assert broken is not None and broken.chain == f"case:{case.id}" and broken.seq == seq
    assert "与它的签名不符" in broken.reason


def test_deleting_the_newest_audit_rows_is_detected(engine):
    deploy(engine, "approval.bpmn")
    case = engine.start("approval", by="zhang", org="east")
    engine.complete(only(engine.queue("zhang")).id, "zhang", {})
    with engine.db.write() as s:
        last = s.execute(sa.select(sa.func.max(AuditEvent.seq)).where(AuditEvent.case_id == case.id)).scalar()
        s.execute(sa.delete(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.seq == last))
    broken = engine.verify_audit()
    assert broken is not None and "不见了" in broken.reason


def test_every_bpmn_construct_runs_through_persistence(engine):
    deploy(engine, "score.dmn", "child.bpmn", "coverage.bpmn")
    case = engine.start("coverage", by="zhang", org="east")
    seen = []
    for _ in range(10):
        tasks = engine.queue("zhang", limit=100) + engine.queue("boss", limit=100)
        if not tasks:
            break
        for t in tasks:
            seen.append(t.spec_id)
            engine.complete(t.id, "boss" if t.role_code == "supervisor" else "zhang",
                            {"vote_item": "同意"} if t.spec_id == "vote" else {})
    view = engine.case(case.id)
    assert view.status == "completed"
    # parallel (A | sub-process B), inclusive gateway took only C (band 红 from the DMN), call activity, 2 votes
    assert sorted(seen) == sorted(["task_a", "task_b", "task_c", "child_task", "vote", "vote"])
    assert view.data["band"] == "红" and view.data["votes"] == ["同意", "同意"]


def test_a_long_loop_keeps_few_live_rows_and_history_in_the_database(engine):
    engine.deploy(BPMN / "loop.bpmn", by="boss")
    engine.directory.add_user("ent", org="east", roles=["enterprise"])
    case = engine.start("loop", by="zhang", org="east")
    for i in range(40):
        engine.complete(only(engine.queue("ent")).id, "ent", {"finished": i == 39, "round": i})
    with engine.db.read() as s:
        live = s.execute(sa.select(sa.func.count()).where(TaskRow.case_id == case.id, TaskRow.live.is_(True))).scalar()
        archived = s.execute(sa.select(sa.func.count()).where(TaskRow.case_id == case.id, TaskRow.live.is_(False))).scalar()
    assert live < 12 and archived >= 70
    assert engine.case(case.id).status == "completed"


def test_state_survives_a_restart_mid_case(database_url):
    engine = make_engine(database_url)
    deploy(engine, "score.dmn", "child.bpmn", "coverage.bpmn")
    case = engine.start("coverage", by="zhang", org="east")
    first = engine.queue("zhang")
    engine.complete(first[0].id, "zhang", {"from": "first process"})
    engine.dispose()
    from engine import Engine
    fresh = Engine(database_url, clock=engine.clock)  # no cache: restores from rows
    rest = fresh.queue("zhang")
    assert len(rest) == 1 and rest[0].id == first[1].id
    fresh.complete(rest[0].id, "zhang", {})
    assert [t.spec_id for t in fresh.queue("zhang")] == ["task_c"]
    assert fresh.case(case.id).data["from"] == "first process"
    fresh.dispose()


def test_who_may_open_a_case(engine):
    deploy(engine, "approval.bpmn")
    with pytest.raises(Forbidden):
        engine.start("approval", by="wang", org="east")  # another district
    with pytest.raises(Forbidden):
        engine.start("approval", by="acme", org="east", party="91110000000000002L")  # another enterprise
    assert engine.start("approval", by="boss", org="east").status == "running"  # the city, below it
    with pytest.raises(Forbidden, match="企业用户不能发起该流程"):
        engine.start("approval", by="acme", org="east")      # its start event names no enterprise role
    text = (BPMN / "approval.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:startEvent id="start" />',
        '<bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="startableBy" value="enterprise" />'
        '</spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>')
    assert "startableBy" in text
    engine.deploy(text.encode("utf-8"), by="boss", filename="approval.bpmn")
    assert engine.start("approval", by="acme", org="east").party == "91110000000000001H"  # its own


def test_a_model_that_is_not_utf8_is_refused_cleanly(engine):
    text = (BPMN / "approval.bpmn").read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="GBK"')
    with pytest.raises(InvalidModel, match="UTF-8"):
        engine.deploy(text.encode("gbk"), by="boss", filename="gbk.bpmn")


def test_a_derived_case_whose_start_failed_keeps_its_link_to_the_case_it_came_from_when_retried(engine):
    """A case started from another (关联案件) whose start script fails is an incident; retried with
    corrected data it starts linked to the case it came from, as the first attempt would have."""
    deploy(engine, "approval.bpmn")
    parent = engine.start("approval", by="zhang", org="east")
    source = (BPMN / "failing_script.bpmn").read_text(encoding="utf-8").replace('id="fine_calc"', 'id="calc_first"')
    for drawn in ('<bpmn:flowNodeRef>enter</bpmn:flowNodeRef>', '<bpmn:userTask id="enter" name="录入罚款" />',
                  '<bpmn:sequenceFlow id="f2" sourceRef="enter" targetRef="calc" />'):
        assert drawn in source
        source = source.replace(drawn, "")
    engine.deploy(source.replace('sourceRef="start" targetRef="enter"', 'sourceRef="start" targetRef="calc"'),
                  by="boss", filename="calc_first.bpmn")
    with pytest.raises(IncidentRaised) as err:
        engine.start("calc_first", by="zhang", org="east", data={"total": 3000, "days": 0},
                     parent_case_id=parent.id)
    retried = engine.retry_incident(err.value.incident_id, by="eastboss", data={"total": 3000, "days": 30})
    assert retried.parent_case_id == parent.id and engine.case(retried.id).data["daily"] == 100
