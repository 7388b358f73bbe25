// 编辑任务表单 in Chinese: form-js (1.x) has no translation module (bpmn-io/form-js issue #77), so the
// editor is told Chinese in the three ways it offers or allows without changing its code:
//  1. every field type is registered again (formFields.register) under a config whose name — what
//     the palette entry, its search and the properties panel's header show — is Chinese, and whose new
//     field starts with a Chinese label;
//  2. a properties provider, run after form-js's own, renames the panel's groups (常规, 校验, …) and
//     gives each group the translate function @bpmn-io/properties-panel's groups take (展开/收起);
//  3. the texts form-js writes as constants (palette group titles, entry labels such as Key/Required,
//     descriptions, tooltips, validation messages, the search box) are replaced where they are drawn
//     (zh_watch.js), in the palette, the context pad and the panel — in the form being drawn only its
//     hints while empty and the placeholders of the fields' previews (「Select」, 「Browse」) — never
//     what the designer types or wrote. What stays English: docs/designer.md.

import { h } from 'preact';
import { watchTexts } from './zh_watch.js';

export const FIELD_NAMES = {
  textfield: '文本框', textarea: '多行文本', number: '数字', datetime: '日期时间', expression: '计算值',
  filepicker: '文件上传', checkbox: '勾选框', checklist: '多选', radio: '单选', select: '下拉选择',
  taglist: '标签', text: '说明文字', html: 'HTML 说明', image: '图片', table: '表格', iframe: '内嵌网页',
  documentPreview: '文档预览', separator: '分隔线', spacer: '空白', group: '分组', dynamiclist: '可重复分组',
  button: '按钮',
};

// the group titles of the properties panel, by form-js's label
export const GROUP_NAMES = {
  General: '常规', Validation: '校验', Condition: '隐藏条件', 'Options source': '选项来源',
  'Static options': '选项', 'Dynamic options': '选项', Options: '选项', Layout: '布局', Appearance: '外观',
  Serialization: '保存格式', Constraints: '限制', 'Custom properties': '自定义属性',
  'Security attributes': '安全属性', 'Headers source': '表头来源', 'Header items': '表头',
};

