// Chinese for the modeler, its menus and the properties panel. bpmn-js, diagram-js and
// bpmn-js-properties-panel ask their `translate` service for every text they show; replacing that
// service is the documented way to localise them. Looked up without regard to case and hyphens, so
// the panel's header (「User Task」) and 更改类型 (「User task」) share one entry. Events are named by
// their parts (定时 + 边界事件 + （非中断型）, as the engine's refusals say 非中断型) rather than listed one by one. What bpmn-js draws without
// asking translate: panel_zh.js. A text missing here stays English (the sweep test names it).

const ZH = {
  // the properties panel
  'General': '常规', 'Name': '名称', 'ID': '标识', 'Documentation': '说明', 'Element documentation': '元素说明',
  'Process documentation': '流程说明', 'Executable': '可执行', 'Process name': '流程名称', 'Process ID': '流程标识',
  'Participant ID': '池标识', 'Participant Name': '池名称', 'Multi-instance': '多实例', 'Loop cardinality': '循环次数',
  'Completion condition': '完成条件', 'Completion': '完成', 'Message': '消息', 'Signal': '信号', 'Error': '错误',
  'Escalation': '升级', 'Link': '链接', 'Compensation': '补偿', 'Timer': '定时器', 'Type': '类型', 'Value': '值',
  'Date': '日期', 'Duration': '时长', 'Cycle': '循环', '<none>': '（无）', 'Code': '代码', 'Create new ...': '新建…',
  'Activity reference': '补偿的活动', 'Wait for completion': '等待补偿完成', 'Cancel remaining instances': '取消其余实例',
  'Active elements collection': '待处理的集合', 'Global message reference': '消息', 'Global signal reference': '信号',
  'Global error reference': '错误', 'Global escalation reference': '升级',
  'Documentation: Timer events': '说明：定时器事件',
  'A specific point in time defined as ISO 8601 combined date and time representation.': '一个时间点，按 ISO 8601 日期时间格式书写。',
  'A time duration defined as ISO 8601 durations format.': '一段时长，按 ISO 8601 时长格式书写。',
  'A cycle defined as ISO 8601 repeating intervals format.': '重复的周期，按 ISO 8601 重复间隔格式书写。',
  'UTC time': 'UTC 时间', 'UTC plus 2 hours zone offset': '比 UTC 早 2 小时的时区', '15 seconds': '15 秒',
  '1 hour and 30 minutes': '1 小时 30 分钟', '14 days': '14 天', 'every 10 seconds, up to 5 times': '每 10 秒一次，最多 5 次',
  'every day, infinitely': '每天一次，不限次数',
  'Select an element to edit its properties.': '选择一个元素以编辑其属性。',
  'Multiple elements are selected. Select a single element to edit its properties.': '选中了多个元素，请只选一个以编辑其属性。',
  'ID must be unique.': '标识已被其他元素使用，请换一个。', 'ID must not be empty.': '标识不能为空。',
  'ID must not contain spaces.': '标识不能包含空格。',
  'ID must be a valid QName.': '标识须以英文字母或下划线开头，只用英文字母、数字、下划线、连字符和点。',
  'ID must not contain prefix.': '标识不能带前缀（冒号前的部分）。',
  // @bpmn-io/properties-panel's own controls (the group's translate, set by provider.js)
  'Toggle section': '展开/收起', 'Section contains edits': '此组已填写', 'Section contains an error': '此组有错误',
  'Toggle list item': '展开/收起此项', 'Delete item': '删除此项', 'Create new list item': '新增一项', 'Create': '新增',
  '<empty>': '（空）', 'Open documentation': '打开说明', 'Open pop-up editor': '在弹出窗口中编辑',
  'Opened in editor': '已在弹出窗口中打开', 'JSON contains errors': 'JSON 格式有误',
  'FEEL expression is mandatory': '此处须填 FEEL 表达式', 'Click to set a dynamic value with FEEL expression': '点击改用 FEEL 表达式',
  'Click to remove dynamic value with FEEL expression': '点击取消 FEEL 表达式', 'Unparsable FEEL expression.': 'FEEL 表达式无法解析。',
  // element types: the panel's header, 更改类型, the palette
  'Task': '任务', 'User Task': '用户任务', 'Script Task': '脚本任务', 'Service Task': '服务任务',
  'Business Rule Task': '规则任务', 'Manual Task': '手工任务', 'Send Task': '发送任务', 'Receive Task': '接收任务',
  'Call Activity': '调用活动', 'Sub Process': '子流程', 'Sub-process': '子流程', 'Expanded Sub Process': '子流程（展开）',
  'Collapsed Sub Process': '子流程（折叠）', 'Sub-process (expanded)': '子流程（展开）', 'Sub-process (collapsed)': '子流程（折叠）',
  'Event Sub Process': '事件子流程', 'Event sub-process': '事件子流程', 'Transaction': '事务子流程',
  'Ad Hoc Sub Process': '自由子流程', 'Ad-hoc sub-process': '自由子流程',
  'Expanded Ad Hoc Sub Process': '自由子流程（展开）', 'Collapsed Ad Hoc Sub Process': '自由子流程（折叠）',
  'Ad-hoc sub-process (expanded)': '自由子流程（展开）', 'Ad-hoc sub-process (collapsed)': '自由子流程（折叠）',
    'Intermediate Throw Event': '中间事件', 'Intermediate Catch Event': '中间事件', 'Boundary Event': '边界事件',
  'Start Event': '开始事件', 'End Event': '结束事件',
  'Exclusive Gateway': '排他网关', 'Parallel Gateway': '并行网关', 'Inclusive Gateway': '包容网关',
  'Event Based Gateway': '事件网关', 'Event-based gateway': '事件网关', 'Complex Gateway': '复杂网关',
  'Event based instantiating Gateway': '事件网关（启动流程）', 'Parallel Event based instantiating Gateway': '并行事件网关（启动流程）',
  'Sequence Flow': '顺序流', 'Conditional Flow': '条件顺序流', 'Default Flow': '默认顺序流', 'Lane': '泳道',
  'Participant': '池', 'Empty pool/participant': '空池', 'Empty pool/participant (removes content)': '空池（移除池中内容）',
  'Expanded pool/participant': '展开的池', 'Process': '流程', 'Collaboration': '协作', 'Text Annotation': '注释',
  'Message Flow': '消息流', 'Association': '关联', 'Data Input Association': '数据输入关联',
  'Data Output Association': '数据输出关联', 'Data Object Reference': '数据对象', 'Data Store Reference': '数据存储',
  'Data Object': '数据对象', 'Group': '分组',
  // the palette, the context pad and their menus
  'Activate hand tool': '抓手工具', 'Activate lasso tool': '套索工具', 'Activate create/remove space tool': '增删空间工具',
  'Activate global connect tool': '连线工具', 'Create start event': '开始事件', 'Create end event': '结束事件',
  'Create intermediate/boundary event': '中间/边界事件', 'Create gateway': '网关', 'Create task': '任务',
  'Create expanded sub-process': '子流程', 'Create pool/participant': '池/参与者', 'Create group': '分组',
  'Create data object reference': '数据对象', 'Create data store reference': '数据存储',
  'Append end event': '追加结束事件', 'Append gateway': '追加网关', 'Append task': '追加任务',
  'Append intermediate/boundary event': '追加中间/边界事件', 'Append timer intermediate catch event': '追加定时器事件',
  'Append message intermediate catch event': '追加消息事件', 'Append receive task': '追加接收任务',
  'Append signal intermediate catch event': '追加信号事件', 'Append conditional intermediate catch event': '追加条件事件',
  'Append compensation activity': '追加补偿活动', 'Add text annotation': '添加注释', 'Add lane above': '在上方添加泳道',
  'Add lane below': '在下方添加泳道', 'Divide into two lanes': '分为两个泳道', 'Divide into three lanes': '分为三个泳道',
  'Change element': '更改类型', 'Connect to other element': '连接到其他元素', 'Connect using association': '用关联连接',
  'Connect using data input association': '用数据输入关联连接', 'Delete': '删除', 'Search in diagram': '在图中搜索',
  'Align elements': '对齐', 'Align elements left': '左对齐', 'Align elements center': '水平居中对齐',
  'Align elements right': '右对齐', 'Align elements top': '顶端对齐', 'Align elements middle': '垂直居中对齐',
  'Align elements bottom': '底端对齐', 'Distribute elements horizontally': '水平等距分布',
  'Distribute elements vertically': '垂直等距分布',
  'Parallel multi-instance': '并行多实例', 'Sequential multi-instance': '串行多实例', 'Loop': '循环',
  'Collection': '集合', 'Participant multiplicity': '多个参与者', 'Toggle non-interrupting': '切换中断型/非中断型',
  'Conditional flow': '条件顺序流', 'Default flow': '默认顺序流', 'Sequence flow': '顺序流',
};

