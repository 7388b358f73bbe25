"""A district bureau's designer never meets English in the process designer (Debian's Chromium through
Playwright, the designer module's world and server, offline: every request leaving 127.0.0.1 is aborted
and must not be attempted).

The sweep draws every element kind a designer touches — tasks of each type, gateways, every event
kind with each definition (timer, message, signal, error, escalation, link, conditional, compensation,
terminate), sub-processes of each kind, a call activity, multi-instance and loop markers, data objects
and stores, a second pool, lanes, conditional and default flows, a message flow, annotation and group —
selects each, opens every group of the properties panel, its context pad and its 更改类型 menu, and
then opens 编辑任务表单 with every form-js field type selected in turn; it reads every visible text,
``title``, ``placeholder`` and ``aria-label`` (the tooltips bpmn-js and the panels show) and fails on
any English word. The validation messages of both panels (a duplicate, empty or malformed id or key,
a number that is none) are provoked and read the same way.

Allowed: the real technical tokens below (TOKENS), and the bpmn.io watermarks, which the bpmn.io
licence requires to stay as they are.
"""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from tests.test_designer_browser import browser, editor_ready, page, world  # noqa: F401
from tests.test_designer_form_editor_browser import offline

pytestmark = pytest.mark.browser

if shutil.which("chromium") is None:
    pytest.skip("Debian chromium is not installed (run scripts/setup-browser)", allow_module_level=True)

# technical names a designer meets as such: the standards and languages, the file formats and tools
TOKENS = {"BPMN", "DMN", "FEEL", "JUEL", "ISO", "cron", "Python", "HTML", "UTC", "URL", "HTTPS", "https",
          "MIME", "JSON", "QName", "Camunda", "Modeler", "bpmn", "form", "dmn", "PDF", "Markdown", "MDN"}
WORD = re.compile(r"(?<![.\w])[A-Za-z][A-Za-z']+")
# code in an example (deadline_at(plan_due), now(), P10D, hazard_grade == "重大", image/*, a data URI) is not
# English prose
CODE = re.compile(r"[\w.]*\d[\w.:+/-]*|\w*_\w*|\w+\(|\.\w+|\w+/\*|\bdata URI\b")

# what the page reads: every visible text node, and the title/placeholder/aria-label of every element
# (the tooltips), under ``scope``; the bpmn.io watermarks (licence), what is typed and data shown as typed
# (.duban-data: a 案号前缀 such as DJSP in the panel's hint) are left out
COLLECT = r"""([scope, where]) => {
  const root = document.querySelector(scope);
  if (!root) { return []; }
  const SKIP = '.bjs-powered-by, .fjs-powered-by, .bjs-powered-by-lightbox, script, style, pre, [data-form=file], .duban-data';
  const TYPED = '[contenteditable], .cm-content, input, textarea';
  const shown = el => el && (el.checkVisibility ? el.checkVisibility({ checkVisibilityCSS: true }) : el.offsetParent !== null);
  const out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.data.trim();
    const parent = node.parentElement;
    if (!text || !parent || parent.closest(SKIP) || parent.closest(TYPED)) { continue; }
    const option = parent.closest('option');
    if (option ? !shown(option.closest('select')) : !shown(parent)) { continue; }
    out.push({ text, where: `${where}: ${parent.tagName.toLowerCase()}.${[...parent.classList].join('.')}` });
  }
  for (const el of root.querySelectorAll('[title], [placeholder], [aria-label]')) {
    if (el.closest(SKIP)) { continue; }
    // a button shown on hover or focus only (the panel's pop-up editor) counts: its entry is shown
    if (!shown(el) && !shown(el.parentElement) && !el.closest('svg')) { continue; }
    for (const attr of ['title', 'placeholder', 'aria-label']) {
      const value = (el.getAttribute(attr) || '').trim();
      if (value) { out.push({ text: value, where: `${where}: ${attr} of ${el.tagName.toLowerCase()}.${[...el.classList].join('.')}` }); }
    }
  }
  return out;
}"""

