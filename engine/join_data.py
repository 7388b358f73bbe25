"""The case data a parallel or inclusive join (并行/包容汇合) passes on: what each branch changed.

Camunda 7, Flowable and Zeebe keep a case's variables process-wide: a branch that sets ``rectified``
sets it for the case, and a branch that never touches it leaves it alone, so after the join
``rectified`` is what the first branch wrote; of two branches that both set it, the write made later
stands. SpiffWorkflow keeps a copy of the data on every task, and a join laid the arrived branches'
whole copies one over another in the order they arrived (``UnstructuredJoin._run_hook``: the last
branch's copy last), so a key the last branch carried unchanged from the fork overwrote what
another branch had written — a 联合复查 whose 执法人员 recorded 「已整改」 while 法制审核 was still open
read 「未整改」 after the join when the case had the key before the fork (a 驳回 round, a start
form), and the answer depended on which branch finished last.

Here the join's data is the fork's with each branch's changes. The fork is the branches' lowest
common task (its data is what every branch started from); a branch changed a key if it added it,
gave it another value, or — a branch that arrived, not one cancelled on the way — no longer has it.
A key one branch changed takes that branch's value (or is gone); a key several changed takes the
value written last: the completion time of the branch's last task that changed it (a tie: the branch
that arrived later). A key holding a dict that several branches changed is merged key by key the
same way, so two branches filling different entries of one dict both count. Keys no branch changed
keep the fork's value. Values taken from another branch are copied as SpiffWorkflow copies them
into a child (a shallow copy of a dict, list or set). Branches of an earlier round of a loop (the
join's task of that round is above this one) are not merged again. A join none of whose branches
can be traced to a fork (a task not in the workflow's task dict, or a parent link that loops: a walk
up longer than the dict holds tasks) merges as SpiffWorkflow does.

The walks up (``_chain``, ``_meeting``) are loops over dict lookups, at any depth: a loop run 150
times in one step puts ~750 tasks above its last join (2026-12-06, the 并行复核循环 of
tests/test_guards_s24.py, one process, SQLite). They stopped at 500 ancestors and merged as
SpiffWorkflow does past that, so from the 101st round a variable only one branch wrote went back to
its value before the fork (round 99's at round 150); and SpiffWorkflow's merge costs more there, not
less (``is_descendant_of`` up from every earlier round's join task): per join, the last ten of 150
rounds 215 ms → 1.2 ms, of 190 rounds 379 ms → 2.2 ms; 105 rounds 67 ms → 0.6 ms.

Used by the join classes of engine/gateways.py (``ParallelGateway``, ``InclusiveGateway``,
``_EndJoin``: branches ending at end events of their own meet there), and for a running case's data by
engine/step.py (``open_case_data``); tests/test_parallel_join_data.py.
"""
from __future__ import annotations

from copy import copy

from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.util.task import TaskState

_FINISHED = TaskState.FINISHED_MASK
_COMPLETED = TaskState.COMPLETED
_CANCELLED = TaskState.CANCELLED
_MUTABLE = (dict, list, set)  # the values SpiffWorkflow copies (shallow) into a child's data
_MISSING = object()  # a key a branch's data does not have
# A task's internal data: what a path of an event sub-process or of a non-interrupting boundary event
# gave it as it wrote (engine/esp_data.py, engine/boundary_data.py), not inherited from its parent.
SHARED = "duban_shared"


def merge_branches(spec, my_task) -> None:
    """Set the data of ``my_task`` (a task of the join ``spec`` about to run) from its branches: the
    fork's data with each branch's changes (the module's docstring)."""
    tasks = my_task.workflow.tasks
    others = [t for t in tasks.values() if t.task_spec is spec and t is not my_task and t._state & _FINISHED]
    if not others:  # one branch (a split, an inclusive join one path reached): its data as it is
        my_task._inherit_data()
        return
    chain = _chain(my_task, tasks)
    if chain is None:
        UnstructuredJoin._run_hook(spec, my_task)
        return
    at = {id(t): i for i, t in enumerate(chain)}  # my_task's ancestors, its parent at 0
    previous = next((i for i, t in enumerate(chain) if t.task_spec is spec), None)  # the join's last round
    branches: list[tuple] = []  # (last task of the branch, it arrived), in the order they came in
    fork_at = 0
    for other in sorted(others, key=lambda t: t.last_state_change):
        if id(other) in at:
            continue  # an earlier round's join task this one descends from (SpiffWorkflow skips it too)
        if other._state == _COMPLETED:  # a branch reset to (SpiffWorkflow drops what ran after it)
            other._drop_children(force=True)
        end = tasks.get(other._parent) if other._parent is not None else None
        meet = _meeting(end, at, tasks)
        if meet is None:
            UnstructuredJoin._run_hook(spec, my_task)
            return
        if previous is not None and meet > previous:
            continue  # it left the chain above this join's last round: a branch of that round
        fork_at = max(fork_at, meet)
        branches.append((end, end._state == _COMPLETED))
    my_task._inherit_data()
    if not branches:
        return
    branches.append((chain[0], True))
    fork = chain[fork_at]
    _apply(my_task.data, fork, branches, tasks)


