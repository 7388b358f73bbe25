"""编辑任务表单: the designer draws a Camunda 8 form for a user task in @bpmn-io/form-js-editor, bundled
by esbuild and served from static/vendor (Debian's Chromium through Playwright, the designer module's
world and server). Saving keeps the form among the draft's companions (附带文件) and links it to the
task by formId; the model then validates, test-runs with the form's field and deploys with it
embedded. Every request outside 127.0.0.1 is aborted and recorded: none may be attempted (the
bundle works offline).
"""
from __future__ import annotations

import json
import re
import shutil
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.test_designer_browser import browser, editor_ready, page, select, world  # noqa: F401
from tests.test_designer_companions import DMN, DMN_FILE, FACTS, FACTS_FILE, MODEL
from tests.ui_support import screenshot

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)


def offline(page) -> list[str]:
    """Abort every request that would leave 127.0.0.1; the list of those attempted."""
    attempted: list[str] = []

    def route(r):
        if urlsplit(r.request.url).hostname in ("127.0.0.1", None) or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            attempted.append(r.request.url)
            r.abort()
    page.context.route("**/*", route)
    return attempted


def drag(page, source, target) -> None:
    """Drag a palette entry onto the form as a hand does (form-js drags with mouse moves, dragula)."""
    a, b = source.bounding_box(), target.bounding_box()
    page.mouse.move(a["x"] + 20, a["y"] + 20)
    page.mouse.down()
    page.mouse.move(a["x"] + 60, a["y"] + 40, steps=5)
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] - 30, steps=10)
    page.mouse.up()


def name_field(page, panel, kind: str, label: str, key: str) -> None:
    """Give the field just dropped (selected) its label and key in form-js's properties panel."""
    expect(panel.locator(".bio-properties-panel-header-type")).to_have_text(re.compile(kind, re.I))
    if not panel.locator("[data-entry-id=key] input").first.is_visible():
        panel.locator("[data-group-id=group-general] .bio-properties-panel-group-header").click()  # folded at first
    editor = panel.locator("[data-entry-id=label] [contenteditable=true], [data-entry-id=label] input").first
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(label)
    panel.locator("[data-entry-id=key] input").first.fill(key)
    expect(panel.locator(".bio-properties-panel-header-label")).to_have_text(label)


# what a district bureau's designer reads in form-js's palette (webui/static/designer/js/form_editor_zh.js)
PALETTE = {"textfield": "文本框", "textarea": "多行文本", "number": "数字", "datetime": "日期时间", "checkbox": "勾选框",
           "radio": "单选", "select": "下拉选择", "checklist": "多选", "taglist": "标签", "group": "分组", "text": "说明文字"}
ENGLISH = re.compile(r"\b(Input|Selection|Presentation|Containers|Action|Components|Text field|Text area|Number|"
                     r"Date time|Checkbox|Radio group|Select|Checkbox group|Tag list|Group|Text view|Field label|Key|"
                     r"Required|Default value|Field description|Validation|Condition|General|Options)\b")


def palette_is_chinese(dialog) -> None:
    palette = dialog.locator(".fjs-palette")
    expect(palette.locator(".fjs-palette-header")).to_have_text("组件")
    expect(palette.locator(".fjs-palette-search")).to_have_attribute("placeholder", "搜索组件")
    titles = palette.locator(".fjs-palette-group-title")
    expect(titles.first).to_have_text("输入")
    assert {"输入", "选择", "展示", "容器", "操作"} <= set(titles.all_inner_texts())
    for kind, name in PALETTE.items():
        expect(palette.locator(f".fjs-palette-field[data-field-type={kind}] .fjs-palette-field-text")).to_have_text(name)
    assert not ENGLISH.search(palette.inner_text()), palette.inner_text()
    palette.locator(".fjs-palette-search").fill("下拉")  # the palette's search reads the Chinese names
    expect(palette.locator(".fjs-palette-field")).to_have_count(1)
    expect(palette.locator(".fjs-palette-field-text")).to_have_text("下拉选择")
    palette.locator(".fjs-palette-search").fill("")
    expect(palette.locator(".fjs-palette-field[data-field-type=textfield]")).to_be_visible()


