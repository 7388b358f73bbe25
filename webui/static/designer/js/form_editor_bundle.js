// The form editor's own bundle (static/vendor/designer/form-editor.js, built by scripts/setup-assets):
// @bpmn-io/form-js-editor, loaded by the designer page only when 编辑任务表单 is first opened
// (task_form.js), so the editor page does not carry it otherwise.

import { FormEditor } from '@bpmn-io/form-js-editor';

window.DubanFormEditor = FormEditor;
