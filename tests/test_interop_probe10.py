"""A tenth batch of public models nobody here had tried (jBPM's test resources, drawn with drools
extensions, root-level data stores and Java scripts; yudao's BPM designer output; bpmn-io and Camunda
fixtures; bench/interop.py --walk --dir runs such a folder): what Duban refused with a reason that was
wrong or named nothing, though the engine they were drawn for runs them. Each is drawn again as its
tool saves it, with our own names and Chinese labels (tests/bpmn/interop/), and run on SQLite and
PostgreSQL.
"""
from __future__ import annotations

import pytest

from engine.errors import IncidentRaised, InvalidModel

from tests.interop_support import CORPUS, models_engine, open_specs as _open, complete_at as _do
from tests.support import BPMN

MODELS = ("jbpm_hazard_ledger_data_store.bpmn",)


@pytest.fixture(scope="module")
def engine(module_database_url):
    yield from models_engine(module_database_url, MODELS)


def _warnings(engine, name: str) -> list[str]:
    return [w.message for w in engine.models.validate((CORPUS / name).read_bytes(), name).warnings]


def test_a_data_store_among_the_root_elements_is_drawn_documentation(engine):
    """隐患登记入台账 (jBPM's data/UserTaskWithDataStore.bpmn2; Signavio and Trisotech save a store so
    too): a ``<dataStore>`` among the file's root elements, a ``dataStoreReference`` to it and a task's
    data output association into it. jBPM and Camunda run such a file, the store being a drawing of
    where records live; SpiffWorkflow's parser refused every root data store it had no class for, and
    the deploy said only 「模型结构无法识别」, naming no element. Now the store and the association
    into it are noted as documentation (安全生产法第四十一条's 隐患台账 is kept by the bureau's own
    system) and the case runs: 登记隐患, then 科室负责人复核."""
    warnings = _warnings(engine, "jbpm_hazard_ledger_data_store.bpmn")
    assert any("数据存储「隐患台账」" in w and "仅作说明" in w for w in warnings), warnings
    case_id = engine.start("hazard_ledger_data_store", by="zhang", org="east").id
    assert _open(engine, case_id) == ["_register"]
    _do(engine, case_id, "_register", {"hazard": "配电箱未接地"})
    assert _open(engine, case_id) == ["_review"]
    _do(engine, case_id, "_review")
    case = engine.case(case_id)
    assert case.status == "completed" and case.data["hazard"] == "配电箱未接地"
    assert not case.incidents
    # bpmn-js keeps a store it made inside the process (test/fixtures/bpmn/features/replace/data-elements.bpmn),
    # unnamed: refused the same way before, 「Data Store name is missing」
    drawn = (CORPUS / "jbpm_hazard_ledger_data_store.bpmn").read_text(encoding="utf-8")
    store = '  <bpmn2:dataStore id="_hazardLedger" name="隐患台账" itemSubjectRef="_ledgerItem" isUnlimited="true"/>\n'
    assert store in drawn
    inside = drawn.replace(store, "").replace('<bpmn2:dataStoreReference id="_ledgerRef"',
                                              '<bpmn2:dataStore id="_hazardLedger"/>\n    <bpmn2:dataStoreReference id="_ledgerRef"')
    engine.deploy(inside.encode(), by="boss", filename="bpmnio_data_store_in_process.bpmn")
    case_id = engine.start("hazard_ledger_data_store", by="zhang", org="east").id
    _do(engine, case_id, "_register")
    _do(engine, case_id, "_review")
    assert engine.case(case_id).status == "completed"


def test_a_task_s_data_mapped_to_process_properties_is_refused_naming_the_property(engine):
    """整改复查 drawn as jBPM's designer maps a task's data (data/EvaluationProcess.bpmn2,
    activity/UserTaskWithBooleanOutput.bpmn2): ``<property id="hazardNo">`` is the process's variable,
    and the user task's data input reads it, its data output writes ``rectified``. SpiffWorkflow
    resolves an association only to a data object or store, and the refusal said 「关联的数据对象或
    数据存储不存在」 of a property the file declares two lines above. Now it names the task, the
    properties it reads and writes, and what to draw instead, once for the task."""
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(CORPUS / "jbpm_task_property_mapping.bpmn", by="boss")
    said = str(refused.value)
    assert "用户任务「现场复查」(_recheck) 的数据关联读取流程属性「hazardNo」、写入流程属性「rectified」" in said, said
    assert "请删去该任务的数据输入输出与数据关联" in said and "数据对象（dataObject）" in said, said
    assert "数据存储不存在" not in said
    errors = [p for p in refused.value.problems if p["severity"] == "error"]
    assert len(errors) == 1, errors  # one refusal for the task, not one per association


