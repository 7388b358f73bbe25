// The properties panels' section and list buttons say what they do, to which section or item, and whether
// it is open. @bpmn-io/properties-panel (the model's panel and the form editor's) draws them as icon
// buttons titled only 「展开/收起」, 「新增一项」, 「删除此项」 — the same words on every section, so a screen
// reader, or a designer tabbing through the panel, hears 「展开/收起」 ten times and not which section it
// opens nor whether it is open. Each is named (aria-label) after its header here: 「展开「选项」」 /
// 「收起「选项」」 with aria-expanded, 「在「选项」中新增一项」, 「删除「是」」. The buttons stay the library's:
// a click or Enter on one still reaches the header it sits in, which opens, adds or removes as before.

// a button's header and the element holding that header's name
const HEADERS = [
  ['.bio-properties-panel-group-header', '.bio-properties-panel-group-header-title'],
  ['.bio-properties-panel-list-entry-header', '.bio-properties-panel-list-entry-header-title'],
  ['.bio-properties-panel-collapsible-entry-header', '.bio-properties-panel-collapsible-entry-header-title'],
];
const BUTTONS = '.bio-properties-panel-arrow, .bio-properties-panel-add-entry, .bio-properties-panel-remove-entry';

function headerName(button) {
  for (const [header, title] of HEADERS) {
    const head = button.closest(header);
    if (head) {
      const name = head.querySelector(title);
      return (name && name.textContent.trim()) || '未命名项';
    }
  }
  return null;
}

function set(button, attribute, value) {
  if (button.getAttribute(attribute) !== value) { button.setAttribute(attribute, value); }
}

function label(button) {
  const name = headerName(button);
  if (name === null) { return; }
  let said;
  if (button.classList.contains('bio-properties-panel-arrow')) {
    const open = Boolean(button.querySelector('.bio-properties-panel-arrow-down'));
    set(button, 'aria-expanded', String(open));
    said = `${open ? '收起' : '展开'}「${name}」`;
  } else if (button.classList.contains('bio-properties-panel-add-entry')) {
    said = `在「${name}」中新增一项`;
  } else {
    said = `删除「${name}」`;
  }
  set(button, 'aria-label', said);  // the title (the mouse's tooltip) stays the library's, in Chinese
}

// Watch ``container``: the panels redraw a section when it opens (the arrow's class) and for each element
// or field selected; a header renamed (an item's label typed) renames its buttons.
export function labelPanelButtons(container) {
  const all = () => container.querySelectorAll(BUTTONS).forEach(label);
  all();
  let pending = false;
  const observer = new MutationObserver(() => {
    if (pending) { return; }
    pending = true;
    queueMicrotask(() => { pending = false; all(); });
  });
  observer.observe(container, { subtree: true, childList: true, characterData: true, attributes: true,
                                attributeFilter: ['class'] });
  return observer;
}
