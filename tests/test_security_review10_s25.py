"""Security review 10 (安全复查十): hostile probes as an enterprise account and as a model designer
against the served app, on a real SQLite file and a real PostgreSQL database, with the real processes.

Existence oracle on case ids (案件编号探测). Case ids are dense. An enterprise account asking for
another enterprise's case was refused with 403 「企业用户只能查看本企业的案件」, and for a case that is
not there with 404: since a 12350 举报 about the enterprise is kept from it (``partyReads`` 否, 404),
a 404 below the newest id told it 「there is a tip-off about you」 —
《国家安全监管总局关于保护生产安全事故和事故隐患举报人的意见》(2013年6月8日) 第五条（一）（二）. To an enterprise
any case not its own is now a case that is not there (engine/policy.CaseHidden): the same 404, the
same page, on every route that takes a case id, and a message sent to it by its id is answered as one
to a case that waits for none.
"""
from __future__ import annotations

import re

import pytest

from tests.ui_support import client_login, make_world
from workflows.enterprises.credit_code import complete

OTHER_FIRM = complete("91110101MA0000077")
MISSING = 2147480000


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("review10"),
                   None if module_database_url.startswith("sqlite") else module_database_url)
    from tests.ui_support import ACME
    w.tipoff = w.engine.start("tipoff_12350", by="zhang", org="east", party=ACME, title="12350举报：甲化工违规动火").id
    w.other = w.engine.start("hazard_supervision", by="zhang", org="east", party=OTHER_FIRM, title="另一企业储罐区隐患").id
    yield w
    w.engine.dispose()


def _unsigned(page: str) -> str:
    """The page without its form token, which is signed with the second it was drawn in."""
    return re.sub(r'name="_csrf" value="[^"]*"', 'name="_csrf"', page)


ROUTES = ("/cases/{}", "/cases/{}/diagram.bpmn", "/cases/{}/documents/rectification_notice",
          "/cases/{}/documents/rectification_notice/docx")


def test_an_enterprise_cannot_tell_another_enterprises_case_one_kept_from_it_or_none_whistleblower_opinion_2013_art5(world):
    page = client_login(world.app, "acme")
    page.get("/tasks/")                                                    # the login's 欢迎 shown
    for route in ROUTES:
        answers = [page.get(route.format(i)) for i in (world.tipoff, world.other, MISSING)]
        assert [a.status_code for a in answers] == [404, 404, 404], route
        said = {_unsigned(a.get_data(as_text=True)) for a in answers}
        assert len(said) == 1 and "要找的案件不存在" in said.pop(), route
    from tests.ui_support import api_client
    api = api_client(world.app, world.engine, "acme")
    bodies = [api.get(f"/api/cases/{i}") for i in (world.tipoff, world.other, MISSING)]
    assert [b.status_code for b in bodies] == [404, 404, 404]
    assert [b.get_json()["message"] for b in bodies] == [f"案件不存在: {i}" for i in (world.tipoff, world.other, MISSING)]
    # officials still read them; another district's official is still told why not
    assert world.engine.case(world.other, username="qian").id == world.other
    assert page.get("/cases/").status_code == 200


@pytest.fixture
def events(database_url):
    """A database of its own (the module's PostgreSQL one holds ``world``)."""
    from tests.interop_support import models_engine

    def users(engine):
        engine.directory.add_user("bcorp", org="east", roles=["enterprise"], name="乙公司", party=OTHER_FIRM)
    yield from models_engine(database_url, ("message_catch.bpmn",), users)


def test_an_enterprise_messaging_another_enterprises_case_by_id_is_told_none_waits_as_for_any_case(events):
    """整改完成 by its id into 甲公司's waiting case, from 乙公司's account: refused as before, now in the
    words of a case that waits for no such message (it was 「案件属于其他组织机构或企业」: that case
    exists and waits). Nothing moves; 甲公司's own account still sends it."""
    from engine.errors import Forbidden, NotFound
    from tests.interop_support import drive
    case_id = drive(events, "message_catch", data={"hazard_no": "YH-R10-1"}).case_id
    before = [t.spec_id for t in events.case(case_id).tasks]
    refusals = []
    for target in (case_id, MISSING):
        with pytest.raises(NotFound) as refused:
            events.correlate_message("整改完成", by="bcorp", case_id=target, data={"report": "伪造"})
        refusals.append(str(refused.value).replace(str(target), "#"))
    assert refusals[0] == refusals[1] and isinstance(refused.value, NotFound)
    with pytest.raises(Forbidden):   # still a refusal to whoever catches one
        events.correlate_message("整改完成", by="bcorp", case_id=case_id)
    assert [t.spec_id for t in events.case(case_id).tasks] == before
    assert events.correlate_message("整改完成", by="acme", case_id=case_id)["case_id"] == case_id


def test_a_tipoff_version_deployed_without_party_reads_shows_none_of_what_an_earlier_one_hid_whistleblower_opinion_2013_art5(world):
    """A hostile or careless designer deploys tipoff_12350 again from a file without ``partyReads`` 否
    (an old copy, a model drawn elsewhere). Before, the latest version alone decided: every tip-off
    already open — started under the version that hid it — was listed and opened by the enterprise
    reported. A case started under a version that said it stays kept from its party (engine/policy
    ``KeptFromParty.models``); only cases of the new version are the designer's new choice."""
    from pathlib import Path
    from tests.ui_support import ACME, api_client
    text = (Path(__file__).resolve().parent.parent / "bpmn" / "tipoff_12350.bpmn").read_text(encoding="utf-8")
    assert '<spiffworkflow:property name="partyReads" value="否" />' in text
    world.engine.deploy(text.replace('<spiffworkflow:property name="partyReads" value="否" />', ""),
                        by="zhao", filename="tipoff_12350.bpmn")
    later = world.engine.start("tipoff_12350", by="zhang", org="east", party=ACME, title="12350举报：新版本").id
    api = api_client(world.app, world.engine, "acme")
    assert api.get(f"/api/cases/{world.tipoff}").status_code == 404
    listed = [c["id"] for c in api.get("/api/cases?limit=200").get_json()["items"]]
    assert world.tipoff not in listed and later in listed