# every element kind a designer touches, drawn through the modeler's own services (as the palette,
# the context pad and 更改类型 draw them); each is named by its id for the report
DRAW = r"""() => {
  const m = window.dubanModeler;
  const factory = m.get('elementFactory'), modeling = m.get('modeling'), registry = m.get('elementRegistry');
  const moddle = m.get('moddle');
  const pool = registry.get('Participant_new');
  modeling.resizeShape(pool, { x: pool.x, y: pool.y, width: 3400, height: 1500 });
  const made = [];
  let n = 0;
  function at() { const i = n++; return { x: 300 + (i % 20) * 150, y: 160 + Math.floor(i / 20) * 180 }; }
  function add(type, attrs = {}, parent = pool) {
    const shape = modeling.createShape(factory.createShape({ type, ...attrs }), at(), parent);
    made.push(shape.id);
    return shape;
  }
  for (const type of ['bpmn:Task', 'bpmn:UserTask', 'bpmn:ScriptTask', 'bpmn:ServiceTask', 'bpmn:BusinessRuleTask',
                      'bpmn:ManualTask', 'bpmn:SendTask', 'bpmn:ReceiveTask', 'bpmn:CallActivity']) { add(type); }
  for (const type of ['bpmn:ExclusiveGateway', 'bpmn:ParallelGateway', 'bpmn:InclusiveGateway',
                      'bpmn:EventBasedGateway', 'bpmn:ComplexGateway']) { add(type); }
  const defs = ['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition', 'bpmn:SignalEventDefinition',
                'bpmn:ConditionalEventDefinition'];
  add('bpmn:StartEvent');
  defs.forEach(d => add('bpmn:StartEvent', { eventDefinitionType: d }));
  add('bpmn:IntermediateThrowEvent');
  [...defs, 'bpmn:LinkEventDefinition'].forEach(d => add('bpmn:IntermediateCatchEvent', { eventDefinitionType: d }));
  ['bpmn:MessageEventDefinition', 'bpmn:SignalEventDefinition', 'bpmn:EscalationEventDefinition',
   'bpmn:LinkEventDefinition', 'bpmn:CompensateEventDefinition'].forEach(d => add('bpmn:IntermediateThrowEvent', { eventDefinitionType: d }));
  add('bpmn:EndEvent');
  ['bpmn:MessageEventDefinition', 'bpmn:SignalEventDefinition', 'bpmn:ErrorEventDefinition', 'bpmn:EscalationEventDefinition',
   'bpmn:TerminateEventDefinition', 'bpmn:CompensateEventDefinition'].forEach(d => add('bpmn:EndEvent', { eventDefinitionType: d }));
  // boundary events, interrupting and not, on a task of their own
  const host = add('bpmn:UserTask', { width: 300, height: 100 });
  const boundary = [['bpmn:TimerEventDefinition', true], ['bpmn:TimerEventDefinition', false],
    ['bpmn:MessageEventDefinition', true], ['bpmn:SignalEventDefinition', false], ['bpmn:ErrorEventDefinition', true],
    ['bpmn:EscalationEventDefinition', false], ['bpmn:ConditionalEventDefinition', true], ['bpmn:CompensateEventDefinition', true]];
  boundary.forEach(([d, interrupting], i) => {
    const event = factory.createShape({ type: 'bpmn:BoundaryEvent', eventDefinitionType: d });
    event.businessObject.cancelActivity = interrupting;
    const shape = modeling.createShape(event, { x: host.x + 20 + i * 35, y: host.y + host.height }, host, { attach: true });
    made.push(shape.id);
  });
  // sub-processes: expanded, collapsed, event sub-process (with a start event of each kind), transaction, ad-hoc
  n += 1;
  const sub = add('bpmn:SubProcess', { isExpanded: true, width: 350, height: 200 });
  add('bpmn:SubProcess', { isExpanded: false });
  n += 1;
  const eventSub = add('bpmn:SubProcess', { isExpanded: true, triggeredByEvent: true, width: 350, height: 200 });
  n += 1;
  ['bpmn:ErrorEventDefinition', 'bpmn:EscalationEventDefinition', 'bpmn:MessageEventDefinition', 'bpmn:TimerEventDefinition'].forEach((d, i) => {
    const start = factory.createShape({ type: 'bpmn:StartEvent', eventDefinitionType: d });
    if (i % 2) { start.businessObject.isInterrupting = false; }
    const shape = modeling.createShape(start, { x: eventSub.x + 50 + i * 70, y: eventSub.y + 100 }, eventSub);
    made.push(shape.id);
  });
  add('bpmn:Transaction', { isExpanded: true, width: 200, height: 150 });
  n += 1;
  add('bpmn:AdHocSubProcess', { isExpanded: false });
  // multi-instance (parallel, sequential) and a standard loop
  for (const [type, attrs] of [['bpmn:MultiInstanceLoopCharacteristics', {}],
                               ['bpmn:MultiInstanceLoopCharacteristics', { isSequential: true }],
                               ['bpmn:StandardLoopCharacteristics', {}]]) {
    const task = add('bpmn:UserTask');
    modeling.updateProperties(task, { loopCharacteristics: moddle.create(type, attrs) });
  }
  add('bpmn:DataObjectReference');
  add('bpmn:DataStoreReference');
  add('bpmn:TextAnnotation');
  add('bpmn:Group');
  // a gateway with a conditional and a default flow, a task inside the sub-process
  const gateway = add('bpmn:ExclusiveGateway');
  const a = add('bpmn:UserTask'), b = add('bpmn:UserTask');
  const conditional = modeling.connect(gateway, a, { type: 'bpmn:SequenceFlow' });
  modeling.updateProperties(conditional, { conditionExpression: moddle.create('bpmn:FormalExpression', { body: 'amount > 10000' }) });
  const byDefault = modeling.connect(gateway, b, { type: 'bpmn:SequenceFlow' });
  modeling.updateProperties(gateway, { default: byDefault.businessObject });
  const plain = modeling.connect(a, b, { type: 'bpmn:SequenceFlow' });
  made.push(conditional.id, byDefault.id, plain.id);
  made.push(modeling.createShape(factory.createShape({ type: 'bpmn:UserTask' }), { x: sub.x + 175, y: sub.y + 100 }, sub).id);
  // lanes, a second pool and a message flow between the pools
  const lane = modeling.addLane(registry.get('Lane_new'), 'bottom');
  made.push(lane.id, 'Lane_new', 'Participant_new');
  const other = modeling.createShape(factory.createParticipantShape({ type: 'bpmn:Participant' }),
                                     { x: pool.x + 1700, y: pool.y + pool.height + 200 }, m.get('canvas').getRootElement());
  made.push(other.id);
  made.push(modeling.connect(other, a, { type: 'bpmn:MessageFlow' }).id);
  return made;
}"""

