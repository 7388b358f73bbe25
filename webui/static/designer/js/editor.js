// The editor page: bpmn-js Modeler with the properties panel and our "督办" group. The page only
// edits and draws; the server validates, deploys, compares and test-runs (webui/designer.py), and
// what it says is wrong is marked on the diagram at the element at fault.

import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';

import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json';
import spiffworkflow from './spiffworkflow.json';
import DubanPropertiesProvider from './provider.js';
import translateModule from './translate.js';
import { translateDrawn, PopupTitleModule } from './panel_zh.js';
import { labelPanelButtons } from './panel_buttons.js';
import * as marks from './marks.js';
import { renderProblems, renderDiff, renderTrace, STATUS, withoutId, el, diffTable } from './results.js';
import { ask } from './ask.js';
import { pathOf } from './path.js';
import { taskForms, idOf } from './task_form.js';

const DubanPropertiesModule = {
  __init__: ['dubanPropertiesProvider'],
  dubanPropertiesProvider: ['type', DubanPropertiesProvider],
};

// What an unnamed element is called in a problem list: 未命名泳道, 未命名用户任务.
const UNNAMED = { 'bpmn:Lane': '泳道', 'bpmn:UserTask': '用户任务', 'bpmn:Task': '任务', 'bpmn:ManualTask': '手工任务',
                  'bpmn:ScriptTask': '脚本任务', 'bpmn:ServiceTask': '服务任务', 'bpmn:BusinessRuleTask': '规则任务',
                  'bpmn:ExclusiveGateway': '排他网关', 'bpmn:ParallelGateway': '并行网关', 'bpmn:InclusiveGateway': '包容网关',
                  'bpmn:StartEvent': '开始事件', 'bpmn:EndEvent': '结束事件', 'bpmn:IntermediateCatchEvent': '中间事件',
                  'bpmn:BoundaryEvent': '边界事件', 'bpmn:SequenceFlow': '连线', 'bpmn:CallActivity': '调用活动',
                  'bpmn:SubProcess': '子流程', 'bpmn:Participant': '池' };