def test_jbpm_task_parameters_and_a_bare_potential_owner_run_as_jbpm_assigns_them(engine):
    """责令限期整改 drawn as jBPM's designer saves user tasks (activity/UserTaskWithBooleanOutput.bpmn2,
    BPMN2-Lane.bpmn2): an ioSpecification on every task whose data inputs are jBPM's task parameters set
    by assignments (TaskName, GroupId 「inspector」, Skippable) and a data output (noticeNo) nothing maps;
    the second task's potentialOwner is the bare user id 「eastboss」. jBPM gives the first task to the
    group, the second to that user, and keeps the case's variables. Here SpiffWorkflow's reading of an
    ioSpecification (a task's data narrowed to its declared inputs and outputs) stopped the first
    completion with the English 「Missing data ouput」, and the bare name was read as a role nobody has.
    Now the parameters are read as jBPM reads them (GroupId: the role; a bare owner in a jBPM file: the
    user), the rest noted, and the case runs with its data whole."""
    engine.deploy(CORPUS / "jbpm_rectify_notice_task_parameters.bpmn", by="boss")
    warnings = _warnings(engine, "jbpm_rectify_notice_task_parameters.bpmn")
    assert any("用户任务「拟写整改指令书」(_draft)" in w and "TaskName" in w and "noticeNo" in w for w in warnings), warnings
    case_id = engine.start("rectify_notice_task_parameters", by="zhang", org="east",
                           data={"hazard": "配电箱未接地"}).id
    draft = next(t for t in engine.case(case_id).tasks if t.spec_id == "_draft")
    assert draft.role_code == "inspector" and not draft.assignee
    engine.complete(draft.id, "li", {"noticeNo": "（东）安监责改〔2026〕12号"})
    case = engine.case(case_id)
    assert not case.incidents
    sign = next(t for t in case.tasks if t.spec_id == "_sign")
    engine.complete(sign.id, "eastboss", {})
    case = engine.case(case_id)
    assert case.status == "completed" and not case.incidents
    assert (case.data["hazard"], case.data["noticeNo"]) == ("配电箱未接地", "（东）安监责改〔2026〕12号")


def test_a_jbpm_script_without_a_language_is_refused_as_the_java_it_is(engine):
    """隐患上报 drawn as jBPM writes a script task (data/DataStore.bpmn2, BPMN2-StandardLoop.bpmn2): no
    ``scriptFormat``, so jBPM runs ``System.out.println(...); kcontext.setVariable(...)`` as Java. A
    script without a language is Python here (bpmn.io's habit), and this Java is valid Python syntax:
    the file deployed and every case stopped at the task with 「脚本调用的方法或函数不存在」. Now the
    deploy refuses it once, naming the task and the Java, with what to write instead."""
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(CORPUS / "jbpm_script_without_format.bpmn", by="boss")
    errors = [p for p in refused.value.problems if p["severity"] == "error"]
    assert [p["element_id"] for p in errors] == ["_2"], errors
    assert "jBPM 按 Java 运行" in errors[0]["message"] and "请把脚本改写为 Python" in errors[0]["message"]
    # jBPM's own test files declare no drools namespace, only MVEL as the file's expression language
    # (data/DataStore.bpmn2): the same file so is refused the same way
    mvel_only = (CORPUS / "jbpm_script_without_format.bpmn").read_text(encoding="utf-8").replace(
        ' tns:packageName="org.duban"', "").replace(' xmlns:tns="http://www.jboss.org/drools"', "")
    assert "xmlns:tns" not in mvel_only and 'expressionLanguage="http://www.mvel.org/2.0"' in mvel_only
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(mvel_only.encode(), by="boss", filename="jbpm_mvel_only.bpmn")
    assert [p["element_id"] for p in refused.value.problems if p["severity"] == "error"] == ["_2"]
    assert "jBPM 按 Java 运行" in str(refused.value)


def test_a_jbpm_signal_named_by_its_ref_waits_for_that_signal(engine):
    """停产整顿复产 drawn as jBPM writes a signal event (BPMN2-IntermediateCatchSignalBetweenUserTasks.bpmn2):
    ``<signalEventDefinition signalRef="复产批准"/>`` with no ``<signal>`` in the file, jBPM signalling by
    that name. The deploy refused it as a signal 「已不存在（可能已被删除）」, which it never was. Now the
    event waits for the signal of that name (noted), and 复产批准 sent moves the case on."""
    engine.deploy(CORPUS / "jbpm_signal_ref_by_name.bpmn", by="boss")
    warnings = _warnings(engine, "jbpm_signal_ref_by_name.bpmn")
    assert any("中间捕获事件「复产批准」(_lifted)" in w and "名为「复产批准」的信号" in w for w in warnings), warnings
    case_id = engine.start("suspension_lifted_signal", by="zhang", org="east").id
    _do(engine, case_id, "_order")
    assert _open(engine, case_id) == []
    assert engine.broadcast_signal("复产批准", by="boss")["delivered"] == [case_id]
    assert _open(engine, case_id) == ["_resume"]
    _do(engine, case_id, "_resume")
    assert engine.case(case_id).status == "completed"