def panel_is_chinese(panel) -> None:
    """The properties panel of the text field just dropped: its groups and most-used entries."""
    expect(panel.locator(".bio-properties-panel-header-type")).to_have_text(re.compile("文本框"))
    expect(panel.locator("[data-group-id=group-general] .bio-properties-panel-group-header-title")).to_have_text("常规")
    expect(panel.locator("[data-group-id=group-validation] .bio-properties-panel-group-header-title")).to_have_text("校验")
    expect(panel.locator("[data-group-id=group-condition] .bio-properties-panel-group-header-title")).to_have_text("隐藏条件")
    if not panel.locator("[data-entry-id=key] input").first.is_visible():
        panel.locator("[data-group-id=group-general] .bio-properties-panel-group-header").click()
    for entry, label in (("label", "字段标签"), ("key", "变量名"), ("description", "说明")):
        expect(panel.locator(f"[data-entry-id={entry}] .bio-properties-panel-label").first).to_have_text(label)
    panel.locator("[data-group-id=group-validation] .bio-properties-panel-group-header").click()
    expect(panel.locator("[data-entry-id=required] .bio-properties-panel-label, "
                         "[data-entry-id=required] label").first).to_have_text("必填")
    titles = panel.locator(".bio-properties-panel-group-header-title").all_inner_texts()
    labels = panel.locator(".bio-properties-panel-label").all_inner_texts()
    assert not [t for t in titles + labels if ENGLISH.search(t)], (titles, labels)


