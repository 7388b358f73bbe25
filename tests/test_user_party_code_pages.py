"""An enterprise user's 所属企业 (统一社会信用代码) has its check character checked (issue 15).

``POST /api/users`` took any ``party`` of the code's alphabet: a code with one character mistyped tied
the enterprise user to nobody — they then saw no case of their own enterprise. Now refused as
``POST /api/cases`` refuses a 当事企业 (7989094, webui/parties.code_refusal, GB 32100-2015 第18位校验码):
422 naming 所属企业 and the reason, no user made; a right code is kept normalized (upper case). The
用户管理 page said 未找到名称含“…”的企业 for such a code: it now says which character is wrong.
SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from tests.test_api_helpers import PASSWORD, World, browser_login, build_app, build_engine
from workflows.enterprises.credit_code import ALPHABET, complete

RIGHT = complete("91110105MA0C7K2Q8")
WRONG = RIGHT[:17] + ALPHABET[(ALPHABET.index(RIGHT[17]) + 1) % len(ALPHABET)]
REFUSED = "所属企业：统一社会信用代码校验位不正确，请核对第18位"


@pytest.fixture
def api(tmp_path, database_url):
    engine = build_engine(database_url)
    yield World(engine, build_app(engine, tmp_path))
    engine.dispose()


def _user(api, username):
    return {u["username"]: u for u in api.call("GET", "/api/users", "adm").get_json()["items"]}.get(username)


@pytest.mark.parametrize("party, reason", [
    (WRONG, REFUSED),
    (WRONG.lower(), REFUSED),
    (RIGHT[:17], "所属企业：应为18位，实际为17位"),
    (RIGHT[:16] + "O" + RIGHT[17], "所属企业：第17位字符“O”不合法（代码不使用字母 I、O、Z、S、V）"),
])
def test_the_api_refuses_a_users_enterprise_code_naming_the_field_and_the_reason(api, party, reason):
    r = api.call("POST", "/api/users", "adm", json={"username": "qiye", "name": "某企业安全员", "org": "east",
                                                   "roles": ["enterprise"], "party": party})
    assert r.status_code == 422 and r.get_json()["errors"] == {"party": reason}
    assert _user(api, "qiye") is None


def test_the_api_takes_a_right_code_normalized(api):
    r = api.call("POST", "/api/users", "adm", json={"username": "qiye", "name": "某企业安全员", "org": "east",
                                                   "roles": ["enterprise"], "party": RIGHT.lower()})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["party"] == RIGHT == _user(api, "qiye")["party"]


def test_the_user_page_says_which_character_of_a_typed_code_is_wrong(api):
    client = api.client()
    token = browser_login(client, "adm")
    form = {"_csrf": token, "username": "qiye", "name": "某企业安全员", "org": "east", "roles": "enterprise",
            "password": PASSWORD + "-Qy9", "password2": PASSWORD + "-Qy9", "party_name": WRONG}
    r = client.post("/admin/users/new", data=form)
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and REFUSED in page and "未找到" not in page
    assert _user(api, "qiye") is None
