// 编辑任务表单 in Chinese: form-js (1.x) has no translation module (bpmn-io/form-js issue #77), so the
// editor is told Chinese in the three ways it offers or allows without changing its code:
//  1. every field type is registered again (formFields.register) under a config whose name — what
//     the palette entry, its search and the properties panel's header show — is Chinese, and whose new
//     field starts with a Chinese label;
//  2. a properties provider, run after form-js's own, renames the panel's groups (常规, 校验, …);
//  3. the texts form-js writes as constants (palette group titles, entry labels such as Key/Required,
//     the search box) are replaced where they are drawn, in the palette and the panel only — never in
//     the form being drawn (but for its hints while empty) nor in what the designer types. What stays
//     English: docs/designer.md.

import { h } from 'preact';

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
};
// a value shown in a text field's entry, or typed by the designer: never translated (a panel's dropdown
// is form-js's own list, each <option> with its value apart from its text: its texts are)
const KEEP = '[contenteditable], .cm-editor, input, textarea, .bio-properties-panel-header-label, .fjs-form-container';
const WHERE = '.fjs-palette, .fjs-properties-panel';
const EMPTY = '.fjs-empty-editor, .fjs-empty-component';  // the form's own hints while it is empty

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

function translateNode(node) {
  const parent = node.parentElement;
  if (!parent) { return; }
  if (!parent.closest(EMPTY) && (parent.closest(KEEP) || !parent.closest(WHERE))) { return; }
  const text = node.data.trim();
  if (Object.prototype.hasOwnProperty.call(TEXTS, text)) { node.data = TEXTS[text]; }
}

function translateElement(root) {
  if (root.nodeType === 3) { translateNode(root); return; }
  if (root.nodeType !== 1) { return; }
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) { translateNode(node); }
  const elements = [root, ...root.querySelectorAll('[placeholder], [title]')];
  for (const element of elements) {
    if (!element.closest || !element.closest(WHERE)) { continue; }
    for (const attribute of ['placeholder', 'title']) {
      const value = element.getAttribute(attribute);
      if (value && Object.prototype.hasOwnProperty.call(TEXTS, value)) { element.setAttribute(attribute, TEXTS[value]); }
    }
  }
}

// watch the editor's container: form-js redraws the panel for each selected field
export function translateDrawn(container) {
  translateElement(container);
  const observer = new MutationObserver(records => {
    for (const record of records) {
      if (record.type === 'characterData') { translateNode(record.target); }
      else if (record.type === 'attributes') { translateElement(record.target); }
      else { record.addedNodes.forEach(translateElement); }
    }
  });
  observer.observe(container, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['placeholder', 'title'],
  });
  return observer;
}

class ChineseGroups {
  constructor(propertiesPanel) { propertiesPanel.registerProvider(this, 1); }  // after form-js's own (1000)
  getGroups() {
    return groups => groups.map(group => (GROUP_NAMES[group.label] ? { ...group, label: GROUP_NAMES[group.label] } : group));
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

// the editor's additionalModules entry
export const ChineseModule = {
  __init__: ['chineseFields', 'chineseGroups'],
  chineseFields: ['type', chineseFields],
  chineseGroups: ['type', ChineseGroups],
};