def _chain(task, tasks: dict) -> list | None:
    """``task``'s ancestors, its parent first, up to its workflow's root; None for a parent not in
    ``tasks`` or more ancestors than ``tasks`` holds (a parent link that loops)."""
    found = []
    most = len(tasks)
    parent_id = task._parent
    while parent_id is not None:
        parent = tasks.get(parent_id)
        if parent is None or len(found) > most:
            return None
        found.append(parent)
        parent_id = parent._parent
    return found or None


def _meeting(end, at: dict, tasks: dict) -> int | None:
    """Where the branch ending at ``end`` meets the joining task's ancestors (an index into them):
    its fork with that branch; None if it cannot be followed up (a parent not in ``tasks``, a parent
    link that loops)."""
    node, steps, most = end, 0, len(tasks)
    while node is not None and steps <= most:
        found = at.get(id(node))
        if found is not None:
            return found
        node = tasks.get(node._parent) if node._parent is not None else None
        steps += 1
    return None


def _same(a, b) -> bool:
    return a is b or (a is not _MISSING and b is not _MISSING and a == b)


def _apply(data: dict, fork, branches: list[tuple], tasks: dict) -> None:
    """Lay each branch's changes since ``fork`` over ``data`` (the last branch's own data)."""
    base = fork.data
    changes: dict = {}  # key -> [(branch index, value or _MISSING)]
    for index, (end, arrived) in enumerate(branches):
        theirs = end.data
        if theirs == base:
            continue  # nothing changed on this branch
        for key, value in theirs.items():
            old = base.get(key, _MISSING)
            if old is not value and (old is _MISSING or old != value):
                changes.setdefault(key, []).append((index, value))
        if arrived:  # a branch cancelled on the way may never have had the fork's data
            for key in base:
                if key not in theirs:
                    changes.setdefault(key, []).append((index, _MISSING))
    mine = len(branches) - 1
    for key, writes in changes.items():
        if len(writes) > 1:
            writes.sort(key=lambda w: (_written_at(branches[w[0]][0], fork, key, tasks), w[0]))
            value = _merged(base.get(key, _MISSING), [value for _, value in writes])
        else:
            value = writes[0][1]
            if writes[0][0] == mine:
                continue  # already the joining task's own
        if value is _MISSING:
            data.pop(key, None)
        elif data.get(key, _MISSING) is not value:
            data[key] = copy(value) if isinstance(value, _MUTABLE) else value


def _written_at(end, fork, key, tasks: dict) -> float:
    """When the branch ending at ``end`` last changed ``key``: the completion of the nearest task
    above ``end`` (``end`` itself included, ``fork`` not) whose value differs from its parent's, or
    whose parent holds the key as given by a path (``SHARED``: a waiting boundary event given what
    its path wrote below it)."""
    node = end
    while node is not fork and node is not None:
        parent = tasks.get(node._parent) if node._parent is not None else None
        if parent is None:
            break
        if not _same(node.data.get(key, _MISSING), parent.data.get(key, _MISSING)):
            return node.last_state_change
        if key in (parent.internal_data.get(SHARED) or ()):  # the parent holds it as given after ``node``
            return node.last_state_change                   # took it: ``node``'s own, written then
        node = parent
    return end.last_state_change


def _merged(base, writes: list):
    """The value of a key several branches changed: ``writes`` in the order written. Dicts (the
    fork's and every branch's) merged key by key the same way; otherwise the last write."""
    if not isinstance(base, dict) or not all(isinstance(value, dict) for value in writes):
        return writes[-1]
    out = dict(base)
    for key in dict.fromkeys(base) | dict.fromkeys(k for value in writes for k in value):
        old = base.get(key, _MISSING)
        changed = [value.get(key, _MISSING) for value in writes]
        changed = [value for value in changed if not _same(old, value)]
        if not changed:
            continue
        new = _merged(old, changed)
        if new is _MISSING:
            out.pop(key, None)
        else:
            out[key] = new
    return out


