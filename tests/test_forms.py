"""Task forms: every user task's form exists, labels and messages are Chinese, cleaned data is JSON-safe."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workflows.forms import FormError, registry

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"
CJK = re.compile(r"[\u4e00-\u9fff]")


def form_keys_in_models() -> set[str]:
    keys = set()
    for path in BPMN_DIR.glob("*.bpmn"):
        keys |= set(re.findall(r'name="formSchema" value="([^"]+)"', path.read_text(encoding="utf-8")))
    return keys


def errors_of(key, data):
    with pytest.raises(FormError) as exc:
        registry.validate(key, data)
    return exc.value.errors


def test_every_user_task_form_is_registered_and_every_form_is_used():
    used = form_keys_in_models()
    assert used and used == set(registry.keys())
    assert all(registry.has(k) for k in used) and not registry.has("hazard.nope")


@pytest.mark.parametrize("key", registry.keys())
def test_fields_are_described_in_chinese(key):
    fields = registry.fields(key)
    assert fields, key
    for f in fields:
        assert set(f) >= {"name", "label", "type", "required", "choices"}
        assert CJK.search(f["label"]), (key, f)
        if f["type"] in ("choice", "multichoice"):
            assert f["choices"]
        for col in f.get("columns", []):
            assert CJK.search(col["label"])
    assert CJK.search(registry.title(key))


def test_missing_required_fields_and_unknown_fields_are_named_in_chinese():
    errors = errors_of("hazard.plan", {"plan_goals": "  ", "color": "red"})
    assert errors["plan_goals"] == "此项为必填项"
    assert errors["plan_methods"] == "此项为必填项"
    assert errors["color"] == "表单中没有此字段"
    assert errors["attachments"] == "请上传整改方案文本"  # the file field named (fields.files_missing)


def test_type_errors_are_chinese():
    errors = errors_of("enforcement.payment", {"paid_on": "6月1日", "paid_amount": "一万左右", "receipts": "x"})
    assert errors["paid_on"] == "日期须写明年份，如 2026年11月1日"  # 6月1日: the year is not guessed
    assert errors["paid_amount"].startswith("应为金额")  # 一万 is 10,000 (cn2an), 一万五 15,000; 一万左右 no amount
    assert errors["receipts"] == "应为列表"
    assert errors_of("enforcement.vote", {"vote_choice": "赞成"})["vote_choice"] == "应为以下之一：同意、不同意、弃权"
    assert errors_of("hazard.progress", {"progress": "x", "percent_done": 120})["percent_done"] == "应在0到100之间"
    assert errors_of("enforcement.payment", {"paid_on": "2026-06-01", "paid_amount": "-1", "receipts": ["r1"]})[
        "paid_amount"] == "金额不能为负数"


def test_cleaned_data_is_json_safe_with_money_as_strings_of_yuan():
    data = registry.validate("enforcement.proposal", {
        "proposed_outcome": "处罚", "violation": "未按规定设置安全警示标志", "legal_basis": "《安全生产法》第三十五条",
        "penalty_basis": "《安全生产法》第九十九条", "discretion_standard": "第12项", "discretion_level": "一般",
        "penalty_types": ["罚款"], "fine_amount": 30000, "proposal_reason": "情节一般"})
    json.dumps(data)
    assert data["fine_amount"] == "30000.00"
    assert data["confiscation_amount"] is None and data["complex_case"] is False
    assert data["severe_measure"] is False
    report = registry.validate("accident.receive", {
        "accident_title": "甲公司“5·12”爆炸事故", "occurred_at": "2026-05-12T08:10", "reported_at": "2026-05-12T08:50",
        "enterprise_name": "甲公司", "location": "一号车间", "category": "工矿商贸", "accident_type": "其他爆炸",
        "deaths": "3", "serious_injuries": 1, "direct_loss": "12000000.5", "summary": "反应釜超压爆炸",
        "local_level": "县级"})
    assert report["occurred_at"] == "2026-05-12T08:10:00+08:00"
    assert report["deaths"] == 3 and report["direct_loss"] == "12000000.50"
    json.dumps(report)


@pytest.mark.parametrize("typed_day, typed_amount", [
    ("2026年6月1日", "5,000,000"), ("２０２６／０６／０１", "５，０００，０００元"), ("2026.6.1", "5000000.00"),
    (" 2026-06-01 ", "5 000 000"),
])
def test_days_and_amounts_as_a_tired_official_types_them(typed_day, typed_amount):
    data = registry.validate("enforcement.payment", {"paid_on": typed_day, "paid_amount": typed_amount,
                                                     "receipts": ["缴款凭证"]})
    assert data["paid_on"] == "2026-06-01" and data["paid_amount"] == "5000000.00"


def test_a_day_that_does_not_exist_or_a_word_amount_is_refused_naming_the_field():
    errors = errors_of("enforcement.payment", {"paid_on": "2026年2月30日", "paid_amount": "五百万左右",
                                                "receipts": ["缴款凭证"]})
    assert errors["paid_on"] == "2026年2月30日不是有效的日期" and errors["paid_amount"].startswith("应为金额")


def test_dates_in_tables_are_iso_strings():
    data = registry.validate("accident.report", {
        "report_summary": "经过", "accident_nature": "生产安全责任事故",
        "measures": [{"measure": "加装报警装置", "owner": "甲公司", "due_date": "2026-12-31"}],
        "responsible_persons": [{"name": "王某", "proposed_handling": "行政处罚", "administrative_penalty": True}]})
    assert data["measures"] == [{"measure": "加装报警装置", "owner": "甲公司", "due_date": "2026-12-31"}]
    assert data["responsible_persons"][0]["administrative_penalty"] is True
    errors = errors_of("accident.report", {"report_summary": "经过", "accident_nature": "生产安全责任事故",
                                           "measures": [{"owner": "甲公司", "due_date": "2026-13-01"}]})
    assert errors["measures.0.measure"] == "此项为必填项"
    assert errors["measures.0.due_date"] == "2026年13月1日不是有效的日期"


def test_an_incomplete_accident_report_is_accepted_so_the_four_nots_gate_can_name_the_gaps():
    data = registry.validate("accident.report", {"report_summary": "经过", "accident_nature": "生产安全责任事故"})
    assert data["direct_cause"] is None and data["education_done"] is False


def test_conditional_requirements():
    assert errors_of("hazard.rectify", {"rectify_action": "申请延期", "rectify_summary": "x"}) == {
        "extension_reason": "申请延期须写明理由和申请延长至的日期",
        "requested_deadline": "申请延期须写明理由和申请延长至的日期"}
    assert errors_of("hazard.onsite_review", {"review_passed": False, "reviewed_on": "2026-06-01",
                                              "reviewers": ["zhang_san", "li_si"], "review_findings": "未整改到位"}) == {
        "new_order": "复查不合格须下达新的整改指令和期限", "new_deadline": "复查不合格须下达新的整改指令和期限"}
    assert errors_of("hazard.review_listing", {"listing_review_decision": "退回"}) == {
        "listing_review_opinion": "不同意或退回时须写明理由"}
    assert registry.validate("hazard.review_listing", {"listing_review_decision": "同意"})[
        "listing_review_opinion"] is None


def test_filing_needs_two_officers():
    assert errors_of("enforcement.investigate", {"facts_found": "x", "investigators": ["zhang_san"], "evidence": ["e1"]}) == {
        "investigators": "至少选择2人"}
    errors = errors_of("enforcement.filing", {"filing_decision": "立案", "case_cause": "未落实隐患排查", "officers": ["张三"]})
    assert errors == {"officers": "立案须指定不少于两名执法人员承办"}
    errors = errors_of("enforcement.filing", {"filing_decision": "立案", "case_cause": "未落实隐患排查"})
    assert errors == {"officers": "立案须指定不少于两名执法人员承办"}


def test_attendees_must_be_committee_members():
    errors = errors_of("enforcement.convene", {
        "meeting_at": "2026-06-01T09:00", "meeting_host": "局长", "committee_members": ["a", "b", "c"],
        "attendees": ["a", "x"], "meeting_topic": "案件集体讨论"})
    assert errors == {"attendees": "到会人员须从已选的集体讨论组成人员中选择"}


def test_publication_must_be_in_full():
    errors = errors_of("accident.publish", {"report_published_on": "2026-07-01", "report_channel": "门户网站",
                                            "includes_technical_section": False})
    assert "技术和管理问题专篇" in errors["includes_technical_section"]


def test_appraisal_dates_in_order_and_extension_at_most_60_days():
    errors = errors_of("accident.investigate", {"investigate_action": "技术鉴定", "progress_note": "送检",
                                                "appraisal_started_on": "2026-06-10", "appraisal_ended_on": "2026-06-01"})
    assert errors == {"appraisal_ended_on": "结束日期不能早于开始日期"}
    errors = errors_of("accident.extension_decision", {"extension_decision": "批准", "extension_days": 61})
    assert errors == {"extension_days": "应在1到60之间"}


def test_unticked_flags_load_as_false_but_decisions_are_required():
    data = registry.validate("accident.report_up", {"reported_to": "市应急管理局", "reported_up_at": "2026-05-12T09:30",
                                                    "report_content": "快报"})
    assert data["take_over"] is False
    assert errors_of("hazard.confirm_fix", {"fix_opinion": "ok"}) == {"fix_passed": "此项为必填项"}


def test_a_form_is_described_once_and_every_caller_gets_its_own_copy(monkeypatch):
    """Task and case pages ask for a dozen forms' fields per page: described once per form, handed out
    as copies, so one page changing what it got (a prefilled choice list) cannot reach the next."""
    import importlib

    from workflows.forms.enforcement import Convene
    module = importlib.import_module("workflows.forms.registry")
    calls = []
    real = module.describe
    monkeypatch.setattr(module, "describe", lambda schema: calls.append(schema) or real(schema))
    forms = module.FormRegistry()
    forms.register("enforcement.convene", Convene)
    first = forms.fields("enforcement.convene")
    members = next(f for f in first if f["name"] == "committee_members")
    assert members["label"] == "集体讨论组成人员（本机关负责人）" and members["roles"] == ["director", "leader"]
    members["label"], members["roles"][:] = "改过的", ["inspector"]
    again = forms.fields("enforcement.convene")
    assert next(f for f in again if f["name"] == "committee_members")["roles"] == ["director", "leader"]
    assert again == real(Convene()) and len(calls) == 1
