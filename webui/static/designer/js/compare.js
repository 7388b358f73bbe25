// The compare page: both versions drawn side by side; what the newer one added and changed is
// marked on it, what it removed and changed on the older one. The table is the server's.

import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

import spiffworkflow from './spiffworkflow.json';
import * as marks from './marks.js';

async function draw(container, url) {
  const status = container.querySelector('.diagram-status');
  const viewer = new NavigatedViewer({ container, moddleExtensions: { spiffworkflow } });
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) { throw new Error(`HTTP ${response.status}`); }
  await viewer.importXML(await response.text());
  if (status) { status.remove(); }
  viewer.get('canvas').zoom('fit-viewport', 'auto');
  return viewer;
}

export async function startCompare(box) {
  const diff = JSON.parse(document.getElementById('diff-data').textContent);
  const changed = diff.changed.map((e) => e.id);
  try {
    const [oldViewer, newViewer] = await Promise.all([draw(box.querySelector('#old-diagram'), box.dataset.oldSrc),
                                                      draw(box.querySelector('#new-diagram'), box.dataset.newSrc)]);
    marks.mark(oldViewer, 'diff', diff.removed.map((e) => e.id), 'diff-removed');
    marks.mark(oldViewer, 'diff', changed, 'diff-changed');
    marks.mark(newViewer, 'diff', diff.added.map((e) => e.id), 'diff-added');
    marks.mark(newViewer, 'diff', changed, 'diff-changed');
    document.querySelectorAll('#diff-table [data-element]').forEach((row) => row.addEventListener('click', () => {
      marks.focus(newViewer, row.dataset.element);
      marks.focus(oldViewer, row.dataset.element);
    }));
    const first = [...diff.changed, ...diff.added, ...diff.removed][0];
    if (first) {  // a whole process is too small to see a change in: open on the first one
      marks.focus(newViewer, first.id);
      marks.focus(oldViewer, first.id);
    }
    box.dataset.state = 'ready';
  } catch (e) {
    box.querySelector('#old-diagram').textContent = `流程图加载失败：${e.message}`;
    box.dataset.state = 'error';
  }
}
