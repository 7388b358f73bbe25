// The "督办" group of the properties panel: exactly what our engine reads from a model, with the
// choices the running system offers (roles for lanes, registered forms, deployed decision tables and
// processes). bpmn-js-properties-panel's own BPMN provider keeps its groups (名称、标识、文档…);
// its timer group is replaced by ours, which explains the expressions the engine accepts.

import { Group, SelectEntry, TextAreaEntry, TextFieldEntry, CheckboxEntry,
         isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited, isCheckboxEntryEdited }
  from '@bpmn-io/properties-panel';
import { jsx } from '@bpmn-io/properties-panel/preact/jsx-runtime';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import { getProperty, setProperty, getCalledDecision, setCalledDecision, timerDefinition, timerKind,
         timerExpression, setTimer, conditionOf, setCondition } from './extensions.js';

const LOW_PRIORITY = 500;  // after the built-in BPMN provider, so its groups are there to arrange
const NO_DEBOUNCE = (fn) => fn;  // every keystroke is in the model at once: deploy never misses one

// name, label, help of the spiffworkflow:property entries of a user task (docs/engine.md).
const USER_TASK_PROPERTIES = [
  ['assignee', '指定办理人', '表达式，结果为一个用户名，如 team_leader（前一环节指定的组长）'],
  ['candidateUsers', '候选办理人', '表达式，结果为用户名列表或逗号分隔的用户名；泳道角色之外还可办理的人'],
  ['notCompletedBy', '回避：办理过以下环节的人', '环节标识，逗号分隔；办理过这些环节的人不得办理本环节'],
  ['notRoleOfCase', '回避：本案中担任以下角色的人', '角色代码或名称，逗号分隔；在本案中以这些角色办理过的人不得办理本环节'],
  ['dueDate', '办理期限', '表达式，结果为期限，如 deadline_at(plan_due)；不填则取中断型边界定时器的时间'],
  ['priority', '初始优先级', '整数，越大越优先'],
  ['completerVariable', '记录本环节办理人', '案件数据的变量名：办理完成时把本环节的办理人写入该变量，'
    + '后续环节的「指定办理人」填它即回到此人（如退回承办人）'],
];

// The same, of a process's start event (docs/engine.md).
const START_EVENT_PROPERTIES = [
  ['startableBy', '企业可发起：角色', '角色名称或代码，逗号分隔；持有其一的企业用户可为本企业发起本流程（如隐患自查自报）'],
];

// 案号前缀 (caseNumberPrefix, engine/case_numbers.py): the same rule and reason as the deploy's
// (case_numbers.read): typed full-width or lower-case it is stored as ＨＳＳ → HSS.
const PREFIX_FORM = /^[A-Z][A-Z0-9]{1,5}$/;

export function readCaseNumberPrefix(typed) {
  const text = (typed || '').normalize('NFKC').trim().toUpperCase();
  if (!text) { return { value: '', error: null }; }
  if (!PREFIX_FORM.test(text)) {
    return { value: null, error: `案号前缀「${(typed || '').trim()}」不可用：须为 2～6 位英文字母或数字，以字母开头（如 HSS）` };
  }
  return { value: text, error: null };
}

// A process that declares none numbers by its key's initials, at most four (case_numbers.derived).
function derivedPrefix(processId) {
  return (processId || '').split('_').filter((w) => w).map((w) => w[0]).join('').toUpperCase().slice(0, 4) || 'C';
}

const TIMER_KIND_LABELS = { timeDate: '指定时间', timeDuration: '持续时长', timeCycle: '循环' };

function services() {
  return { commandStack: useService('commandStack'), bpmnFactory: useService('bpmnFactory'),
           modeling: useService('modeling') };
}

// Options from a list (or from groups of options: { label, children }), keeping a value the model has
// but the system does not know (shown as such, so opening a model never silently changes it). A
// designer reads names only: form keys, role codes and decision ids stay the options' values.
function options(list, current, unknownLabel) {
  const out = [{ value: '', label: '（未设置）' }].concat(list);
  if (current && !list.flatMap((o) => o.children || [o]).some((o) => o.value === current)) {
    out.push({ value: current, label: `${current}（${unknownLabel}）` });
  }
  return out;
}

