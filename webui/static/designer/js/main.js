// The designer's one bundle (built by scripts/setup-assets with esbuild into static/vendor/designer):
// each page has one root element saying which part it needs.

import { startEditor } from './editor.js';
import { startCompare } from './compare.js';

const editor = document.getElementById('designer');
if (editor) { startEditor(editor); }
const compare = document.getElementById('compare');
if (compare) { startCompare(compare); }
