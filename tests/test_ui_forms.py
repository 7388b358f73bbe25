"""Task forms between HTML and the forms registry (webui.formspec), on the real registry of
workflows.forms: what a browser posts becomes the data the registry validates, errors land on the
right inputs (table cells too), and a form shows again exactly as typed."""
from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from webui import formspec
from workflows.forms import FormError, registry


def read(key, pairs, uploads=None):
    return formspec.read(formspec.fields_for(registry, key), MultiDict(pairs), uploads)


def test_tables_names_choices_and_flags_read_into_registry_data():
    data, values, errors = read("accident.report", [
        ("report_summary", "3月5日，储罐检修时发生中毒事故"), ("accident_nature", "生产安全责任事故"),
        ("responsible_persons.0.name", "刘某"), ("responsible_persons.0.position", "车间主任"),
        ("responsible_persons.0.proposed_handling", "行政处罚"), ("responsible_persons.0.administrative_penalty", "true"),
        ("responsible_persons.1.name", ""), ("responsible_persons.1.position", ""),  # a blank row is dropped
        ("responsible_persons.2.name", "陈某"),
        ("measures.0.measure", "完善受限空间作业审批"), ("measures.0.due_date", "2026-06-30"),
        ("education_done", "true"), ("signed_by", "张三\n李四，王五"),
    ])
    assert errors == {}
    assert data["responsible_persons"] == [
        {"name": "刘某", "position": "车间主任", "proposed_handling": "行政处罚", "administrative_penalty": True},
        {"name": "陈某"}]
    assert data["signed_by"] == ["张三", "李四", "王五"]
    assert data["education_done"] is True and "direct_cause" not in data  # left empty means left out
    cleaned = registry.validate("accident.report", data)
    assert cleaned["measures"][0]["due_date"] == "2026-06-30"


def test_required_flags_and_multichoice():
    data, _, _ = read("accident.team", [("member_units", "应急管理部门"), ("member_units", "公安机关")])
    assert data["member_units"] == ["应急管理部门", "公安机关"]
    data, values, _ = read("hazard.confirm_fix", [("fix_passed", "false"), ("fix_opinion", "未整改到位")])
    assert data["fix_passed"] is False and values["fix_passed"] == "false"
    data, _, _ = read("hazard.confirm_fix", [("fix_opinion", "未整改到位")])
    with pytest.raises(FormError) as err:
        registry.validate("hazard.confirm_fix", data)
    assert err.value.errors["fix_passed"] == "此项为必填项"  # a required yes/no is never assumed


def test_decision_buttons_that_disagree_are_refused_and_uploads():
    data, _, errors = read("hazard.approve_close", [("close_approval_decision", "同意"), ("_action", "return")])
    assert "close_approval_decision" not in data and "不一致" in errors["close_approval_decision"]
    data, _, errors = read("hazard.approve_close", [("close_approval_decision", "同意"),
                                                    ("close_approval_decision", "退回")])
    assert errors and "close_approval_decision" not in data
    data, _, errors = read("hazard.approve_close", [("close_approval_decision", "退回")])
    assert data["close_approval_decision"] == "退回" and not errors
    data, values, _ = read("hazard.plan", [("attachments", "attachment:aa/旧.pdf")],
                           {"attachments": ["attachment:bb/新.pdf"]})
    assert data["attachments"] == values["attachments"] == ["attachment:aa/旧.pdf", "attachment:bb/新.pdf"]


def test_the_decision_field_of_each_approval():
    assert formspec.Form(formspec.fields_for(registry, "hazard.review_plan")).decision["name"] == "plan_review_decision"
    assert formspec.Form(formspec.fields_for(registry, "hazard.extension_decision")).decision["name"] == \
        "extension_decision"  # 批准/不批准
    assert formspec.Form(formspec.fields_for(registry, "enforcement.vote")).decision["name"] == "vote_choice"
    assert formspec.Form(formspec.fields_for(registry, "hazard.register")).decision is None