// --- entry components ------------------------------------------------------------------------------

function PropertyText(props) {
  const { element, id, name, label, description } = props;
  const s = services();
  return jsx(TextFieldEntry, { element, id, label, description, debounce: NO_DEBOUNCE,
    getValue: () => getProperty(element, name), setValue: (v) => setProperty(element, name, v, s) });
}

// Forms by title, grouped under the process that uses them (two processes each have a 「结案审批」).
function formGroups(forms) {
  const groups = new Map();
  forms.forEach((f) => {
    const group = f.process || '其他表单';
    if (!groups.has(group)) { groups.set(group, []); }
    groups.get(group).push({ value: f.key, label: f.title || f.key });
  });
  return [...groups].map(([label, children]) => ({ label, children }));
}

function FormSchema(props) {
  const { element, id, choices } = props;
  const s = services();
  const list = formGroups(choices.forms);
  return jsx(SelectEntry, { element, id, label: '表单', description: '提交的数据按此表单校验；任务页面按它生成表单',
    getValue: () => getProperty(element, 'formSchema'),
    setValue: (v) => setProperty(element, 'formSchema', v, s),
    getOptions: () => options(list, getProperty(element, 'formSchema'), '未注册的表单') });
}

function LaneRole(props) {
  const { element, id, choices } = props;
  const modeling = useService('modeling');
  const current = () => getBusinessObject(element).get('name') || '';
  // A lane named by a role's code (as other modelers draw it) is offered by the role's name.
  const byCode = choices.roles.find((r) => r.code === current() && r.name !== current());
  const list = choices.roles.map((r) => ({ value: r.name, label: r.name }))
    .concat(byCode ? [{ value: byCode.code, label: `${byCode.name}（泳道名称写的是角色代码）` }] : []);
  return jsx(SelectEntry, { element, id, label: '泳道角色',
    description: '泳道名称即角色：本泳道的用户任务由持有该角色的人员办理',
    getValue: current, setValue: (v) => modeling.updateProperties(element, { name: v || undefined }),
    getOptions: () => options(list, current(), '未知角色') });
}

function TimerKind(props) {
  const { element, id } = props;
  const s = services();
  const definition = timerDefinition(element);
  return jsx(SelectEntry, { element, id, label: '定时器类型',
    getValue: () => timerKind(definition),
    setValue: (v) => setTimer(element, definition, v, timerExpression(definition), s),
    getOptions: () => [{ value: '', label: '（未设置）' }].concat(
      Object.entries(TIMER_KIND_LABELS).map(([value, label]) => ({ value, label }))) });
}

function TimerValue(props) {
  const { element, id } = props;
  const s = services();
  const definition = timerDefinition(element);
  return jsx(TextFieldEntry, { element, id, label: '定时器表达式', debounce: NO_DEBOUNCE,
    description: 'ISO 8601：P10D、PT24H、2026-12-01T09:00:00+08:00、R/P30D；或案件数据上的表达式，'
      + '如 deadline_at(rectify_deadline)、reminder_at(rectify_deadline, 10, now())、workdays_after(registered_at, 10)',
    getValue: () => timerExpression(definition),
    setValue: (v) => setTimer(element, definition, timerKind(definition) || 'timeDuration', v, s) });
}

function Escalate(props) {
  const { element, id } = props;
  const s = services();
  return jsx(SelectEntry, { element, id, label: '到期时升级督办',
    description: '中断型期限定时器触发时提高案件督办级别',
    getValue: () => getProperty(element, 'escalate'),
    setValue: (v) => setProperty(element, 'escalate', v, s),
    getOptions: () => [{ value: '', label: '升级（默认）' }, { value: 'false', label: '不升级' }] });
}

const NOT_READ = ['否', '不', '不公开', 'no', 'false', 'n', '0'];  // engine/policy.py _NOT_READ

