"""Which version of the called process a call activity starts: Camunda 7's
``camunda:calledElementBinding`` (deployment, version + ``calledElementVersion``, versionTag +
``calledElementVersionTag``) and Camunda 8's ``zeebe:calledElement bindingType`` (deployment,
versionTag + ``versionTag``), as Camunda does (engine/call_binding.py). Models as Camunda Modeler 7
and 8 save them (tests/bpmn/interop), deployed and started through the served REST API, on SQLite and
PostgreSQL. Before (until 2026-12-07) every call started the latest version and a note said so."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.api_probe_support import complete, deploy_source, open_specs as _open, served_world, start as _start
from tests.api_probe_support import task as _task
from tests.interop_support import CORPUS
from tests.test_api_helpers import PARTY_A


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = served_world(module_database_url, tmp_path_factory.mktemp("call_binding"))
    yield w
    w.engine.dispose()


def _variant(name: str, *swaps: tuple[str, str]) -> bytes:
    text = (CORPUS / name).read_text(encoding="utf-8")
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new)
    return text.encode("utf-8")


def _deploy(world, source: bytes, filename: str) -> None:
    r = deploy_source(world, source, filename)
    assert r.status_code == 201, r.get_json()


def _refused_start(world, key: str):
    return world.call("POST", "/api/cases", "insp", json={"process_key": key, "org": "east", "party": PARTY_A, "data": {}})


# -- Camunda 8: bindingType="versionTag" -------------------------------------------------------------

def _zeebe_child(key: str, tag: str, task_name: str) -> bytes:
    return _variant("zeebe_version_tag_child.bpmn", ("zeebe_version_tag_child", key),
                    ('<zeebe:versionTag value="2026-v2"/>', f'<zeebe:versionTag value="{tag}"/>'),
                    ('name="区县复核隐患"', f'name="{task_name}"'))


def _zeebe_parent(key: str, child: str, binding: str) -> bytes:
    return _variant("zeebe_version_tag_parent.bpmn", ("zeebe_version_tag_parent", key), ("zeebe_version_tag_child", child),
                    ('bindingType="versionTag" versionTag="2026-v2"', binding))


def test_zeebe_call_bound_by_version_tag_starts_the_tagged_version_not_the_latest(world):
    """隐患复核（区县） deployed tagged 2026-v2, then again tagged 2026-v3 with its task renamed:
    举报隐患核查's 转区县复核 (bindingType="versionTag" versionTag="2026-v2") opens the 2026-v2
    version's 区县复核隐患, as Zeebe does. Before, the latest (区县复核隐患（新版）) opened."""
    _deploy(world, _zeebe_child("zb_child_tag", "2026-v2", "区县复核隐患"), "zb_child_tag.bpmn")
    _deploy(world, _zeebe_child("zb_child_tag", "2026-v3", "区县复核隐患（新版）"), "zb_child_tag.bpmn")
    _deploy(world, _zeebe_parent("zb_parent_tag", "zb_child_tag", 'bindingType="versionTag" versionTag="2026-v2"'),
            "zb_parent_tag.bpmn")
    case_id = _start(world, "zb_parent_tag")
    complete(world, case_id, "Activity_0register", {"district": "东城区", "hazardText": "配电房电缆沟积水"})
    assert _open(world, case_id) == ["Activity_0recheck"]
    assert _task(world, case_id, "Activity_0recheck")["name"] == "区县复核隐患"


def test_zeebe_call_bound_to_a_tag_no_version_carries_is_refused_at_start_naming_the_call_activity(world):
    """bindingType="versionTag" versionTag="2027-v9", which no deployed version of 隐患复核（区县）
    carries: the case is not started (Zeebe: an incident at the call), and the refusal says which
    call activity binds to which tag of which process, in Chinese."""
    _deploy(world, _zeebe_child("zb_child_missing", "2026-v2", "区县复核隐患"), "zb_child_missing.bpmn")
    _deploy(world, _zeebe_parent("zb_parent_missing", "zb_child_missing", 'bindingType="versionTag" versionTag="2027-v9"'),
            "zb_parent_missing.bpmn")
    r = _refused_start(world, "zb_parent_missing")
    assert r.status_code == 404, r.get_json()
    message = r.get_json()["message"]
    assert message == ("流程「举报隐患核查（市级转办）」的调用活动「转区县复核」指定调用流程「隐患复核（区县）」的版本标签为「2027-v9」的版本，"
                       "但没有部署这样的版本，案件不能发起；请先部署该版本，或在模型中修改该调用活动的版本绑定"), message


def test_zeebe_call_bound_by_deployment_starts_the_version_deployed_before_the_caller(world):
    """bindingType="deployment": the called version current when the calling version was deployed;
    a later child version does not reach the cases of that parent version."""
    _deploy(world, _zeebe_child("zb_child_dep", "2026-v2", "区县复核隐患"), "zb_child_dep.bpmn")
    _deploy(world, _zeebe_parent("zb_parent_dep", "zb_child_dep", 'bindingType="deployment"'), "zb_parent_dep.bpmn")
    _deploy(world, _zeebe_child("zb_child_dep", "2026-v3", "区县复核隐患（新版）"), "zb_child_dep.bpmn")
    case_id = _start(world, "zb_parent_dep")
    complete(world, case_id, "Activity_0register", {"district": "东城区", "hazardText": "配电房电缆沟积水"})
    assert _task(world, case_id, "Activity_0recheck")["name"] == "区县复核隐患"