// texts form-js draws as constants in its palette and properties panel
export const TEXTS = {
  Components: '组件', 'Search components': '搜索组件', 'Clear content': '清除', 'No components found.': '没有找到组件',
  Input: '输入', Selection: '选择', Presentation: '展示', Containers: '容器', Action: '操作',
  'Field label': '字段标签', 'Group label': '分组标题', 'Table label': '表格标题', Title: '标题',
  Key: '变量名', Path: '路径', Required: '必填', 'Default value': '默认值', 'Field description': '说明',
  Description: '说明', Validation: '校验', Condition: '隐藏条件', 'Hide if': '隐藏条件（满足时隐藏）',
  'Deactivate if': '停用条件', Options: '选项', 'Static options': '选项', 'Options source': '选项来源',
  'List of items': '固定列表', 'Input values key': '取自案件数据（变量名）', 'Options expression': '选项表达式',
  Label: '标签', Value: '值', 'Read only': '只读', Disabled: '停用', Searchable: '可搜索',
  'Minimum length': '最短长度', 'Maximum length': '最长长度', Minimum: '最小值', Maximum: '最大值',
  'Validation pattern': '校验格式', 'Custom regular expression': '正则表达式', 'Custom error message': '出错提示',
  Custom: '自定义', Email: '电子邮箱', Phone: '电话号码', Prefix: '前缀', Suffix: '后缀',
  'Decimal digits': '小数位数', Increment: '步长', 'Output as string': '保存为文本', Subtype: '类型',
  'Date label': '日期标签', 'Time label': '时间标签', 'Use 24h': '24 小时制', 'Time format': '时间格式',
  'Time interval': '时间间隔', 'Disallow past dates': '不允许过去的日期', Text: '文字', Content: '内容',
  Columns: '列宽', Height: '高度', 'Image source': '图片地址', 'Alternative text': '替代文字',
  Submit: '提交', Reset: '重置', Checked: '已勾选', 'Not checked': '未勾选', Auto: '自动',
  'Custom properties': '自定义属性', Layout: '布局', Appearance: '外观', Serialization: '保存格式',
  Constraints: '限制', General: '常规', Type: '类型', Expression: '表达式', ID: '编号', '<none>': '（无）',
  'Toggle section': '展开/收起', 'Create new list item': '新增一项', Create: '新增', 'Delete item': '删除此项',
  'Toggle list item': '展开/收起此项',
  Static: '固定选项', 'Input data': '案件数据', Date: '日期', Time: '时间', 'Date & Time': '日期和时间',
  'UTC offset': '带时区偏移', 'UTC normalized': '换算为 UTC', 'No timezone': '不带时区',
  'Build your form': '开始绘制表单', 'Drag and drop components here to start designing.': '从左侧组件栏把字段拖到这里',
  'Use the preview window to test your form.': '保存后可在「试运行」中检查表单', 'Drag and drop components here.': '把字段拖到这里',
  'Binds to a form variable': '办理时填写的值存入案件数据的这个变量（英文字母、数字和下划线）',
  'Define which input property to populate the values from': '可选项取自案件数据中的这个变量（一个列表）',
  'Define an expression to calculate the value of this field': '用表达式计算这个字段的值',
  'Height of the container in pixels.': '高度（像素）', 'Must not be empty.': '不能为空', 'Must be unique.': '不能重复',
  Form: '表单', 'Opened in popup': '已在弹出窗口中打开', 'Opened in editor': '已在弹出窗口中打开',
  // @bpmn-io/properties-panel's own controls, as form-js bundles it (it passes no translate)
  'Section contains edits': '此组已填写', 'Section contains an error': '此组有错误',
  'Open pop-up editor': '在弹出窗口中编辑', 'FEEL expression is mandatory': '此处须填 FEEL 表达式',
  'Click to set a dynamic value with FEEL expression': '点击改用 FEEL 表达式',
  'Click to remove dynamic value with FEEL expression': '点击取消 FEEL 表达式', '<empty>': '（空）',
  'Open documentation': '打开说明', 'Unparsable FEEL expression.': 'FEEL 表达式无法解析。', 'JSON contains errors': 'JSON 格式有误',
  // entries of the less used fields
  'Allow add/delete items': '允许增删项', 'Column': '列', 'Column 1': '列 1', 'Column 2': '列 2', 'Column 3': '列 3',
  'Compute on': '计算时机', 'Value changes': '值变化时', 'Form submission': '提交表单时', 'Target value': '计算表达式',
  'Data source': '数据来源', 'Default number of items': '默认项数', 'Disable collapse': '不可折叠',
  'Document reference': '文档引用', 'Max height of preview container': '预览区最大高度',
  'Number of non-collapsing items': '不折叠的项数', 'Number of rows per page': '每页行数', Pagination: '分页',
  'Show outline': '显示边框', 'Supported file formats': '允许的文件类型', 'Upload multiple files': '允许上传多个文件',
  'Version tag': '版本标签', 'Vertical alignment': '垂直对齐', Top: '顶部', Center: '居中', Bottom: '底部', URL: '网址',
  'Allow same origin': '允许同源访问', 'Camera access': '允许使用摄像头', 'Forms submission': '允许提交表单',
  Geolocation: '允许获取位置', 'Microphone access': '允许使用麦克风', 'Open in fullscreen': '允许全屏',
  'Open modal windows': '允许打开模态窗口', 'Open popups': '允许打开弹出窗口', 'Script execution': '允许运行脚本',
  'Storage access by user': '允许访问浏览器存储', 'Top level navigation': '允许跳转整个页面',
  'Headers source': '表头来源', 'Header items': '表头', 'Dynamic options': '选项', 'Security attributes': '安全属性',
  // the panel's descriptions and tooltips (a text node each; a link's text apart)
  'Allows arbitrary precision values': '可保存任意精度的数值',
  'Condition under which the field is hidden': '满足此条件时隐藏字段',
  'Condition under which the field is deactivated': '满足此条件时停用字段',
  'Expression or static value (link/data URI)': '表达式或固定值（网址或 data URI）',
  'Specify the source from which to populate the table': '表格数据的来源',
  'Specify an expression to populate column items': '用表达式生成表格的列',
  'Define an expression to populate the options from.': '用表达式生成选项。',
  'Version tag by which this form can be referenced.': '引用此表单时使用的版本标签。',
  'Where the child variables of this component are pathed to.': '此容器中各字段的值存放的路径。',
  'Use a unique "key" to link the form element and the related input/output data. When dealing with nested data, break it down in the user task\'s input mapping before using it.':
    '变量名在表单中须唯一：办理时填写的值存入案件数据的这个变量。嵌套的数据请先在用户任务的输入映射中拆开再使用。',
  '"Static" defines a constant, predefined set of form options.\n\n"Input data" defines options that are populated dynamically, adjusting based on variable data for flexible responses to different conditions or inputs.\n\n"Expression" defines options that are populated from a FEEL expression.':
    '「固定选项」：一组事先列出的选项。\n\n「案件数据」：选项取自案件数据中的一个变量，随案件而变。\n\n「表达式」：选项由一个 FEEL 表达式算出。',
  '"List of items" defines a constant, predefined set of form options.\n\n"Expression" defines options that are populated from a FEEL expression.':
    '「固定列表」：一组事先列出的项目。\n\n「表达式」：项目由一个 FEEL 表达式算出。',
  'Add properties directly to the form schema, useful to configure functionality in custom-built task applications and form renderers.':
    '直接写入表单定义的属性，供自行开发的任务应用或表单渲染程序使用。',
  'Descriptive text for screen reader accessibility.': '供读屏软件朗读的说明文字。',
  'Disable this field when it should not be interactive for end-users. Its data will not be submitted. This setting takes precedence over read-only.':
    '不允许办理人操作时停用此字段：其数据不会提交。此项优先于「只读」。',
  'Make this field read-only when it cannot be edited by the end-user, but its content is important for them to see. Its data will still be submitted.':
    '办理人不能修改、但需要看到内容时设为只读：其数据仍会提交。',
  'Enter a form input variable that contains the data for the table or define an expression to populate the data dynamically.':
    '填写存有表格数据的案件数据变量，或用表达式动态生成数据。',
  'Link referring to a hosted image, or use a data URI directly to embed image data into the form.':
    '图片的网址，或直接用 data URI 把图片嵌入表单。',
  'The error message to display when the input does not match the regular expression.': '填写的内容不符合正则表达式时显示的提示。',
  'Routes the children of this component into a form variable, may be left empty to route at the root level.':
    '此容器中各字段的值存入案件数据的这个变量之下；留空则直接存入案件数据。',
  'Routes the children of this component into a form variable.': '此容器中各字段的值存入案件数据的这个变量之下。',
  'Documents whose height exceeds the defined value in pixels will be vertically scrollable': '文档高于此像素值时可上下滚动',
  'Allow the iframe to access more functionality of your browser, details regarding the various options can be found in the':
    '允许内嵌网页使用浏览器的更多功能，各项的含义见', 'MDN iFrame documentation.': 'MDN 的相关文档（英文网站）。',
  'Enter a HTTPS URL to a source or populate it dynamically via a template or an expression (e.g., to pass a value from the variable).':
    '填写以 https 开头的网址，或用模板、表达式动态生成（例如取案件数据中的值）。',
  'Please make sure that the URL is safe as it might impose security risks.': '请确认网址安全：内嵌外部网页可能带来安全风险。',
  'Not all external sources can be displayed in the iFrame. Read more about it in the': '并非所有外部网页都允许被内嵌显示，详见',
  'X-FRAME-OPTIONS documentation': '网站是否允许被内嵌的说明（英文网站）',
  'These options can incur security risks, especially if used in combination with dynamic links. Ensure that you are aware of them, that you trust the source url and only enable what your use case requires.':
    '这些选项可能带来安全风险，与动态网址一起使用时尤甚：请了解其含义、确认来源可信，只开启确实需要的项。',
  'A source is a JSON object containing metadata for a document or an array of documents.':
    '文档来源是描述一个文档的 JSON 对象，或这种对象的数组。',
  'Each entry must include a document ID, name, and MIME type.': '每项须有文档编号、名称和 MIME 类型。',
  'Additional details are optional. The expected format is as follows:': '其他信息可选。格式如下：',
  'When using Camunda Tasklist UI, additional document reference attributes are automatically handled. Modifying the document reference may affect the document preview functionality.':
    '在 Camunda 的任务列表中，其他文档引用属性会自动处理；修改文档引用可能影响文档预览。',
  'Learn more in our': '详见', documentation: 'Camunda 官方文档（英文网站）', 'Learn more': '详见 Camunda 官方文档（英文网站）',
  'The input property may be an array of simple values or alternatively follow this schema:': '这个变量的值可以是简单值的列表，或按以下格式：',
  'The expression may result in an array of simple values or alternatively follow this schema:': '表达式的结果可以是简单值的列表，或按以下格式：',
  'A comma-separated list of': '以逗号分隔的', 'file type specifiers': '文件类型（如 .pdf、image/*）',
  'Supports markdown and templating.': '支持 Markdown 格式和模板。',
  'Supports HTML, styling, and templating. Styles are automatically scoped to the HTML component.':
    '支持 HTML、样式和模板；样式只作用于此 HTML 组件。',
  // the panel's validation messages
  'Must not contain spaces.': '不能包含空格。', 'Must not contain prefix.': '不能带前缀（冒号前的部分）。',
  'Must be a valid QName.': '须以英文字母或下划线开头，只用英文字母、数字、下划线、连字符和点。',
  'Must be a variable or a dot separated path.': '须为变量名（英文字母、数字和下划线），或以点分隔的路径。',
  'Must be a variable or a dot-separated path': '须为变量名（英文字母、数字和下划线），或以点分隔的路径',
  'Must be empty, a variable or a dot-separated path': '须留空，或为变量名（英文字母、数字和下划线）、以点分隔的路径',
  'Must not contain numerical path segments.': '路径中不能有纯数字的一段。', 'Must not be a prohibited path.': '不能使用保留的名称。',
  'Must not conflict with other key/path assignments.': '与其他字段的变量名或路径重复。', 'Must not be empty': '不能为空',
  'Must not cause two binding paths to collide': '不能使两个字段存入同一路径', 'Should be an integer.': '须为整数。',
  'Should be greater than zero.': '须大于零。', 'Should be greater than or equal to zero.': '不能小于零。',
  'Should be a valid number.': '须为有效的数字。', 'Should be a valid number': '须为有效的数字', 'Must be number': '须为数字',
  'Value must be a number.': '须为数字。', 'A number is required.': '须填一个数字。',
  'For security reasons the URL must start with "https".': '出于安全考虑，网址须以 https 开头。',
  'Remove form field': '删除字段', 'Save and close': '保存并关闭',
};
// texts form-js's viewer draws in the form being drawn, as placeholders of a field's preview (a select's
// 「Select」, a file picker's 「Browse」): only these, never a label or text the designer gave a field
export const PREVIEW = {
  Select: '请选择', Search: '搜索', Browse: '选择文件', 'No files selected': '未选择文件', 'Document preview': '文档预览',
  iFrame: '内嵌网页', Repeatable: '可重复', Content: '内容', 'yyyy/mm/dd': '年/月/日', 'hh:mm': '时:分',
  'hh:mm --': '时:分 上午/下午', Increment: '增加', Decrement: '减少', 'Nothing to show.': '没有内容。',
  'Next page': '下一页', 'Previous page': '上一页', 'Add new': '新增一项', Collapse: '收起', Expand: '展开',
  'Remove tag': '删除标签', 'Skip to search': '跳到搜索', 'Column 1': '列 1', 'Column 2': '列 2', 'Column 3': '列 3',
};
// texts with a part of their own: a field type's name, a number, a key
const TOOLTIP_PATTERNS = [  // titles only: a palette entry's, the context pad's
  [/^Create an? (.+) element$/, m => `新增「${m[1]}」`],
  [/^Remove (.+)$/, m => `删除「${m[1]}」`],
];
const PATTERNS = [
  [/^List contains (\d+) items?$/, m => `共 ${m[1]} 项`],
  [/^Should be at least (.+?)\.?$/, m => `不能小于 ${m[1]}。`],
  [/^Should be at most (.+?)\.?$/, m => `不能大于 ${m[1]}。`],
  [/^Should not contain more than (\d+) decimal digits\.?$/, m => `小数不能超过 ${m[1]} 位。`],
  [/^Minimum (\d+) columns are allowed$/, m => `至少占 ${m[1]} 列`],
  [/^Maximum (\d+) columns are allowed$/, m => `最多占 ${m[1]} 列`],
  [/^New value exceeds the maximum of (\d+) columns per row$/, m => `超过了一行最多 ${m[1]} 列`],
  [/^Maximum (\d+) fields per row are allowed$/, m => `一行最多放 ${m[1]} 个字段`],
];
const PREVIEW_PATTERNS = [[/^Expression for '(.*)'$/, m => `计算值「${m[1]}」`]];

