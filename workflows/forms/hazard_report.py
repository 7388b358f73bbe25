"""Forms of 隐患排查治理情况统计分析表报送 (bpmn/hazard_statistics_report.bpmn): the enterprise's report,
filled in advance from the hazard ledger, and the inspector's 签收 (原国家安全监管总局令第16号第十四条).

The counts are typed as a tired official types them — ``１２``, ``1,234``, ``3项`` — and read by the
forms layer's own fields (``fields.integer``, ``fields.money``)."""
from __future__ import annotations

from marshmallow import ValidationError, validates_schema

from . import fields as f
from .fields import FormSchema, require_when

SIGNED = "统计分析表应当由生产经营单位主要负责人签字（原国家安全监管总局令第16号第十四条），请确认主要负责人已签字"


class Fill(FormSchema):
    """填报统计分析表"""
    found_total = f.integer("本期排查发现隐患（项）", help="已按本企业隐患台账预填，请核对")
    found_major = f.integer("其中重大事故隐患（项）")
    rectified_total = f.integer("截至期末已整改（项）")
    rectified_major = f.integer("其中重大事故隐患已整改（项）")
    open_total = f.integer("截至期末未整改（项）")
    overdue_total = f.integer("其中逾期未整改（项）")
    rectify_cost = f.money("整改资金（元）", required=False)
    analysis = f.text("统计分析（隐患类别、原因及下一步措施）", long=True)
    difference_note = f.text("与隐患台账数据不一致的说明", required=False, long=True,
                             help="修改了预填数据的，请说明原因（如台账漏登、重复登记）")
    principal_name = f.person_name("主要负责人姓名")
    principal_signed = f.boolean("主要负责人已审阅并签字", help="书面统计分析表须由主要负责人签字后上传扫描件")
    signed_table = f.attachments("主要负责人签字的统计分析表（扫描件）", required=True)
    filled_by = f.person_name("填报人")
    filled_phone = f.phone("填报人联系电话")

    @validates_schema
    def _consistent(self, data, **_):
        errors: dict[str, list[str]] = {}

        def over(name: str, limit: str, message: str) -> None:
            if data.get(name) is not None and data.get(limit) is not None and data[name] > data[limit]:
                errors.setdefault(name, []).append(message)
        over("found_major", "found_total", "「其中重大事故隐患」不能多于「本期排查发现隐患」")
        over("rectified_total", "found_total", "「截至期末已整改」不能多于「本期排查发现隐患」")
        over("rectified_major", "found_major", "「其中重大事故隐患已整改」不能多于「其中重大事故隐患」")
        over("rectified_major", "rectified_total", "「其中重大事故隐患已整改」不能多于「截至期末已整改」")
        over("overdue_total", "open_total", "「其中逾期未整改」不能多于「截至期末未整改」")
        if None not in (data.get("rectified_total"), data.get("open_total"), data.get("found_total")) \
                and data["rectified_total"] + data["open_total"] > data["found_total"]:
            errors.setdefault("open_total", []).append("「截至期末已整改」与「截至期末未整改」之和不能多于「本期排查发现隐患」")
        if data.get("principal_signed") is False:
            errors.setdefault("principal_signed", []).append(SIGNED)
        if errors:
            raise ValidationError(errors)


class Receive(FormSchema):
    """签收统计分析表"""
    receive_decision = f.choice("签收意见", ["签收", "退回补正"])
    return_reason = f.text("退回补正的原因和要求", required=False, long=True)

    @validates_schema
    def _reason_when_returned(self, data, **_):
        require_when(data, data.get("receive_decision") == "退回补正", "return_reason",
                     message="退回补正须写明原因和要求")


FORMS = {
    "hazard_report.fill": Fill,
    "hazard_report.receive": Receive,
}

SAMPLES = {  # example submissions (see samples.py): a quarter with no hazards; callers pass the ledger's figures
    "hazard_report.fill": lambda t: {
        "found_total": 0, "found_major": 0, "rectified_total": 0, "rectified_major": 0, "open_total": 0,
        "overdue_total": 0, "rectify_cost": None,
        "analysis": "本期隐患主要为设备设施防护缺失，已落实整改责任人；下季度加强设备点检。",
        "difference_note": None, "principal_name": "钱大成", "principal_signed": True,
        "signed_table": ["统计分析表（主要负责人签字）.pdf"], "filled_by": "孙建平", "filled_phone": "13900000001"},
    "hazard_report.receive": lambda t: {"receive_decision": "签收", "return_reason": None},
}
