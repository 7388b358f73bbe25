"""双随机一公开: an inspection plan drawn at random and each drawn inspection walked through the engine
(SQLite and PostgreSQL), one world per module. Sources: 国发〔2019〕5号 (随机抽取对象和执法人员, 结果20个工作日
内公示); 柴桑区实施意见 (seed 003) 实施"双随机、一公开"; 武进 2017 (seed 000) 执法计划完成率100%."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import IncidentRaised
from workflows.demo import CHEMICAL, MACHINERY, register_enterprises
from workflows.functions import workday_after
from workflows.inspection_plans import audit_draw, completion_by_unit, plan_completion, start_plan
from tests.process_support import advance, day, process_world, user_tasks, reached_by_every_scenario

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)   # Monday 09:00 in Shanghai
QUOTAS = [{"sector": "危化", "count": 1}, {"sector": "工贸", "count": 1}]


def world(database_url):
    worlds = process_world(database_url, "random_inspection", None, START)
    made = next(worlds)
    register_enterprises(made.engine)
    for username, name in (("wei_jc", "魏检查"), ("xu_jc", "徐检查")):
        made.engine.directory.add_user(username, org="dongcheng", roles=["inspector"], name=name)
    yield made
    next(worlds, None)                                # disposes the engine


@pytest.fixture(scope="module")
def w(module_database_url):
    yield from world(module_database_url)


def drawn_plan(w, **plan) -> tuple[int, list]:
    c = start_plan(w.engine, "qian_ke", "dongcheng", "东城区双随机抽查计划").id
    w.desk.do(c, "编制双随机抽查计划", quotas=QUOTAS, **plan)
    w.desk.do(c, "审批抽查计划")
    kids = [x for x in w.engine.cases(process_key="random_inspection", limit=1000) if x.parent_case_id == c]
    return c, kids


def test_plan_is_approved_drawn_reproducibly_and_each_pick_gets_an_inspection_case(w):
    """国发〔2019〕5号: random enterprises (by sector quota, risk-weighted) and ≥2 random inspectors each;
    the seed and the result are in the case, and an auditor's re-run gives the same draw."""
    c = start_plan(w.engine, "qian_ke", "dongcheng").id
    data = w.engine.case(c).data
    assert {p["credit_code"] for p in data["draw_pool"]} == {CHEMICAL, MACHINERY}   # 东城 and below only
    w.desk.do(c, "编制双随机抽查计划", quotas=QUOTAS)
    w.desk.do(c, "审批抽查计划", plan_approval_decision="退回", plan_approval_opinion="补充检查重点")
    w.desk.do(c, "编制双随机抽查计划", quotas=QUOTAS)
    assert w.desk.task(c, "审批抽查计划").role_code == "leader"
    w.desk.do(c, "审批抽查计划")
    data = w.engine.case(c).data
    assert data["draw_seed"].startswith(w.engine.case(c).case_no) and data["drawn_count"] == 2
    assert audit_draw(data) == data["draw_result"]
    kids = [x for x in w.engine.cases(process_key="random_inspection", limit=1000) if x.parent_case_id == c]
    assert sorted(k.party for k in kids) == sorted([CHEMICAL, MACHINERY])
    for kid in kids:
        inspectors = w.engine.case(kid.id).data["inspectors"]
        assert len(set(inspectors)) == 2
        assert w.desk.task(kid.id, "现场检查").assignee == inspectors[0]
    assert w.desk.names(c) == []                                  # waits for the end of the period


def test_the_draw_opens_its_cases_in_one_call_to_the_host_whatever_it_draws(w):
    """每个抽中企业生成一件检查案件 by one host call (``open_inspections``), not by a loop in the script calling
    ``inspection_seed`` and ``start_case`` per enterprise (each a round trip between the script's isolated
    worker and the host): the draw's worker calls the host five times, drawing one enterprise or two. It
    asks the engine for cases, so the host never runs it on its own (not host-safe)."""
    from engine import evaluator
    from workflows.functions import FUNCTIONS, HOST_SAFE
    assert "open_inspections" not in HOST_SAFE and not evaluator.is_host_safe(FUNCTIONS["open_inspections"])
    called: list[str] = []
    call_host = evaluator._call_host

    def counting(functions, message):
        called.append(message.get("call"))
        return call_host(functions, message)

    for quotas, drawn in (([{"sector": "危化", "count": 1}], 1), (QUOTAS, 2)):
        c = start_plan(w.engine, "qian_ke", "dongcheng").id
        w.desk.do(c, "编制双随机抽查计划", quotas=quotas)
        called.clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(evaluator, "_call_host", counting)
            w.desk.do(c, "审批抽查计划")
        kids = [x for x in w.engine.cases(process_key="random_inspection", limit=1000) if x.parent_case_id == c]
        assert len(kids) == w.engine.case(c).data["drawn_count"] == drawn
        assert sorted(called) == ["draw_conflicts", "inspection_draw", "now", "open_inspections", "quota_map"], called
        for kid in kids:
            d = w.engine.case(kid.id).data
            assert kid.party == d["credit_code"] and kid.title == "双随机抽查：" + d["name"]
            assert d["plan_no"] == w.engine.case(c).case_no and len(d["inspectors"]) == 2


