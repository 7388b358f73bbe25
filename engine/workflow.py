"""The workflow class a case runs on (工作流): SpiffWorkflow's ``BpmnWorkflow``, asked for its tasks in
one state by a look through its task dict wherever that gives what the walk of its task tree gives.

SpiffWorkflow finds the READY tasks to run (``do_engine_steps``: twice or more a step) and the
WAITING tasks to update (after every task that completes) with a generic iterator over the task
tree: a filter object, a list popped from its front, a ``children`` list built per task — about
14 µs a walk over the ten live tasks of bench/models/five_tasks.bpmn, where a look through
``workflow.tasks`` takes under 1 µs. That dict holds every task of the tree (SpiffWorkflow enters a
task in it as it adds it to the tree and takes it out as it drops it; state.prune does both), so:

- no task in the state: the walk finds none either;
- one task: the walk finds it if it reaches it — every ancestor up to the root lists it as a child
  and is in a state the walk descends from (it does not look below predicted tasks for definite
  ones), and it is far above the walk's depth limit. The walk also enters the sub-process of every
  task it visits (``BpmnTaskIterator``, whatever that task's state), from the sub-process's root: so
  the tasks of every sub-process of the case are looked through too, and one found in a
  sub-process is followed up to its root, on to the task the sub-process hangs from, and so on up to
  the workflow asked; a task in no workflow below the one asked (the chain of sub-processes above
  it never meets it) is not found by its walk;
- anything else — two or more (the walk's order is the order they are run or updated in), one the
  walk might not reach, another filter — is answered by SpiffWorkflow's walk.

tests/test_step_hot_paths.py compares both answers at every call over looping, parallel,
inclusive, sub-process and timer models.

A case's sub-processes (embedded, called, event sub-processes) are ``DubanSubWorkflow``s, answered
the same way: ``do_engine_steps`` asks every active sub-process for its READY tasks at least twice a
step, each a walk from its root, and the top workflow, whose walk then enters them all. And both classes
build the extras of SpiffWorkflow's ``spiff.workflow`` log records ("Initialized workflow" for each
sub-process entered, "Workflow completed") only when the logger would emit them: below INFO
SpiffWorkflow lists every task's id in them (a walk of the tree) for a record it then drops.
Together with the sub-process row's statements built once (engine/state.py ``_FIND_WF``), in-process
A/B (two engines on two SQLite files, main's code and this, completions alternated, thread CPU, gc
off in rounds, 300 warm completions a side a run; 2026-12-04, load ~6): tests/bpmn/interop/
camunda7_implicit_end.bpmn −44, −49, −49 µs a completion (paired medians; A/A +8, +28, −13),
camunda7_event_subprocess.bpmn −79, −83, −78. Then (same harness, that code against this) the dict's
answer taken for workflows with sub-processes too, a task found in one followed up through the task
it hangs from (it had been taken only for a workflow none of whose tasks had a sub-process):
camunda7_implicit_end −98, −140, −168 µs, camunda7_event_subprocess −172, −191, −188.

Every other ``get_tasks`` whose keywords are the walk's plain ones (state, spec name, ``end_at_spec``,
``skip_subprocesses``, ``manual``) — a parallel join's ``get_tasks(spec_name=...)`` and an inclusive
join's ``get_tasks(end_at_spec=...)`` at each update of the join, two or more READY tasks — is
answered by ``_walk``: the same tasks in the same order as ``BpmnTaskIterator``, by a stack walk
without the iterator's ``pop(0)``, list joined per task, depth bookkeeping and filter calls
(tests/test_task_walk.py compares both at every call). In-process A/B (2026-12-05, two engines on two
SQLite files, main's code and this by a switch, completions alternated, thread CPU, gc off in rounds,
750 warm completions a side a run, load 3–4): tests/bpmn/interop/camunda7_hazard_gateways.bpmn −44.6,
−50.0, −51.2 µs a completion (paired medians; A/A +3.2, −7.4), bpmnio_implicit_split −29.6, −30.3,
−31.4; bench/models/five_tasks.bpmn −2.1, −2.7 (A/A +0.5, +0.5: it asks no such question).

A pass of ``DubanWorkflow.do_engine_steps`` asks for the READY tasks that are not a person's
(``_ready_to_run``, 2026-12-06): one found in the task dict where the walk reaches it is the pass's
list, whatever people's tasks are READY beside it — a person's task open on a parallel branch made
each pass a walk for two READY tasks' order, the person's then skipped. With the parallel join's
look (engine/gateways.py ``_joined``), bytecodes a completion (``bench/step_ab.py --variant spiff_run
--bytecodes``): bpmnio_simple −1,976 of 16,917, camunda7_joint_recheck −1,425 of 17,335; one-task
models whose completion ends the case −87 to −169 (camunda7_list_map_parameters 14,947 → 14,778);
tests/test_spiff_run_cost.py, tests/test_step_hot_paths.py.
"""
from __future__ import annotations

