"""候选发起人: a process drawn with Camunda 7's ``camunda:candidateStarterGroups`` /
``camunda:candidateStarterUsers`` (Flowable's and Activiti's alike) can be started only by them — the
发起案件 page offers it to nobody else, and ``POST /api/cases`` and ``Engine.start`` refuse anyone else
in Chinese naming the process and who may (engine/candidate_starters.py); a process without them is
unchanged. A group is the role whose code or Chinese name it is (as ``candidateGroups`` are), a user
an account or a person's name. SQLite and PostgreSQL.

The model is drawn as Camunda Modeler 5.31 saves it for Camunda 7.22
(tests/bpmn/interop/camunda7_candidate_starters.bpmn): 重大事故隐患挂牌督办立项, startable by the group
科室负责人 and the user east_insp2 — 《安全生产法》第一百一十八条 and the 挂牌督办 rules leave the decision to
list a major hazard to the bureau's 负责人, not to any inspector.
"""
from __future__ import annotations

import pytest

from engine.errors import Forbidden
from tests.api_probe_support import deploy as _deploy, served_models
from tests.test_api_helpers import PARTY_A, browser_login

KEY = "camunda7_candidate_starters"
NAME = "重大事故隐患挂牌督办立项"


world = served_models("candidate_starters", [f"{KEY}.bpmn"])


def _api_start(world, user: str, key: str = KEY):
    return world.call("POST", "/api/cases", user, json={"process_key": key, "org": "east", "party": PARTY_A, "data": {}})


def test_only_the_candidate_starters_may_start_it_through_the_api_and_the_engine(world):
    """sup (科室负责人, the group drawn by its Chinese name) and east_insp2 (the user drawn) start it;
    insp, an inspector who is neither, is refused 403 in Chinese naming the process and who may, and
    so is ``Engine.start``. Before, anyone who may start a case started it (only a deploy note said
    the lists were not enforced)."""
    for user in ("sup", "east_insp2"):
        r = _api_start(world, user)
        assert r.status_code == 201, (user, r.get_json())
    r = _api_start(world, "insp")
    assert r.status_code == 403, r.get_json()
    said = str(r.get_json())
    assert f"流程「{NAME}」只能由其候选发起人发起" in said and "科室负责人" in said and "您不在其中" in said, said
    with pytest.raises(Forbidden) as refused:
        world.engine.start(KEY, by="zhang", org="east", party=PARTY_A)
    assert NAME in str(refused.value)
    assert _api_start(world, "insp", "api_matrix").status_code == 201  # a process naming none: as before


def test_the_start_page_offers_it_only_to_its_candidate_starters(world):
    """发起案件 lists 重大事故隐患挂牌督办立项 for sup, not for insp."""
    def page(user: str) -> str:
        browser = world.client()
        browser_login(browser, user)
        r = browser.get("/cases/new")
        assert r.status_code == 200
        return r.get_data(as_text=True)
    assert NAME in page("sup")
    shown = page("insp")
    assert NAME not in shown
