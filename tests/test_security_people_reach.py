"""People pickers by district (人员选择的办理单位范围): a form field that hands a case to people names
only people within the case's reach — its org unit and the units below it, the unit handling the
task, and, for a role that supervises the units below (负责人), holders above it — never a role
holder of another district. Checked at the one place every completion passes (engine/tasks.py →
workflows/forms/people.py), so the page, the REST API and an incident's retry refuse alike, and the
page's picker offers exactly whom the check accepts.

The field is the 复查人员 of 现场复查 in 挂牌督办 (《安全生产事故隐患排查治理暂行规定》第二十三条:
the 安全监管监察部门 that listed the hazard reviews it on site within 10 days, by its own
inspectors). On a real SQLite file and a real PostgreSQL database, with the real process model.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from engine import InvalidData
from tests.ui_support import MAJOR_PATH, PASSWORD, client_login, major_case_at, make_world, open_task
from webui import formspec
from workflows.forms.samples import sample

REVIEW = next(data for element, _user, data in MAJOR_PATH if element == "onsite_review")
WANG_REFUSED = "“复查人员”中的 王五 不属于本案件的办理单位（东城区应急管理局）或其下级单位，请从列表中选择"


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("reach"), url=module_database_url)
    d = w.engine.directory
    d.add_org("east_town", "和平镇安监站", parent="east", level="镇")
    d.add_user("zhou", org="east_town", roles=["inspector"], name="周镇安")       # below the case's unit
    d.add_user("shi", org="city", roles=["inspector"], name="石市检")             # above, not supervising
    d.add_user("wu", org="west", roles=["supervisor"], name="吴科长")             # another district's head
    yield w
    w.engine.dispose()


def _review_case(w, title: str):
    case = major_case_at(w.engine, "onsite_review", title=title)
    return case, open_task(w.engine, case.id, "onsite_review")


def test_inspector_of_another_district_is_refused_as_reviewer_and_nothing_changes_art23(world):
    engine = world.engine
    case, task = _review_case(world, "跨区复查人员-引擎")
    before = engine.case(case.id)
    with pytest.raises(InvalidData) as exc:
        engine.complete(task.id, "zhang", {**REVIEW, "reviewers": ["zhang", "wang"]})
    assert exc.value.errors == {"reviewers": WANG_REFUSED}
    after = engine.case(case.id)
    assert [t.id for t in after.tasks] == [task.id]                       # the task is still open
    assert after.data == before.data and "reviewers" not in after.data
    assert len(after.history) == len(before.history)                      # nothing audited either


def test_reviewers_of_the_case_unit_and_of_a_unit_below_are_accepted_art23(world):
    engine = world.engine
    case, task = _review_case(world, "本区及下级复查人员")
    engine.complete(task.id, "zhang", {**REVIEW, "reviewers": ["zhang", "zhou"]})
    assert engine.case(case.id).data["reviewers"] == ["zhang", "zhou"]


def test_a_non_supervising_role_above_is_refused_a_supervising_one_is_accepted(world):
    """A city inspector is no reviewer of a district's case (执法人员 act in their own unit); a
    city 科室负责人 may be named where the field asks for a supervising role (评查人员 of 案卷评查:
    the city's 负责人 supervise the district's cases, engine/policy.py), another district's may not."""
    engine = world.engine
    case, task = _review_case(world, "市级执法人员复查")
    with pytest.raises(InvalidData) as exc:
        engine.complete(task.id, "zhang", {**REVIEW, "reviewers": ["shi", "zhang"]})
    assert exc.value.errors == {"reviewers": WANG_REFUSED.replace("王五", "石市检")}
    score = sample("case_review.score", dt.date(2026, 11, 30))
    with engine.db.read() as s:
        def check(reviewers):
            return engine.forms.validate_at("case_review.score", {**score, "reviewers": reviewers}, None,
                                            case_org="east", session=s)
        assert check(["zhao", "zhang"])["reviewers"] == ["zhao", "zhang"]  # the city's 科室负责人
        with pytest.raises(Exception) as refused:
            check(["wu", "zhang"])                                       # 西城区's 科室负责人
    assert refused.value.errors == {"reviewers": "“评查人员”中的 吴科长 不属于本案件的办理单位（东城区应急管理局）"
                                                 "或其下级单位，请从列表中选择"}
    fields = formspec.fields_for(engine.forms, "case_review.score")
    offered = {u for u, _ in formspec.people_options(engine.directory, fields, "east")["reviewers"]}
    assert offered == {"zhang", "li", "zhou", "qian", "zhao"}


def test_rest_api_refuses_another_districts_reviewer_with_422_in_chinese(world):
    engine = world.engine
    case, task = _review_case(world, "跨区复查人员-接口")
    client = world.app.test_client()
    token = client.post("/api/tokens", json={"username": "zhang", "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    r = client.post(f"/api/tasks/{task.id}/complete", headers=headers,
                    json={"data": {**REVIEW, "reviewers": ["wang", "li"]}})
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["errors"] == {"reviewers": WANG_REFUSED}
    assert "wang" not in r.get_data(as_text=True)                        # a name, never a username
    assert [t.id for t in engine.case(case.id).tasks] == [task.id]
    r = client.post(f"/api/tasks/{task.id}/complete", headers=headers,
                    json={"data": {**REVIEW, "reviewers": ["li", "zhou"]}})
    assert r.status_code == 200, r.get_json()


def test_page_picker_offers_exactly_whom_the_check_accepts(world):
    engine = world.engine
    case, task = _review_case(world, "跨区复查人员-页面")
    fields = formspec.fields_for(engine.forms, task.form_key)
    offered = {u for u, _name in formspec.people_options(engine.directory, fields, "east", task.org_code)["reviewers"]}
    assert offered == {"zhang", "li", "zhou"}                            # not wang (west), not shi (city)
    page = client_login(world.app, "zhang")
    html = page.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "周镇安" in html and "王五" not in html and "石市检" not in html
    form = {"_csrf": page.csrf, "review_passed": "y", "reviewed_on": REVIEW["reviewed_on"],
            "review_findings": REVIEW["review_findings"]}
    # a hand-edited POST naming 王五 is refused on the page, in Chinese, and the task stays open
    refused = page.post(f"/tasks/{task.id}", data={**form, "reviewers": ["zhang", "wang"]})
    text = refused.get_data(as_text=True)
    assert "不属于本案件的办理单位（东城区应急管理局）" in text and re.search(r"王五", text)
    assert [t.id for t in engine.case(case.id).tasks] == [task.id]
    # everyone the picker offers is accepted
    done = page.post(f"/tasks/{task.id}", data={**form, "reviewers": sorted(offered)})
    assert done.status_code in (200, 302)
    assert engine.case(case.id).data["reviewers"] == sorted(offered)
