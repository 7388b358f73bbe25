// What bpmn-js-properties-panel and diagram-js's popup menu draw without asking translate, in Chinese
// through zh_watch.js: the pop-up editor button's title (the panel does not pass its translate to the
// entry), the popup menu's search box and list (「Search」, 「Results」 when the menu has no title), and
// a choice naming an activity by its id (「审核 (id=Activity_1)」, the compensation event's 补偿的活动), and
// the breadcrumbs' generated id of an unnamed sub-process opened in place.
// Only titles, placeholders and aria-labels the dictionary knows, and those choices: never a name or a
// value the designer typed. The pop-up editor's title (「bpmn:UserTask / 名称」) is set before it is drawn,
// through the event the panel fires to open it.

import { known, translate } from './translate.js';
import { watchTexts } from './zh_watch.js';

const WHERE = '#properties, .djs-popup, .djs-context-pad, .djs-palette, .bio-properties-panel-popup, .bjs-breadcrumbs';
// an id bpmn-js gave an element nobody named (SubProcess_0ab12cd, Activity_0ab12cd)
const GENERATED_ID = /^[A-Za-z]+_[0-9a-z]{7}$/;
const MORE = { Results: '选项', Search: '搜索', Back: '返回', 'Open entry documentation': '打开说明',
               'Save and close': '保存并关闭' };
const NAMED_BY_ID = /^(.*?)\s*\(id=([^)]*)\)$/;

function say(text, element, attribute) {
  if (!element.closest(WHERE)) { return null; }
  // the breadcrumbs above a sub-process opened in place name it, or its id when it has no name
  if (element.closest('.bjs-breadcrumbs')) { return GENERATED_ID.test(text) ? '未命名的子流程' : null; }
  if (attribute) { return known(text) || MORE[text] || null; }
  if (element.matches('[class*="open-popup-placeholder"]')) { return known(text) || null; }  // 已在弹出窗口中打开
  const option = element.closest('#properties option');
  const named = option && NAMED_BY_ID.exec(text);
  if (named) { return named[1] ? named[1] : `未命名的活动（${named[2]}）`; }
  return null;
}

export function translateDrawn(container) { return watchTexts(container, say, WHERE); }

// the pop-up editor's title names the element's type as the header does (用户任务 / 名称), not its
// moddle type: set on the open event before the panel's own listener (priority 1000) draws it
function ChinesePopupTitle(eventBus) {
  eventBus.on('propertiesPanelPopup.open', 2000, (event) => {
    const config = event.config || {};
    const title = /^bpmn:(\w+) \/ ([\s\S]*)$/.exec(config.title || '');
    if (title) { config.title = `${translate(title[1].replace(/(\B[A-Z])/g, ' $1'))} / ${title[2]}`; }
  });
}
ChinesePopupTitle.$inject = ['eventBus'];

export const PopupTitleModule = { __init__: ['chinesePopupTitle'], chinesePopupTitle: ['type', ChinesePopupTitle] };
