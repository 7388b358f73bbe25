// Marks on a diagram, grouped by what put them there (validation problems, a diff, a test-run), so
// one kind can be cleared without touching the others. Markers are CSS classes on the shape
// (designer.css colours them); problems also get an overlay with the message at the element.

const placed = new WeakMap();  // viewer -> { group: [[id, css]] }

function groupsOf(viewer) {
  if (!placed.has(viewer)) { placed.set(viewer, {}); }
  return placed.get(viewer);
}

export function clear(viewer, group) {
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  (groupsOf(viewer)[group] || []).forEach(([id, css]) => { if (registry.get(id)) { canvas.removeMarker(id, css); } });
  groupsOf(viewer)[group] = [];
  viewer.get('overlays').remove({ type: `duban-${group}` });
}

export function mark(viewer, group, ids, css) {
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const list = groupsOf(viewer)[group] || (groupsOf(viewer)[group] = []);
  const found = [];
  (ids || []).forEach((id) => {
    if (id && registry.get(id)) { canvas.addMarker(id, css); list.push([id, css]); found.push(id); }
  });
  return found;
}

// A note at the top-left of the element: the message at the shape at fault.
export function note(viewer, group, id, text, css) {
  const registry = viewer.get('elementRegistry');
  const element = registry.get(id);
  if (!element) { return false; }
  const html = document.createElement('div');
  html.className = `duban-note ${css || ''}`;
  html.dataset.element = id;
  html.title = text;
  html.textContent = text;
  const position = element.waypoints ? { top: -24, left: 0 } : { top: -26, left: -4 };
  viewer.get('overlays').add(id, `duban-${group}`, { position, html });
  return true;
}

// Bring an element into view at a legible size (a whole process at fit-to-screen is too small to
// read a message on), and select it so the properties panel shows it.
export function focus(viewer, id) {
  const element = viewer.get('elementRegistry').get(id);
  if (!element) { return; }
  try { viewer.get('selection').select(element); } catch (e) { /* a viewer has no selection */ }
  const canvas = viewer.get('canvas');
  if (canvas.zoom() < 0.9) { canvas.zoom(0.9); }
  const box = element.waypoints ? bounds(element.waypoints) : element;
  const vb = canvas.viewbox();
  canvas.viewbox({ x: box.x + box.width / 2 - vb.width / 2, y: box.y + box.height / 2 - vb.height / 2,
                   width: vb.width, height: vb.height });
}

function bounds(points) {
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const x = Math.min(...xs), y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}