_HOLDS_CASE_DATA = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_WAITING = TaskState.WAITING


def open_case_data(workflow, also=None) -> dict:
    """The data of a running case: what its open tasks (ready, waiting, started) hold, and ``also``'s
    (a finished task counted as one more branch: the one completed last, whose branch may have ended). A join's task
    waiting for other branches stands for the branch that has come in (its data is the task's before
    it: SpiffWorkflow copies nothing into a join until it fires), and so do the branches that came in
    before it (``_arrived_before``: SpiffWorkflow cancelled their join tasks). Open tasks under one
    parent (a user task and its boundary events, a multi-instance's instances) are merged as they
    come; tasks of branches apart (or under one fork, with a branch's end among them) as at a join: a
    value a branch changed since their fork beats one carried unchanged, of two changes the later —
    so the case page shows 已整改 once 现场复查 has recorded it, while 法制审核 is still open, as Camunda
    shows the variable, and still once 现场复查's branch waits at the join for a third."""
    tasks = workflow.tasks
    holders = []
    parents = set()
    ended = False  # a holder is the end of a branch (arrived at a join, or ``also``): merged as at a join
    waiting_joins, cancelled = [], []
    for task in tasks.values():
        state = task._state
        if state == _CANCELLED:
            cancelled.append(task)
        elif state & _HOLDS_CASE_DATA:
            if state == _WAITING and isinstance(task.task_spec, UnstructuredJoin) and task._parent is not None:
                waiting_joins.append(task)
                arrived = tasks.get(task._parent)
                if arrived is not None and arrived._state == _COMPLETED:
                    task = arrived
            holders.append(task)
            parents.add(task._parent)
    for waiting in waiting_joins if cancelled else ():
        for earlier in _arrived_before(waiting, cancelled, tasks):
            holders.append(earlier)
            parents.add(earlier._parent)
            ended = True
    if also is not None and also._state & _FINISHED:
        holders.append(also)
        parents.add(also._parent)
        ended = True
    merged: dict = {}
    if len(parents) < 2 and not ended:
        for task in holders:
            merged.update(task.data)
        return merged
    fork = _common(holders, tasks)
    if fork is None:
        for task in holders:
            merged.update(task.data)
        return merged
    base = fork.data
    changed: dict = {}  # key -> [(holder index, value)]
    for index, task in enumerate(holders):
        theirs = task.data
        unchanged = theirs == base  # the usual open task: what it inherited, nothing written yet
        for key, value in theirs.items():
            if key not in merged:
                merged[key] = value
            if not unchanged:
                old = base.get(key, _MISSING)
                if old is not value and (old is _MISSING or old != value):
                    changed.setdefault(key, []).append((index, value))
    for key, writes in changed.items():
        if len(writes) > 1:
            writes.sort(key=lambda w: (_written_at(holders[w[0]], fork, key, tasks), w[0]))
        merged[key] = writes[-1][1]
    return merged


def _arrived_before(waiting, cancelled: list, tasks: dict) -> list:
    """The branches that came in to the join ``waiting`` stands for before it did (of the workflow's
    ``cancelled`` tasks): SpiffWorkflow cancels a join's waiting task when the next branch arrives
    (``UnstructuredJoin._update_hook``),
    so the last task of each such branch (the cancelled task's parent) holds what that branch wrote.
    Not those of an earlier round of a loop (they left the chain above that round's join task)."""
    spec = waiting.task_spec
    found = [t for t in cancelled if t.task_spec is spec]
    if not found:
        return []
    chain = _chain(waiting, tasks)
    if chain is None:
        return []
    at = {id(t): i for i, t in enumerate(chain)}
    previous = next((i for i, t in enumerate(chain) if t.task_spec is spec), None)  # the join's last round
    ends = []
    for other in found:
        end = tasks.get(other._parent) if other._parent is not None else None
        if end is None or end._state != _COMPLETED:
            continue
        meet = _meeting(end, at, tasks)
        if meet is None or previous is not None and meet > previous:
            continue
        ends.append(end)
    return ends


def _common(found: list, tasks: dict):
    """The lowest task that is ``found``'s every task or an ancestor of it; None if one cannot be
    followed up."""
    first = _chain(found[0], tasks)
    if first is None:
        return None
    line = [found[0], *first]
    at = {id(t): i for i, t in enumerate(line)}
    highest = 0
    for task in found[1:]:
        meet = _meeting(task, at, tasks)
        if meet is None:
            return None
        highest = max(highest, meet)
    return line[highest]