import json as _json
import logging

from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow, BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.workflow import logger as _spiff_log

from . import boundary_data, esp_data
from .branch_trim import cut_branches
from .interrupting import ScopeEventManager
from .task_class import adopt

# Ancestors a task found in the dict may have (the walk stops descending at depth 1,000).
_DEEPEST = 500
# Tasks a step adds to a case's trees between two trims of its finished rounds (``DubanWorkflow._trim``):
# below ``_DEEPEST``, so the look-ups through the task dict keep answering, and a trim (a pass over the
# case's tasks) comes once every so many tasks run.
_TRIM_EVERY = 200
_UNFINISHED = TaskState.NOT_FINISHED_MASK
# Engine tasks one step may finish (counted as they are trimmed): past it the loop is taken for one
# with no way out (``EndlessLoop``). See ``EndlessLoop`` for the figure.
MOST_TASKS_A_STEP = 100_000


def _descends_from(state: int) -> int:
    """The lowest state of a task whose children the walk looks at when looking for ``state``
    (as SpiffWorkflow's TaskIterator decides it)."""
    if state & TaskState.PREDICTED_MASK:
        return TaskState.MAYBE
    if state & TaskState.DEFINITE_MASK:
        return TaskState.FUTURE
    return TaskState.COMPLETED


def _reached(workflow, task, lowest: int) -> bool | None:
    """The walk from ``workflow``'s root gets to ``task`` (True), certainly not (None: ``task`` is in
    no workflow below ``workflow``), or perhaps (False: let the walk answer). The walk enters the
    sub-process of every task it visits (``BpmnTaskIterator``: whatever that task's state), from its
    root."""
    subs = workflow.top_workflow.subprocesses
    # The workflows from ``task``'s up to ``workflow``, each with the task its sub-process hangs from.
    hops = []
    wf = task.workflow
    while wf is not workflow:
        parent_id = getattr(wf, "parent_task_id", None)
        if parent_id is None:
            return None  # up to the top workflow without meeting ``workflow``: not below it
        if subs.get(parent_id) is not wf:
            return False
        holder = _holder(workflow.top_workflow, parent_id)
        if holder is None or len(hops) > _DEEPEST:
            return False
        hops.append(holder.tasks[parent_id])
        wf = holder
    depth = 0
    for above in (*hops, None):
        wf = task.workflow
        tasks, root = wf.tasks, wf.task_tree
        while task is not root:
            parent = tasks.get(task._parent) if task._parent is not None else None
            depth += 1
            if parent is None or parent._state < lowest or depth > _DEEPEST or task.id not in parent._children:
                return False
            task = parent
        if above is None:
            return True
        depth += 1
        task = above
    return True


_WAITING = TaskState.WAITING
_FUTURE = TaskState.FUTURE
_READY = TaskState.READY