# each field type of form-js, in a form as a designer would draw it (labels in Chinese)
FORM_SCHEMA = {
    "type": "default", "id": "sweep_form", "components": [
        {"type": "textfield", "key": "site", "label": "检查地点"},
        {"type": "textarea", "key": "findings", "label": "检查情况"},
        {"type": "number", "key": "fine", "label": "罚款金额"},
        {"type": "datetime", "key": "found_on", "subtype": "date", "dateLabel": "发现日期"},
        {"type": "expression", "key": "fine_total", "expression": "=fine * 2", "computeOn": "change"},
        {"type": "filepicker", "key": "photos", "label": "现场照片"},
        {"type": "checkbox", "key": "major", "label": "重大隐患"},
        {"type": "checklist", "key": "kinds", "label": "隐患类别", "values": [{"label": "消防", "value": "fire"}]},
        {"type": "radio", "key": "level", "label": "等级", "values": [{"label": "一般", "value": "general"}]},
        {"type": "select", "key": "sector", "label": "行业", "values": [{"label": "危化", "value": "chem"}]},
        {"type": "taglist", "key": "tags", "label": "标签", "values": [{"label": "复查", "value": "recheck"}]},
        {"type": "text", "text": "# 现场检查记录"},
        {"type": "html", "content": "<p>说明</p>"},
        {"type": "image", "source": "", "alt": "现场图"},
        {"type": "table", "label": "检查项目", "dataSource": "=items",
         "columns": [{"label": "项目", "key": "item"}]},
        {"type": "iframe", "label": "内嵌网页", "url": "https://127.0.0.1/x"},
        {"type": "documentPreview", "label": "文档预览", "dataSource": "=docs"},
        {"type": "separator"},
        {"type": "spacer", "height": 30},
        {"type": "group", "label": "企业信息", "components": [{"type": "textfield", "key": "enterprise", "label": "企业名称"}]},
        {"type": "dynamiclist", "label": "整改措施", "path": "measures", "isRepeating": True,
         "components": [{"type": "textfield", "key": "measure", "label": "措施"}]},
        {"type": "button", "action": "submit", "label": "提交"},
        # the other ways a field is set up: options from the case, from an expression; a time, a date
        # and time; a pattern to check; a field shown only under a condition
        {"type": "select", "key": "sector2", "label": "行业二", "valuesKey": "sectors"},
        {"type": "radio", "key": "level2", "label": "等级二", "valuesExpression": "=levels"},
        {"type": "datetime", "key": "at", "subtype": "time", "timeLabel": "时间", "use24h": True},
        {"type": "datetime", "key": "when", "subtype": "datetime", "dateLabel": "日期", "timeLabel": "时间"},
        {"type": "textfield", "key": "phone", "label": "电话", "validate": {"required": True, "validationType": "custom",
                                                                          "pattern": "^1[0-9]{10}$"},
         "conditional": {"hide": "=major"}},
        {"type": "number", "key": "count", "label": "人数", "serializeToString": True, "decimalDigits": 0,
         "validate": {"min": 1, "max": 100}},
        {"type": "button", "action": "reset", "label": "重置"},
    ],
}


