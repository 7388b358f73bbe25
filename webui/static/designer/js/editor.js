// The editor page: bpmn-js Modeler with the properties panel and our "督办" group. The page only
// edits and draws; the server validates, deploys, compares and test-runs (webui/designer.py), and
// what it says is wrong is marked on the diagram at the element at fault.

import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';

import spiffworkflow from './spiffworkflow.json';
import DubanPropertiesProvider from './provider.js';
import translateModule from './translate.js';
import * as marks from './marks.js';
import { renderProblems, renderDiff, renderTrace, STATUS } from './results.js';
import { pathOf } from './path.js';

const DubanPropertiesModule = {
  __init__: ['dubanPropertiesProvider'],
  dubanPropertiesProvider: ['type', DubanPropertiesProvider],
};

export function startEditor(box) {
  const $ = (sel) => box.querySelector(sel);
  const choices = JSON.parse(document.getElementById('designer-choices').textContent);
  const state = { key: box.dataset.key || '', version: box.dataset.version ? Number(box.dataset.version) : null,
                  filename: box.dataset.filename || '' };
  const modeler = new Modeler({
    container: $('#canvas'),
    propertiesPanel: { parent: $('#properties') },
    additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, DubanPropertiesModule, translateModule],
    moddleExtensions: { spiffworkflow },
    duban: { choices },
  });
  window.dubanModeler = modeler;  // for the browser tests and for a curious designer's console

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

  async function load(xml) {
    ['problems', 'diff', 'trace'].forEach((g) => marks.clear(modeler, g));
    const { warnings } = await modeler.importXML(xml);
    modeler.get('canvas').zoom('fit-viewport', 'auto');
    box.dataset.state = 'ready';
    if (warnings.length) { status(`导入时有 ${warnings.length} 条警告（未识别的内容已保留）`, 'warn'); }
  }

  async function currentXml() {
    return (await modeler.saveXML({ format: true })).xml;
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': box.dataset.csrf },
      body: JSON.stringify(body),
    });
    let data;
    try { data = await response.json(); } catch (e) { data = { ok: false, error: `服务器返回 ${response.status}` }; }
    return { status: response.status, data };
  }

  function showProblems(problems) {
    marks.clear(modeler, 'problems');
    const elementIds = [];
    problems.forEach((p) => {
      if (p.element_id && marks.mark(modeler, 'problems', [p.element_id], 'has-problem').length) {
        marks.note(modeler, 'problems', p.element_id, p.message, 'problem');
        elementIds.push(p.element_id);
      }
    });
    renderProblems($('#problems'), problems, (id) => marks.focus(modeler, id));
    showTab('problems');
    if (elementIds.length) { marks.focus(modeler, elementIds[0]); }
    box.dataset.problems = String(problems.length);
  }

  async function validate() {
    status('正在校验…');
    const { data } = await post(box.dataset.validateUrl, { xml: await currentXml(), filename: filename() });
    const problems = data.problems || (data.ok ? [] : [{ message: data.error }]);
    showProblems(problems);
    if (data.ok) { status('校验通过，可以部署', 'ok'); } else { status(`模型有 ${problems.length} 处问题，修正前不能部署`, 'error'); }
    return data.ok;
  }

  async function deploy() {
    status('正在校验并部署…');
    const { status: code, data } = await post(box.dataset.deployUrl, { xml: await currentXml(), filename: filename() });
    if (!data.ok) {
      showProblems(data.problems || [{ message: data.error }]);
      status(`未部署：模型有 ${(data.problems || [1]).length} 处问题，当前版本不变`, 'error');
      return;
    }
    showProblems([]);
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
      status(`已部署为版本 v${data.version}：新发起的案件使用此版本，运行中的案件仍按原版本办理`, 'ok');
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

  function parseJson(text, what) {
    if (!text.trim()) { return {}; }
    try { return JSON.parse(text); } catch (e) { throw new Error(`${what}不是合法的 JSON：${e.message}`); }
  }

  async function dryRun() {
    showTab('dry-run');
    let startData, dataByTask;
    try {
      startData = parseJson($('#dry-start').value, '启动数据');
      dataByTask = parseJson($('#dry-tasks').value, '各环节数据');
    } catch (e) { status(e.message, 'error'); return; }
    status('正在试运行（临时数据库，不影响正式数据）…');
    const { data } = await post(box.dataset.dryRunUrl, { xml: await currentXml(), filename: filename(),
                                                         start_data: startData, data_by_task: dataByTask });
    marks.clear(modeler, 'trace');
    if (data.problems) {
      showProblems(data.problems);
      status('模型未通过校验，无法试运行', 'error');
      return;
    }
    marks.mark(modeler, 'trace', pathOf(modeler.get('elementRegistry'), data.trace || [], data.status === 'completed'),
               'trace-ran');
    if (data.element_id && marks.mark(modeler, 'trace', [data.element_id], 'trace-failed').length) {
      marks.note(modeler, 'trace', data.element_id, data.error || '出错', 'problem');
    }
    renderTrace($('#trace'), data, (id) => marks.focus(modeler, id));
    box.dataset.dryRun = data.status || '';
    const label = STATUS[data.status] || data.status;
    status(data.ok ? `试运行结束：${label}` : `试运行出错：${data.error || label}`, data.ok ? 'ok' : 'error');
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
  }

  function importFile(file) {
    const reader = new FileReader();
    reader.onload = async () => {
      try {
        await load(String(reader.result));
      } catch (e) {
        status(`文件无法打开：${e.message}`, 'error');
        return;
      }
      state.filename = file.name;
      $('#draft-name').textContent = file.name;
      if (!state.key) {  // a new model is called what its file calls its process
        const process = modeler.getDefinitions().get('rootElements').find((e) => e.$type === 'bpmn:Process');
        if (process) { $('h1').textContent = `新建流程：${process.get('name') || process.get('id')}`; }
      }
      await validate();  // an imported file shows its problems at once
    };
    reader.readAsText(file, 'utf-8');
  }

  function guard(fn) {
    return () => fn().catch((e) => status(`出错了：${e.message}`, 'error'));
  }

  $('#btn-validate').addEventListener('click', guard(validate));
  $('#btn-deploy').addEventListener('click', guard(deploy));
  $('#btn-diff').addEventListener('click', guard(compare));
  $('#btn-dry-run').addEventListener('click', guard(dryRun));
  $('#btn-download').addEventListener('click', guard(download));
  $('#import-file').addEventListener('change', (e) => { if (e.target.files[0]) { importFile(e.target.files[0]); } });

  const initial = box.dataset.source
    ? fetch(box.dataset.source, { credentials: 'same-origin' }).then((r) => {
      if (!r.ok) { throw new Error(`HTTP ${r.status}`); }
      return r.text();
    })
    : Promise.resolve(document.getElementById('blank-model').textContent);
  initial.then(load).catch((e) => { status(`模型加载失败：${e.message}`, 'error'); box.dataset.state = 'error'; });
}
