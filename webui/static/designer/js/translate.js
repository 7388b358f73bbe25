// Chinese labels for the modeler and the properties panel. bpmn-js asks its `translate` service for
// every text it shows; replacing that service is the documented way to localise it. Texts missing
// here stay in English rather than break.

const ZH = {
  // properties panel
  'General': '常规', 'Name': '名称', 'ID': '标识', 'Documentation': '说明', 'Element documentation': '元素说明',
  'Process documentation': '流程说明', 'Executable': '可执行', 'Process name': '流程名称', 'Process ID': '流程标识',
  'Participant ID': '参与者标识', 'Participant Name': '参与者名称', 'Multi-instance': '多实例', 'Loop cardinality': '循环次数',
  'Completion condition': '完成条件', 'Message': '消息', 'Signal': '信号', 'Error': '错误', 'Escalation': '升级',
  'Link': '链接', 'Compensation': '补偿', 'Timer': '定时器', 'Type': '类型', 'Value': '值', 'Date': '日期',
  'Duration': '时长', 'Cycle': '循环', '<none>': '<无>', 'Code': '代码',
  'Select an element to edit its properties.': '选择一个元素以编辑其属性。',
  'Multiple elements are selected. Select a single element to edit its properties.': '选中了多个元素，请只选一个以编辑其属性。',
  'ID must be unique.': '标识必须唯一。', 'ID must not be empty.': '标识不能为空。',
  'ID must not contain spaces.': '标识不能包含空格。', 'ID must be a valid QName.': '标识须为合法的 QName。',
  'ID must not contain prefix.': '标识不能带前缀。',
  // element types in the panel's header
  'Task': '任务', 'User Task': '用户任务', 'Script Task': '脚本任务', 'Service Task': '服务任务',
  'Business Rule Task': '规则任务', 'Manual Task': '手工任务', 'Send Task': '发送任务', 'Receive Task': '接收任务',
  'Call Activity': '调用活动', 'Sub Process': '子流程', 'Start Event': '开始事件', 'End Event': '结束事件',
  'Timer Start Event': '定时开始事件', 'Timer Intermediate Catch Event': '定时中间事件',
  'Timer Boundary Event': '定时边界事件（中断）', 'Timer Boundary Event (Non Interrupting)': '定时边界事件（不中断）',
  'Message Start Event': '消息开始事件', 'Error End Event': '错误结束事件', 'Terminate End Event': '终止结束事件',
  'Intermediate Throw Event': '中间抛出事件', 'Boundary Event': '边界事件',
  'Exclusive Gateway': '排他网关', 'Parallel Gateway': '并行网关', 'Inclusive Gateway': '包容网关',
  'Event Based Gateway': '事件网关', 'Sequence Flow': '顺序流', 'Conditional Flow': '条件顺序流',
  'Default Flow': '默认顺序流', 'Lane': '泳道', 'Participant': '参与者（池）', 'Process': '流程',
  'Collaboration': '协作', 'Text Annotation': '注释', 'Message Flow': '消息流', 'Association': '关联',
  'Data Object Reference': '数据对象', 'Data Store Reference': '数据存储', 'Group': '分组',
  // palette and context pad
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
  'Delete': '删除', 'Search in diagram': '在图中搜索',
};

export function translate(template, replacements) {
  replacements = replacements || {};
  const text = ZH[template] || template;
  return text.replace(/{([^}]+)}/g, (_, key) => (key in replacements ? replacements[key] : `{${key}}`));
}

export default { translate: ['value', translate] };