# the panels' tooltips (「?」 beside an entry or a group) appear on hover or focus: each is focused in turn
TOOLTIPS = r"""async ([scope, where]) => {
  const out = [];
  for (const wrapper of document.querySelectorAll(scope + ' .bio-properties-panel-tooltip-wrapper')) {
    wrapper.focus();
    // drawn on the next render: waited for (a loaded machine takes longer), half a second at most
    for (let i = 0; i < 25 && !document.querySelector('.bio-properties-panel-tooltip'); i++) {
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    for (const tip of document.querySelectorAll('.bio-properties-panel-tooltip')) {
      const walker = document.createTreeWalker(tip, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.data.trim();
        if (text && !node.parentElement.closest('pre')) { out.push({ text, where: `${where}: tooltip` }); }
      }
    }
    wrapper.blur();
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  return out;
}"""


def english(found: list[dict]) -> dict[str, set[str]]:
    """Each text with an English word not among TOKENS, with where it was seen."""
    leaks: dict[str, set[str]] = {}
    for item in found:
        words = [w for w in WORD.findall(CODE.sub(" ", item["text"])) if w not in TOKENS]
        if words:
            leaks.setdefault(item["text"], set()).add(item["where"])
    return leaks


def report(leaks: dict[str, set[str]]) -> str:
    return "\n".join(f"{text!r}  ({sorted(where)[0]}{' …' if len(where) > 1 else ''})" for text, where in sorted(leaks.items()))


def open_everything(page, scope: str) -> None:
    """Open every closed group and list item of the properties panel under ``scope``, until none is left.
    Each header is clicked once (marked): a second click while the panel is still redrawing would close it."""
    for _ in range(10):
        clicked = page.evaluate("""(scope) => {
          const closed = [...document.querySelectorAll(scope + ' .bio-properties-panel-group-header:not(.open), '
                         + scope + ' .bio-properties-panel-collapsible-entry-header:not(.open)')];
          const header = closed.filter(h => !h.dataset.sweepOpened
                                            && !h.closest('.bio-properties-panel-collapsible-entry-entries:not(.open)'));
          header.forEach(h => { h.dataset.sweepOpened = '1'; h.click(); });
          return header.length;
        }""", scope)
        if not clicked:
            return
        page.wait_for_timeout(100)


def sweep_element(page, element_id: str) -> list[dict]:
    """Select the element, open its panel's groups, its context pad and its 更改类型 menu; what they show."""
    page.evaluate("""id => { const m = window.dubanModeler; m.get('popupMenu').close();
                            m.get('selection').select(m.get('elementRegistry').get(id)); }""", element_id)
    open_everything(page, "#properties")
    found = page.evaluate(COLLECT, ["#designer", element_id])
    found += page.evaluate(TOOLTIPS, ["#properties", element_id])
    opened = page.evaluate("""() => {
      const entry = document.querySelector('.djs-context-pad .entry[data-action=replace]');
      if (entry) { entry.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: 400, clientY: 300 })); }
      return !!document.querySelector('.djs-popup');
    }""")
    if opened:
        found += page.evaluate(COLLECT, [".djs-popup", element_id + " 更改类型"])
        page.evaluate("() => window.dubanModeler.get('popupMenu').close()")
    return found