function PartyReads(props) {
  const { element, id } = props;
  const s = services();
  return jsx(SelectEntry, { element, id, label: '当事企业可否查看本流程的案件',
    description: '选「不可查看」时，案件所涉企业看不到本流程的案件：不列出、打不开、不收消息、'
      + '一企一档不计入（如12350举报核查，保护举报人）',
    getValue: () => getProperty(element, 'partyReads'),
    setValue: (v) => setProperty(element, 'partyReads', v, s),
    getOptions: () => {
      const current = getProperty(element, 'partyReads');
      const list = [{ value: '否', label: '不可查看' }];
      if (current !== '否' && NOT_READ.includes(current.trim().toLowerCase())) {  // as another file wrote it
        list.push({ value: current, label: '不可查看' });
      }
      return options(list, current, '未知取值').map((o) => (o.value === '' ? { value: '', label: '可以查看（默认）' } : o));
    } });
}

// The process's 案号前缀: on the process (nothing selected) or on its pool (the participant's processRef).
function CaseNumberPrefix(props) {
  const { element, id } = props;
  const s = services();
  const target = processOf(element);
  const derived = derivedPrefix(target.get('id'));
  return jsx(TextFieldEntry, { element, id, label: '案号前缀', debounce: NO_DEBOUNCE,
    // the prefixes are data as the designer types them, not words (class duban-data)
    description: jsx('span', { class: 'duban-prefix-hint', children: ['2–6 位字母或数字，以字母开头，如 ', data('DJSP'),
      '；不填则为 ', data(derived), '（取流程标识各段的首字母），与其他流程相同时部署会提示'] }),
    getValue: () => getProperty(element, 'caseNumberPrefix', target),
    validate: (v) => readCaseNumberPrefix(v).error,
    setValue: (v) => {
      const { value, error } = readCaseNumberPrefix(v);
      if (!error) { setProperty(element, 'caseNumberPrefix', value, s, target); }
    } });
}

function data(text) {
  return jsx('code', { class: 'duban-data', children: text });
}

function processOf(element) {
  const bo = getBusinessObject(element);
  return is(bo, 'bpmn:Participant') ? bo.get('processRef') : bo;
}

function Condition(props) {
  const { element, id } = props;
  const s = services();
  return jsx(TextAreaEntry, { element, id, label: '条件表达式', debounce: NO_DEBOUNCE, rows: 2, monospace: true,
    description: 'Python 表达式，取值为真时走此分支，如 hazard_grade == "重大"',
    getValue: () => conditionOf(element), setValue: (v) => setCondition(element, v, s) });
}

function DefaultFlow(props) {
  const { element, id } = props;
  const modeling = useService('modeling');
  const source = element.source;
  return jsx(CheckboxEntry, { element, id, label: '默认分支（其他条件都不满足时）',
    getValue: () => getBusinessObject(source).get('default') === getBusinessObject(element),
    setValue: (v) => modeling.updateProperties(source, { default: v ? getBusinessObject(element) : undefined }) });
}

function Script(props) {
  const { element, id } = props;
  const modeling = useService('modeling');
  return jsx(TextAreaEntry, { element, id, label: '脚本（Python）', debounce: NO_DEBOUNCE, rows: 8, monospace: true,
    description: '读写案件数据；可用 now()、workdays_after() 等函数和 start_case()',
    getValue: () => getBusinessObject(element).get('script') || '',
    setValue: (v) => modeling.updateProperties(element, { script: v, scriptFormat: 'python' }) });
}

function Decision(props) {
  const { element, id, choices } = props;
  const s = services();
  const list = choices.decisions.map((d) => ({ value: d.id, label: d.name || `未命名的决策表（${d.id}）` }));
  return jsx(SelectEntry, { element, id, label: '决策表（DMN）', description: '决策结果写入案件数据',
    getValue: () => getCalledDecision(element), setValue: (v) => setCalledDecision(element, v, s),
    getOptions: () => options(list, getCalledDecision(element), '未部署') });
}