// what is typed (an entry's value, the FEEL and template editors): its text never translated
const TYPED = '[contenteditable], .cm-editor, input, textarea, .bio-properties-panel-header-label';
const PANELS = '.fjs-palette, .fjs-properties-panel, .fjs-context-pad, .bio-properties-panel-popup';
const FORM = '.fjs-form-container';
const EMPTY = '.fjs-empty-editor, .fjs-empty-component';  // the form's own hints while it is empty
// a field's text the designer wrote, drawn in the form (markdown, HTML): never translated
const WRITTEN = '.fjs-form-field-text, .fjs-form-field-html';

function lookup(text, table, patterns) {
  if (Object.prototype.hasOwnProperty.call(table, text)) { return table[text]; }
  for (const [pattern, say] of patterns) {
    const m = pattern.exec(text);
    if (m) { return say(m); }
  }
  return null;
}

// where each text may be translated (zh_watch.js asks for every text node and attribute drawn)
export function say(text, element, attribute) {
  if (element.closest(EMPTY)) { return lookup(text, TEXTS, []); }
  if (element.closest(PANELS)) {
    if (attribute) { return lookup(text, TEXTS, [...TOOLTIP_PATTERNS, ...PATTERNS]); }
    return element.closest(TYPED) ? null : lookup(text, TEXTS, PATTERNS);
  }
  if (element.closest(FORM) && !element.closest(WRITTEN)) { return lookup(text, PREVIEW, PREVIEW_PATTERNS); }
  return null;
}