# -- Camunda 7: calledElementBinding ------------------------------------------------------------------

def _c7_child(key: str, task_name: str, tag: str | None = None) -> bytes:
    swaps = [("camunda7_call_child", key), ('name="区级&#10;现场核查"', f'name="{task_name}"')]
    if tag:
        swaps.append(('camunda:historyTimeToLive="180"', f'camunda:historyTimeToLive="180" camunda:versionTag="{tag}"'))
    return _variant("camunda7_call_child.bpmn", *swaps)


def _c7_parent(key: str, child: str, binding: str) -> bytes:
    return _variant("camunda7_call_parent.bpmn", ("camunda7_call_parent", key), ("camunda7_call_child", child),
                    ('camunda:calledElementBinding="latest"', binding))


@pytest.mark.parametrize("binding, expected", [
    ('camunda:calledElementBinding="version" camunda:calledElementVersion="1"', "区级现场核查"),
    ('camunda:calledElementBinding="versionTag" camunda:calledElementVersionTag="2026-12"', "区级现场核查（复核版）"),
    ('camunda:calledElementBinding="deployment"', "区级现场核查"),
    ('camunda:calledElementBinding="latest"', "区级现场核查（新版）"),
])
def test_camunda7_call_binding_starts_the_version_it_names(world, binding, expected):
    """区级核查 deployed three times: 1 plain, 2 tagged ``camunda:versionTag="2026-12"`` (复核版), 3 the
    latest (新版); 市级督办交办, deployed after version 1, binds 区级核查 by each of Camunda 7's
    bindings: version 1, versionTag 2026-12 (version 2), deployment (version 1, current when the
    caller was deployed) and latest (version 3)."""
    key = {"version": "c7v", "versionTag": "c7t", "deployment": "c7d", "latest": "c7l"}[binding.split('"')[1]]
    _deploy(world, _c7_child(f"{key}_child", "区级现场核查"), f"{key}_child.bpmn")
    _deploy(world, _c7_parent(f"{key}_parent", f"{key}_child", binding), f"{key}_parent.bpmn")
    _deploy(world, _c7_child(f"{key}_child", "区级现场核查（复核版）", tag="2026-12"), f"{key}_child.bpmn")
    _deploy(world, _c7_child(f"{key}_child", "区级现场核查（新版）"), f"{key}_child.bpmn")
    case_id = _start(world, f"{key}_parent")
    complete(world, case_id, "Activity_0assign", {"district": "东城区"})
    assert _open(world, case_id) == ["Activity_0verify"]
    assert _task(world, case_id, "Activity_0verify")["name"] == expected


def test_camunda7_call_bound_to_a_version_not_deployed_is_refused_at_start(world):
    """calledElementVersion="7" of a process with one version: refused at the start, naming the call
    activity 区级核查（子流程） and 第 7 版 (Camunda 7: "no processes deployed with key … and version 7")."""
    _deploy(world, _c7_child("c7x_child", "区级现场核查"), "c7x_child.bpmn")
    _deploy(world, _c7_parent("c7x_parent", "c7x_child",
                              'camunda:calledElementBinding="version" camunda:calledElementVersion="7"'), "c7x_parent.bpmn")
    r = _refused_start(world, "c7x_parent")
    assert r.status_code == 404, r.get_json()
    message = r.get_json()["message"]
    assert "调用活动「区级核查 （子流程）」" in message and "流程「区级核查」的第 7 版" in message, message


def test_camunda7_version_binding_without_a_number_is_refused_at_deploy(world):
    """calledElementBinding="version" with no calledElementVersion: refused at deploy naming the call
    activity (Camunda 7 refuses it too)."""
    _deploy(world, _c7_child("c7n_child", "区级现场核查"), "c7n_child.bpmn")
    r = deploy_source(world, _c7_parent("c7n_parent", "c7n_child", 'camunda:calledElementBinding="version"'), "c7n_parent.bpmn")
    assert r.status_code == 422, r.get_json()
    assert "Activity_0call" in str(r.get_json()) and "版本号" in str(r.get_json())


def test_a_version_deployed_before_revision_0036_gets_its_tag_from_the_migration(database_url):
    """Revision 0036 adds ``process_model.version_tag`` and fills it from each version's stored file:
    a version deployed before it (an identical file deployed again adds no version) can be bound by
    its tag after the upgrade."""
    from alembic import command

    from engine import migrate
    from engine.schema import ProcessModel
    from tests.test_api_helpers import build_engine

    engine = build_engine(database_url)
    engine.deploy(_zeebe_child("zb_child_old", "2026-v2", "区县复核隐患"), by="boss", filename="zb_child_old.bpmn")
    sa_engine = engine.db.engine
    with sa_engine.begin() as conn:
        command.downgrade(migrate.config(conn), "0035_listing_level_column")
    assert migrate.upgrade(sa_engine)
    with sa_engine.connect() as conn:
        assert conn.execute(sa.select(ProcessModel.version_tag).where(ProcessModel.key == "zb_child_old")).scalar_one() == "2026-v2"
    engine.dispose()