def test_findings_open_a_listing_or_a_penalty_and_results_are_published_in_20_working_days(w):
    c, kids = drawn_plan(w)
    first, second = kids
    w.desk.do(first.id, "现场检查", inspection_result="发现违法行为", inspection_findings="未对动火作业实施审批")
    w.desk.do(second.id, "现场检查", inspection_result="发现重大事故隐患", inspection_findings="储罐区紧急切断失效")
    spawned = {x.process_key for x in w.engine.cases(limit=1000) if x.parent_case_id in (first.id, second.id)}
    assert spawned == {"enforcement_case", "hazard_supervision"}
    publish = w.desk.task(first.id, "公示抽查结果")
    due = workday_after(day(w), 20)
    assert publish.due_at == dt.datetime.fromisoformat(f"{(dt.date.fromisoformat(due) + dt.timedelta(days=1))}T00:00:00+08:00")
    w.desk.do(first.id, "公示抽查结果")
    assert plan_completion(w.engine, c) == {"drawn": 2, "inspected": 2, "published": 1, "rate": "100.0%"}
    assert any(u["org_code"] == "dongcheng" and u["drawn"] >= 2 for u in completion_by_unit(w.engine))


def test_avoidance_of_last_inspectors_and_declared_conflicts_holds_in_the_next_plan(w):
    """回避: the next plan does not send whoever inspected an enterprise last, nor one who declared a conflict."""
    _, before = drawn_plan(w)
    last = {w.engine.case(k.id).data["credit_code"]: set(w.engine.case(k.id).data["inspectors"]) for k in before}
    _, after = drawn_plan(w, avoidances=[{"inspector": "wei_jc", "credit_code": CHEMICAL, "reason": "近亲属任职"}])
    for k in after:
        d = w.engine.case(k.id).data
        assert not set(d["inspectors"]) & last[d["credit_code"]]
        if d["credit_code"] == CHEMICAL:
            assert "wei_jc" not in d["inspectors"]


def test_a_draw_that_cannot_be_made_leaves_an_incident_and_no_cases(w):
    c = start_plan(w.engine, "qian_ke", "dongcheng").id
    w.desk.do(c, "编制双随机抽查计划", quotas=[{"sector": "危化", "count": 5}])
    with pytest.raises(IncidentRaised) as exc:
        w.desk.do(c, "审批抽查计划")
    assert "危化行业只有1家企业" in str(exc.value)
    assert w.desk.names(c) == ["审批抽查计划"]
    assert [x for x in w.engine.cases(process_key="random_inspection", limit=1000) if x.parent_case_id == c] == []


def test_inspection_not_done_in_the_period_escalates_and_the_plan_is_summed_up(w):
    """Seed 000: 执法计划网上跟踪; an inspection past the plan's end goes to the supervisor (level +1)."""
    c, kids = drawn_plan(w, period_end=day(w, 3))
    advance(w, days=4)
    kid = kids[0]
    assert w.desk.names(kid.id) == ["抽查逾期督办"] and w.engine.case(kid.id).escalation_level == 1
    w.desk.do(kid.id, "抽查逾期督办")
    assert w.desk.names(kid.id) == ["现场检查"]
    assert w.desk.names(c) == ["总结并公开计划执行情况"]
    w.desk.do(c, "总结并公开计划执行情况")
    assert w.engine.case(c).status == "completed"


def test_a_plan_started_from_the_page_records_the_draws_snapshot(w):
    from werkzeug.security import generate_password_hash
    from tests.ui_support import client_login
    from webui.app import create_app
    w.engine.directory.add_user("qian_web", org="dongcheng", roles=["supervisor"], name="钱科长",
                                password_hash=generate_password_hash("pw-2026", method="pbkdf2:sha256:1000"))
    client = client_login(create_app(w.engine, secret_key="t", testing=True), "qian_web", "pw-2026")
    response = client.post("/cases/new", data={"_csrf": client.csrf, "process": "inspection_plan", "title": "页面发起的计划"})
    assert response.status_code == 302
    data = w.engine.case(int(response.location.rsplit("/", 1)[1])).data
    assert {p["credit_code"] for p in data["draw_pool"]} == {CHEMICAL, MACHINERY} and data["draw_inspectors"]
    drawn_plan(w)                                     # a drawn plan of 东城 to count, whatever ran before
    page = client.get("/inspections/completion").get_data(as_text=True)
    row = [u for u in completion_by_unit(w.engine) if u["org_code"] == "dongcheng"][0]
    assert 'id="completion-by-unit"' in page and "东城区" in page and row["rate"] in page


def test_every_user_task_of_both_models_is_reached_by_a_test(request, w):
    """Stands on its own: any scenario above not yet run on this database is walked on a world of its
    own first (alone, after a subset, in any order; tests/process_support.py)."""
    both = ("inspection_plan", "random_inspection")
    assert user_tasks(*both) - reached_by_every_scenario(request, w, world, *both) == set()