// the translate function the panel's groups are given (their buttons' titles, a list's count)
function translateGroup(template, replacements = {}) {
  const text = lookup(template, TEXTS, []) || (/^List contains \{numOfItems\} items?$/.test(template) ? '共 {numOfItems} 项' : template);
  return text.replace(/{([^}]+)}/g, (_, name) => (name in replacements ? replacements[name] : `{${name}}`));
}

function named(Field, type) {
  const name = FIELD_NAMES[type];
  function Named(props) { return h(Field, props); }
  const english = Field.config.name || Field.config.label;
  const create = Field.config.create;
  Named.config = {
    ...Field.config,
    name,
    label: name,
    create: create && ((options = {}) => {
      const made = create(options);
      return made.label === english && !('label' in options) ? { ...made, label: name } : made;
    }),
  };
  return Named;
}

// watch the editor's container: form-js redraws the panel for each selected field
export function translateDrawn(container) { return watchTexts(container, say); }

class ChineseGroups {
  constructor(propertiesPanel) { propertiesPanel.registerProvider(this, 1); }  // after form-js's own (1000)
  getGroups() {
    return groups => groups.map(group => ({ ...group, label: GROUP_NAMES[group.label] || group.label, translate: translateGroup }));
  }
}
ChineseGroups.$inject = ['propertiesPanel'];

function chineseFields(formFields) {
  for (const type of Object.keys(FIELD_NAMES)) {
    const Field = formFields.get(type);
    if (Field && Field.config) { formFields.register(type, named(Field, type)); }
  }
}
chineseFields.$inject = ['formFields'];

// the pop-up editor's title names the field's type and entry in Chinese (文本框 / 字段标签), not
// 「textfield / Field label」: set on the open event before the panel's own listener (1000) draws it
function chinesePopupTitle(eventBus) {
  eventBus.on('propertiesPanelPopup.open', 2000, (event) => {
    const config = event.config || {};
    const title = /^(\w+) \/ ([\s\S]*)$/.exec(config.title || '');
    if (title && FIELD_NAMES[title[1]]) { config.title = `${FIELD_NAMES[title[1]]} / ${TEXTS[title[2]] || title[2]}`; }
  });
}
chinesePopupTitle.$inject = ['eventBus'];

// the editor's additionalModules entry
export const ChineseModule = {
  __init__: ['chineseFields', 'chineseGroups', 'chinesePopupTitle'],
  chineseFields: ['type', chineseFields],
  chineseGroups: ['type', ChineseGroups],
  chinesePopupTitle: ['type', chinesePopupTitle],
};
