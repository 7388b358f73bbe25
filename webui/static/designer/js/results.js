// Tables under the diagram: validation problems, a diff, a test-run trace. Built with textContent
// only — messages quote the model, which is user input.

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (k === 'dataset') { Object.assign(node.dataset, v); } else if (k === 'onclick') { node.addEventListener('click', v); } else { node.setAttribute(k, v); }
  });
  children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c))));
  return node;
}

function elementLink(id, onPick) {
  if (!id) { return el('span', { class: 'muted' }, '（整个模型）'); }
  return el('a', { href: '#', class: 'element-link', onclick: (e) => { e.preventDefault(); onPick(id); } }, id);
}

function table(head, rows, attrs) {
  return el('table', Object.assign({ class: 'list compact' }, attrs),
    el('thead', {}, el('tr', {}, head.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows));
}

export function renderProblems(box, problems, onPick) {
  box.replaceChildren();
  if (!problems.length) {
    box.append(el('p', { class: 'ok-text' }, '校验通过：没有发现问题。'));
    return;
  }
  box.append(el('p', { class: 'error-text' }, `发现 ${problems.length} 处问题，修正前不能部署：`));
  box.append(table(['元素', '行', '问题'], problems.map((p) =>
    el('tr', { dataset: { element: p.element_id || '' } },
      el('td', {}, elementLink(p.element_id, onPick)), el('td', {}, p.line || '—'), el('td', {}, p.message))),
  { id: 'problem-list' }));
}

const KIND = { userTask: '用户任务', scriptTask: '脚本任务', serviceTask: '服务任务', businessRuleTask: '规则任务',
               sequenceFlow: '顺序流', exclusiveGateway: '排他网关', parallelGateway: '并行网关',
               inclusiveGateway: '包容网关', boundaryEvent: '边界事件', startEvent: '开始事件', endEvent: '结束事件',
               intermediateCatchEvent: '中间事件', callActivity: '调用活动', subProcess: '子流程', lane: '泳道' };

function show(v) {
  if (v === undefined || v === null) { return '—'; }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function renderDiff(box, diff, onPick, caption) {
  box.replaceChildren();
  const rows = [];
  diff.added.forEach((e) => rows.push(el('tr', { class: 'diff-added', dataset: { element: e.id } },
    el('td', {}, '新增'), el('td', {}, elementLink(e.id, onPick)), el('td', {}, KIND[e.kind] || e.kind),
    el('td', {}, e.name || ''), el('td', {}, ''))));
  diff.removed.forEach((e) => rows.push(el('tr', { class: 'diff-removed', dataset: { element: e.id } },
    el('td', {}, '删除'), el('td', {}, e.id), el('td', {}, KIND[e.kind] || e.kind), el('td', {}, e.name || ''),
    el('td', {}, ''))));
  diff.changed.forEach((e) => rows.push(el('tr', { class: 'diff-changed', dataset: { element: e.id } },
    el('td', {}, '修改'), el('td', {}, elementLink(e.id, onPick)), el('td', {}, KIND[e.kind] || e.kind),
    el('td', {}, e.name || ''),
    el('td', {}, Object.entries(e.changes).map(([field, c]) =>
      el('div', { class: 'change' }, el('code', {}, field), '：', el('del', {}, show(c.old)), ' → ', el('ins', {}, show(c.new))))))));
  if (caption) { box.append(el('p', { class: 'muted' }, caption)); }
  box.append(rows.length ? table(['变化', '元素', '类型', '名称', '内容'], rows, { id: 'diff-table' })
    : el('p', {}, '两个版本执行上没有差别（只比较引擎读取的内容，不比较图形位置）。'));
}

export const STATUS = { completed: '流程结束', waiting_on_timer: '等待定时器', incident: '执行出错', error: '出错',
                 too_many_steps: '步数过多（可能有循环）', running: '运行中' };

export function renderTrace(box, result, onPick) {
  box.replaceChildren();
  box.append(el('p', { class: result.ok ? 'ok-text' : 'error-text', id: 'trace-status' },
    `结果：${STATUS[result.status] || result.status}${result.error ? `　${result.error}` : ''}`));
  const rows = (result.trace || []).map((t, i) => el('tr', { dataset: { element: t.element } },
    el('td', {}, String(i + 1)), el('td', {}, elementLink(t.element, onPick)), el('td', {}, t.name || ''),
    el('td', {}, t.lane || ''), el('td', {}, t.role || '')));
  box.append(rows.length ? table(['#', '环节', '名称', '泳道', '角色'], rows, { id: 'trace-table' })
    : el('p', { class: 'muted' }, '没有经过任何用户任务。'));
  if (result.timers && result.timers.length) {
    box.append(el('p', {}, '等待中的定时器：', result.timers.map((t) => `${t.name || t.element}（${t.due_at}）`).join('；')));
  }
}
