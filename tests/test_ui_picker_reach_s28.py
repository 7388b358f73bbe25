"""Who the pickers offer for 抽取监督人员 and 约谈人 on a district's case (SQLite and PostgreSQL, the demo
directory: 示范省 → 示范市 → 东城区 → 和平镇/清河镇).

The general reach (workflows/forms/people.py) lets a supervising role's holders of ANY unit above the
case be named: 盛副厅长 and 沈处长 of the province were offered to witness 东城区's draw and to conduct its
诫勉约谈. Now:

- 抽取监督人员 (审批抽查计划): the case's unit and the units below only — 国办发〔2015〕58号: the department that
  carries out the 随机抽查 organises the draw itself and records it in full (抽查过程全程记录、责任可追溯); no
  unit above takes part in another unit's draw. The submit refuses whom the picker leaves out.
- 约谈人 (诫勉约谈企业主要负责人, 事故查处挂牌督办): the case's unit, the units below and its direct supervising
  unit — 常州2012 (seed 001) 分级挂牌督办: the investigating unit's superior lists the accident (决定挂牌督办)
  and may join the 约谈; the province over a district's case is not offered (still typed by hand if needed).
"""
from __future__ import annotations

import pytest

from engine import InvalidData
from tests.process_support import process_world
from tests.test_process_inspection import QUOTAS, START
from webui import formspec
from workflows.demo import register_enterprises
from workflows.forms.registry import describe
from workflows.forms import accident_supervision, inspection
from workflows.inspection_plans import start_plan


@pytest.fixture(scope="module")
def w(module_database_url):
    for made in process_world(module_database_url, "random_inspection", None, START):
        register_enterprises(made.engine)
        yield made


def test_draw_witnesses_of_a_district_case_are_its_own_or_below_never_the_city_or_province_guoban_2015_58(w):
    fields = describe(inspection.Approve())
    offered = {name for _u, name in formspec.people_options(w.engine.directory, fields, "dongcheng")["draw_witnesses"]}
    assert {"陈法制", "钱科长", "郑副局长", "冯局长"} <= offered
    assert not offered & {"盛副厅长", "沈处长", "石局长", "史副局长", "施科长"}, offered   # province and city
    assert not offered & {"吴科长"}                                                   # another district


def test_a_province_or_city_witness_of_a_district_draw_is_refused_naming_the_field_guoban_2015_58(w):
    c = start_plan(w.engine, "qian_ke", "dongcheng").id
    w.desk.do(c, "编制双随机抽查计划", quotas=QUOTAS)
    for outsider, name in (("sheng_ke", "沈处长"), ("shi_ke", "施科长")):
        with pytest.raises(InvalidData) as refused:
            w.desk.do(c, "审批抽查计划", draw_witnesses=["chen_fz", outsider])
        assert refused.value.errors == {"draw_witnesses": f"“抽取监督人员”中的 {name} 不属于本案件的办理单位"
                                                          "（东城区）或其下级单位，请从列表中选择"}
    assert w.desk.names(c) == ["审批抽查计划"] and "draw_seed" not in w.engine.case(c).data   # nothing drawn
    w.desk.do(c, "审批抽查计划", draw_witnesses=["chen_fz", "qian_ke"])
    assert w.engine.case(c).data["draw_witnesses"] == ["chen_fz", "qian_ke"]


def test_interviewers_of_a_district_accident_are_its_heads_and_its_direct_superiors_not_the_province_seed001(w):
    fields = describe(accident_supervision.Interview())
    offered = {n for n, _ in formspec.name_choices(w.engine.directory, fields, {}, "dongcheng")["interviewers"]}
    assert {"郑副局长", "冯局长", "钱科长", "石局长", "史副局长", "施科长"} <= offered, offered   # 东城区 and 示范市
    assert not offered & {"盛副厅长", "沈处长", "吴科长"}, offered                              # 示范省, 西城区
