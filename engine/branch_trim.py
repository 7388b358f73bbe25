"""Finished rounds of a loop on one branch cut while the step runs (支路上的自动循环逐轮裁剪).

engine/state.prune cuts the finished chain above a case's unfinished tasks: the chain from the root
down to their lowest common ancestor. A loop of engine tasks on a branch beside a person's open task
(a parallel branch paging through a list while 企业整改 waits; a non-interrupting boundary event's
path while the activity it is attached to is open) grows below that ancestor — the fork, the
boundary split — so nothing of it was cut: the tree grew a round deeper each round and the step
stopped at SpiffWorkflow's walk depth (1,000 tasks, ~200 rounds of a two-element loop:
「流程在一步之内自动执行的环节过多」, ``Unrested``), however many rounds the model asked for.

Here the lines from that ancestor down to each unfinished task are cut as prune cuts the chain
above it, piece by piece: a piece runs from a task where the lines part (the ancestor, a fork, a
fired message boundary event whose re-armed copy waits beside its path) down to the next such task
or to the unfinished task; of its finished tasks the nearest task of each element and the last
``KEEP_ANCESTORS`` are kept, linked one below the other, and the rest (with the finished side
branches hanging from them, which hold no unfinished task) goes. A task where the lines part keeps
its other children, each in its place. Where a join of the model is not structured (``structured_joins``: it may
look for a finished branch hanging from a fork) a chain is cut only above its first fork, as prune
does. Called by ``DubanWorkflow._trim`` (engine/workflow.py) only; the tasks cut are saved as history
with the step.
"""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState

_NOT_FINISHED = TaskState.NOT_FINISHED_MASK


def cut_branches(workflow, keep: int, structured: bool) -> dict:
    """Cut the finished rounds of each branch below the lowest common ancestor of ``workflow``'s
    unfinished tasks (the module's docstring); ``keep``: finished ancestors kept whole above each
    branch's own unfinished tasks; ``structured``: every join of the spec structured. Returns the
    tasks taken out, by id."""
    tasks = workflow.tasks
    paths = []
    for task in tasks.values():
        if task._state & _NOT_FINISHED:
            parent = tasks.get(task._parent) if task._parent is not None else None
            if parent is not None and not parent._state & _NOT_FINISHED:
                path = _path(task, tasks)
                if path is None:
                    return {}
                paths.append(path)
    if len(paths) < 2:
        return {}  # one unfinished line: prune cuts its chain
    top = _common(paths)
    if top < 0:
        return {}
    below: dict = {}  # a task on the lines -> the ids of its children on them
    for path in paths:
        for i in range(top, len(path) - 1):
            below.setdefault(id(path[i]), set()).add(id(path[i + 1]))
    removed: dict = {}
    done = set()
    for path in paths:
        start = top
        for i in range(top + 1, len(path)):
            if i == len(path) - 1 or len(below.get(id(path[i]), ())) > 1:  # a fork of the lines, or the end
                if (id(path[start]), id(path[start + 1])) not in done:
                    done.add((id(path[start]), id(path[start + 1])))
                    _cut(workflow, path[start:i + 1], keep, structured, removed)
                start = i
    return removed


def _path(task, tasks: dict) -> list | None:
    """``task``'s line from its workflow's root down to it; None if a parent is missing or the
    parent links loop."""
    line = [task]
    most = len(tasks)
    while line[-1]._parent is not None:
        parent = tasks.get(line[-1]._parent)
        if parent is None or len(line) > most:
            return None
        line.append(parent)
    line.reverse()
    return line


def _common(paths: list) -> int:
    """The index of the lowest task every line of ``paths`` passes (-1: none)."""
    first = paths[0]
    n = len(first)
    for path in paths[1:]:
        i = 0
        limit = min(n, len(path))
        while i < limit and path[i] is first[i]:
            i += 1
        n = i
    return n - 1


def nearest_of_each_element(chain: list, cut_to: int) -> list:
    """Of the finished tasks ``chain[1:cut_to]``, the nearest task of each element (task spec) not
    among ``chain[cut_to:]`` or ``chain[0]`` already, in the chain's order: what a cut keeps of them.
    SpiffWorkflow asks "which is my nearest ancestor of element X?" (a join looking for its inputs, a
    structured split): those answers stay the same, and what is kept is bounded by the model's size,
    not by the case's history. Used here and by engine/state.prune."""
    seen = {t.task_spec.name for t in chain[cut_to:]} | {chain[0].task_spec.name}
    nearest = []
    for task in reversed(chain[1:cut_to]):
        if task.task_spec.name not in seen:
            seen.add(task.task_spec.name)
            nearest.append(task)
    nearest.reverse()
    return nearest


def _cut(workflow, chain: list, keep: int, structured: bool, removed: dict) -> None:
    """``chain``: the fork (kept with its other branches) and one branch's finished chain below it,
    down to the lowest task of that branch's unfinished tasks (kept)."""
    cut_to = len(chain) - 1 - keep  # the highest task of the chain kept with all below it
    if not structured:  # a join may look for a finished branch hanging from a fork: cut above the first
        cut_to = next((j for j in range(1, max(cut_to, 1)) if len(chain[j]._children) > 1), cut_to)
    if cut_to < 2:
        return
    mid = nearest_of_each_element(chain, cut_to)
    kept = [*mid, chain[cut_to]]
    if len(kept) >= cut_to:
        return  # nothing to cut
    tasks = workflow.tasks
    spare = {t.id for t in mid}
    bottom = chain[cut_to]
    stack = [chain[1]]
    while stack:
        task = stack.pop()
        if task is bottom:
            continue
        stack.extend(c for c in (tasks.get(child) for child in task._children) if c is not None)
        if task.id not in spare:
            tasks.pop(task.id, None)
            removed[str(task.id)] = task
    fork = chain[0]
    fork._children = [kept[0].id if child == chain[1].id else child for child in fork._children]
    kept[0]._parent = fork.id
    for parent, child in zip(kept, kept[1:]):
        child._parent = parent.id
        parent._children = [child.id]
