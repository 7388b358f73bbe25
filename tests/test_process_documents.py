"""Each process's key document rendered from a real case's data (挂牌督办通知书, 事故调查报告, 告知书, 决定书, 评估报告)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from engine import ManualClock
from workflows.demo import CHEMICAL, Desk, load_directory
from workflows.documents import BLANK, DOCUMENTS, documents_for, render
from workflows.documents.format import cn_date, money, money_upper
from workflows.runtime import build_engine

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)
ISSUER = "示范市东城区应急管理局"


@pytest.fixture
def w(sqlite_url):
    clock = ManualClock(START)
    engine = build_engine(sqlite_url, clock=clock)
    load_directory(engine)
    yield SimpleNamespace(engine=engine, clock=clock, desk=Desk(engine))
    engine.dispose()


def walk(w, process, steps, party=CHEMICAL, by="zhang_san"):
    c = w.desk.start(process, by=by, org="dongcheng", party=party).id
    for step in steps:
        name, changes = step if isinstance(step, tuple) else (step, {})
        w.desk.do(c, name, **changes)
    return c


def test_every_process_offers_its_documents():
    assert [d["key"] for d in documents_for("hazard_supervision")] == ["hazard.notice"]
    assert [d["key"] for d in documents_for("accident_investigation")] == ["accident.report"]
    assert [d["key"] for d in documents_for("enforcement_case")] == ["enforcement.notice", "enforcement.decision"]
    assert [d["key"] for d in documents_for("post_case_assessment")] == ["assessment.report"]
    assert documents_for("enforcement_case", {})[0]["ready"] is False
    with pytest.raises(KeyError):
        render("nope", {})


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda d: d.key)
def test_an_empty_case_renders_with_blanks_not_errors(doc):
    text = render(doc.key, {})
    assert BLANK in text and "{" not in text and "None" not in text


def test_listing_notice(w):
    c = walk(w, "hazard_supervision", ["登记隐患", "提出挂牌督办建议", "审核挂牌建议", "批准挂牌督办",
                                       "下达挂牌督办通知书并公开"])
    data = w.engine.case(c).data
    assert documents_for("hazard_supervision", data)[0]["ready"] is True
    text = render("hazard.notice", data, issuer=ISSUER)
    assert text.startswith(ISSUER + "\n重大事故隐患挂牌督办通知书\n东应急督〔2026〕1号")
    assert "示范市甲化工有限公司：" in text
    assert "液化烃储罐未按国家标准设置紧急切断装置" in text and "县（区）级挂牌督办" in text
    assert "应于2026年8月9日前完成整改" in text and "2026年5月26日前制定隐患治理方案" in text
    assert "局部或者全部停产停业" in text and "10个工作日前提出书面申请" in text
    assert data["case_no"] in text and BLANK not in text


def test_accident_report_outline_shows_the_four_nots_result(w):
    c = walk(w, "accident_investigation", ["事故信息接报", "逐级上报事故信息", "成立事故调查组", "调查取证",
                                           ("起草事故调查报告", {"education_done": False, "education_record": None})],
             by="sun_qi")
    blocked = render("accident.report", w.engine.case(c).data)
    assert "未通过：有关人员未受到教育不放过" in blocked
    w.desk.do(c, "起草事故调查报告")
    text = render("accident.report", w.engine.case(c).data)
    assert "示范市甲化工有限公司“5·12”爆炸事故调查报告（提纲）" in text
    assert "死亡1人，重伤2人，直接经济损失3,200,000.00元" in text
    assert "本起事故为一般生产安全事故，由县级人民政府负责调查" in text
    assert "钱大成（总经理）：未履行主要负责人安全生产管理职责；处理建议：行政处罚" in text
    assert "1. 全面校验安全阀并建立台账（责任单位：示范市甲化工有限公司；完成时限：2026年6月10日）" in text
    assert "核验通过" in text and BLANK not in text


def test_penalty_notice_and_decision(w):
    c = walk(w, "enforcement_case", ["初步核查", "立案审批", "调查取证", ("案件处理呈批", {"fine_amount": "150000"}),
                                     "法制审核", "送达行政处罚告知书"])
    data = w.engine.case(c).data
    notice = render("enforcement.notice", data, issuer=ISSUER)
    assert "行政处罚告知书\n东应急告〔2026〕12号" in notice
    assert "罚款人民币壹拾伍万元整（¥150,000.00元）" in notice
    assert "并有权要求举行听证" in notice and "第六十三条" in notice
    assert "自收到本告知书之日起5个工作日内" in notice and BLANK not in notice
    assert documents_for("enforcement_case", data) == [
        {"key": "enforcement.notice", "title": "行政处罚告知书", "ready": True},
        {"key": "enforcement.decision", "title": "行政处罚决定书", "ready": False}]
    w.desk.do(c, "陈述申辩或申请听证", user="jia_qy")
    w.desk.do(c, "组织集体讨论")
    for _ in range(4):
        t = w.desk.task(c, "集体讨论表决", which=0)
        w.engine.complete(t.id, t.assignee, {"vote_choice": "同意"})
    w.desk.do(c, "形成集体讨论记录")
    data = w.engine.case(c).data
    decision = render("enforcement.decision", data, issuer=ISSUER)
    assert "被处罚人：示范市甲化工有限公司" in decision
    assert "当事人在规定期限内未提出陈述、申辩，经本机关负责人集体讨论决定" in decision
    assert "罚款人民币壹拾伍万元整" in decision and "每日按罚款数额的百分之三加处罚款" in decision
    assert "2026年5月11日" in decision and data["case_no"] in decision


def test_assessment_report(w):
    c = w.desk.start("post_case_assessment", by="dc_gov", org="dongcheng", party=CHEMICAL,
                     accident_title="甲化工“5·11”爆炸事故", enterprise_name="示范市甲化工有限公司", accident_grade="一般",
                     approved_at=START.isoformat(), organised_by="东城区人民政府", measures=[], responsible_persons=[],
                     responsible_units=[]).id
    w.clock.advance(days=305)
    w.engine.run_due_timers()
    for step in ("组建评估组", "核查整改和防范措施落实情况", "核查责任追究落实情况", "起草评估报告"):
        w.desk.do(c, step)
    text = render("assessment.report", w.engine.case(c).data)
    assert text.startswith("甲化工“5·11”爆炸事故\n防范和整改措施落实情况评估报告")
    assert "东城区人民政府组织开展本次评估。评估组组长：孙七；成员：孙七、周八" in text
    assert "事故调查报告于2026年5月11日批复" in text
    assert "1. 全面校验安全阀并建立台账（示范市甲化工有限公司）：已落实，台账齐全" in text
    assert "未发现需要问责的情形" in text and BLANK not in text


def test_formatting_helpers():
    assert cn_date("2026-05-11") == "2026年5月11日"
    assert cn_date("2026-05-10T17:00:00+00:00") == "2026年5月11日"     # Beijing time
    assert money("1234567.5") == "1,234,567.50元"
    assert money_upper("100000") == "人民币壹拾万元整"
    assert money_upper("1005") == "人民币壹仟零伍元整"
    assert money_upper("23450.07") == "人民币贰万叁仟肆佰伍拾元零柒分"
    assert money_upper("0.35") == "人民币叁角伍分"
    assert money_upper("100000000") == "人民币壹亿元整"
