"""事故查处挂牌督办: when the listing may be lifted (摘牌), on SQLite and PostgreSQL.

Seeds: 常州 2012 (seed 001) "认真落实事故查处分级挂牌督办、跟踪督办…及时向社会公布调查处理结果"; 下原镇 2019
(seed 004) "认真落实事故挂牌督办". The conditions: the report is 批复'd (with its 批复文号), the 批复's
责任追究 is carried out (《生产安全事故报告和调查处理条例》第三十二条第二款), the 防范和整改措施 are in place
(第三十三条) and the handling is published (第三十四条); the lifting is published as the listing was
(《重大事故查处挂牌督办办法》安委〔2010〕6号 第三条第（二）项, 第四条 督办解除方式、程序).
"""
from __future__ import annotations

import datetime as dt

import pytest

from engine import InvalidData
from tests.process_support import advance, day, process_world
from tests.test_process_accident_supervision import START, listed

APPROVAL_NO = "示政函〔2026〕5号"


@pytest.fixture(scope="module")
def w(module_database_url):
    yield from process_world(module_database_url, "accident_supervision", None, START)


def at_delisting(w) -> int:
    c = listed(w, deaths=3)
    w.desk.do(c, "报送调查进展", investigation_approved=True, approved_on=day(w), approval_no=APPROVAL_NO)
    w.desk.do(c, "发布事故警示通报")
    w.desk.do(c, "诫勉约谈企业主要负责人")
    assert w.desk.names(c) == ["审核摘牌"]
    return c


def test_an_approved_report_names_its_approval_number_regulation_493_art32(w):
    c = listed(w, deaths=1)
    with pytest.raises(InvalidData) as refused:
        w.desk.do(c, "报送调查进展", investigation_approved=True, approved_on=day(w), approval_no=None)
    assert set(refused.value.errors) == {"approval_no"}
    assert "批复文号" in str(refused.value.errors["approval_no"])
    assert w.desk.names(c) == ["报送调查进展"]                       # nothing lost: the task is still open


@pytest.mark.parametrize("unmet, article", [("responsibility_done", "第三十二条第二款"),
                                            ("measures_done", "第三十三条"),
                                            ("result_published", "第三十四条")])
def test_listing_is_not_lifted_while_a_condition_of_the_approval_is_unmet_regulation_493_art32_33_34(w, unmet, article):
    c = at_delisting(w)
    with pytest.raises(InvalidData) as refused:
        w.desk.do(c, "审核摘牌", **{unmet: False})
    assert set(refused.value.errors) == {unmet}
    reason = str(refused.value.errors[unmet])
    assert "不能摘牌" in reason and article in reason
    assert w.desk.names(c) == ["审核摘牌"] and w.engine.case(c).status == "running"


def test_lifting_is_published_as_the_listing_was_anwei_2010_6_art3(w):
    c = at_delisting(w)
    with pytest.raises(InvalidData) as refused:
        w.desk.do(c, "审核摘牌", delist_published_on=None, delist_channel="")
    assert set(refused.value.errors) == {"delist_published_on", "delist_channel"}
    with pytest.raises(InvalidData) as refused:
        w.desk.do(c, "审核摘牌", delisted_on=day(w), delist_published_on=day(w, -1))
    assert "不能早于摘牌日期" in str(refused.value.errors["delist_published_on"])
    w.desk.do(c, "审核摘牌", delist_published_on=day(w), delist_channel="市政府网站")
    data = w.engine.case(c).data
    assert w.engine.case(c).status == "completed"
    assert data["delist_published_on"] == day(w) and data["delist_channel"] == "市政府网站"


def test_not_yet_lifted_the_unit_reports_again_by_the_date_set_without_a_second_warning_regulation_493_art33(w):
    c = at_delisting(w)
    with pytest.raises(InvalidData) as refused:                        # 暂不摘牌 needs the date to report by
        w.desk.do(c, "审核摘牌", delist_decision="暂不摘牌", measures_done=False, delist_opinion="整改措施未落实",
                  next_report_due=None)
    assert set(refused.value.errors) == {"next_report_due"}
    with pytest.raises(InvalidData) as refused:                        # not a day already past
        w.desk.do(c, "审核摘牌", delist_decision="暂不摘牌", measures_done=False, delist_opinion="整改措施未落实",
                  next_report_due=day(w, -1))
    assert "不能早于今天" in str(refused.value.errors["next_report_due"])
    w.desk.do(c, "审核摘牌", delist_decision="暂不摘牌", measures_done=False, delist_opinion="整改措施未落实",
              next_report_due=day(w, 20))
    report = w.desk.task(c, "报送调查进展")
    assert report.due_at == dt.datetime.fromisoformat(f"{day(w, 21)}T00:00:00+08:00")   # ends with the 20th day
    advance(w, days=20)
    assert w.desk.names(c) == ["报送调查进展"]                          # the day set is still in time
    w.desk.do(c, "报送调查进展", progress="防范和整改措施已全部落实，附验收材料")
    assert w.desk.names(c) == ["审核摘牌"]                              # no second 警示通报 or 约谈
    w.desk.do(c, "审核摘牌")
    assert w.engine.case(c).status == "completed"
    opened = [e["detail"]["element"] for e in w.engine.case(c).history if e["action"] == "task_opened"]
    assert opened.count("warning") == 1 and opened.count("interview") == 1