def test_a_task_without_a_form_gets_the_generic_handling_form():
    assert formspec.fields_for(None, "hazard.register") is None
    assert formspec.fields_for(registry, "no.such.form") is None
    assert formspec.fields_for(registry, None) is None
    data, _, errors = formspec.read(None, MultiDict([("_data", "名称: 值\n已电话通知企业")]))
    assert data == {"handling_opinion": "名称: 值\n已电话通知企业"} and errors == {}  # an opinion, not variables
    data, values, errors = formspec.read(None, MultiDict([("_data", "  ")]))
    assert data == {} and errors == {}


def test_prefill_from_case_data_for_a_form_sent_back():
    fields = formspec.fields_for(registry, "hazard.propose")
    values = formspec.prefill(fields, {"responsible_person": "王建国", "cross_region": False,
                                       "rectify_deadline": "2027-02-26", "listing_review_decision": "退回"})
    assert values == {"responsible_person": "王建国", "cross_region": "false", "rectify_deadline": "2027-02-26"}
    fields = formspec.fields_for(registry, "hazard.power_cut")
    values = formspec.prefill(fields, {"notice_served_at": "2026-05-01T01:30:00+00:00"})
    assert values["notice_served_at"] == "2026-05-01T09:30"  # shown in Beijing time for datetime-local
    fields = formspec.fields_for(registry, "hazard.review_plan")
    assert "plan_review_decision" not in formspec.prefill(fields, {"plan_review_decision": "同意"})


def test_data_labels_come_from_the_cases_own_forms_in_order():
    labels = formspec.data_labels(registry, ["hazard.register", "hazard.fix_now"])
    assert labels["enterprise_name"] == "生产经营单位名称"  # not the accident report's 事故发生单位
    assert list(labels)[:2] == ["source", "enterprise_name"]
    assert labels["attachments"] == "现场照片及检查记录"  # the first form to use a name names it
    labels = formspec.data_labels(registry, ["hazard.review_listing", "hazard.review_plan"])
    assert labels["listing_review_opinion"] != labels["plan_review_opinion"]  # two "意见" told apart


def test_table_cell_errors_render_beside_their_cells(tmp_path):
    from tests.ui_support import make_world
    world = make_world(tmp_path)
    try:
        fields = formspec.fields_for(registry, "accident.report")
        data, values, _ = read("accident.report", [("report_summary", "经过"), ("accident_nature", "生产安全责任事故"),
                                                    ("measures.0.owner", "设备部")])
        with pytest.raises(FormError) as err:
            registry.validate("accident.report", data)
        form = formspec.Form(fields, values=values, errors=err.value.errors)
        with world.app.test_request_context():
            macro = world.app.jinja_env.get_template("tasks/fields.html").module.field
            html = str(macro(next(f for f in fields if f["name"] == "measures"), form))
        cell = re.search(r'<td class="has-error">(.*?)</td>', html, re.S).group(1)
        assert 'name="measures.0.measure"' in cell and "此项为必填项" in cell
        assert 'name="measures.0.owner" id="f-measures.0.owner" value="设备部"' in html
        assert html.count("<tr>") == 1 + 3  # header and three rows to type into
    finally:
        world.engine.dispose()


def test_case_data_values_read_as_a_person_would():
    from webui.display import value
    assert value("2026-05-01T01:30:00+00:00") == "2026年5月1日 09:30"  # moments in Beijing time, in Chinese
    assert value("2026-05-01T09:30+08:00") == "2026年5月1日 09:30"
    assert value("2026-05-01") == "2026年5月1日" and value("2026-02-30") == "2026-02-30" and value("东应急督〔2026〕1号") == "东应急督〔2026〕1号"
    assert value(True) == "是" and value(False) == "否" and value(None) == "—" and value([]) == "—"
    assert value(["张三", "李四"]) == "张三、李四"


