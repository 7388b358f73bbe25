// Tables under the diagram: validation problems, a diff, a test-run trace. Built with textContent
// only — messages quote the model, which is user input.

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (k === 'dataset') { Object.assign(node.dataset, v); } else if (k === 'onclick') { node.addEventListener('click', v); } else { node.setAttribute(k, v); }
  });
  children.flat().forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c))));
  return node;
}

// An element by its Chinese name (``nameOf``: the diagram's), its id only when it has none.
function elementLink(id, onPick, text) {
  if (!id) { return el('span', { class: 'muted' }, '（整个模型）'); }
  return el('a', { href: '#', class: 'element-link', dataset: { element: id },
                   onclick: (e) => { e.preventDefault(); onPick(id); } }, text || id);
}

// A message names an element as 「名称」(id); the name is enough where the element has one.
export function withoutId(message, id) {
  if (!id) { return message; }
  return String(message || '').split(`」(${id}) `).join('」').split(`」(${id})`).join('」')
    .split(` (${id}) `).join(' ').split(` (${id})`).join('');
}

function table(head, rows, attrs) {
  return el('table', Object.assign({ class: 'list compact' }, attrs),
    el('thead', {}, el('tr', {}, head.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows));
}

function findingRows(findings, onPick, nameOf) {
  return findings.map((p) => el('tr', { dataset: { element: p.element_id || '' } },
    el('td', {}, elementLink(p.element_id, onPick, nameOf(p.element_id) || '（模型）')),
    el('td', {}, withoutId(p.message, p.element_id))));
}

// Problems refuse the deploy; warnings (提示: vendor extensions ignored, data stores that only
// document, lanes without a role…) are said and the model deploys.
export function renderProblems(box, problems, onPick, nameOf = () => '', warnings = []) {
  box.replaceChildren();
  if (!problems.length) {
    box.append(el('p', { class: 'ok-text' }, warnings.length ? '校验通过：没有妨碍部署的问题。' : '校验通过：没有发现问题。'));
  } else {
    box.append(el('p', { class: 'error-text' }, `发现 ${problems.length} 处问题，修正前不能部署：`));
    box.append(table(['元素', '问题'], findingRows(problems, onPick, nameOf), { id: 'problem-list' }));
  }
  if (warnings.length) {
    box.append(el('p', { class: 'warn-text' }, `另有 ${warnings.length} 条提示（不影响部署，请确认是否符合预期）：`));
    box.append(table(['元素', '提示'], findingRows(warnings, onPick, nameOf), { id: 'warning-list' }));
  }
}

// One row per element: what happened to it and each change, in the words the server chose
// (engine/modeldiff.py: 新增用户任务「…」, 条件 由「…」改为「…」).
export function diffRows(diff, onPick) {
  const row = (css, what, e, content) => el('tr', { class: css, dataset: { element: e.id } },
    el('td', {}, what), el('td', {}, onPick && css !== 'diff-removed' ? elementLink(e.id, onPick, e.title) : e.title),
    el('td', {}, content));
  const change = (c) => el('div', { class: 'change' }, `${c.label}：`,
    c.old === null || c.old === undefined || c.old === '' ? '' : [el('del', {}, c.old_text), ' → '], el('ins', {}, c.new_text));
  return [
    ...diff.added.map((e) => row('diff-added', '新增', e, e.text)),
    ...diff.removed.map((e) => row('diff-removed', '删除', e, e.text)),
    ...diff.changed.map((e) => row('diff-changed', '修改', e, Object.values(e.changes).map(change))),
  ];
}

export function diffTable(diff, onPick, attrs) {
  const rows = diffRows(diff, onPick);
  return rows.length ? table(['变化', '元素', '内容'], rows, attrs)
    : el('p', {}, '执行上没有差别（只比较引擎读取的内容，不比较图形位置）。');
}

export function renderDiff(box, diff, onPick, caption) {
  box.replaceChildren();
  if (caption) { box.append(el('p', { class: 'muted' }, caption)); }
  box.append(diffTable(diff, onPick, { id: 'diff-table' }));
}

// A moment from the server (ISO 8601) as Beijing time, 2026-11-24 09:00.
function beijing(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) { return iso; }
  const p = Object.fromEntries(new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

export const STATUS = { completed: '流程结束', waiting_on_timer: '等待定时器', waiting_on_event: '等待消息或外部任务',
                 form_error: '表单填写有误，未试运行', incident: '执行出错', error: '出错',
                 too_many_steps: '步数过多（可能有循环）', running: '运行中' };

// The run in the designer's words: the result, the path through the diagram by element names, and
// each task worked with its lane and role. ``path`` is the names along the way (editor.js).
export function renderTrace(box, result, onPick, path) {
  box.replaceChildren();
  box.append(el('p', { class: result.ok ? 'ok-text' : 'error-text', id: 'trace-status' },
    `结果：${STATUS[result.status] || result.status}${result.error ? `　${result.error}` : ''}`));
  if (result.form_errors) {
    box.append(el('ul', { id: 'trace-form-errors', class: 'error-text' },
      result.form_errors.map((e) => el('li', {}, `「${e.step}」的${e.field}：${e.message}`))));
    return;
  }
  if (path && path.length) { box.append(el('p', { id: 'trace-path' }, `经过：${path.join(' → ')}`)); }
  const rows = (result.trace || []).map((t, i) => el('tr', { dataset: { element: t.element } },
    el('td', {}, String(i + 1)), el('td', {}, elementLink(t.element, onPick, t.name || '未命名任务')),
    el('td', {}, t.lane || '—'), el('td', {}, t.role_name || t.role || '—')));
  box.append(rows.length ? table(['#', '办理的环节', '泳道', '角色'], rows, { id: 'trace-table' })
    : el('p', { class: 'muted' }, '没有经过任何用户任务。'));
  if (result.timers && result.timers.length) {
    box.append(el('p', { id: 'trace-timers' }, '等待中的定时器：', result.timers.map((t) => `${t.name || '未命名定时器'}（${beijing(t.due_at)} 到期）`).join('；')));
  }
}
