// Chinese for texts a library draws without asking to translate them: a MutationObserver on its
// container replaces a text node, or a title/placeholder/aria-label, that ``say`` knows. The one place
// the designer changes drawn texts (form_editor_zh.js for form-js, panel_zh.js for what
// bpmn-js-properties-panel and diagram-js's menus draw untranslated); ``say`` decides where.

const ATTRIBUTES = ['title', 'placeholder', 'aria-label'];

// ``say(text, element, attribute)``: the Chinese for ``text`` (trimmed) drawn in ``element`` — as its
// text when ``attribute`` is null — or nothing to leave it as it is. ``scope`` (a selector): only what is
// drawn inside it is offered to ``say``; other added nodes (a diagram's shapes) are not walked.
export function watchTexts(container, say, scope = '*') {
  function node(textNode) {
    const parent = textNode.parentElement;
    const text = textNode.data.trim();
    if (!parent || !text) { return; }
    const chinese = say(text, parent, null);
    if (chinese && chinese !== text) { textNode.data = chinese; }
  }
  function attributes(element) {
    for (const attribute of ATTRIBUTES) {
      const value = element.getAttribute(attribute);
      const chinese = value && say(value.trim(), element, attribute);
      if (chinese && chinese !== value) { element.setAttribute(attribute, chinese); }
    }
  }
  function tree(root) {
    if (root.nodeType === 3) { node(root); return; }
    if (root.nodeType !== 1 || (!root.closest(scope) && !root.querySelector(scope))) { return; }
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) { node(text); }
    attributes(root);
    root.querySelectorAll('[title], [placeholder], [aria-label]').forEach(attributes);
  }
  tree(container);
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'characterData') { node(record.target); }
      else if (record.type === 'attributes') { attributes(record.target); }
      else { record.addedNodes.forEach(tree); }
    }
  });
  observer.observe(container, { subtree: true, childList: true, characterData: true, attributes: true,
                                attributeFilter: ATTRIBUTES });
  return observer;
}