function CalledProcess(props) {
  const { element, id, choices } = props;
  const modeling = useService('modeling');
  const list = choices.processes.map((p) => ({ value: p.key, label: p.name || `未命名的流程（${p.key}）` }));
  const current = () => getBusinessObject(element).get('calledElement') || '';
  return jsx(SelectEntry, { element, id, label: '调用的流程', description: '部署时被调用的流程须已部署',
    getValue: current, setValue: (v) => modeling.updateProperties(element, { calledElement: v || undefined }),
    getOptions: () => options(list, current(), '未部署') });
}

// --- which entries an element gets -----------------------------------------------------------------

function entriesFor(element, choices) {
  const entries = [];
  const add = (id, component, isEdited, extra) => entries.push({ id, component, isEdited, choices, ...extra });
  const bo = getBusinessObject(element);
  if (is(element, 'bpmn:Process') || (is(element, 'bpmn:Participant') && bo.get('processRef'))) {
    add('duban-caseNumberPrefix', CaseNumberPrefix, isTextFieldEntryEdited);
  }
  if (is(element, 'bpmn:Lane')) {
    add('duban-lane-role', LaneRole, isSelectEntryEdited);
  }
  if (is(element, 'bpmn:UserTask')) {
    add('duban-formSchema', FormSchema, isSelectEntryEdited);
    USER_TASK_PROPERTIES.forEach(([name, label, description]) =>
      add(`duban-${name}`, PropertyText, isTextFieldEntryEdited, { name, label, description }));
  }
  if (is(element, 'bpmn:StartEvent') && is(bo.$parent, 'bpmn:Process')) {  // the process's, not a sub-process's
    START_EVENT_PROPERTIES.forEach(([name, label, description]) =>
      add(`duban-${name}`, PropertyText, isTextFieldEntryEdited, { name, label, description }));
    add('duban-partyReads', PartyReads, isSelectEntryEdited);
  }
  if (timerDefinition(element)) {
    add('duban-timer-kind', TimerKind, isSelectEntryEdited);
    add('duban-timer-value', TimerValue, isTextFieldEntryEdited);
    if (is(element, 'bpmn:BoundaryEvent') && bo.get('cancelActivity') !== false) {
      add('duban-escalate', Escalate, isSelectEntryEdited);
    }
  }
  if (is(element, 'bpmn:SequenceFlow') && element.source) {
    const source = element.source;
    if (is(source, 'bpmn:ExclusiveGateway') || is(source, 'bpmn:InclusiveGateway') || is(source, 'bpmn:Activity')) {
      add('duban-condition', Condition, isTextAreaEntryEdited);
    }
    if (is(source, 'bpmn:ExclusiveGateway') || is(source, 'bpmn:InclusiveGateway')) {
      add('duban-default', DefaultFlow, isCheckboxEntryEdited);
    }
  }
  if (is(element, 'bpmn:ScriptTask')) {
    add('duban-script', Script, isTextAreaEntryEdited);
  }
  if (is(element, 'bpmn:BusinessRuleTask')) {
    add('duban-decision', Decision, isSelectEntryEdited);
  }
  if (is(element, 'bpmn:CallActivity')) {
    add('duban-calledElement', CalledProcess, isSelectEntryEdited);
  }
  return entries;
}

export default function DubanPropertiesProvider(propertiesPanel, config, translate) {
  const choices = Object.assign({ roles: [], forms: [], decisions: [], processes: [] }, (config || {}).choices);
  this.getGroups = function (element) {
    return function (groups) {
      const kept = groups.filter((g) => g.id !== 'timer');
      const entries = entriesFor(element, choices);
      if (entries.length) {
        const at = kept.findIndex((g) => g.id === 'general') + 1;
        kept.splice(at, 0, { id: 'duban', label: '督办', component: Group, entries, shouldOpen: true });
      }
      // each group draws its buttons' titles (展开/收起, 此组已填写) with the translate it is given
      return kept.map((g) => ({ ...g, translate }));
    };
  };
  propertiesPanel.registerProvider(LOW_PRIORITY, this);  // after getGroups exists: the panel checks
}

DubanPropertiesProvider.$inject = ['propertiesPanel', 'config.duban', 'translate'];
