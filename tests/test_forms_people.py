"""People fields checked against the directory at submit (workflows/forms/people.py), on a SQLite file
and on PostgreSQL: each role's holders are read once per submit however many fields name that role,
and nothing is kept past the submit — a member deactivated between two submits is refused at once;
a completion's submit (``validate_at``, the directory counter its step read) takes them from the
directory's cache at that counter, which the deactivation moves on.

The form is the real 组织集体讨论 form of the 行政处罚 process (《行政处罚法》第五十七条: 集体讨论 by
the 本机关负责人): a host, the members and the attendees, three people fields of the same two roles.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from engine import InvalidData
from workflows.runtime import build_engine

HEADS = {"feng_jz": ("冯局长", "director"), "zheng_fj": ("郑副局长", "leader"), "jiang_wy": ("蒋委员", "leader"),
         "shen_wy": ("沈委员", "leader"), "han_wy": ("韩委员", "leader")}


@pytest.fixture(scope="module")
def world(module_database_url):
    engine = build_engine(module_database_url, deploy=False)
    engine.directory.add_org("yj", "示范市应急管理局", level="市")
    for username, (name, role) in HEADS.items():
        engine.directory.add_user(username, org="yj", roles=[role], name=name)
    engine.directory.add_user("li_zf", org="yj", roles=["inspector"], name="李执法")
    yield SimpleNamespace(engine=engine)
    engine.dispose()


def convene(**changes) -> dict:
    data = {"meeting_at": "2026-11-01T15:00", "meeting_host": "feng_jz",
            "committee_members": ["feng_jz", "zheng_fj", "jiang_wy", "shen_wy"],
            "attendees": ["feng_jz", "zheng_fj", "jiang_wy"], "meeting_topic": "示范市甲化工有限公司行政处罚案集体讨论"}
    return {**data, **changes}


def role_reads(engine, call) -> int:
    """How many statements ``call`` sends that read a role's holders."""
    seen = []

    def count(_conn, _cursor, statement, *_):
        if "user_role" in statement:
            seen.append(statement)

    sa.event.listen(engine.db.engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        sa.event.remove(engine.db.engine, "before_cursor_execute", count)
    return len(seen)


def test_collective_discussion_form_reads_each_heads_role_once_per_submit_art57(world):
    engine = world.engine
    cleaned = {}
    # director and leader: two reads, where one per field and role made six.
    assert role_reads(engine, lambda: cleaned.update(engine.forms.validate("enforcement.convene", convene()))) == 2
    assert cleaned["committee_members"] == ["feng_jz", "zheng_fj", "jiang_wy", "shen_wy"]
    assert cleaned["meeting_at"].startswith("2026-11-01T15:00")
    # The next submit reads again (nothing is kept between submits).
    assert role_reads(engine, lambda: engine.forms.validate("enforcement.convene", convene())) == 2


def test_a_member_deactivated_between_two_submits_is_refused_at_the_next_art57(world):
    engine = world.engine
    data = convene(committee_members=["feng_jz", "zheng_fj", "jiang_wy", "han_wy"])
    engine.forms.validate("enforcement.convene", data)
    engine.directory.set_active("han_wy", False, reason="调离")
    try:
        with pytest.raises(Exception) as exc:
            engine.forms.validate("enforcement.convene", data)
        errors = exc.value.errors
        assert list(errors) == ["committee_members"]
        assert errors["committee_members"].startswith("集体讨论组成人员（本机关负责人）：“韩委员”不是可选人员")
    finally:
        engine.directory.set_active("han_wy", True)
    engine.forms.validate("enforcement.convene", data)


def test_a_refused_submit_leaves_nothing_behind_for_the_next_one_art57(world):
    """The form's loading schema is built once and shared; one submit's errors must not reach another."""
    engine = world.engine
    with pytest.raises(Exception) as exc:
        engine.forms.validate("enforcement.convene", convene(meeting_host="li_zf", attendees=["han_wy"]))
    assert set(exc.value.errors) == {"attendees"}  # the shape check comes first and stops there
    with pytest.raises(Exception) as exc:
        engine.forms.validate("enforcement.convene", convene(meeting_host="li_zf"))
    assert set(exc.value.errors) == {"meeting_host"} and "李执法" in exc.value.errors["meeting_host"]
    assert engine.forms.validate("enforcement.convene", convene())["meeting_host"] == "feng_jz"
    assert not isinstance(exc.value, InvalidData)  # FormError: the engine turns it into a 422 with fields


def directory_counter(engine) -> int:
    from engine.schema import Counter
    from engine.step import DIRECTORY_COUNTER
    with engine.db.read() as s:
        return s.execute(sa.select(Counter.value).where(Counter.name == DIRECTORY_COUNTER)).scalar() or 0


def test_a_step_reads_the_holders_once_per_directory_counter_and_again_after_a_change_art57(world):
    """A completion hands the form the directory counter it read under its case lock (``validate_at``):
    the holders of each role come from the directory's cache at that counter, so the second submit at
    the same counter reads none; deactivating a member moves the counter and the next submit, at the
    new counter, reads afresh and refuses them."""
    engine = world.engine
    data = convene(committee_members=["feng_jz", "zheng_fj", "jiang_wy", "han_wy"])
    version = directory_counter(engine)
    assert role_reads(engine, lambda: engine.forms.validate_at("enforcement.convene", data, version)) <= 2
    assert role_reads(engine, lambda: engine.forms.validate_at("enforcement.convene", data, version)) == 0
    engine.directory.set_active("han_wy", False, reason="调离")
    try:
        moved = directory_counter(engine)
        assert moved > version
        with pytest.raises(Exception) as exc:
            engine.forms.validate_at("enforcement.convene", data, moved)
        assert exc.value.errors["committee_members"].startswith("集体讨论组成人员（本机关负责人）：“韩委员”不是可选人员")
    finally:
        engine.directory.set_active("han_wy", True)
    engine.forms.validate_at("enforcement.convene", data, directory_counter(engine))
    # Without a counter (a caller outside a step) nothing comes from the cache.
    assert role_reads(engine, lambda: engine.forms.validate("enforcement.convene", data)) == 2
