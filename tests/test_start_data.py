"""发起案件 offers only the processes a person starts by hand: 事故查处挂牌督办, 执法案卷评查, 事故整改评估
and 双随机现场检查 are started by another case with that case's data (the superior who lists an accident,
the handler of the reviewed file, the 批复 date, the drawn inspectors); started empty from the page
each ended at once in an incident (「决定挂牌督办」出错: Error evaluating expression 'superior')."""
from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.security import generate_password_hash

from engine import ManualClock
from tests.ui_support import client_login, quick_logins
from webui.app import create_app
from workflows.demo import USERS, load_directory, register_enterprises
from workflows.runtime import build_engine
from workflows.start_data import STARTED_BY_ANOTHER_CASE

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)
PASSWORD = "demo-2026"


@pytest.fixture(scope="module")
def site(module_database_url, tmp_path_factory):
    engine = build_engine(module_database_url, clock=ManualClock(NOW))
    load_directory(engine)
    register_enterprises(engine)
    quick_logins(engine, password=PASSWORD)
    app = create_app(engine, secret_key="test", testing=True, instance_path=tmp_path_factory.mktemp("instance"))
    yield engine, app
    engine.dispose()


def test_the_start_page_offers_no_process_another_case_starts_and_refuses_one_posted(site):
    engine, app = site
    assert set(STARTED_BY_ANOTHER_CASE) == {"accident_supervision", "case_file_review", "post_case_assessment",
                                            "random_inspection", "hazard_statistics_report",
                                            "leader_inspection_reminder", "joint_reminder"}
    client = client_login(app, "feng_jz", PASSWORD)
    html = client.get("/cases/new").get_data(as_text=True)
    for key in STARTED_BY_ANOTHER_CASE:
        assert f'value="{key}"' not in html, key
    assert 'value="hazard_supervision"' in html
    before = len(engine.incidents())
    response = client.post("/cases/new", data={"_csrf": client.csrf, "process": "accident_supervision",
                                               "title": "直接发起挂牌督办", "party": ""})
    assert response.status_code == 422
    assert "事故查处挂牌督办" in response.get_data(as_text=True) and "事故调查案件" in response.get_data(as_text=True)
    assert len(engine.incidents()) == before and not engine.cases(process_key="accident_supervision", limit=10)
