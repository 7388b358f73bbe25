"""Shared set-up for the API and security tests (no tests here): a real engine on a real database,
a small directory, the real Flask app with the API, and bearer tokens for each user.

The directory, all officials' subjects sitting in 东城区 (east):

    示范市 city ─┬─ 东城区 east ── 和平镇 east_town
                 └─ 西城区 west

    insp (inspector), sup (supervisor, sees org units below), ent (enterprise user of party A),
    adm (admin), des (designer) — the subjects of the authorization matrix, all in east —
    plus colleagues who set cases up in each org unit, and an enterprise user of party B.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from engine import Engine, IncidentRaised, ManualClock
from webui.api import create_token, init_api

BPMN = Path(__file__).resolve().parent / "bpmn"
PARTY_A = "91110101MA00000A1J"
PARTY_B = "91110101MA00000B2N"
PASSWORD = "correct horse 8"

# scope → (org unit of the case, enterprise of the case)
SCOPES = {
    "own_org": ("east", None),
    "sub_org": ("east_town", None),
    "other_org": ("west", None),
    "own_enterprise": ("east", PARTY_A),
    "other_enterprise": ("east", PARTY_B),
}
SUBJECTS = {"inspector": "insp", "supervisor": "sup", "enterprise": "ent", "admin": "adm", "designer": "des"}
# The task of the matrix process each subject would work: its own lane's task (or one it has no role for).
LANE_TASK = {"inspector": "inspect", "supervisor": "approve", "enterprise": "rectify", "admin": "inspect",
             "designer": "inspect"}
# A colleague in each org unit who may work the inspector tasks there (claims, incidents).
LOCAL_INSPECTOR = {"east": "east_insp2", "east_town": "town_insp", "west": "west_insp"}


def build_engine(url: str, clock: ManualClock | None = None) -> Engine:
    from tests.support import START
    engine = Engine(url, clock=clock or ManualClock(START))
    engine.create_all()
    d = engine.directory
    d.add_role("inspector", "执法人员")
    d.add_role("supervisor", "科室负责人", sees_subordinate_orgs=True)
    d.add_role("enterprise", "生产经营单位")
    d.add_role("admin", "系统管理员")
    d.add_role("designer", "流程设计员")
    d.add_org("city", "示范市", level="市")
    d.add_org("east", "东城区", parent="city", level="区")
    d.add_org("east_town", "和平镇", parent="east", level="镇")
    d.add_org("west", "西城区", parent="city", level="区")
    from werkzeug.security import generate_password_hash
    pw = generate_password_hash(PASSWORD)
    for username, org, roles, party in [
        ("insp", "east", ["inspector"], None), ("sup", "east", ["supervisor"], None),
        ("ent", "east", ["enterprise"], PARTY_A), ("adm", "east", ["admin"], None),
        ("des", "east", ["designer"], None),
        ("east_insp2", "east", ["inspector"], None), ("town_insp", "east_town", ["inspector"], None),
        ("west_insp", "west", ["inspector"], None), ("ent_b", "east", ["enterprise"], PARTY_B),
        ("starter", "city", ["inspector"], None),
    ]:
        d.add_user(username, org=org, roles=roles, name=username, party=party, password_hash=pw)
    engine.deploy(BPMN / "api_matrix.bpmn", by="des")
    return engine


def browser_login(client, username: str, password: str = PASSWORD, address: str = "127.0.0.1") -> str:
    """Log ``client`` in through the login page, as a browser does; returns its CSRF token."""
    import re
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"username": username, "password": password, "_csrf": token},
                    environ_base={"REMOTE_ADDR": address})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    from tests.ui_support import session_csrf
    return session_csrf(client.application, client)  # the login gave the session a new token


def build_app(engine: Engine, tmp_path: Path, testing: bool = True, config: dict | None = None):
    from webui.app import create_app
    kwargs = {"testing": testing, "secret_key": "test-secret"}
    if config:
        kwargs["config"] = config
    if "instance_path" in inspect.signature(create_app).parameters:
        kwargs["instance_path"] = tmp_path / "instance"
    app = create_app(engine, **kwargs)
    if "duban_api" not in app.extensions:  # until create_app calls init_api itself
        init_api(app)
    return app


@dataclass
class World:
    """An engine, the app, and a bearer token per user; helpers to set cases up by scope."""
    engine: Engine
    app: object
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, username: str) -> dict:
        if username not in self.tokens:
            self.tokens[username] = create_token(self.engine, username, name="test")
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def client(self):
        return self.app.test_client()

    def call(self, method: str, path: str, username: str, **kwargs):
        return self.client().open(path, method=method, headers=self.headers(username), **kwargs)

    def start(self, scope: str, title: str = "") -> int:
        org, party = SCOPES[scope]
        return self.engine.start("api_matrix", by="starter", org=org, party=party, title=title or scope).id

    def task(self, case_id: int, spec_id: str) -> str:
        return next(t.id for t in self.engine.case(case_id).tasks if t.spec_id == spec_id)

    def incident(self, case_id: int) -> int:
        """Make the case's fine script fail (days = 0): an open incident on the case."""
        org = self.engine.case(case_id).org_code
        with pytest.raises(IncidentRaised) as raised:
            self.engine.complete(self.task(case_id, "figures"), LOCAL_INSPECTOR[org], {"total": 100, "days": 0})
        return raised.value.incident_id


@pytest.fixture
def world(database_url, tmp_path):
    engine = build_engine(database_url)
    yield World(engine, build_app(engine, tmp_path))
    engine.dispose()
