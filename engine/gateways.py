"""Gateways (网关) whose conditions all fail, said in Chinese naming the gateway.

A condition that is null (a FEEL condition over a value a form left empty, engine/feel_null.py) is
not true; when no condition of an exclusive or inclusive gateway holds and it has no default flow,
the case cannot go on. SpiffWorkflow says so in English ("No conditions satisfied for
Gateway_0x3"); ours say which gateway, why, and what to do, and the incident keeps the case where
it was so that a retry with the missing value goes on. Same class names as SpiffWorkflow's, so
stored specs restore to these (engine/parser.py's serializer configuration).

The join every process ends through (``_EndJoin``, SpiffWorkflow's class name too) decides whether it
may fire by a look through the workflow's task dict instead of SpiffWorkflow's iterator over the
whole tree: the same answer (tests/test_task_walk.py), asked at every case's end and at every
completion while a parallel branch is still open. In-process A/B (2026-12-05, two engines on two SQLite
files, SpiffWorkflow's check on one by a switch, completions alternated, thread CPU, gc off in
rounds, paired medians): tests/bpmn/interop/zeebe_is_defined.bpmn (one completion a case, which
ends it) −23.9, −13.8, −17.1 µs a completion (A/A +1.4, −0.5, +4.6), camunda7_implicit_end −13.5,
−14.4, −18.4, bench/models/five_tasks.bpmn −2.5, −6.3, −4.1 (one completion in five ends a case).
A parallel join (``ParallelGateway``) lists each task's ancestors once instead of SpiffWorkflow's
recursive walks up through ``Task.parent`` (same harness, load 6): camunda7_hazard_gateways −19.4,
−15.3, −11.2 µs a completion, bpmnio_implicit_split −5.9, −16.3, −6.0 (A/A +3.8, −5.8; one
completion in four updates its join).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs import control, defaults
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState


class NoPathOut(WorkflowException):
    """No outgoing flow of a gateway may be taken (an incident naming the gateway)."""

    def __str__(self):  # SpiffWorkflow's joins notes with ". ", English punctuation after a Chinese sentence
        return "；".join([str(self.args[0]), *self.notes])


def _no_path(spec) -> NoPathOut:
    kind = "排他网关" if isinstance(spec, ExclusiveGateway) else "包容网关"
    name = spec.bpmn_name or spec.bpmn_id
    return NoPathOut(f"{kind}「{name}」({spec.bpmn_id}) 的条件都不成立（条件用到的数据没有值时也不成立），"
                     "又没有默认分支，流程无法继续；请补充案件数据后重试，或请流程设计员为该网关设置默认分支",
                     task_spec=spec)


class ExclusiveGateway(defaults.ExclusiveGateway):
    """SpiffWorkflow's exclusive gateway (排他网关), refusing in Chinese when no flow may be taken."""

    def _run_hook(self, my_task):
        try:
            return super()._run_hook(my_task)
        except WorkflowException as exc:
            # SpiffWorkflow raises exactly WorkflowException when no condition holds and there is no
            # default; a condition that fails to evaluate is a WorkflowTaskException, kept as it is.
            if type(exc) is WorkflowException and self.default_task_spec is None:
                raise _no_path(self) from exc
            raise


class InclusiveGateway(defaults.InclusiveGateway):
    """SpiffWorkflow's inclusive gateway (包容网关), refusing in Chinese when no flow may be taken."""

    def _get_matching_outputs(self, my_task):
        matches, defaults_ = super()._get_matching_outputs(my_task)
        if not matches and not defaults_:
            raise _no_path(self)
        return matches, defaults_


def _ancestors(task, tasks) -> list | None:
    """``task``'s ancestors, its parent first, up to the root of its workflow (``tasks``: that
    workflow's task dict), as ``Task.parent`` finds them one by one; None past ``_MOST_TASKS``."""
    found = []
    parent_id = task._parent
    while parent_id is not None:
        parent = tasks.get(parent_id)
        if parent is None:
            break
        found.append(parent)
        if len(found) > _MOST_TASKS:
            return None
        parent_id = parent._parent
    return found