# the panel's pop-up editor (在弹出窗口中编辑) of the first entry that has one, opened and read, closed
POPUP = r"""async ([scope, where]) => {
  const button = document.querySelector(scope + ' .bio-properties-panel-open-feel-popup');
  if (!button) { return null; }
  button.click();
  for (let i = 0; i < 100 && !document.querySelector('.bio-properties-panel-popup'); i++) {
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  await new Promise(resolve => setTimeout(resolve, 100));  // its editor drawn inside it
  const popup = document.querySelector('.bio-properties-panel-popup');
  return popup ? popup.outerHTML.length : 0;
}"""


def popup_texts(page, scope: str, where: str) -> list[dict]:
    opened = page.evaluate(POPUP, [scope, where])
    assert opened, f"no pop-up editor opened in {where}"
    found = page.evaluate(COLLECT, [".bio-properties-panel-popup", where + " 弹出编辑"])
    found += page.evaluate(COLLECT, [scope, where + " 弹出编辑"])
    # closed by its own button (Escape would close the form editor's dialog too)
    page.evaluate("() => document.querySelector('.bio-properties-panel-popup__close').click()")
    expect(page.locator(".bio-properties-panel-popup")).to_have_count(0)
    return found


def test_the_designer_shows_no_english_on_any_element_panel_menu_or_tooltip(world, page):
    attempted = offline(page)
    page.goto(page.base + "/designer/new")
    editor_ready(page)
    found = page.evaluate(COLLECT, ["#designer", "空白模型"])
    made = page.evaluate(DRAW)
    assert len(made) > 70
    for element_id in made:
        found += sweep_element(page, element_id)
    for element_id in made[:3]:  # a task's, a user task's and a script task's pop-up editors (名称, 脚本)
        page.evaluate("""id => { const m = window.dubanModeler;
                                m.get('selection').select(m.get('elementRegistry').get(id)); }""", element_id)
        open_everything(page, "#properties")
        found += popup_texts(page, "#properties", element_id)
    # several selected: align and distribute
    page.evaluate("""ids => { const m = window.dubanModeler, r = m.get('elementRegistry');
                             m.get('selection').select(ids.map(id => r.get(id))); }""", made[:3])
    found += page.evaluate(COLLECT, ["#designer", "多选"])
    page.evaluate("""() => document.querySelector('.djs-context-pad .entry[data-action=align-elements]')
                              .dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: 400, clientY: 300 }))""")
    found += page.evaluate(COLLECT, [".djs-popup", "对齐菜单"])
    page.evaluate("() => window.dubanModeler.get('popupMenu').close()")
    # nothing selected: the process's panel; the search box (Ctrl+F)
    page.evaluate("() => window.dubanModeler.get('selection').select(null)")
    open_everything(page, "#properties")
    found += page.evaluate(COLLECT, ["#designer", "未选中"])
    page.evaluate("() => window.dubanModeler.get('searchPad').open()")
    found += page.evaluate(COLLECT, ["#designer", "搜索框"])
    page.evaluate("() => window.dubanModeler.get('searchPad').close()")
    # a collapsed sub-process opened in place: the breadcrumbs above it (it has no name: no id either)
    page.evaluate("() => document.querySelector('.bjs-drilldown').click()")
    expect(page.locator(".bjs-breadcrumbs")).to_be_visible()
    found += page.evaluate(COLLECT, [".bjs-breadcrumbs", "子流程内"])
    assert not re.search(r"[A-Za-z]+_[0-9a-z]{7}", page.locator(".bjs-breadcrumbs").inner_text())
    leaks = english(found)
    assert not leaks, f"{len(leaks)} English texts in the designer:\n{report(leaks)}"
    seen = {item["text"] for item in found}
    assert {"定时边界事件（非中断型）", "升级开始事件（非中断型）", "定时中间事件", "补偿中间抛出事件", "自由子流程（折叠）", "事件子流程", "复杂网关",
            "条件顺序流", "在弹出窗口中编辑", "展开/收起", "左对齐", "并行多实例", "用户任务 / 名称", "保存并关闭",
            "已在弹出窗口中打开", "未命名的子流程"} <= seen, seen
    assert attempted == []


