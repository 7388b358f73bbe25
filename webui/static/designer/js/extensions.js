// Reading and writing the SpiffWorkflow extensions our engine reads:
//   <bpmn:extensionElements>
//     <spiffworkflow:properties><spiffworkflow:property name="formSchema" value="hazard.register"/></spiffworkflow:properties>
//     <spiffworkflow:calledDecisionId>hazard_grade</spiffworkflow:calledDecisionId>
//   </bpmn:extensionElements>
// Every change goes through the command stack as one command, so undo (Ctrl+Z) takes back a whole
// edit, and a property set to "" is removed rather than stored empty (the engine would read "").

import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

const MULTI = 'properties-panel.multi-command-executor';

function create(bpmnFactory, type, attrs, parent) {
  const element = bpmnFactory.create(type, attrs);
  element.$parent = parent;
  return element;
}

function extensionValues(bo, type) {
  const ext = bo.get('extensionElements');
  return ext ? (ext.get('values') || []).filter((v) => is(v, type)) : [];
}

function propertyList(bo) {
  const container = extensionValues(bo, 'spiffworkflow:Properties')[0];
  return container ? container.get('properties') || [] : [];
}

// ``target``: the business object holding the property when it is not the element's own (a pool's
// process: the participant is selected, the property is its processRef's).
export function getProperty(element, name, target) {
  const found = propertyList(target || getBusinessObject(element)).find((p) => p.get('name') === name);
  return found ? found.get('value') || '' : '';
}

// The commands that make sure <bpmn:extensionElements> exists; returns it and the commands.
function ensureExtensionElements(element, bo, bpmnFactory) {
  let ext = bo.get('extensionElements');
  const commands = [];
  if (!ext) {
    ext = create(bpmnFactory, 'bpmn:ExtensionElements', { values: [] }, bo);
    commands.push({ cmd: 'element.updateModdleProperties',
                    context: { element, moddleElement: bo, properties: { extensionElements: ext } } });
  }
  return { ext, commands };
}

export function setProperty(element, name, value, { commandStack, bpmnFactory }, target) {
  const bo = target || getBusinessObject(element);
  value = (value || '').trim() ? value : '';
  const existing = propertyList(bo).find((p) => p.get('name') === name);
  if (existing) {
    const container = existing.$parent;
    if (value) {
      commandStack.execute('element.updateModdleProperties',
        { element, moddleElement: existing, properties: { value } });
    } else {
      commandStack.execute('element.updateModdleProperties', { element, moddleElement: container,
        properties: { properties: container.get('properties').filter((p) => p !== existing) } });
    }
    return;
  }
  if (!value) { return; }
  const { ext, commands } = ensureExtensionElements(element, bo, bpmnFactory);
  let container = extensionValues(bo, 'spiffworkflow:Properties')[0];
  if (!container) {
    container = create(bpmnFactory, 'spiffworkflow:Properties', { properties: [] }, ext);
    commands.push({ cmd: 'element.updateModdleProperties',
                    context: { element, moddleElement: ext, properties: { values: [...ext.get('values'), container] } } });
  }
  const prop = create(bpmnFactory, 'spiffworkflow:Property', { name, value }, container);
  commands.push({ cmd: 'element.updateModdleProperties',
                  context: { element, moddleElement: container,
                             properties: { properties: [...container.get('properties'), prop] } } });
  commandStack.execute(MULTI, commands);
}

export function getCalledDecision(element) {
  const found = extensionValues(getBusinessObject(element), 'spiffworkflow:CalledDecisionId')[0];
  return found ? found.get('value') || '' : '';
}

export function setCalledDecision(element, value, { commandStack, bpmnFactory }) {
  const bo = getBusinessObject(element);
  const existing = extensionValues(bo, 'spiffworkflow:CalledDecisionId')[0];
  if (existing) {
    if (value) {
      commandStack.execute('element.updateModdleProperties', { element, moddleElement: existing, properties: { value } });
    } else {
      const ext = bo.get('extensionElements');
      commandStack.execute('element.updateModdleProperties', { element, moddleElement: ext,
        properties: { values: ext.get('values').filter((v) => v !== existing) } });
    }
    return;
  }
  if (!value) { return; }
  const { ext, commands } = ensureExtensionElements(element, bo, bpmnFactory);
  const decision = create(bpmnFactory, 'spiffworkflow:CalledDecisionId', { value }, ext);
  commands.push({ cmd: 'element.updateModdleProperties',
                  context: { element, moddleElement: ext, properties: { values: [...ext.get('values'), decision] } } });
  commandStack.execute(MULTI, commands);
}

// --- timers: <bpmn:timerEventDefinition><bpmn:timeDate|timeDuration|timeCycle>…</…> ---------------

export const TIMER_KINDS = ['timeDate', 'timeDuration', 'timeCycle'];

export function timerDefinition(element) {
  const defs = getBusinessObject(element).get('eventDefinitions') || [];
  return defs.find((d) => is(d, 'bpmn:TimerEventDefinition')) || null;
}

export function timerKind(definition) {
  return TIMER_KINDS.find((k) => definition && definition.get(k)) || '';
}

export function timerExpression(definition) {
  const kind = timerKind(definition);
  return kind ? definition.get(kind).get('body') || '' : '';
}