export function startEditor(box) {
  const $ = (sel) => box.querySelector(sel);
  const choices = JSON.parse(document.getElementById('designer-choices').textContent);
  const state = { key: box.dataset.key || '', version: box.dataset.version ? Number(box.dataset.version) : null,
                  filename: box.dataset.filename || '', companions: [] };
  const modeler = new Modeler({
    container: $('#canvas'),
    // the pop-up editor inside the page's box, where panel_zh.js watches what it draws
    propertiesPanel: { parent: $('#properties'), feelPopupContainer: box },
    additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, DubanPropertiesModule, translateModule,
                        PopupTitleModule],
    moddleExtensions: { spiffworkflow, zeebe },
    duban: { choices },
  });
  window.dubanModeler = modeler;  // for the browser tests and for a curious designer's console
  translateDrawn(box);  // what the panel and the popup menu draw without asking translate
  labelPanelButtons($('#properties'));  // each section's 展开/收起, 新增, 删除 names its section

  function status(text, kind) {
    const el = $('#designer-status');
    el.textContent = text;
    el.className = `designer-status ${kind || ''}`;
  }

  function showTab(name) {
    box.querySelectorAll('[data-tab]').forEach((b) => b.classList.toggle('active', b.dataset.tab === name));
    box.querySelectorAll('[data-panel]').forEach((p) => { p.hidden = p.dataset.panel !== name; });
  }
  box.querySelectorAll('[data-tab]').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));

  // Unsaved edits (未部署的修改): any command since the model was opened, deployed or downloaded.
  // Leaving the page then asks first — the browser's own question on reload or close, ours on a
  // link of the page (menu, breadcrumbs).
  let dirty = false;
  function markSaved() { dirty = false; box.dataset.dirty = 'false'; }
  function markDirty() { dirty = true; box.dataset.dirty = 'true'; }
  modeler.on('commandStack.changed', markDirty);
  window.addEventListener('beforeunload', (e) => {
    if (dirty) { e.preventDefault(); e.returnValue = ''; }
  });
  document.addEventListener('click', async (e) => {
    const link = e.target.closest && e.target.closest('a[href]');
    if (!dirty || !link || link.target === '_blank' || link.hasAttribute('download') || e.defaultPrevented
        || link.getAttribute('href').startsWith('#') || e.ctrlKey || e.metaKey || e.shiftKey) { return; }
    e.preventDefault();
    const leave = await ask($('#designer-ask'), {
      title: '有未部署的修改',
      body: [el('p', {}, '此草稿的修改尚未部署，也未下载保存。离开此页，这些修改将丢失。')],
      yes: '放弃修改并离开', no: '留在此页',
    });
    if (leave) { markSaved(); window.location.href = link.href; }
  }, true);

  // Why a file would not open, in Chinese: bpmn-js says it in English (``no diagram to display``,
  // ``unparsable content``…), the fetch by its HTTP status.
  function whyNotOpened(e) {
    const text = String((e && e.message) || '');
    if (/no diagram to display/i.test(text)) {
      return '文件中没有流程图的图形信息（只有流程定义），设计器无法显示；已部署的模型仍照常运行';
    }
    if (/^HTTP 40[34]$/.test(text)) { return '模型文件不存在或无权查看'; }
    if (/^HTTP /.test(text)) { return '服务器暂时无法提供模型文件，请稍后再试'; }
    if (/[\u4e00-\u9fff]/.test(text)) { return text; }
    return '文件不是可识别的 BPMN 2.0 模型（XML 格式有误或缺少流程定义）';
  }

  // A file with no diagram (only the process: Zeebe's API, generators) is refused before bpmn-js
  // reads it: an import that fails there leaves the modeler half-loaded (校验 and 部署 then fail).
  function withoutDiagram(xml) {
    const doc = new DOMParser().parseFromString(xml, 'application/xml');
    return !doc.getElementsByTagName('parsererror').length
      && !doc.getElementsByTagNameNS('http://www.omg.org/spec/BPMN/20100524/DI', 'BPMNDiagram').length;
  }

  async function load(xml) {
    if (withoutDiagram(xml)) { throw new Error('no diagram to display'); }
    ['problems', 'diff', 'trace'].forEach((g) => marks.clear(modeler, g));
    const { warnings } = await modeler.importXML(xml);
    markSaved();
    modeler.get('canvas').zoom('fit-viewport', 'auto');
    box.dataset.state = 'ready';
    if (warnings.length) { status(`导入时有 ${warnings.length} 条警告（未识别的内容已保留）`, 'warn'); }
  }

  // The name a designer gave an element (its label on the diagram), '' when unnamed or gone.
  function nameOf(id) {
    const element = id && modeler.get('elementRegistry').get(id);
    if (!element) { return ''; }
    return (element.businessObject.name || '').trim() || `未命名${UNNAMED[element.type] || '元素'}`;
  }

  async function currentXml() {
    return (await modeler.saveXML({ format: true })).xml;
  }

  // The draft's companion files (附带文件): Camunda 8 forms (.form) and decision tables (.dmn) imported
  // with it, sent with every request about the draft, so that it is validated, test-run and deployed
  // with them (webui/designer_companions.py).
  const KIND_OF = { form: '表单', dmn: '决策表' };
  function kindOf(name) {
    const lower = name.toLowerCase();
    return lower.endsWith('.form') ? 'form' : lower.endsWith('.dmn') ? 'dmn' : null;
  }
  function showCompanions() {
    const list = $('#companion-list');
    list.replaceChildren(...state.companions.map((c) => {
      const remove = el('button', { type: 'button', class: 'link', 'aria-label': `移除「${c.filename}」` }, '移除');
      remove.addEventListener('click', guard(async () => {
        state.companions = state.companions.filter((x) => x !== c);
        showCompanions();
        markDirty();
        status(`已移除附带文件「${c.filename}」`, 'warn');
      }));
      return el('li', { 'data-companion': c.filename }, el('span', {}, c.filename), el('span', { class: 'muted' }, `（${KIND_OF[c.kind]}）`), remove);
    }));
    $('#companions').hidden = !state.companions.length;
    box.dataset.companions = String(state.companions.length);
  }
  function addCompanions(found) {
    found.forEach((c) => {
      state.companions = state.companions.filter((x) => x.filename !== c.filename).concat([c]);
    });
    showCompanions();
  }

  async function post(url, body) {
    const withFiles = body.xml === undefined ? body
      : { ...body, companions: state.companions.map((c) => ({ filename: c.filename, content: c.content })) };
    const response = await fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': box.dataset.csrf },
      body: JSON.stringify(withFiles),
    });
    let data;
    try { data = await response.json(); } catch (e) { data = { ok: false, error: `服务器返回 ${response.status}` }; }
    return { status: response.status, data };
  }

  function showProblems(problems, warnings = []) {
    marks.clear(modeler, 'problems');
    const elementIds = [];
    problems.forEach((p) => {
      if (p.element_id && marks.mark(modeler, 'problems', [p.element_id], 'has-problem').length) {
        marks.note(modeler, 'problems', p.element_id, withoutId(p.message, p.element_id), 'problem');
        elementIds.push(p.element_id);
      }
    });
    renderProblems($('#problems'), problems, (id) => marks.focus(modeler, id), nameOf, warnings);
    showTab('problems');
    if (elementIds.length) { marks.focus(modeler, elementIds[0]); }
    box.dataset.problems = String(problems.length);
  }

  async function validate() {
    status('正在校验…');
    const { data } = await post(box.dataset.validateUrl, { xml: await currentXml(), filename: filename() });
    const problems = data.problems || (data.ok ? [] : [{ message: data.error }]);
    showProblems(problems, data.warnings || []);
    if (data.ok) { status('校验通过，可以部署', 'ok'); } else { status(`模型有 ${problems.length} 处问题，修正前不能部署`, 'error'); }
    return data.ok;
  }

  // What the deploy would do, asked before doing it: the version it becomes, the cases that stay on
  // theirs, and the changes against the current version in Chinese. Resolves true to go ahead.
  // The 案号 the process's next case gets, and the processes numbering alike (both declaring no 案号前缀:
  // the deploy lets them through, their numbers then do not tell the processes apart).
  function numbering(m, several) {
    const n = m.numbering;
    if (!n) { return []; }
    const whose = several ? `「${m.name}」的` : '本流程的';
    const how = n.declared ? `案号前缀 ${n.prefix}` : `案号前缀 ${n.prefix} 取自流程标识各段的首字母，可在流程属性「案号前缀」中另定`;
    const out = [el('p', { class: 'deploy-case-no', 'data-process': m.key }, `${whose}案件将编号为 `,
      el('b', {}, n.next_case_no), `（${how}）。`)];
    if (n.shared_with.length) {
      out.push(el('p', { class: 'warn-text deploy-prefix-shared', 'data-process': m.key },
        `流程${n.shared_with.map((x) => `「${x}」`).join('、')}的案件也以 ${n.prefix} 编号，与${several ? `「${m.name}」` : '本流程'}`
        + '共用一个编号序列，从案号看不出是哪个流程的案件；如需区分，请在流程属性「案号前缀」中另定。'));
    }
    return out;
  }

  function confirmDeploy(models, warnings, tables = [], forms = []) {
    const body = [];
    const several = models.length > 1;
    models.forEach((m) => {
      if (m.current === null) {
        body.push(el('p', {}, `「${m.name}」是新流程，将部署为第一个版本 v1，部署后即可发起案件。`));
        body.push(...numbering(m, several));
        return;
      }
      body.push(el('p', {}, `将「${m.name}」部署为新版本 v${m.next}（当前版本 v${m.current}）。新发起的案件使用新版本；`,
        el('b', {}, `运行中的 ${m.running} 件案件`), '仍按原版本办理。'));
      body.push(...numbering(m, several));
      body.push(el('p', { class: 'muted' }, `与当前版本 v${m.current} 相比：`));
      body.push(diffTable(m.diff, null, { id: 'deploy-diff-table' }));
    });
    tables.forEach((t) => {
      body.push(el('p', { 'data-decision-file': t.filename }, t.unchanged
        ? `决策表文件「${t.filename}」与当前版本 v${t.current} 相同，不再部署。`
        : `决策表文件「${t.filename}」将部署为 v${t.next}${t.current ? `（当前版本 v${t.current}）` : '（新决策表）'}，在模型之前部署。`));
    });
    if (forms.length) {
      body.push(el('p', { id: 'deploy-forms' }, `表单文件 ${forms.map((f) => `「${f}」`).join('、')} 嵌入此版本，随版本保存。`));
    }
    if (warnings.length) {
      body.push(el('p', { class: 'warn-text' }, `部署后仍有 ${warnings.length} 条提示：`));
      body.push(el('ul', { id: 'deploy-warnings' }, warnings.map((w) => el('li', {}, withoutId(w.message, w.element_id)))));
    }
    return ask($('#designer-ask'), { title: '确认部署', body, yes: '确认部署', no: '取消' });
  }

  async function deploy() {
    status('正在校验…');
    const xml = await currentXml();
    const preview = (await post(box.dataset.previewUrl, { xml, filename: filename() })).data;
    if (!preview.ok) {
      showProblems(preview.problems || [{ message: preview.error }]);
      status(preview.problems ? `未部署：模型有 ${preview.problems.length} 处问题，当前版本不变`
        : `未部署：${preview.error}`, 'error');
      return;
    }
    const warnings = preview.warnings || [];
    showProblems([], warnings);
    const changed = preview.models.filter((m) => !m.unchanged);
    const tables = preview.decisions || [];
    if (!changed.length && !tables.some((t) => !t.unchanged)) {
      markSaved();
      status(`内容与当前版本 v${preview.models[0].current} 相同，无需部署`, 'ok');
      return;
    }
    if (!(await confirmDeploy(changed, warnings, tables, preview.forms || []))) {
      status('已取消部署，当前版本不变', 'warn');
      return;
    }
    status('正在部署…');
    const { status: code, data } = await post(box.dataset.deployUrl, { xml, filename: filename() });
    if (!data.ok) {
      showProblems(data.problems || [{ message: data.error }]);
      status(data.problems ? `未部署：模型有 ${data.problems.length} 处问题，当前版本不变`
        : `未部署：${data.error}`, 'error');
      return;
    }
    showProblems([], warnings);
    markSaved();
    state.key = data.key;
    state.version = data.version;
    state.filename = data.filename;
    box.dataset.key = data.key;
    box.dataset.version = String(data.version);
    box.dataset.deployed = String(data.version);
    $('#btn-diff').disabled = false;
    document.querySelectorAll('[data-current-version]').forEach((el) => { el.textContent = `v${data.version}`; });
    history.replaceState(null, '', data.edit_url);
    if (code === 200 && data.unchanged) {
      status(`内容未变，仍为版本 v${data.version}`, 'ok');
    } else {
      const noted = warnings.length ? `；另有 ${warnings.length} 条提示，见下方「校验结果」` : '';
      const withTables = (data.decisions || []).filter((t) => !t.unchanged)
        .map((t) => `；决策表「${t.filename}」已部署为 v${t.version}`).join('');
      status(`已部署为版本 v${data.version}：新发起的案件使用此版本，运行中的案件仍按原版本办理${withTables}${noted}`, 'ok');
    }
  }

  async function compare() {
    if (!state.key) { status('新模型尚未部署，没有可比较的版本', 'warn'); return; }
    const { data } = await post(box.dataset.diffUrl, { xml: await currentXml(), key: state.key, version: state.version });
    if (!data.ok) { status(data.error || '比较失败', 'error'); return; }
    marks.clear(modeler, 'diff');
    marks.mark(modeler, 'diff', data.added.map((e) => e.id), 'diff-added');
    marks.mark(modeler, 'diff', data.changed.map((e) => e.id), 'diff-changed');
    renderDiff($('#diff'), data, (id) => marks.focus(modeler, id), `已部署版本 v${data.version} → 草稿`);
    const first = [...data.changed, ...data.added][0];
    if (first) { marks.focus(modeler, first.id); }
    showTab('diff');
    const n = data.added.length + data.removed.length + data.changed.length;
    status(n ? `与 v${data.version} 相比有 ${n} 处变化` : `与 v${data.version} 相同`, 'ok');
  }

  // 试运行's forms: fetched for the draft as it is (again after an edit), each user task by its name
  // with sample values; what a designer typed survives a refetch where the step and field remain.
  let formsFor = null;  // the draft XML the forms were made for
  function postedOf(form) {
    return [...new FormData(form).entries()].filter(([, v]) => typeof v === 'string');
  }
  function restore(form, pairs) {
    const byName = {};
    pairs.forEach(([n, v]) => { (byName[n] = byName[n] || []).push(v); });
    form.querySelectorAll('input[name], select[name], textarea[name]').forEach((input) => {
      if (!(input.name in byName) || input.type === 'file') { return; }
      if (input.type === 'checkbox' || input.type === 'radio') { input.checked = byName[input.name].includes(input.value); } else { input.value = byName[input.name][0]; }
    });
  }
  async function loadForms(xml) {
    const key = xml + JSON.stringify(state.companions.map((c) => [c.filename, c.content]));
    if (formsFor === key) { return true; }
    const before = {};
    box.querySelectorAll('#dry-forms form[data-step]').forEach((f) => { before[f.dataset.step] = postedOf(f); });
    const { data } = await post(box.dataset.dryFormsUrl, { xml, filename: filename() });
    if (!data.ok) {
      showProblems(data.problems || [{ message: data.error }]);
      status('模型无法读取，无法试运行', 'error');
      return false;
    }
    const holder = $('#dry-forms');
    holder.innerHTML = data.html;  // rendered by the server from our templates, values escaped there
    holder.querySelectorAll('form[data-step]').forEach((f) => { if (before[f.dataset.step]) { restore(f, before[f.dataset.step]); } });
    $('#btn-dry-again').hidden = false;
    formsFor = key;
    return true;
  }

  // The path as the designer reads it: the named elements the run went through, in order.
  function pathNames(ids) {
    const registry = modeler.get('elementRegistry');
    return ids.map((id) => registry.get(id)).filter((e) => e && e.type !== 'bpmn:SequenceFlow')
      .map((e) => (e.businessObject.name || '').trim()).filter(Boolean);
  }

  async function dryRun() {
    showTab('dry-run');
    const xml = await currentXml();
    status('正在准备各环节表单…');
    if (!(await loadForms(xml))) { return; }
    const steps = {};
    box.querySelectorAll('#dry-forms form[data-step]').forEach((f) => { steps[f.dataset.step] = postedOf(f); });
    status('正在试运行（临时数据库，不影响正式数据）…');
    const { data } = await post(box.dataset.dryRunUrl, { xml, filename: filename(), steps });
    marks.clear(modeler, 'trace');
    if (data.problems) {
      showProblems(data.problems);
      status('模型未通过校验，无法试运行', 'error');
      return;
    }
    box.querySelectorAll('#dry-forms .field.has-error').forEach((f) => f.classList.remove('has-error'));
    (data.form_errors || []).forEach((e) => {
      const field = box.querySelector(`#dry-forms form[data-step="${CSS.escape(e.element)}"] .field`
        + `[data-field="${CSS.escape(String(e.field_name || ''))}"]`);
      if (field) { field.classList.add('has-error'); }
    });
    const ran = pathOf(modeler.get('elementRegistry'), data.trace || [], data.status === 'completed');
    marks.mark(modeler, 'trace', ran, 'trace-ran');
    if (data.element_id && marks.mark(modeler, 'trace', [data.element_id], 'trace-failed').length) {
      marks.note(modeler, 'trace', data.element_id, data.error || '出错', 'problem');
    }
    renderTrace($('#trace'), data, (id) => marks.focus(modeler, id), pathNames(ran));
    box.dataset.dryRun = data.status || '';
    const label = STATUS[data.status] || data.status;
    status(data.ok ? `试运行结束：${label}` : `试运行未完成：${data.error || label}`, data.ok ? 'ok' : 'error');
  }

  function filename() {
    return state.filename || `${state.key || 'new_process'}.bpmn`;
  }

  async function download() {
    const blob = new Blob([await currentXml()], { type: 'application/xml' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = state.key ? `${state.key}.draft.bpmn` : filename();
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    markSaved();  // kept as a file: leaving no longer loses it
  }

  function importFile(file, found = []) {
    // Not 'ready' until this file is on the canvas: whoever waits for 'ready' (a test, a script) must
    // not read the draft it replaces. A file refused leaves that draft, ready as it was.
    box.dataset.state = 'loading';
    const reader = new FileReader();
    reader.onload = async () => {
      try {
        await load(String(reader.result));
      } catch (e) {
        box.dataset.state = 'ready';
        status(`文件无法打开：${whyNotOpened(e)}`, 'error');
        return;
      }
      state.companions = [];  // a model imported brings its own companions, not the last draft's
      addCompanions(found);
      state.filename = file.name;
      markDirty();  // the imported file is not deployed yet
      $('#draft-name').textContent = file.name;
      if (!state.key) {  // a new model is called what its file calls its process
        const process = modeler.getDefinitions().get('rootElements').find((e) => e.$type === 'bpmn:Process');
        if (process) { $('h1').textContent = `新建流程：${process.get('name') || process.get('id')}`; }
      }
      await validate();  // an imported file shows its problems at once
    };
    reader.readAsText(file, 'utf-8');
  }

  // A failure the page did not foresee: said in Chinese (the browser's own text goes to the console).
  function guard(fn) {
    return () => fn().catch((e) => {
      console.error(e);
      const text = String((e && e.message) || '');
      status(`出错了：${/[\u4e00-\u9fff]/.test(text) ? text : '设计器遇到意外错误，请刷新页面后重试'}`, 'error');
    });
  }

  const formEditor = taskForms(box, modeler, { status, forms: {
    find: (formId) => state.companions.find((c) => c.kind === 'form' && idOf(c) === formId),
    keep(formId, content) {
      const old = state.companions.find((c) => c.kind === 'form' && idOf(c) === formId);
      const kept = { filename: old ? old.filename : `${formId}.form`, kind: 'form', content };
      state.companions = state.companions.filter((c) => c !== old).concat([kept]);
      showCompanions();
      markDirty();
      return kept.filename;
    },
  } });
  $('#btn-form').addEventListener('click', guard(formEditor.open));
  $('#btn-validate').addEventListener('click', guard(validate));
  $('#btn-deploy').addEventListener('click', guard(deploy));
  $('#btn-diff').addEventListener('click', guard(compare));
  $('#btn-dry-run').addEventListener('click', guard(dryRun));
  $('#btn-dry-again').addEventListener('click', guard(dryRun));
  $('#dry-forms').addEventListener('submit', (e) => e.preventDefault());  // Enter in a step's field submits nothing
  $('#btn-download').addEventListener('click', guard(download));
  // 导入文件 takes one model with its forms and decision tables, or only forms and decision tables
  // for the draft on the canvas.
  async function companionsOf(files) {
    return Promise.all(files.map(async (f) => ({ filename: f.name, kind: kindOf(f.name), content: await f.text() })));
  }
  $('#import-file').addEventListener('change', guard(async () => {
    const input = $('#import-file');
    const files = [...input.files];
    input.value = '';  // the same file may be chosen again
    if (!files.length) { return; }
    const models = files.filter((f) => !kindOf(f.name));
    const found = await companionsOf(files.filter((f) => kindOf(f.name)));
    if (models.length > 1) {
      status(`一次只能导入一个流程模型文件（选择了 ${models.map((f) => `「${f.name}」`).join('、')}），可同时选择它的表单和决策表文件`, 'error');
      return;
    }
    if (!models.length) {
      addCompanions(found);
      markDirty();
      status(`已添加附带文件 ${found.map((c) => `「${c.filename}」`).join('、')}，与模型一同校验和部署`, 'ok');
      await validate();
      return;
    }
    const file = models[0];
    if (dirty && !(await ask($('#designer-ask'), {
      title: '有未部署的修改',
      body: [el('p', {}, `导入「${file.name}」将替换当前草稿，其中尚未部署、也未下载保存的修改将丢失。`)],
      yes: '放弃修改并导入', no: '保留当前草稿',
    }))) {
      status('未导入，当前草稿保持不变', 'warn');
      return;
    }
    importFile(file, found);
  }));

  const initial = box.dataset.source
    ? fetch(box.dataset.source, { credentials: 'same-origin' }).then((r) => {
      if (!r.ok) { throw new Error(`HTTP ${r.status}`); }
      return r.text();
    })
    : Promise.resolve(document.getElementById('blank-model').textContent);
  initial.then(load).catch((e) => { status(`模型加载失败：${whyNotOpened(e)}`, 'error'); box.dataset.state = 'error'; });
}
