// The form editor's own bundle (static/vendor/designer/form-editor.js, built by scripts/setup-assets):
// @bpmn-io/form-js-editor, loaded by the designer page only when 编辑任务表单 is first opened
// (task_form.js), so the editor page does not carry it otherwise. It is the editor in Chinese
// (form_editor_zh.js): the same FormEditor with our module added and its drawn texts watched.

import { FormEditor } from '@bpmn-io/form-js-editor';
import { ChineseModule, translateDrawn } from './form_editor_zh.js';
import { labelPanelButtons } from './panel_buttons.js';

class ChineseFormEditor extends FormEditor {
  constructor(options = {}) {
    // the pop-up editor inside the editor's container: in the page's modal dialog (a popup on <body>
    // would be behind it), where form_editor_zh.js watches what it draws
    super({
      ...options,
      propertiesPanel: { feelPopupContainer: options.container, ...(options.propertiesPanel || {}) },
      additionalModules: [...(options.additionalModules || []), ChineseModule],
    });
    if (options.container) { translateDrawn(options.container); labelPanelButtons(options.container); }
  }
}

window.DubanFormEditor = ChineseFormEditor;