def _update_waiting(root) -> None:
    """Each WAITING task updated, in the order and at the moment ``TaskIterator(root, state=WAITING)``
    yields it, while the tree's depth is far below the iterator's limit (1,000; the caller holds fewer
    tasks than half that). The iterator walks depth first: it takes a task from the front of its
    list and puts the task's children (as they are then) before the rest — below a task in a
    definite or finished state only (``min_state`` FUTURE for WAITING) — and only then hands the task
    to its caller, whose update may change the tree; what it has listed it visits whatever the update
    did. So here: a stack, each task's children pushed (reversed) before the task is updated.
    Enforcement cases' trees (30–60 live tasks, a timer WAITING on a parallel branch) were walked at
    every task completed, ~140 tasks a user's completion, ~1.5 µs each: the time inside
    ``update_waiting_tasks`` (one process, completions alternated between the two by a flag, 220 a side,
    two runs) 374/397 → 225/255 µs a completion, the rest of it the timer's own ``_update``."""
    stack = [root]
    pop, push = stack.pop, stack.extend
    while stack:
        task = pop()
        children = task._children
        if children and task._state >= _FUTURE:
            tasks = task.workflow.tasks
            push([tasks.get(child) for child in reversed(children)])
        if task._state & _WAITING:
            _update(task)


def _update(task) -> None:
    task.task_spec._update(task)


# ``get_tasks`` keywords the walk below answers (SpiffWorkflow's ``BpmnTaskFilter`` and
# ``BpmnTaskIterator`` take others: spec_class, updated_ts, catches_event, lane, max_depth, depth_first...).
_WALK_KEYS = frozenset({"state", "spec_name", "end_at_spec", "skip_subprocesses", "manual"})
_ANY = TaskState.ANY_MASK
_FINISHED = TaskState.FINISHED_MASK


def _walk(workflow, first, state=_ANY, spec_name=None, end_at_spec=None, skip_subprocesses=False, manual=None):
    """What ``list(BpmnTaskIterator(first, ...))`` gives — the same tasks in the same order — by a
    stack walk without the iterator's machinery (``pop(0)`` and a list joined per task, the depth
    bookkeeping, a filter object's calls per task), or None: the case holds so many tasks that the
    iterator's depth limit might apply (``_DEEPEST``, as above), or a child id is not in its
    workflow's dict (the iterator would fail on it: it does, from ``get_tasks``). The iterator, depth
    first: it takes a task from the front of its list and puts before the rest the root of the
    task's sub-process (when it has one: whatever the task's state, unless ``skip_subprocesses``)
    and then the task's children (when the task is at least ``min_state`` and its spec is not
    ``end_at_spec``); a task is listed if it is in ``state`` (and its spec named ``spec_name``, its
    ``manual`` as given). Its subprocess test ``task.state >= FINISHED_MASK and filter.state <=
    FINISHED_MASK`` is kept as written (no single state is that high)."""
    top = workflow.top_workflow
    subs = top.subprocesses
    if len(top.tasks) + sum(len(sub.tasks) for sub in subs.values()) >= _DEEPEST:
        return None
    lowest = _descends_from(state)
    found = []
    stack = [first]
    pop, push, append = stack.pop, stack.extend, found.append
    while stack:
        task = pop()
        spec = task.task_spec
        sub = subs.get(task.id) if subs else None
        children = task._children
        task_state = task._state
        if (children or sub is not None) and (task_state >= lowest or sub is not None) \
                and spec.name != end_at_spec:
            if children:
                tasks = task.workflow.tasks
                kids = [tasks.get(child) for child in reversed(children)]
                if None in kids:
                    return None
                push(kids)
            if sub is not None and not skip_subprocesses \
                    and not (task_state >= _FINISHED and state <= _FINISHED):
                stack.append(sub.task_tree)
        if task_state & state and task.last_state_change >= 0 \
                and (manual is None or spec.manual == manual) \
                and (spec_name is None or spec.name == spec_name):
            append(task)
    return found


def _holder(top, task_id):
    """The workflow of the case whose tasks include ``task_id`` (None: none)."""
    if task_id in top.tasks:
        return top
    for sub in top.subprocesses.values():
        if task_id in sub.tasks:
            return sub
    return None


_INFO = logging.INFO