// an event by its parts (定时中间事件, as engine/validation.py writes it): 「Timer Boundary Event (Non Interrupting)」, 「Message start event (non-interrupting)」
const DEFINITIONS = {
  timer: '定时', message: '消息', signal: '信号', error: '错误', escalation: '升级', conditional: '条件',
  link: '链接', compensate: '补偿', compensation: '补偿', cancel: '取消', terminate: '终止', multiple: '多重',
  'parallel multiple': '并行多重',
};
const KINDS = {
  'start event': '开始事件', 'end event': '结束事件', 'boundary event': '边界事件',
  'intermediate catch event': '中间事件', 'intermediate throw event': '中间抛出事件',
};
const EVENT = new RegExp(`^(?:(${Object.keys(DEFINITIONS).join('|')}) )?(${Object.keys(KINDS).join('|')})`
                         + '( \\(non interrupting\\))?$');

function key(text) { return text.toLowerCase().replace(/-/g, ' ').replace(/\s+/g, ' ').trim(); }

const LOOKUP = new Map(Object.entries(ZH).map(([english, chinese]) => [key(english), chinese]));

// an id bpmn-js gave an element nobody named (Activity_0ab12cd): not a name to show
const GENERATED_ID = /^[A-Za-z]+_[0-9a-z]{7}$/;

function chinese(template, replacements) {
  const found = LOOKUP.get(key(template));
  if (found) { return found; }
  if (template === 'Open {element}') {
    return GENERATED_ID.test(String(replacements.element || '')) ? '打开此子流程' : '打开子流程「{element}」';
  }
  const list = /^List contains \{numOfItems\} items?$/.exec(template);
  if (list) { return '共 {numOfItems} 项'; }
  const event = EVENT.exec(key(template));
  if (event) {
    const [, definition, kind, nonInterrupting] = event;
    return (definition ? DEFINITIONS[definition] : '') + KINDS[kind] + (nonInterrupting ? '（非中断型）' : '');
  }
  return template;
}

// the Chinese of a text the dictionary has, else nothing (panel_zh.js: texts drawn without translate)
export function known(text) { return LOOKUP.get(key(text)); }

export function translate(template, replacements) {
  replacements = replacements || {};
  return chinese(template, replacements)
    .replace(/{([^}]+)}/g, (_, name) => (name in replacements ? replacements[name] : `{${name}}`));
}

export default { translate: ['value', translate] };
