"""The 当事企业 a case is started for, typed as a 统一社会信用代码, has its check character checked (issue 15).

发起案件's 当事企业 took any 18 characters of the code's alphabet:
a party not yet in the registry may be typed, so the check character was left to the registry, and
a code with one character mistyped started a case that was nobody's — its enterprise's users never
saw it, its 一企一档 missed it. Now refused as a form's 统一社会信用代码 is (GB 32100-2015 第18位校验码):
「当事企业：统一社会信用代码校验位不正确，请核对第18位」, nothing started. A right code of an
enterprise not in the registry, and a person's 身份证号 with its own check character right, still start.
Codes built with their check character (no real company's). SQLite and PostgreSQL.

``POST /api/cases``'s ``party`` is checked the same way (it took any code of the pattern, and the
tests' own fixtures started cases for codes without their check character — they now carry theirs):
refused 422 naming 当事企业 and the reason, nothing started.
"""
from __future__ import annotations

import pytest

from tests.test_api_helpers import build_app, build_engine
from tests.ui_support import client_login, make_world
from workflows.enterprises.credit_code import ALPHABET, complete

UNREGISTERED = complete("91110105MA0C7K2Q8")
WRONG = UNREGISTERED[:17] + ALPHABET[(ALPHABET.index(UNREGISTERED[17]) + 1) % len(ALPHABET)]
PERSON = "11010119900101127X"  # a 身份证号 (GB 11643-1999) with its check character right
REFUSED = "当事企业：统一社会信用代码校验位不正确，请核对第18位"


@pytest.fixture
def world(tmp_path, database_url):
    w = make_world(tmp_path, None if database_url.startswith("sqlite") else database_url)
    yield w
    w.engine.dispose()


def _hazards(engine):
    return [c for c in engine.cases("zhang", limit=100) if c.process_key == "hazard_supervision"]


def test_the_start_page_refuses_a_party_code_with_a_wrong_check_character(world):
    client = client_login(world.app, "zhang")
    form = {"_csrf": client.csrf, "process": "hazard_supervision", "title": "储罐区隐患"}
    refused = client.post("/cases/new", data={**form, "party": WRONG.lower()})
    assert refused.status_code == 422 and REFUSED in refused.get_data(as_text=True)
    assert not _hazards(world.engine)
    for party in (UNREGISTERED, PERSON):
        assert client.post("/cases/new", data={**form, "party": party}).status_code == 302
    assert sorted(c.party for c in _hazards(world.engine)) == sorted([UNREGISTERED, PERSON])


@pytest.fixture
def api(tmp_path, database_url):
    from tests.test_api_helpers import World
    engine = build_engine(database_url)
    yield World(engine, build_app(engine, tmp_path))
    engine.dispose()


@pytest.mark.parametrize("party, reason", [
    (WRONG, REFUSED),
    (WRONG.lower(), REFUSED),  # normalized first, then checked
    (UNREGISTERED[:17], "当事企业：应为18位，实际为17位"),
    (UNREGISTERED[:16] + "O" + UNREGISTERED[17], "当事企业：第17位字符“O”不合法（代码不使用字母 I、O、Z、S、V）"),
])
def test_the_api_start_refuses_a_party_code_naming_the_enterprise_and_the_reason(api, party, reason):
    before = api.engine.cases("insp", limit=100)
    r = api.call("POST", "/api/cases", "insp", json={"process_key": "api_matrix", "party": party})
    assert r.status_code == 422 and r.get_json()["errors"] == {"party": reason}
    assert api.engine.cases("insp", limit=100) == before


def test_the_api_start_takes_a_right_code_or_a_persons_id_number(api):
    for party in (UNREGISTERED, " ".join([UNREGISTERED[:4], UNREGISTERED[4:].lower()]), PERSON):
        r = api.call("POST", "/api/cases", "insp", json={"process_key": "api_matrix", "party": party})
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["party"] == party.replace(" ", "").upper()