class _TasksByDict:
    """``get_tasks(state=...)``, ``update_waiting_tasks`` and ``collect_log_extras`` of a case's
    workflows (the top one and each sub-process), see the module's docstring."""

    _event_path: bool | None = False  # a run of an event sub-process (``DubanSubWorkflow``: asked once)
    # The task ``DubanWorkflow.do_engine_steps`` ran last, alone in its pass's list (so the walk had
    # reached it), while its passes go on; None otherwise.
    _ran = None
    # No task made (engine/task_class.py ``_add_child``) or taken out since the last save, which then
    # plans its visit (engine/state.py ``_dirty_plan``); False: it walks every task.
    _duban_tree_kept = False

    def _task_completed_notify(self, task) -> None:
        """SpiffWorkflow's; a task of a non-interrupting boundary event's path then gives what it
        wrote to the case, another what it wrote to the paths running (engine/boundary_data.py);
        a task of no run of an event sub-process what it wrote to the runs going (engine/esp_data.py)."""
        super()._task_completed_notify(task)
        if boundary_data.draws_paths(self.spec):
            boundary_data.written(task)
        if self._event_path is not True and self.top_workflow.subprocesses:
            runs = esp_data.runs_of(self.top_workflow)
            if runs:
                esp_data.reach_runs(task, runs)

    def _remove_task(self, task_id):
        """SpiffWorkflow's; a task a sub-process hangs from taken out of the tree is noted on the case
        (``DubanWorkflow._drop_orphans`` then looks for sub-processes left without their task). A task
        taken out: the next save walks the tree (``state._gone``)."""
        super()._remove_task(task_id)
        top = self.top_workflow
        top._duban_tree_kept = False
        if task_id in top.subprocesses:
            top.orphans_possible = True

    def get_tasks(self, first_task=None, **kwargs):
        if first_task is None and len(kwargs) == 1 and "state" in kwargs:
            state = kwargs["state"]
            found = None
            for task in self.tasks.values():
                if task._state & state:
                    if found is not None:
                        return self._walked(None, kwargs)  # two or more: in the walk's order
                    found = task
            subs = self.top_workflow.subprocesses
            if subs:  # the walk enters sub-processes: their tasks too (any of the case's, to be sure)
                for sub in subs.values():
                    if sub is not self:
                        for task in sub.tasks.values():
                            if task._state & state:
                                if found is not None:
                                    return self._walked(None, kwargs)
                                found = task
            if found is None:
                return []
            lowest = _descends_from(state)
            ran = self._ran
            if ran is not None and lowest == _FUTURE and self.tasks.get(found._parent) is ran \
                    and ran._state >= _FUTURE and found.id in ran._children:
                return [found]  # below the task this workflow's pass just ran (``DubanWorkflow._ran``)
            reached = _reached(self, found, lowest)
            if reached:
                return [found]
            if reached is None:
                return []
        return self._walked(first_task, kwargs)

    def _walked(self, first_task, kwargs: dict) -> list:
        """SpiffWorkflow's walk's answer: by ``_walk`` for the keywords it takes, else by the walk."""
        if kwargs.keys() <= _WALK_KEYS:
            found = _walk(self, first_task or self.task_tree, **kwargs)
            if found is not None:
                return found
        return super().get_tasks(first_task, **kwargs)  # type: ignore[misc]

    def update_waiting_tasks(self) -> None:
        """SpiffWorkflow's ``Workflow.update_waiting_tasks`` — ``for task in TaskIterator(self.task_tree,
        state=WAITING): task.task_spec._update(task)`` — without the iterator's machinery: its walk
        (which does not enter sub-processes: this workflow's dict holds every task it can meet) is
        skipped when no task is WAITING, and otherwise made by ``_update_waiting``."""
        tasks = self.tasks
        for task in tasks.values():  # a plain loop: ``any`` over a generator resumed per task cost ~2x
            if task._state & _WAITING:
                break
        else:
            return
        if len(tasks) >= _DEEPEST:
            super().update_waiting_tasks()
        else:
            _update_waiting(self.task_tree)

    def collect_log_extras(self, dct=None):
        # What SpiffWorkflow hands ``spiff.workflow``'s ``logger.info`` ("Initialized workflow",
        # "Workflow completed"): below INFO it adds every task's id, a walk of the whole tree, to a
        # record the logger then drops unless enabled for INFO. Built only when it would be emitted.
        if not _spiff_log.isEnabledFor(_INFO):
            return dct if dct is not None else {}
        return super().collect_log_extras(dct)