export function setTimer(element, definition, kind, expression, { commandStack, bpmnFactory }) {
  const current = timerKind(definition);
  if (kind && kind === current) {
    commandStack.execute('element.updateModdleProperties',
      { element, moddleElement: definition.get(kind), properties: { body: expression || '' } });
    return;
  }
  const properties = {};
  TIMER_KINDS.forEach((k) => { properties[k] = undefined; });
  if (kind) {
    properties[kind] = create(bpmnFactory, 'bpmn:FormalExpression', { body: expression || '' }, definition);
  }
  commandStack.execute('element.updateModdleProperties', { element, moddleElement: definition, properties });
}

// --- sequence-flow conditions and scripts ----------------------------------------------------------

export function conditionOf(element) {
  const expr = getBusinessObject(element).get('conditionExpression');
  return expr ? expr.get('body') || '' : '';
}

export function setCondition(element, text, { modeling, bpmnFactory }) {
  const bo = getBusinessObject(element);
  const existing = bo.get('conditionExpression');
  if (existing && (text || '').trim()) {
    modeling.updateModdleProperties(element, existing, { body: text });
    return;
  }
  const conditionExpression = (text || '').trim()
    ? create(bpmnFactory, 'bpmn:FormalExpression', { body: text }, bo) : undefined;
  modeling.updateProperties(element, { conditionExpression });
}

// A Camunda 8 form linked to a user task (<zeebe:formDefinition formId="..."/>, zeebe-bpmn-moddle):
// the form editor's link (task_form.js). Linking replaces any other form of the task in one command
// — an older formDefinition, and our formSchema property (the engine would take a form of ours first).
export function getLinkedFormId(element) {
  const found = extensionValues(getBusinessObject(element), 'zeebe:FormDefinition')[0];
  return found ? found.get('formId') || '' : '';
}

// The JSON of the Camunda 8 form embedded for the task (formKey="camunda-forms:bpmn:<id>" naming a
// <zeebe:userTaskForm id="<id>"> of a process or sub-process around it, as Camunda Modeler 8.0–8.2
// embeds it and our deploy stores a linked one); '' when the task names none.
const EMBEDDED = 'camunda-forms:bpmn:';
function embeddedKey(bo) {
  const definition = extensionValues(bo, 'zeebe:FormDefinition')[0];
  const key = definition ? definition.get('formKey') || '' : '';
  return key.startsWith(EMBEDDED) ? key : '';
}

// (the <zeebe:userTaskForm>, the element whose extensions hold it) the task's formKey names, or null
function embeddedOwner(element) {
  const key = embeddedKey(getBusinessObject(element));
  if (!key) { return null; }
  const id = key.slice(EMBEDDED.length);
  for (let owner = getBusinessObject(element).$parent; owner; owner = owner.$parent) {
    const found = owner.get && owner.$instanceOf && owner.$instanceOf('bpmn:BaseElement')
      ? extensionValues(owner, 'zeebe:UserTaskForm').find((f) => f.get('id') === id) : null;
    if (found) { return { form: found, owner }; }
  }
  return null;
}

export function embeddedForm(element) {
  const key = embeddedKey(getBusinessObject(element));
  if (!key) { return { id: '', body: '' }; }
  const found = embeddedOwner(element);
  return { id: key.slice(EMBEDDED.length), body: found ? found.form.get('body') || '' : '' };
}

// Linking a task whose form was embedded (formKey="camunda-forms:bpmn:<id>", Camunda Modeler 8.0–8.2:
// its id is anything, userTaskForm_2k1b5a6) leaves that <zeebe:userTaskForm> to nothing: it is
// removed in the same command, unless another task or start event still names it.
function orphanRemoval(element, elementRegistry) {
  const found = embeddedOwner(element);
  if (!found || !elementRegistry) { return []; }
  const key = embeddedKey(getBusinessObject(element));
  const bo = getBusinessObject(element);
  const shared = elementRegistry.filter((other) => other.businessObject && other.businessObject !== bo
    && !other.labelTarget && embeddedKey(other.businessObject) === key).length > 0;
  if (shared) { return []; }
  const holder = found.owner.get('extensionElements');
  return [{ cmd: 'element.updateModdleProperties', context: { element, moddleElement: holder,
    properties: { values: (holder.get('values') || []).filter((v) => v !== found.form) } } }];
}

export function linkForm(element, formId, { commandStack, bpmnFactory, elementRegistry }) {
  const bo = getBusinessObject(element);
  const orphan = orphanRemoval(element, elementRegistry);
  const { ext, commands } = ensureExtensionElements(element, bo, bpmnFactory);
  commands.push(...orphan);
  const definition = create(bpmnFactory, 'zeebe:FormDefinition', { formId }, ext);
  const kept = (ext.get('values') || []).filter((v) => !is(v, 'zeebe:FormDefinition'));
  commands.push({ cmd: 'element.updateModdleProperties',
                  context: { element, moddleElement: ext, properties: { values: [...kept, definition] } } });
  const container = extensionValues(bo, 'spiffworkflow:Properties')[0];
  if (container && container.get('properties').some((p) => p.get('name') === 'formSchema')) {
    commands.push({ cmd: 'element.updateModdleProperties', context: { element, moddleElement: container,
      properties: { properties: container.get('properties').filter((p) => p.get('name') !== 'formSchema') } } });
  }
  commandStack.execute(MULTI, commands);
}