def test_a_form_drawn_in_the_form_editor_is_linked_kept_and_deployed_with_the_model(world, page, tmp_path):
    attempted = offline(page)
    files = {"企业分级核查.bpmn": MODEL.replace('id="grade_check"', 'id="grade_form_check"'), FACTS_FILE: FACTS, DMN_FILE: DMN}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    page.goto(page.base + "/designer/new")
    editor_ready(page)
    page.set_input_files("#import-file", [str(tmp_path / name) for name in files])
    expect(page.locator("#designer-status")).to_have_text("校验通过，可以部署")
    expect(page.locator("#problems")).to_contain_text("「inspection-form」（.form 文件）不在模型文件中")

    page.click("#btn-form")  # nothing selected
    expect(page.locator("#designer-status")).to_have_text("请先在图上选中一个用户任务，再编辑它的表单")
    select(page, "Activity_0check")
    page.click("#btn-form")
    dialog = page.locator("#form-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#form-dialog-title")).to_contain_text("「现场检查」的表单")
    expect(dialog.locator("#form-dialog-title")).to_contain_text("inspection-form.form（新建）")  # the task's formId, not yet a file
    expect(dialog.locator(".fjs-empty-editor")).to_contain_text("开始绘制表单")
    palette_is_chinese(dialog)
    drag(page, dialog.locator(".fjs-palette-field[data-field-type=textfield]"), dialog.locator(".fjs-editor-form-root"))
    expect(dialog.locator(".fjs-form-field-textfield")).to_have_count(1)  # dropped, and selected
    panel = dialog.locator(".fjs-editor-properties-container")
    expect(dialog.locator(".fjs-form-field-textfield")).to_contain_text("文本框")  # a new field's label
    panel_is_chinese(panel)
    name_field(page, panel, "文本框", "检查地点", "site")
    expect(dialog.locator(".fjs-form-container")).to_contain_text("检查地点")
    screenshot(page, "designer-form-editor-1")
    dialog.locator("[data-form=save]").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#designer-status")).to_contain_text("已保存表单「inspection-form.form」并链接到「现场检查」")
    expect(page.locator("#companion-list li")).to_have_count(3)

    page.click("#btn-validate")
    expect(page.locator("#designer-status")).to_have_text("校验通过，可以部署")
    expect(page.locator("#problems")).not_to_contain_text("inspection-form")
    page.click("#btn-dry-run")
    check = page.locator('#dry-forms form[data-step="Activity_0check"]')
    expect(check.get_by_label("检查地点")).to_be_visible(timeout=20_000)

    page.click("#btn-deploy")
    page.locator("#designer-ask button", has_text="确认部署").click()
    expect(page.locator("#designer-status")).to_contain_text("已部署为版本 v1")
    stored = world.engine.models.latest("grade_form_check").content
    assert "zeebe:userTaskForm" in stored and 'formId="inspection-form"' not in stored
    embedded = stored.split('id="UserTaskForm_inspection-form">', 1)[1].split("</zeebe:userTaskForm>", 1)[0]
    schema = json.loads(embedded.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    assert [(c["type"], c["label"], c["key"]) for c in schema["components"]] == [("textfield", "检查地点", "site")]
    assert attempted == []

    # the deployed version reopened: its form (embedded at deploy) is what the editor shows, and a
    # field added to it is deployed as the next version's
    page.goto(page.base + "/designer/models/grade_form_check/edit")
    editor_ready(page)
    select(page, "Activity_0check")
    page.click("#btn-form")
    expect(dialog.locator("#form-dialog-title")).to_contain_text("inspection-form.form（取自模型中嵌入的表单）")
    expect(dialog.locator(".fjs-form-container")).to_contain_text("检查地点")
    drag(page, dialog.locator(".fjs-palette-field[data-field-type=number]"), dialog.locator(".fjs-editor-form-root"))
    expect(dialog.locator(".fjs-form-field-number")).to_have_count(1)
    name_field(page, panel, "数字", "拟罚款金额（元）", "fine")
    dialog.locator("[data-form=save]").click()
    expect(page.locator("#companion-list li")).to_have_count(1)
    page.click("#btn-deploy")
    page.locator("#designer-ask button", has_text="确认部署").click()
    expect(page.locator("#designer-status")).to_contain_text("已部署为版本 v2")
    stored = world.engine.models.latest("grade_form_check").content
    embedded = stored.split('id="UserTaskForm_inspection-form">', 1)[1].split("</zeebe:userTaskForm>", 1)[0]
    schema = json.loads(embedded.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    assert [c.get("key") for c in schema["components"]] == ["site", "fine"], json.dumps(schema, ensure_ascii=False)
    assert (schema["components"][1]["type"], schema["components"][1]["label"]) == ("number", "拟罚款金额（元）")
    assert attempted == []


DRAFT_XML = "async () => (await window.dubanModeler.saveXML({ format: true })).xml"


def test_relinking_a_form_camunda_modeler_embedded_removes_the_old_embedded_form_and_undo_brings_it_back(world, page):
    """zeebe_embedded_form.bpmn (Camunda Modeler 5.16, Camunda 8.2) embeds 现场检查's form as
    <zeebe:userTaskForm id="userTaskForm_2m5nq0c"> (schema id Form_0check1) and the start event's as
    userTaskForm_0s7a1bq. Saved in 编辑任务表单, the task links Form_0check1 by formId: the form it
    embedded before is nothing's any more and goes, in the same undoable command; the start event's stays."""
    from tests.interop_support import CORPUS
    attempted = offline(page)
    page.goto(page.base + "/designer/new")
    editor_ready(page)
    page.set_input_files("#import-file", str(CORPUS / "zeebe_embedded_form.bpmn"))
    select(page, "Activity_0check")
    page.click("#btn-form")
    dialog = page.locator("#form-dialog")
    expect(dialog.locator("#form-dialog-title")).to_contain_text("Form_0check1.form（取自模型中嵌入的表单）")
    expect(dialog.locator(".fjs-form-container")).to_contain_text("现场检查记录")
    dialog.locator("[data-form=save]").click()
    expect(page.locator("#designer-status")).to_contain_text("已保存表单「Form_0check1.form」并链接到「现场检查」")
    xml = page.evaluate(DRAFT_XML)
    assert 'formId="Form_0check1"' in xml
    assert "userTaskForm_2m5nq0c" not in xml  # the orphan is gone
    assert 'id="userTaskForm_0s7a1bq"' in xml and 'formKey="camunda-forms:bpmn:userTaskForm_0s7a1bq"' in xml
    page.evaluate("() => window.dubanModeler.get('commandStack').undo()")
    xml = page.evaluate(DRAFT_XML)
    assert 'id="userTaskForm_2m5nq0c"' in xml and 'formKey="camunda-forms:bpmn:userTaskForm_2m5nq0c"' in xml
    assert 'formId="Form_0check1"' not in xml
    assert attempted == []


def test_a_select_s_options_source_reads_in_chinese_and_cancel_keeps_nothing(world, page):
    """下拉选择 from the palette: its panel's 选项来源 group offers 固定选项 / 案件数据 / 表达式 (form-js's
    Static / Input data / Expression), and 案件数据 asks for 取自案件数据（变量名）."""
    attempted = offline(page)
    from tests.interop_support import CORPUS
    page.goto(page.base + "/designer/new")
    editor_ready(page)
    page.set_input_files("#import-file", str(CORPUS / "zeebe_linked_form.bpmn"))
    select(page, "Activity_1check")
    page.click("#btn-form")
    dialog = page.locator("#form-dialog")
    drag(page, dialog.locator(".fjs-palette-field[data-field-type=select]"), dialog.locator(".fjs-editor-form-root"))
    expect(dialog.locator(".fjs-form-field-select")).to_have_count(1)
    panel = dialog.locator(".fjs-editor-properties-container")
    expect(panel.locator(".bio-properties-panel-header-type")).to_have_text(re.compile("下拉选择"))
    source = panel.locator(".bio-properties-panel-group-header-title", has_text="选项来源")
    expect(source).to_have_count(1)
    source.click()
    kind = panel.locator("select").filter(has=page.locator("option", has_text="固定选项")).first
    assert kind.locator("option").all_inner_texts() == ["固定选项", "案件数据", "表达式"]
    kind.select_option(label="案件数据")
    expect(panel.locator(".bio-properties-panel-label", has_text="取自案件数据（变量名）")).to_have_count(1)
    dialog.locator("[data-form=cancel]").click()
    expect(page.locator("#companion-list li")).to_have_count(0)
    assert attempted == []