class ParallelGateway(defaults.ParallelGateway):
    """SpiffWorkflow's parallel gateway (并行网关). As a join it fires once a token has come in on
    every incoming flow: SpiffWorkflow's check takes the join's tasks (``get_tasks(spec_name=...)``,
    engine/workflow.py's walk) and asks of each, by a recursive walk up its parents through the
    ``parent`` property, whether it is below the task being updated (a loop's first turn) or above it
    (a turn before) — two or three walks up to the root a task. Here the updated task's ancestors are
    listed once and each task's once, for the same answer (tests/test_task_walk.py compares both at
    every update); a join task found in another workflow (a sub-process of the same spec) leaves
    the question to SpiffWorkflow's check."""

    def _check_threshold_unstructured(self, my_task):
        workflow = my_task.workflow
        tasks = workflow.get_tasks(spec_name=self.name)
        by_id = workflow.tasks
        mine = _ancestors(my_task, by_id)
        if mine is None or any(task.workflow is not workflow for task in tasks):
            return super()._check_threshold_unstructured(my_task)
        above_me = {id(task) for task in mine}
        waiting_inputs = set(self.inputs)
        for task in tasks:
            chain = _ancestors(task, by_id)
            if not chain:  # past the bound, or a task without a parent (SpiffWorkflow's check fails on it)
                return super()._check_threshold_unstructured(my_task)
            if any(parent is my_task for parent in chain):
                # a loop's first turn: this join's task below the one updated is not waited for
                for found in (task, *chain):  # SpiffWorkflow's remove_ancestor: the nearest input
                    if found.task_spec in waiting_inputs:
                        waiting_inputs.remove(found.task_spec)
                        break
            elif id(task) in above_me:
                continue  # a turn before this one
            elif chain[0]._state == TaskState.COMPLETED and chain[0].task_spec in waiting_inputs:
                waiting_inputs.remove(chain[0].task_spec)
        return len(waiting_inputs) == 0


_NOT_FINISHED = TaskState.NOT_FINISHED_MASK
# Tasks a workflow may hold for the look below (the walk's depth limit is 1,000: far above it).
_MOST_TASKS = 500


class _EndJoin(control._EndJoin):  # noqa: N801 - SpiffWorkflow's name: stored specs restore to this class
    """The join every process ends through (流程结束汇合): it may fire once no other unfinished task of
    its workflow is left. SpiffWorkflow asks a ``TaskIterator`` over the workflow's whole tree
    (unfinished tasks, not below a task of this join) at each update of the join — every case's end,
    and at every completion while it waits for a parallel branch. Here the workflow's task dict is
    looked through for another unfinished task, and one found counts only where the walk reaches it:
    its parents up to the root list it as a child and none of them is a task of this join (the walk
    does not go below one). The same answer (tests/test_task_walk.py compares both at every update)."""

    def _check_threshold_unstructured(self, my_task):
        workflow = my_task.workflow
        tasks = workflow.tasks
        if len(tasks) >= _MOST_TASKS:
            return super()._check_threshold_unstructured(my_task)
        root, name = workflow.task_tree, self.name
        for task in tasks.values():
            if not task._state & _NOT_FINISHED or task is my_task:
                continue
            below = task
            while below is not root:
                parent = tasks.get(below._parent) if below._parent is not None else None
                if parent is None or below.id not in parent._children:
                    return super()._check_threshold_unstructured(my_task)  # not in the tree as expected
                if parent.task_spec.name == name:
                    break  # below a task of this join: the walk does not get there
                below = parent
            else:
                return False  # reached: another unfinished task
        return True


def our_end_join(spec) -> None:
    """A process spec just parsed ends through ``_EndJoin`` (SpiffWorkflow's made it: its class
    changes, nothing else; stored specs restore to it by its type name, engine/parser.py)."""
    for task_spec in spec.task_specs.values():
        if type(task_spec) is control._EndJoin:
            task_spec.__class__ = _EndJoin


OURS = {defaults.ExclusiveGateway: ExclusiveGateway, defaults.InclusiveGateway: InclusiveGateway,
        defaults.ParallelGateway: ParallelGateway}