class DubanSubWorkflow(_TasksByDict, BpmnSubWorkflow):
    """A sub-process of a case (子流程: an embedded sub-process, a call activity, an event
    sub-process): SpiffWorkflow's ``BpmnSubWorkflow``, asked for its tasks as ``DubanWorkflow`` is.
    SpiffWorkflow's ``do_engine_steps`` asks each active sub-process for its READY tasks two or more
    times a step, and its walk from the sub-process's root enters the sub-processes of its tasks:
    answered from its task dict while none of its tasks has one. A task of an event sub-process's
    path gives what it wrote to its scope as it completes (engine/esp_data.written)."""

    _event_path: bool | None = None  # whether this is a path of an event sub-process (asked once)

    def _task_completed_notify(self, task) -> None:
        if self._event_path is None:
            self._event_path = esp_data.host_of(self) is not None
        super()._task_completed_notify(task)
        if self._event_path:
            esp_data.written(task)


class DubanWorkflow(_TasksByDict, BpmnWorkflow):
    """``BpmnWorkflow`` with ``get_tasks(state=...)`` and ``update_waiting_tasks`` answered from the
    task dict when the answer is the walk's (see the module's docstring), and its tasks, its
    sub-processes' too, ``DubanTask``s (engine/task_class.py: no unread log record per state change);
    its sub-processes ``DubanSubWorkflow``s; its event manager starts none of the case's event
    sub-processes once an interrupting one took the case over (engine/interrupting.ScopeEventManager)."""

    orphans_possible = False  # a task a sub-process hangs from was taken out of the tree (``_drop_orphans``)
    # Finished tasks cut out of the trees while this step's engine tasks ran (``_trim``: a loop of
    # engine tasks alone), by id; engine/step.py takes them (``trimmed_in_step``) to save as history.
    _trimmed: dict | None = None
    _states: set | None = None  # ``_state_now`` at each trim of the step
    _trim_at = 0  # the case's task count at which the next pass trims (0: set at the step's first pass)
    # ``do_engine_steps`` just ended with no engine task READY in the case (its last pass found none
    # to run, and no event waited whose ``refresh_timers`` could ready one): read and reset by
    # step.advance, which then does not look through the tasks for one again (cleared at each call)
    rested = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_manager = ScopeEventManager(self)  # an interrupted case starts no event sub-process again
        adopt(self)  # its tasks quiet (engine/task_class.py); a restored one has none yet

    def do_engine_steps(self, will_complete_task=None, did_complete_task=None):
        """SpiffWorkflow's ``do_engine_steps`` — passes, each running the READY tasks that are not a
        person's in ``get_tasks(state=READY)``'s order, until a pass runs none, then ``refresh_timers``
        — without the pass's own bookkeeping while the case has no sub-process: each pass of
        ``_do_engine_steps`` lists the active sub-processes twice, sorts them and makes a closure,
        and a chain of engine tasks (a script, the end event, the end join, the end: the completion
        that ends most cases) takes a pass per task. What a pass runs and in which order is the same
        list as SpiffWorkflow's; once a sub-process exists (a task just run entered one), the passes
        left are SpiffWorkflow's own, from there (the next pass it would make). Callbacks: SpiffWorkflow's.

        A pass whose list held one task notes it (``_ran``) for the next pass's ``get_tasks``: a
        READY task found alone below it, in its children, is one the walk reaches — it reached the
        task just run (it listed it), which is definite and still in the tree — so it is not
        followed up to the root again (``_reached``: ~190 bytecodes a task at a one-task model's end,
        where the end event, the end join and the end each take a pass)."""
        self.rested = False
        if will_complete_task is not None or did_complete_task is not None or self.subprocesses:
            return super().do_engine_steps(will_complete_task, did_complete_task)
        try:
            while True:
                ran = False
                ready = self._ready_to_run()
                for task in ready:
                    if not task.task_spec.manual:
                        self._ran = None
                        task.run()
                        ran = True
                        if len(ready) == 1 and len(self.tasks) < _DEEPEST:
                            self._ran = task
                if not ran:
                    break
                if len(self.tasks) >= self._trim_at:
                    self._trim()
                if self.subprocesses:
                    self._ran = None
                    return super().do_engine_steps()
        finally:
            self._ran = None
        # the last pass ran nothing: with no event waiting, ``refresh_timers`` changes no task either,
        # so no engine task is READY now (``rested``: step.advance then does not look again) — where
        # the walk the pass listed reaches every task (a READY task deeper than SpiffWorkflow's walk
        # goes is one advance must find by its dict, a loop with no way out: ``Unrested``)
        self.rested = not self.event_manager.tasks and len(self.tasks) < _DEEPEST
        self.refresh_timers()
        return None

    def _ready_to_run(self) -> list:
        """What a pass of ``do_engine_steps`` runs of ``get_tasks(state=READY)`` (the tasks not a
        person's, in its order), for a case with no sub-process: its one READY engine task found by a
        look through the task dict where the walk reaches it (``_ran`` or ``_reached``), whatever
        people's tasks are READY beside it — a person's task open on a parallel branch made every pass
        a walk of the whole tree (two READY tasks: the walk's order), for a list whose person's tasks
        the pass then skips (2026-12-06). None READY but people's: none to run, as the walk's list
        runs none. Two or more engine tasks, or one the walk might not reach: ``get_tasks``' list."""
        tasks = self.tasks
        found = None
        for task in tasks.values():
            if task._state & _READY and not task.task_spec.manual:
                if found is not None:
                    return self.get_tasks(state=_READY)  # two or more: in the walk's order
                found = task
        if found is None:
            return []
        ran = self._ran
        if ran is not None and tasks.get(found._parent) is ran and ran._state >= _FUTURE \
                and found.id in ran._children:
            return [found]  # below the task the pass before ran, which the walk reached
        if _reached(self, found, _FUTURE):
            return [found]
        return self.get_tasks(state=_READY)

    def _do_engine_steps(self, will_complete_task=None, did_complete_task=None):
        """One pass of SpiffWorkflow's ``do_engine_steps``: each active sub-process, deepest first,
        runs its READY engine tasks until none is left and then has the task it hangs from updated;
        then the case's own. True when it ran a task of the case's own or entered a sub-process
        (SpiffWorkflow's answer).

        A sub-process whose task is no longer in the case is cancelled and dropped as soon as it is
        (``_drop_orphans``) and passed over. An interrupting boundary event on a parallel
        multi-instance sub-process cancels the multi-instance, and SpiffWorkflow then takes its
        unfinished instances out of the tree without cancelling their sub-processes: an error one
        instance throws (会签 with 一票否决, Camunda's testCatchErrorOnParallelMultiInstance) had
        the pass go on to the other instances' sub-processes and fail in English ("A task with id …
        was not found": an incident, the step undone, the case stuck), and a timer or message on
        the multi-instance left the other instances' tasks open and their events waiting."""
        self._drop_orphans()
        active = self.get_active_subprocesses()
        for sub in sorted(active, key=lambda w: w.depth, reverse=True):
            while self.subprocesses.get(sub.parent_task_id) is sub and _run_engine_tasks(
                    sub, will_complete_task, did_complete_task):
                self._drop_orphans()
                if len(sub.tasks) >= self._trim_at:  # a loop inside the sub-process: its passes are these
                    self._trim()
            self._drop_orphans()
            if self.subprocesses.get(sub.parent_task_id) is not sub:
                continue
            owner = self.get_task_from_id(sub.parent_task_id)
            owner.task_spec._update(owner)
        ran = _run_engine_tasks(self, will_complete_task, did_complete_task)
        self._drop_orphans()
        if len(self.tasks) >= self._trim_at:
            self._trim()
        return ran or len(self.get_active_subprocesses()) > len(active)

    def _trim(self) -> None:
        """Cut the finished rounds of a loop of engine tasks out of the case's trees while the step
        runs, as the step's save cuts them (engine/state.prune: the finished chain above the unfinished
        tasks, keeping the nearest task of each element and the last ``KEEP_ANCESTORS``), and bound
        the work of a step (``MOST_TASKS_A_STEP``).

        Each round of a loop of script tasks and gateways adds its tasks below the last round's, and
        nothing is cut until the step saves: SpiffWorkflow's walk stops 1,000 tasks deep (~200 rounds
        of a five-task loop: the step stopped with ``Unrested``), and each task cost more the deeper
        the tree (the look-ups here give up past ``_DEEPEST`` tasks and SpiffWorkflow's walk of the
        whole tree answers). Trimmed every ``_TRIM_EVERY`` tasks the step adds, the tree stays a few
        rounds deep whatever the number of rounds, and a task costs the same in the 5,000th round as in
        the 10th. What is cut is kept (``_trimmed``) and saved with the step as the tasks cut at its
        end are: the history is the same. A loop on a branch beside a person's open task (the
        unfinished tasks' common ancestor above the loop, out of prune's reach) is cut line by line
        below that ancestor (engine/branch_trim.py); a timer fired among the tasks cut is audited
        with the step (projection.fired_timers)."""
        if not self._trim_at:  # the step's first pass: trim once it has added ``_TRIM_EVERY`` tasks
            self._trim_at = self._case_size() + _TRIM_EVERY
            return
        from .state import KEEP_ANCESTORS, all_workflows, prune, structured_joins  # (state imports this module)

        cut = prune(self)
        for wf in all_workflows(self):  # a loop on a branch beside an open task (engine/branch_trim.py)
            cut.update(cut_branches(wf, KEEP_ANCESTORS, structured_joins(wf.spec)))
        self._ran = None
        if cut:
            if self._trimmed is None:
                self._trimmed, self._states = {}, set()
            self._trimmed.update(cut)
            if len(self._trimmed) > MOST_TASKS_A_STEP:
                raise EndlessLoop(self, cut)
            state = self._state_now()
            if state in self._states:
                raise EndlessLoop(self, cut, again=True)
            self._states.add(state)
        self._trim_at = self._case_size() + _TRIM_EVERY

    def _state_now(self) -> int:
        """What the case's next tasks depend on, as a number: each unfinished task's element, state
        and data. Met again at a later trim of the same step, the loop has come back to where it was,
        nothing changed (its counter does not count): its model code decides from the same data
        the same way, so it would go round for good (``EndlessLoop``, at once instead of at the
        bound). A script reading the clock or a random number could tell otherwise: such a loop
        waits on nothing but itself, and a timer is the way to wait."""
        parts = []
        for wf in (self, *self.subprocesses.values()):
            for task in wf.tasks.values():
                if task._state & _UNFINISHED:
                    parts.append((task.task_spec.name, task._state,
                                  _json.dumps(task.data, sort_keys=True, default=repr, ensure_ascii=False)))
        parts.sort()
        return hash(tuple(parts))

    def _case_size(self) -> int:
        return len(self.tasks) + sum(len(sub.tasks) for sub in self.subprocesses.values())

    def trimmed_in_step(self) -> dict:
        """The tasks ``_trim`` cut since the last call (by id, in the order cut), and a new step's
        count begins: engine/step.py saves them with the step's own."""
        cut, self._trimmed, self._states, self._trim_at = self._trimmed or {}, None, None, 0
        return cut

    def _drop_orphans(self) -> None:
        """Cancel and drop every unfinished sub-process whose task is no longer in the case, with the
        sub-processes hanging from its tasks. Looked for only after such a task was taken out
        (``_remove_task``): a pass of a case with sub-processes costs nothing more otherwise."""
        if not self.orphans_possible:
            return
        self.orphans_possible = False
        while True:
            orphan = next((key for key, sub in self.subprocesses.items()
                           if not sub.completed and not self._has_task(key)), None)
            if orphan is None:
                return
            dropped = [orphan]
            while dropped:
                sub = self.subprocesses.pop(dropped.pop())
                BpmnBaseWorkflow.cancel(sub)  # its tasks cancelled, its waiting events out of the event manager
                dropped.extend(key for key in list(self.subprocesses) if key in sub.tasks)

    def _has_task(self, task_id) -> bool:
        """Is ``task_id`` a task of the case or of one of its sub-processes?"""
        return task_id in self.tasks or any(task_id in sub.tasks for sub in self.subprocesses.values())

    def create_subprocess(self, my_task, spec_name):
        # BpmnWorkflow.create_subprocess, with our class
        subprocess = DubanSubWorkflow(self.subprocess_specs[spec_name], parent_task_id=my_task.id, top_workflow=self)
        self.subprocesses[my_task.id] = subprocess
        adopt(subprocess)
        return subprocess


