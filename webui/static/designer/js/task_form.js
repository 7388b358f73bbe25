// 编辑任务表单: a Camunda 8 form (form-js) for the selected user task, drawn in @bpmn-io/form-js-editor
// and kept as a .form file among the draft's companions (附带文件), linked to the task by formId as
// Camunda Modeler 8.3+ links it (<zeebe:formDefinition formId="..."/>). The server embeds it in the
// version at deploy (engine/camunda_forms.link_forms); the engine reads its fields like any Camunda
// 8 form. The editor's bundle is loaded the first time the dialog opens (form_editor_bundle.js).

import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';
import { embeddedForm, getLinkedFormId, linkForm } from './extensions.js';

const UNSAFE = /[^0-9A-Za-z_.-]/g;

function loadScript(src) {
  if (window.DubanFormEditor) { return Promise.resolve(); }
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('表单编辑器加载失败，请刷新页面后重试'));
    document.head.appendChild(script);
  });
}

function idOf(companion) {
  try { return String(JSON.parse(companion.content).id || ''); } catch (e) { return ''; }
}

// ``forms``: { find(formId) -> companion | undefined, keep(formId, text) } over the draft's companions.
export function taskForms(box, modeler, { status, forms }) {
  const dialog = box.querySelector('#form-dialog');
  const holder = box.querySelector('#form-editor');
  let editor = null;
  let task = null;
  let formId = '';

  async function open() {
    const selected = modeler.get('selection').get();
    const element = selected.length === 1 ? selected[0] : null;
    if (!element || !is(element, 'bpmn:UserTask')) {
      status('请先在图上选中一个用户任务，再编辑它的表单', 'warn');
      return;
    }
    status('正在打开表单编辑器…');
    await loadScript(box.dataset.formEditorSrc);
    task = element;
    const name = (getBusinessObject(element).name || '').trim() || '未命名用户任务';
    // the form the task has: a linked one among the companions; else one embedded in the model (a
    // deployed version keeps its linked forms embedded): edited, it is saved as a linked .form again
    const embedded = getLinkedFormId(element) ? { id: '', body: '' } : embeddedForm(element);
    let schema = null;
    try { schema = embedded.body ? JSON.parse(embedded.body) : null; } catch (e) { schema = null; }
    formId = (getLinkedFormId(element) || (schema && schema.id) || embedded.id.replace(/^UserTaskForm_/, '')
              || `form_${element.id}`).replace(UNSAFE, '_');
    const found = forms.find(formId);
    if (found) {
      try { schema = JSON.parse(found.content); } catch (e) { /* a broken file: start again, the old one stays until saved */ }
    }
    schema = schema || { type: 'default', id: formId, components: [] };
    dialog.querySelector('[data-form="title"]').textContent = `「${name}」的表单`;
    dialog.querySelector('[data-form="file"]').textContent = found ? found.filename
      : embedded.body ? `${formId}.form（取自模型中嵌入的表单）` : `${formId}.form（新建）`;
    dialog.showModal();
    if (!editor) {
      editor = new window.DubanFormEditor({ container: holder });
      window.dubanFormEditor = editor;  // for the browser tests, as window.dubanModeler
    }
    await editor.importSchema(schema);
    box.dataset.formEditor = 'open';
    status(`正在编辑「${name}」的表单`);
  }

  function save() {
    const schema = { ...editor.saveSchema(), id: formId };
    const name = (getBusinessObject(task).name || '').trim() || '未命名用户任务';
    const filename = forms.keep(formId, JSON.stringify(schema, null, 2));
    linkForm(task, formId, { commandStack: modeler.get('commandStack'), bpmnFactory: modeler.get('bpmnFactory'),
                        elementRegistry: modeler.get('elementRegistry') });
    dialog.close();
    box.dataset.formEditor = 'saved';
    status(`已保存表单「${filename}」并链接到「${name}」：它与模型一同校验、试运行和部署`, 'ok');
  }

  dialog.querySelector('[data-form="save"]').addEventListener('click', () => {
    try { save(); } catch (e) { console.error(e); status('表单未能保存，请检查后重试', 'error'); }
  });
  dialog.querySelector('[data-form="cancel"]').addEventListener('click', () => {
    dialog.close();
    box.dataset.formEditor = 'closed';
    status('未保存表单，草稿不变', 'warn');
  });
  return { open };
}

export { idOf };
