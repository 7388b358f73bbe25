"""The decision tables (决策表) as data, and the writer that turns them into DMN 1.3 files.

Cells are written the way SpiffWorkflow's DMN engine reads them: an input cell is a Python
comparison against the column's expression (``>= 30``, ``"重大"``, ``True``) or ``-`` for "any";
an output cell is a Python literal. Hit policy FIRST: the first matching row wins, so rows go from
the most to the least severe and the last row is the catch-all.

Boundaries follow the regulations' wording: 以上 includes the number (``>= 3``), 以下 excludes it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMNDI_NS = "https://www.omg.org/spec/DMN/20191111/DMNDI/"
DC_NS = "http://www.omg.org/spec/DMN/20180521/DC/"


@dataclass
class Column:
    key: str          # short id used in element ids
    label: str        # Chinese column header
    expression: str   # input: Python over task data; output: the variable written to task data
    type_ref: str = "string"


@dataclass
class Table:
    decision_id: str
    name: str
    inputs: list[Column]
    outputs: list[Column]
    rules: list[tuple[str, list[str], list[str]]]  # (description, input cells, output cells)
    hit_policy: str = "FIRST"
    doc: str = ""
    extra: dict = field(default_factory=dict)


def _yuan(n: int) -> str:
    return str(n)


ACCIDENT_GRADE = Table(
    "accident_grade", "事故等级判定",
    doc="《生产安全事故报告和调查处理条例》第三条：以上包括本数，以下不包括本数。",
    inputs=[
        Column("deaths", "死亡人数", "int(deaths or 0)", "integer"),
        Column("injuries", "重伤人数（含急性工业中毒）", "int(serious_injuries or 0)", "integer"),
        Column("loss", "直接经济损失（元）", "float(direct_loss or 0)", "number"),
    ],
    outputs=[
        Column("grade", "事故等级", "accident_grade"),
        Column("rank", "等级序号", "accident_grade_rank", "integer"),
    ],
    rules=[
        ("死亡30人以上", [">= 30", "-", "-"], ['"特别重大"', "4"]),
        ("重伤100人以上", ["-", ">= 100", "-"], ['"特别重大"', "4"]),
        ("直接经济损失1亿元以上", ["-", "-", f">= {_yuan(100_000_000)}"], ['"特别重大"', "4"]),
        ("死亡10人以上30人以下", [">= 10", "-", "-"], ['"重大"', "3"]),
        ("重伤50人以上100人以下", ["-", ">= 50", "-"], ['"重大"', "3"]),
        ("直接经济损失5000万元以上1亿元以下", ["-", "-", f">= {_yuan(50_000_000)}"], ['"重大"', "3"]),
        ("死亡3人以上10人以下", [">= 3", "-", "-"], ['"较大"', "2"]),
        ("重伤10人以上50人以下", ["-", ">= 10", "-"], ['"较大"', "2"]),
        ("直接经济损失1000万元以上5000万元以下", ["-", "-", f">= {_yuan(10_000_000)}"], ['"较大"', "2"]),
        ("其余为一般事故", ["-", "-", "-"], ['"一般"', "1"]),
    ],
)

JURISDICTION = Table(
    "accident_jurisdiction", "事故调查管辖与上报",
    doc="条例第十条（逐级上报）、第十九条（分级调查）、第三十二条（批复期限）。",
    inputs=[Column("grade", "事故等级", "accident_grade")],
    outputs=[
        Column("gov", "负责调查的人民政府", "jurisdiction"),
        Column("rank", "管辖层级序号", "jurisdiction_rank", "integer"),
        Column("report", "逐级上报至", "report_to"),
        Column("days", "批复期限（日）", "approval_days", "integer"),
    ],
    rules=[
        ("特别重大事故由国务院或其授权部门调查", ['"特别重大"'],
         ['"国务院"', "4", '"国务院应急管理部门"', "30"]),
        ("重大事故由省级人民政府调查", ['"重大"'],
         ['"省级人民政府"', "3", '"国务院应急管理部门"', "15"]),
        ("较大事故由设区的市级人民政府调查", ['"较大"'],
         ['"设区的市级人民政府"', "2", '"省级应急管理部门"', "15"]),
        ("一般事故由县级人民政府调查", ["-"],
         ['"县级人民政府"', "1", '"设区的市级应急管理部门"', "15"]),
    ],
)

HAZARD_SECTOR_STANDARDS = {  # keys: the sector names of the enterprise registry (workflows.enterprises.terms.Sector)
    "非煤矿山": "《金属非金属矿山重大事故隐患判定标准》",
    "危化": "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准》",
    "烟花爆竹": "《烟花爆竹生产经营单位重大生产安全事故隐患判定标准》",
    "工贸": "《工贸企业重大事故隐患判定标准》",
    "建筑施工": "《房屋市政工程生产安全重大事故隐患判定标准》",
}

HAZARD_GRADE = Table(
    "hazard_grade", "事故隐患分级",
    doc="原国家安全监管总局令第16号第三条及各行业重大事故隐患判定标准。",
    inputs=[
        Column("sector", "行业领域", "sector"),
        Column("criterion", "符合行业重大隐患判定标准条款", "bool(major_criterion)", "boolean"),
        Column("shutdown", "需全部或局部停产停业治理", "bool(requires_shutdown)", "boolean"),
        Column("long", "需经一定时间整改治理方能排除", "bool(long_rectification)", "boolean"),
        Column("external", "因外部因素影响单位自身难以排除", "bool(external_factors)", "boolean"),
    ],
    outputs=[
        Column("grade", "隐患等级", "hazard_grade"),
        Column("basis", "判定依据", "grade_basis"),
    ],
    rules=[
        *[(f"符合{standard}", [f'"{sector}"', "True", "-", "-", "-"], ['"重大"', f'"{standard}"'])
          for sector, standard in HAZARD_SECTOR_STANDARDS.items()],
        ("符合其他行业重大隐患判定标准", ["-", "True", "-", "-", "-"], ['"重大"', '"行业重大事故隐患判定标准"']),
        ("需停产停业治理", ["-", "-", "True", "-", "-"],
         ['"重大"', '"需全部或局部停产停业治理（总局令第16号第三条）"']),
        ("整改难度大", ["-", "-", "-", "True", "-"],
         ['"重大"', '"危害和整改难度较大，需经一定时间整改治理（总局令第16号第三条）"']),
        ("外部因素", ["-", "-", "-", "-", "True"],
         ['"重大"', '"因外部因素影响致使单位自身难以排除（总局令第16号第三条）"']),
        ("其余为一般隐患", ["-", "-", "-", "-", "-"], ['"一般"', '"危害和整改难度较小，发现后能够立即整改排除"']),
    ],
)

LISTING_LEVEL = Table(
    "listing_level", "挂牌督办层级",
    doc="挂牌层级随监管层级（属地管辖），跨行政区域的隐患提高一级。各省层级划分属于配置。",
    inputs=[
        Column("level", "企业监管层级", "supervision_level"),
        Column("cross", "跨行政区域", "bool(cross_region)", "boolean"),
    ],
    outputs=[
        Column("listing", "挂牌层级", "listing_level"),
        Column("rank", "挂牌层级序号", "listing_rank", "integer"),
    ],
    rules=[
        ("省级监管企业", ['"省"', "-"], ['"省级挂牌督办"', "3"]),
        ("市级监管企业跨区域", ['"设区的市"', "True"], ['"省级挂牌督办"', "3"]),
        ("市级监管企业", ['"设区的市"', "-"], ['"市级挂牌督办"', "2"]),
        ("区县监管企业跨区域", ["-", "True"], ['"市级挂牌督办"', "2"]),
        ("区县监管企业", ["-", "-"], ['"县（区）级挂牌督办"', "1"]),
    ],
)

HEARING_AND_COLLECTIVE = Table(
    "hearing_and_collective", "听证告知与集体讨论判定",
    doc=("《行政处罚法》第五十七条、第六十三条；应急管理部令第18号：较大数额罚款（以上含本数），责令停产停业、"
         "关闭、吊销或暂扣许可证、降低资质等级、限制从业，没收较大数额违法所得，当事人有权要求听证；达到听证标准的"
         "案件及情节复杂、重大违法案件须集体讨论决定。较大数额罚款按《行政处罚法》第六十三条第一款第（一）项为"
         "省、自治区、直辖市规定的数额，省级未规定的适用国务院部门的规定（默认对个人2万元、对单位10万元）："
         "地方规则 hearing.large_fine_individual / hearing.large_fine_unit（系统管理 › 规则配置），由判定前的脚本"
         "按判定之日取值写入 hearing_fine_threshold（记入案件，之后规则变更不改变已判定的案件）。"),
    inputs=[
        Column("outcome", "拟处理意见", "proposed_outcome"),
        Column("party", "当事人类型", "party_type"),
        Column("fine", "拟罚款金额（元）", "float(fine_amount or 0)", "number"),
        Column("severe", "责令停产停业/关闭/吊销/降级/限制从业", "bool(severe_measure)", "boolean"),
        Column("confiscate", "没收较大数额违法所得", "bool(large_confiscation)", "boolean"),
        Column("complex", "情节复杂或重大违法", "bool(complex_case)", "boolean"),
    ],
    outputs=[
        Column("hearing", "告知听证权利", "hearing_eligible", "boolean"),
        Column("collective", "须集体讨论", "collective_required", "boolean"),
        Column("basis", "判定理由", "hearing_basis"),
    ],
    rules=[
        ("不予处罚或移送，情节复杂", ['!= "处罚"', "-", "-", "-", "-", "True"],
         ["False", "True", '"情节复杂或重大违法，须集体讨论"']),
        ("不予处罚或移送", ['!= "处罚"', "-", "-", "-", "-", "-"],
         ["False", "False", '"不予处罚或移送司法，无需听证"']),
        ("较重处罚种类", ["-", "-", "-", "True", "-", "-"],
         ["True", "True", '"责令停产停业、关闭、吊销或降级等较重处罚"']),
        ("对个人处较大数额罚款（本省标准，默认2万元以上）", ["-", '"个人"', ">= hearing_fine_threshold", "-", "-", "-"],
         ["True", "True", '"对个人处较大数额罚款（" + yuan(hearing_fine_threshold) + "以上）"']),
        ("对单位处较大数额罚款（本省标准，默认10万元以上）", ["-", '"单位"', ">= hearing_fine_threshold", "-", "-", "-"],
         ["True", "True", '"对单位处较大数额罚款（" + yuan(hearing_fine_threshold) + "以上）"']),
        ("没收较大数额违法所得", ["-", "-", "-", "-", "True", "-"],
         ["True", "True", '"没收较大数额违法所得"']),
        ("情节复杂", ["-", "-", "-", "-", "-", "True"],
         ["False", "True", '"情节复杂或重大违法，须集体讨论"']),
        ("一般案件", ["-", "-", "-", "-", "-", "-"],
         ["False", "False", '"未达听证标准，由负责人审批"']),
    ],
)

OVERDUE_RUNG = Table(
    "overdue_rung", "逾期未整改升级措施",
    doc=("责令停产停业整顿并处罚款（《安全生产法》第一百零二条：拒不执行限期消除的）、按日连续处罚（《安全生产法》"
         "第一百一十二条）、停止供电（《安全生产法》第七十条，提前24小时通知）。约谈警示、公开曝光为本地规则，"
         "不是国家法律：九江市柴桑区人民政府《关于进一步加强安全生产工作的实施意见》第（二十一）项，对整改和督办"
         "不力的，实行约谈告诫、公开曝光。关闭只能由负有监管职责的部门提请、由县级以上人民政府决定（《安全生产法》"
         "第一百一十三条）：本表在第（一）项（存在重大事故隐患，180日内3次或1年内4次受到行政处罚）或第（二）项"
         "（经停产停业整顿仍不具备安全生产条件）时转入研究提请关闭，局长也可依第（四）项（拒不执行停产停业整顿决定）"
         "提请；第（三）项（不具备安全生产条件导致发生重大、特别重大生产安全事故）属事故查处，不在本表。"
         "第1至5次逾期的措施顺序为地方规则（workflows/rules.py hazard.ladder_order，按挂牌之日取值，"
         "录入时检查第七十条、第一百一十二条的先后要求；本地无约谈、曝光规定的，从顺序中去掉这两项）。"),
    inputs=[
        Column("count", "逾期次数", "int(overdue_count or 0)", "integer"),
        Column("closure", "180日内3次或1年内4次受到行政处罚", "bool(closure_due)", "boolean"),
        Column("suspended", "已责令停产停业整顿", "bool(suspension_ordered)", "boolean"),
    ],
    outputs=[
        Column("rung", "升级措施", "overdue_rung"),
        Column("name", "措施名称", "overdue_rung_name"),
    ],
    rules=[
        ("180日内3次或1年内4次受到行政处罚", ["-", "True", "-"],
         ['"propose_closure"', '"研究提请关闭（180日内3次或1年内4次受到行政处罚）"']),
        ("经停产停业整顿仍逾期未整改", [">= 6", "-", "True"],
         ['"propose_closure"', '"研究提请关闭（经停产停业整顿仍不具备安全生产条件）"']),
        ("第6次及以后逾期，尚未停产停业整顿", [">= 6", "-", "-"], ['"suspend"', '"责令停产停业整顿并处罚款"']),
        ("第1至5次逾期：按地方规则的升级顺序（hazard.ladder_order，默认约谈警示、公开曝光、责令停产停业整顿"
         "并处罚款、按日连续处罚、停止供电）", ["-", "-", "-"], ['ladder["rung"]', 'ladder["name"]']),
    ],
)

TABLES = [ACCIDENT_GRADE, JURISDICTION, HAZARD_GRADE, LISTING_LEVEL, HEARING_AND_COLLECTIVE, OVERDUE_RUNG]


def _text(value: str) -> str:
    return f"<text>{escape(value)}</text>"


def table_xml(t: Table) -> str:
    d = t.decision_id
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<definitions xmlns="{DMN_NS}" xmlns:dmndi="{DMNDI_NS}" xmlns:dc="{DC_NS}" '
        f'id="{d}_definitions" name={quoteattr(t.name)} namespace="http://duban.local/dmn">',
        f'  <decision id="{d}" name={quoteattr(t.name)}>',
        f'    <description>{escape(t.doc)}</description>' if t.doc else None,
        f'    <decisionTable id="{d}_table" hitPolicy="{t.hit_policy}">',
    ]
    for c in t.inputs:
        lines.append(f'      <input id="{d}_in_{c.key}" label={quoteattr(c.label)}>')
        lines.append(f'        <inputExpression id="{d}_ie_{c.key}" typeRef="{c.type_ref}">'
                     f'{_text(c.expression)}</inputExpression>')
        lines.append('      </input>')
    for c in t.outputs:
        lines.append(f'      <output id="{d}_out_{c.key}" label={quoteattr(c.label)} '
                     f'name="{c.expression}" typeRef="{c.type_ref}" />')
    for n, (desc, ins, outs) in enumerate(t.rules, 1):
        assert len(ins) == len(t.inputs) and len(outs) == len(t.outputs), (d, desc)
        lines.append(f'      <rule id="{d}_r{n}">')
        lines.append(f'        <description>{escape(desc)}</description>')
        for c, cell in zip(t.inputs, ins):
            lines.append(f'        <inputEntry id="{d}_r{n}_{c.key}">{_text(cell)}</inputEntry>')
        for c, cell in zip(t.outputs, outs):
            lines.append(f'        <outputEntry id="{d}_r{n}_o_{c.key}">{_text(cell)}</outputEntry>')
        lines.append('      </rule>')
    lines += [
        '    </decisionTable>',
        '  </decision>',
        '  <dmndi:DMNDI>',
        f'    <dmndi:DMNDiagram id="{d}_diagram">',
        f'      <dmndi:DMNShape id="{d}_shape" dmnElementRef="{d}">',
        '        <dc:Bounds height="80" width="180" x="160" y="100" />',
        '      </dmndi:DMNShape>',
        '    </dmndi:DMNDiagram>',
        '  </dmndi:DMNDI>',
        '</definitions>',
        '',
    ]
    return "\n".join(line for line in lines if line is not None)