def test_a_branch_probability_exported_as_a_condition_is_refused_naming_the_flow(engine):
    """隐患举报核查 drawn as Signavio exports a model prepared for its simulation (a public credit
    application export: conditions 0.2 and 0.8): the branch probability typed on a flow is written as its
    ``conditionExpression``. A number is true in Python, so the model deployed and every case took 属实,
    whatever the 核查 found (the public model's 0.2 on a loop back ran until the walk's step limit);
    Camunda and Flowable stop on a condition that is no yes/no. Now the deploy refuses it once, naming
    the flow and the number and saying what to write instead; a real condition beside it is untouched."""
    with pytest.raises(InvalidModel) as refused:
        engine.deploy(CORPUS / "signavio_branch_probability.bpmn", by="boss")
    errors = [p for p in refused.value.problems if p["severity"] == "error"]
    assert [p["element_id"] for p in errors] == ["sid-F-0003"], errors
    assert "条件「0.3」是一个数字" in errors[0]["message"] and "请写出走这条连线的条件" in errors[0]["message"]
    fixed = (CORPUS / "signavio_branch_probability.bpmn").read_text(encoding="utf-8").replace(
        ">0.3<", ">核查结论 == '属实'<")
    engine.deploy(fixed.encode(), by="boss", filename="signavio_branch_condition.bpmn")
    case_id = engine.start("sid-hazard-verification", by="zhang", org="east", data={"核查结论": "不属实"}).id
    _do(engine, case_id, "sid-0A1B2C3D-0002")
    case = engine.case(case_id)
    assert case.status == "completed" and "sid-0A1B2C3D-0004" not in [t.spec_id for t in case.tasks]


def test_a_jbpm_task_deadline_and_entry_script_are_said_not_done(engine):
    """The same 责令限期整改 file carries jBPM's task extensions that would act (jbpm's
    BPMN2-UserTaskDeadlines.bpmn2: ``<tns:deadline expires="5m">`` with a reassignment and an email;
    BPMN2-BoundaryTimerCycleCronVariable.bpmn2: ``drools:onEntry-script`` in Java): jBPM reassigns the
    task after the deadline and runs the script as it opens. Both were dropped without a word. Now each
    is noted on the task, the deadline with what to draw instead; the designer's metaData says nothing."""
    warnings = [w for w in _warnings(engine, "jbpm_rectify_notice_task_parameters.bpmn") if "(_draft)" in w]
    assert any("任务期限（deadline）在本系统中不会执行" in w and "非中断的定时边界事件" in w for w in warnings), warnings
    assert any("进入脚本（onEntry-script）在本系统中不会执行" in w for w in warnings), warnings
    assert not any("metaData" in w for w in warnings), warnings


def test_an_ad_hoc_completion_condition_over_absent_data_is_said_in_chinese_on_the_sub_process(engine):
    """jBPM's activity/AdHocSubProcessAutoComplete.bpmn2 (completion condition
    ``getActivityInstanceAttribute("numberOfActiveInstances") == 0``) stopped with the English incident
    「name 'getActivityInstanceAttribute' is not defined — 第 1 行」, naming no element: SpiffWorkflow
    evaluates an ad-hoc sub-process's completion condition bare, outside the task errors incidents read.
    Our own 检查事项 (Flowable's ``${checked == true}``) does the same before anyone has ticked
    ``checked``, as Flowable's PropertyNotFoundException does. Now the incident is said in Chinese on
    the sub-process, naming the data, the technical text behind it."""
    engine.deploy(BPMN / "flowable_adhoc_inspection.bpmn", by="boss")
    with pytest.raises(IncidentRaised) as raised:
        engine.start("flowable_adhoc_inspection", by="zhang", org="east")
    said = str(raised.value)
    assert "「检查事项」出错: 完成条件用到的数据「checked」在案件中没有值；请补填数据后重试" in said, said
    assert said.index("NameError") > said.index(" — ")  # the technical text behind the Chinese


def test_a_jbpm_duration_is_read_as_jbpm_reads_it(engine):
    """限期整改复查 drawn with jBPM's own durations (BPMN2-IntermediateCatchEventTimerDurationDays.bpmn2:
    ``<timeDuration>3d</timeDuration>``; ``1h 30m`` on a boundary timer): jBPM waits 3 days and 90
    minutes — its ``m`` is minutes, where ISO's P5M would be months. The deploy refused 「3d」 as no
    duration. Now a jBPM file's duration is read as ISO (P3D, PT1H30M), noted on the event, and the
    timers fire when jBPM's would."""
    engine.deploy(CORPUS / "jbpm_duration_days_timer.bpmn", by="boss")
    warnings = _warnings(engine, "jbpm_duration_days_timer.bpmn")
    assert any("「3d」按 jBPM 的写法读作 P3D" in w for w in warnings), warnings
    assert any("「1h 30m」按 jBPM 的写法读作 PT1H30M" in w for w in warnings), warnings
    case_id = engine.start("rectify_wait_jbpm_duration", by="zhang", org="east").id
    assert _open(engine, case_id) == []
    engine.clock.advance(days=2, hours=23)
    engine.run_due_timers()
    assert _open(engine, case_id) == []
    engine.clock.advance(hours=1, minutes=1)
    engine.run_due_timers()
    assert _open(engine, case_id) == ["_recheck"]
    engine.clock.advance(hours=1, minutes=30)
    engine.run_due_timers()
    assert _open(engine, case_id) == ["_recheck", "_urge"]