# models drawn by other tools (tests/bpmn/interop): Camunda 7 and 8, Flowable, Signavio, Trisotech,
# bpmn.io and spiff-arena, with the event kinds, markers and extensions those tools write
CORPUS_MODELS = ["camunda7_event_subprocess.bpmn", "camunda7_multi_instance.bpmn", "camunda7_escalation_terminate.bpmn",
                 "zeebe_link_events.bpmn", "zeebe_linked_form.bpmn", "flowable_leave.bpmn", "signavio_hazmat.bpmn",
                 "trisotech_overdue_penalty.bpmn", "bpmnio_standard_loop.bpmn", "spiff_arena_hazard.bpmn",
                 "camunda7_event_gateway.bpmn", "camunda7_subprocess_error.bpmn"]
# what such a model brings is its own (names in the diagram, the panel's header, its messages' names in
# a dropdown); only what the panel, its tooltips and menus write around it is read
MODEL_DATA = ("header-label", "option.", "collapsible-entry-header-title")


@pytest.mark.parametrize("filename", CORPUS_MODELS)
def test_a_model_from_another_tool_shows_no_english_around_its_elements(world, page, filename):
    from tests.interop_support import CORPUS
    attempted = offline(page)
    page.goto(page.base + "/designer/new")
    editor_ready(page)
    page.set_input_files("#import-file", str(CORPUS / filename))
    expect(page.locator("#draft-name")).to_have_text(filename)
    ids = page.evaluate("""() => window.dubanModeler.get('elementRegistry')
                                   .filter(e => !e.labelTarget && e.type !== 'label').map(e => e.id)""")
    assert len(ids) > 3
    found: list[dict] = []
    for element_id in ids:
        page.evaluate("""id => { const m = window.dubanModeler; m.get('popupMenu').close();
                                m.get('selection').select(m.get('elementRegistry').get(id)); }""", element_id)
        open_everything(page, "#properties")
        for scope in ("#properties", ".djs-context-pad", ".djs-palette"):
            found += page.evaluate(COLLECT, [scope, element_id])
        found += page.evaluate(TOOLTIPS, ["#properties", element_id])
    leaks = english([f for f in found if not any(data in f["where"] for data in MODEL_DATA)])
    assert not leaks, f"{len(leaks)} English texts around {filename}:\n{report(leaks)}"
    assert attempted == []


def provoke(page, scope: str, entry: str, good: str, bad: str, where: str) -> list[dict]:
    """Type a good value (each time another: the panel keeps an error shown when the value typed after it
    is the element's value already), then a bad one, into an entry of the panel under ``scope``; what the panel then
    shows (its error, once its debounce has passed)."""
    from playwright.sync_api import TimeoutError as Timeout
    box = page.locator(f"{scope} [data-entry-id={entry}] input").first
    box.fill(good)
    errors = f"{scope} [data-entry-id={entry}] .bio-properties-panel-error"
    shown = "sel => [...document.querySelectorAll(sel)].some(e => e.textContent.trim())"
    page.wait_for_function(f"sel => !({shown})(sel)", arg=errors, timeout=5000)
    box.fill(bad)
    try:
        page.wait_for_function(shown, arg=errors, timeout=3000)
    except Timeout:
        pass  # not every bad value is refused at once (the panel may take it)
    return page.evaluate(COLLECT, [scope, where])


def provoke_id_errors(page) -> list[dict]:
    """Type into the panel's ID field what a tired designer types; the error each gets."""
    found: list[dict] = []
    for i, value in enumerate(("start", "", "任务 一", "1abc", "bpmn:x")):
        found += provoke(page, "#properties", "id", f"task_{i}", value, f"标识「{value}」")
    return found


def test_the_properties_panel_s_validation_messages_are_chinese(world, page):
    attempted = offline(page)
    page.goto(page.base + "/designer/new")
    editor_ready(page)
    page.evaluate("""() => { const m = window.dubanModeler, f = m.get('elementFactory');
      const pool = m.get('elementRegistry').get('Participant_new');
      const task = m.get('modeling').createShape(f.createShape({ type: 'bpmn:UserTask' }), { x: 400, y: 190 }, pool);
      m.get('selection').select(task); }""")
    open_everything(page, "#properties")
    found = provoke_id_errors(page)
    errors = {f["text"] for f in found if "error" in f["where"]}
    assert {"标识已被其他元素使用，请换一个。", "标识不能为空。", "标识不能包含空格。"} <= errors, errors
    leaks = english(found)
    assert not leaks, f"{len(leaks)} English validation texts:\n{report(leaks)}"
    assert attempted == []