def _run_engine_tasks(workflow, will_complete_task=None, did_complete_task=None) -> bool:
    """Run the READY tasks of ``workflow`` that are not a person's, in ``get_tasks`` order, with the
    callbacks around each; whether any ran."""
    ran = False
    for task in workflow.get_tasks(state=_READY):
        if task.task_spec.manual:
            continue
        if will_complete_task is not None:
            will_complete_task(task)
        task.run()
        ran = True
        if did_complete_task is not None:
            did_complete_task(task)
    return ran


class EndlessLoop(Exception):
    """A step ran more than ``MOST_TASKS_A_STEP`` engine tasks (script tasks, gateways, events)
    without coming to a person's task or a wait, or came back to the same state (``again``:
    ``DubanWorkflow._state_now``): a loop with no way out (its counter never reaches the exit's
    condition), named by the elements that ran again and again in its last rounds.

    Why 100,000: real loops of engine tasks page through a list or count retries — 1,000 pages of a
    five-element loop are 5,000 tasks, 20 times fewer. A loop with no way out costs what the bound lets
    it run, the case's lock held meanwhile (every other change of the case waits; on SQLite every
    write waits): about 30 s of CPU on this machine at ~3,500 tasks a second (2026-12-07, load 5–9).
    A bound on time instead would stop the same model or not by the machine's load."""

    def __init__(self, workflow, cut: dict, again: bool = False):
        repeated: dict = {}
        for task in cut.values():
            spec = task.task_spec
            if task._state & TaskState.COMPLETED and getattr(spec, "bpmn_id", None):
                repeated[spec] = repeated.get(spec, 0) + 1
        firsts: dict = {}
        for task in cut.values():
            spec = task.task_spec
            if repeated.get(spec, 0) > 1:
                firsts[spec] = min(firsts.get(spec, task.last_state_change), task.last_state_change)
        loop = sorted(firsts, key=firsts.__getitem__)
        names = "→".join(f"「{spec.bpmn_name or spec.bpmn_id}」" for spec in loop[:8]) + ("→…" if len(loop) > 8 else "")
        self.task_spec = loop[0] if loop else None  # the incident's element (engine/incidents.record)
        loop = f"循环{names}" if names else "循环"
        if again:  # (``DubanWorkflow._state_now``)
            super().__init__(f"流程在一步之内自动执行的环节过多，未能停在人工任务或等待处：{loop}回到了同样的状态"
                             "（数据未变），不会自行停止，是没有出口的循环，"
                             "请检查循环的退出条件（网关的条件、脚本中的计数）后重试")
        else:
            super().__init__(f"流程在一步之内自动执行的环节过多（超过{MOST_TASKS_A_STEP:,}个），未能停在人工任务或等待处："
                             f"{loop}一直没有走出，可能是没有出口的循环，"
                             "请检查循环的退出条件（网关的条件、脚本中的计数）后重试")
