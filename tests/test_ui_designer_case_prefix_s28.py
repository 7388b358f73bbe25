"""The designer's 案号前缀 in Chromium (Debian's Chromium through Playwright; the app served on a SQLite file, one
world and server for the module, as tests/test_designer_browser.py).

A process declares the prefix of its 案号 as ``caseNumberPrefix`` (engine/case_numbers.py: 2–6 letters or digits,
a letter first, upper-cased, full-width read; docs/designer.md 案号前缀). The 督办 group of the pool (or of the
process, nothing selected) has the field 案号前缀: typed 「ｄｊｓｐ」 the saved XML carries DJSP; a bad one shows the
deploy's Chinese reason under the field and is not written; the deploy's preview says how the next case is
numbered (「本流程的案件将编号为 DJSP-2026-00001」) and the prefix shows when the deployed model is opened again. A
process declaring nothing whose initials another deployed process's cases already get (both declared nothing:
the deploy lets them through, one counter) is told so before it deploys.
"""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from engine import case_numbers
from tests.test_designer_browser import browser, editor_ready, page, select, world  # noqa: F401
from tests.test_designer_endpoints import CAMUNDA_WITH_FORMS, HAZARD, add_designers, post
from tests.ui_support import client_login, make_world, start_hazard

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

FIELD = "#bio-properties-panel-duban-caseNumberPrefix"
ERROR = '[data-entry-id="duban-caseNumberPrefix"] .bio-properties-panel-error'


def model(key: str, name: str) -> str:
    return CAMUNDA_WITH_FORMS.replace('"recheck"', f'"{key}"').replace('name="隐患复查"', f'name="{name}"')


def open_file(page, tmp_path, key: str, name: str) -> None:
    upload = tmp_path / f"{key}.bpmn"
    upload.write_text(model(key, name), encoding="utf-8")
    page.goto(page.base + "/designer/new")
    editor_ready(page)
    page.set_input_files("#import-file", str(upload))
    expect(page.locator("h1")).to_have_text(f"新建流程：{name}")


def saved_xml(page) -> str:
    return page.evaluate("async () => (await window.dubanModeler.saveXML()).xml")


def test_a_prefix_typed_full_width_is_saved_upper_case_refused_when_bad_and_shown_on_reopening(world, page, tmp_path):
    open_file(page, tmp_path, "party_check", "党建督查")
    select(page, "Participant_1")                       # the pool: its process's properties
    field = page.locator(FIELD)
    expect(field).to_have_value("")
    hint = page.locator('[data-entry-id="duban-caseNumberPrefix"] .bio-properties-panel-description')
    expect(hint).to_have_text("2–6 位字母或数字，以字母开头，如 DJSP；不填则为 PC（取流程标识各段的首字母），"
                              "与其他流程相同时部署会提示")
    field.fill("ｄｊｓｐ")
    expect(field).to_have_value("DJSP")
    assert '<spiffworkflow:property name="caseNumberPrefix" value="DJSP" />' in saved_xml(page)
    for bad in ("1AB", "D", "ＤＪＳＰＸＹＺ", "案号"):
        field.fill(bad)
        expect(page.locator(ERROR)).to_have_text("案号前缀" + case_numbers.read(bad)[1])   # the deploy's reason
        assert 'name="caseNumberPrefix" value="DJSP"' in saved_xml(page)                 # nothing bad written
    field.fill("djsp")
    expect(page.locator(ERROR)).to_have_count(0)

    page.click("#btn-deploy")
    ask = page.locator("#designer-ask")
    expect(ask.locator(".deploy-case-no")).to_have_text("本流程的案件将编号为 DJSP-2026-00001（案号前缀 DJSP）。")
    expect(ask.locator(".deploy-prefix-shared")).to_have_count(0)
    ask.locator("button", has_text="确认部署").click()
    expect(page.locator("#designer-status")).to_contain_text("已部署为版本 v1")
    deployed = world.engine.models.latest("party_check")
    assert deployed.case_prefix == "DJSP"

    page.goto(page.base + "/designer/models/party_check/edit")
    editor_ready(page)
    select(page, "Participant_1")
    expect(page.locator(FIELD)).to_have_value("DJSP")


def test_a_process_numbering_by_the_same_initials_as_a_deployed_one_is_told_before_it_deploys(world, page, tmp_path):
    """hazard_survey declares nothing: its cases would be HS-…, as 挂牌督办's (hazard_supervision, nothing declared
    either) — the deploy lets it through (one counter), so the preview says so, naming the other process."""
    open_file(page, tmp_path, "hazard_survey", "隐患摸底调查")
    select(page, "Participant_1")
    expect(page.locator('[data-entry-id="duban-caseNumberPrefix"] .bio-properties-panel-description')).to_contain_text(
        "不填则为 HS（取流程标识各段的首字母）")
    page.click("#btn-deploy")
    ask = page.locator("#designer-ask")
    expect(ask.locator(".deploy-case-no")).to_have_text(re.compile(
        r"^本流程的案件将编号为 HS-2026-\d{5}（案号前缀 HS 取自流程标识各段的首字母，可在流程属性「案号前缀」中另定）。$"))
    other = world.engine.models.latest(HAZARD).name
    expect(ask.locator(".deploy-prefix-shared")).to_have_text(
        f"流程「{other}」的案件也以 HS 编号，与本流程共用一个编号序列，从案号看不出是哪个流程的案件；"
        "如需区分，请在流程属性「案号前缀」中另定。")
    ask.locator("button", has_text="取消").click()
    assert world.engine.models.versions("hazard_survey") == []


@pytest.fixture(scope="module")
def served(module_database_url, tmp_path_factory):
    """The preview through the Flask test client, on SQLite and PostgreSQL (the counter and the other models
    are read by the database's own SQL)."""
    w = make_world(tmp_path_factory.mktemp("prefix-preview"), url=module_database_url)
    add_designers(w.engine)
    yield w, client_login(w.app, "xu")
    w.engine.dispose()


def test_the_preview_numbers_from_the_prefixs_counter_and_names_who_shares_it(served):
    w, designer = served
    before = post(designer, "/designer/api/deploy/preview", {"xml": model("hazard_survey", "隐患摸底调查")}).get_json()
    start_hazard(w.engine)                                  # 挂牌督办's next case moves the shared counter
    [after] = post(designer, "/designer/api/deploy/preview", {"xml": model("hazard_survey", "隐患摸底调查")}).get_json()["models"]
    n_before, n_after = before["models"][0]["numbering"], after["numbering"]
    assert (n_after["prefix"], n_after["declared"], n_after["shared_with"]) == ("HS", False, [w.engine.models.latest(HAZARD).name])
    assert int(n_after["next_case_no"][-5:]) == int(n_before["next_case_no"][-5:]) + 1
    declared = model("party_check", "党建督查").replace(
        '<bpmn:laneSet id="LaneSet_1">', '<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
        'name="caseNumberPrefix" value="ｄｊｓｐ"/></spiffworkflow:properties></bpmn:extensionElements>'
        '<bpmn:laneSet id="LaneSet_1">').replace(
        'xmlns:modeler=', 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" xmlns:modeler=')
    [own] = post(designer, "/designer/api/deploy/preview", {"xml": declared}).get_json()["models"]
    assert own["numbering"] == {"prefix": "DJSP", "declared": True, "next_case_no": "DJSP-2026-00001", "shared_with": []}