def open_form_editor(page) -> None:
    page.goto(page.base + "/designer/new")
    editor_ready(page)
    page.evaluate("""() => { const m = window.dubanModeler, f = m.get('elementFactory');
      const pool = m.get('elementRegistry').get('Participant_new');
      const task = m.get('modeling').createShape(f.createShape({ type: 'bpmn:UserTask' }), { x: 400, y: 190 }, pool);
      m.get('modeling').updateLabel(task, '现场检查');
      m.get('selection').select(task); }""")
    page.click("#btn-form")
    expect(page.locator("#form-dialog")).to_be_visible()
    page.wait_for_function("() => window.dubanFormEditor")


def select_field(page, index: int) -> str:
    """Select the form's ``index``-th field (depth first) through form-js's selection; its type."""
    return page.evaluate("""i => {
      const editor = window.dubanFormEditor, registry = editor.get('formFieldRegistry');
      const field = registry.getAll().filter(f => f.type !== 'default')[i];
      if (!field) { return null; }
      editor.get('selection').set(field);
      return field.type;
    }""", index)


def test_the_form_editor_shows_no_english_for_any_field_type(world, page):
    attempted = offline(page)
    open_form_editor(page)
    found = page.evaluate(COLLECT, ["#form-dialog", "空表单"])
    page.evaluate("schema => window.dubanFormEditor.importSchema(schema)", FORM_SCHEMA)
    kinds = []
    for index in range(40):
        kind = select_field(page, index)
        if kind is None:
            break
        kinds.append(kind)
        open_everything(page, "#form-dialog .fjs-properties-panel")
        found += page.evaluate(COLLECT, ["#form-dialog", f"表单字段 {kind}"])
        found += page.evaluate(TOOLTIPS, ["#form-dialog", f"表单字段 {kind}"])
        if kind in ("textfield", "number") and index < 3:  # 字段标签's pop-up editor (FEEL or template)
            found += popup_texts(page, "#form-dialog .fjs-properties-panel", f"表单字段 {kind}")
    assert {c["type"] for c in FORM_SCHEMA["components"]} <= set(kinds)
    leaks = english(found)
    assert not leaks, f"{len(leaks)} English texts in the form editor:\n{report(leaks)}"
    seen = {item["text"] for item in found}
    assert {"新增「文本框」", "删除「下拉选择」", "请选择", "选择文件", "满足此条件时隐藏字段", "在弹出窗口中编辑", "展开/收起",
            "允许运行脚本", "计算时机", "文本框 / 字段标签", "保存并关闭"} <= seen, seen
    assert attempted == []


def test_the_form_editor_s_validation_messages_are_chinese(world, page):
    attempted = offline(page)
    open_form_editor(page)
    page.evaluate("schema => window.dubanFormEditor.importSchema(schema)", FORM_SCHEMA)
    panel = "#form-dialog .fjs-properties-panel"
    found: list[dict] = []
    select_field(page, 2)  # 罚款金额 (number)
    open_everything(page, panel)
    typed = {"key": ("fine_{}", ["site", "", "金额 元", "a.1", "this"]), "undefined-decimalDigits": ("{}", ["-1", "1.5"]),
             "undefined-step": ("{}", ["0", "-1", "1.123"]), "defaultValue": ("{}", ["abc", "1.123456"])}
    for entry, (good, values) in typed.items():
        box = page.locator(f"{panel} [data-entry-id={entry}] input").first
        for i, value in enumerate(values):
            if box.get_attribute("type") == "number" and not re.fullmatch(r"-?[0-9.]*", value):
                continue
            found += provoke(page, panel, entry, good.format(i + 2), value, f"{entry}「{value}」")
    errors = {f["text"] for f in found if "error" in f["where"]}
    assert {"与其他字段的变量名或路径重复。", "不能为空", "须为整数。"} <= errors, errors
    leaks = english(found)
    assert not leaks, f"{len(leaks)} English validation texts:\n{report(leaks)}"
    assert attempted == []
