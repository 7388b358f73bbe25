// The path a test-run took, for the diagram. The engine's trace names the user tasks in the order
// they were worked; what ran between them (gateways, script and rule tasks, events) leaves no trace
// entry, so the path between two consecutive tasks is the shortest chain of sequence flows that
// passes through no other user task — from a start event to the first, and on to an end event when
// the case finished.

function isUserTask(e) { return e.type === 'bpmn:UserTask'; }

function outgoing(e) { return (e.outgoing || []).filter((f) => f.type === 'bpmn:SequenceFlow' && f.target); }

// Breadth-first from ``sources`` to the first element ``isGoal`` accepts; the ids on the way, or [].
function route(sources, isGoal) {
  const seen = new Set(sources.map((s) => s.id));
  let frontier = sources.map((s) => ({ node: s, ids: [s.id] }));
  while (frontier.length) {
    const next = [];
    for (const { node, ids } of frontier) {
      for (const flow of outgoing(node)) {
        const target = flow.target;
        if (isGoal(target)) { return ids.concat(flow.id, target.id); }
        if (!seen.has(target.id) && !isUserTask(target)) {
          seen.add(target.id);
          next.push({ node: target, ids: ids.concat(flow.id, target.id) });
        }
      }
    }
    frontier = next;
  }
  return [];
}

export function pathOf(registry, trace, finished) {
  const ids = new Set();
  let from = registry.filter((e) => e.type === 'bpmn:StartEvent' && (!e.parent || e.parent.type !== 'bpmn:SubProcess'));
  for (const step of trace) {
    const task = registry.get(step.element);
    if (!task) { continue; }
    route(from, (e) => e === task).forEach((id) => ids.add(id));
    ids.add(task.id);
    from = [task];
  }
  if (finished) {
    route(from, (e) => e.type === 'bpmn:EndEvent').forEach((id) => ids.add(id));
  }
  return [...ids];
}