def test_dates_as_officials_type_them():
    """No mm/dd/yyyy picker: a text box that takes 2026年11月1日, full-width digits or slashes."""
    for typed in ("2026年11月1日", "２０２６－１１－０１", "2026/11/1", "2026.11.01", " 2026 年 11 月 1 日 "):
        data, _, _ = read("hazard.confirm_fix", [("fix_passed", "false"), ("fix_opinion", "未到位"),
                                                 ("fix_deadline", typed)])
        assert data["fix_deadline"] == "2026-11-01", typed
        assert registry.validate("hazard.confirm_fix", data)["fix_deadline"] == "2026-11-01"
    data, _, _ = read("hazard.confirm_fix", [("fix_deadline", "11/01/2026")])
    assert data["fix_deadline"] == "11/01/2026"  # ambiguous: left for the form's Chinese message


def test_incidents_read_in_chinese_naming_the_step_and_the_value_by_its_label():
    from webui.labels import incident_explanation, missing_keys
    names = {"fine_amount": "罚款金额"}
    assert incident_explanation("NameError: name 'fine_amount' is not defined (第 2 行)", "计算罚款", names) == \
        "环节“计算罚款”出错：流程脚本需要“罚款金额”，但前面的环节没有填写或没有算出；请补充数据后重试"
    unlabelled = incident_explanation("KeyError: 'x_total'", "计算罚款", names)
    assert "x_total" not in unlabelled and "一项数据" in unlabelled
    assert missing_keys("NameError: name 'days' is not defined") == ["days"]
    # The engine's own Chinese (流程停滞, 多实例): without element ids, a variable by its label or not at all.
    stalled = "流程停滞：案件停在并行网关「汇总」(join)，没有待办任务、定时器或等待的事件，流程无法继续"
    assert incident_explanation(stalled, "汇总") == "流程停滞：案件停在并行网关「汇总」，没有待办任务、定时器或等待的事件，流程无法继续"
    assert incident_explanation("流程停滞：案件停在并行网关 Gateway_0x3，没有待办任务", None) == \
        "流程停滞：案件停在未命名的并行网关，没有待办任务"
    # An element drawn without a name, as the engine's other messages write it (validation, service tasks).
    from webui.labels import without_element_ids
    assert without_element_ids("未命名并行网关 (Gateway_1ab) 没有连线") == "未命名的并行网关没有连线"
    assert incident_explanation("服务任务(Activity_0x3) 执行失败：企业不存在", None) == "未命名的服务任务执行失败：企业不存在"
    assert incident_explanation("服务任务「查询企业」(lookup) 执行失败：企业不存在", None) == "服务任务「查询企业」执行失败：企业不存在"
    # An external worker's failure (engine/external_tasks.py): its Chinese reason, never the topic.
    assert incident_explanation("外部任务失败：发送整改通知短信（sms）：号码为空", "发送整改通知短信") == \
        "环节“发送整改通知短信”出错：外部系统办理失败：号码为空"
    assert incident_explanation("外部任务失败：send_sms（sms）：gateway timeout", None) == \
        "外部系统办理失败，请管理员查看外部系统的错误详情后处理"
    collection = "多实例任务「会签」(sid-countersign) 的集合「approvers」没有值"
    assert incident_explanation(collection, "会签", {"approvers": "审批人"}) == "多实例任务「会签」的集合「审批人」没有值"
    assert incident_explanation(collection, "会签") == "多实例任务「会签」的集合没有值"
    for raw, words in [("ZeroDivisionError: division by zero", "除数为零"),
                       ("TypeError: unsupported operand type(s) for +: 'int' and 'str'", "数据类型不符"),
                       ("脚本运行超过 2 秒，已被终止 (ScriptTimeout)", "超时"),
                       ("WorkflowException: No conditions satisfied on gateway", "没有可走的分支"),
                       ("SyntaxError: invalid syntax", "语法错误"),
                       ("Something odd happened in the engine", "请管理员查看错误详情")]:
        text = incident_explanation(raw, "环节甲")
        assert text.startswith("环节“环节甲”出错：") and words in text, (raw, text)
        assert not re.search(r"[A-Za-z]{3,}", text), text
