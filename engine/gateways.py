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
A parallel join (``ParallelGateway``) lists the updated task's ancestors once instead of SpiffWorkflow's
recursive walks up through ``Task.parent`` (same harness, load 6): camunda7_hazard_gateways −19.4,
−15.3, −11.2 µs a completion, bpmnio_implicit_split −5.9, −16.3, −6.0 (A/A +3.8, −5.8; one
completion in four updates its join). Since 2026-12-06 the join's tasks come from the task dict, not
the walk of the whole tree (then only where their order could not change the answer, and with no
sub-process; since 2026-12-07 always, with no bound on the tree's size, ``_meet``):
bytecodes a completion (``bench/step_ab.py --variant spiff_run --bytecodes``, with the pass below)
bpmnio_simple 16,917 → 14,941, camunda7_hazard_gateways 28,124 → 26,133, bpmnio_implicit_split
16,031 → 14,306, flowable_joint_opinion 15,203 → 14,159; thread CPU (100 cases, 3 runs, load 8–11)
bpmnio_simple −26.8, −31.7, −26.9 µs a completion (A/A +2.2, −0.8), camunda7_hazard_gateways −15.0,
−27.8, −17.3 (A/A −4.4, −6.4); tests/test_spiff_run_cost.py.

What the three joins (parallel, inclusive, the end join) pass on of the branches' data is
engine/join_data.py's: each branch's changes since the fork, as Camunda and Flowable keep variables.
"""
from __future__ import annotations

import ast
import unicodedata
from copy import deepcopy

from lxml import etree
from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser
from SpiffWorkflow.bpmn.specs import control, defaults
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from .expressions import YES_OR_NO
from . import esp_data
from .join_data import merge_branches, open_case_data
from .juel_methods import said_of
from .restricted import ABSENT_AS_NULL


class NoPathOut(WorkflowException):
    """No outgoing flow of a gateway may be taken (an incident naming the gateway)."""

    def __str__(self):  # SpiffWorkflow's joins notes with ". ", English punctuation after a Chinese sentence
        return "；".join([str(self.args[0]), *self.notes])


def _named(spec) -> str:
    """The gateway as an incident names it: its kind, name and id."""
    kind = "排他网关" if isinstance(spec, ExclusiveGateway) else "包容网关"
    return f"{kind}「{spec.bpmn_name or spec.bpmn_id}」({spec.bpmn_id})"


def _no_path(spec, my_task=None) -> NoPathOut:
    said = _text_compared(spec, my_task) if my_task is not None else None
    why = f"；{said}" if said else ""
    return NoPathOut(f"{_named(spec)} 的条件都不成立（条件用到的数据没有值时也不成立{why}），"
                     "又没有默认分支，流程无法继续；请补充案件数据后重试，或请流程设计员为该网关设置默认分支",
                     task_spec=spec)


_YES_NO_TEXT = {"true", "false", "yes", "no", "是", "否"}


def _text_compared(spec, my_task) -> str | None:
    """Case data a condition reads that holds a number or a yes/no as text (「5,000」, 「true」: sent so
    through the REST API, where no form types the value), which an equality never matches
    (``amount == 5000``, ``approved == True``): said, so that the person retrying knows what to correct."""
    data = my_task.data if isinstance(my_task.data, dict) else {}
    for condition, _target in spec.cond_task_specs:
        text = getattr(condition, "args", None) and condition.args[0]
        if not text:
            continue
        lines = [line for line in text.splitlines() if not line.startswith("#")]  # FEEL's null mark
        try:
            tree = ast.parse(" ".join(lines).removesuffix(YES_OR_NO).strip(), mode="eval")
        except SyntaxError:
            continue
        for name in (n.id for n in ast.walk(tree) if isinstance(n, ast.Name)):
            value = data.get(name)
            if not isinstance(value, str):
                continue
            if value.strip().lower() in _YES_NO_TEXT:
                return f"案件数据「{name}」的值是文字「{value[:40]}」，不是“是/否”"
            try:
                float(unicodedata.normalize("NFKC", value).strip().replace(",", ""))
            except ValueError:
                continue
            return f"案件数据「{name}」的值是文字「{value[:40]}」，不是数字"
    return None


class TextCondition(WorkflowException):
    """A flow's condition gave text where yes or no was wanted (an incident naming the gateway, the
    flow by where it leads, and the data)."""

    def __str__(self):
        return str(self.args[0])


def _holds(spec, my_task, condition, target: str) -> bool:
    """Whether a gateway's flow towards ``target`` may be taken. A condition translated from JUEL or
    FEEL (it ends with ``YES_OR_NO``, engine/dialects.py) must give yes or no, as the vendor's engine
    wants: Camunda 7 and Flowable stop the case when a condition gives null or anything but a
    Boolean (``UelExpressionCondition``: "condition expression returns null" / "returns
    non-Boolean"), Zeebe when the result's type is not BOOLEAN. Python's truth differs: a bare
    ``${decision}`` holding 「不同意」 or the number 5 was true, 0 or null false. Here such a value
    is an incident naming the gateway, where the flow leads and the data (``_not_yes_or_no``).
    Kept from before: the text 'true' or 'false' (any case: ``Boolean.valueOf``) of a JUEL condition
    is yes or no, for the yes/no form properties of Activiti's and Flowable's demos whose values are
    that text; a FEEL condition that is null (over an empty field, engine/feel_null.py) is not true.
    A JUEL ``&&``/``||`` whose Python gave null had a null operand, which EL reads as false
    (EL 3.0 §1.23.2): not true either. A condition written in Python keeps Python's truth."""
    try:
        value = condition._matches(my_task)
    except WorkflowException as exc:  # a JUEL method on null or on a value without it: said in Chinese
        said = said_of(exc)
        if said is None:
            raise
        raise TextCondition(f"{_named(spec)} 通往「{_where(my_task, target)}」的连线：{said}", task_spec=spec) from None
    if value is True or value is False:
        return value
    text = condition.args[0] or ""
    if not text.rstrip().endswith(YES_OR_NO):
        return bool(value)  # a condition written in Python keeps Python's truth
    lines = [line for line in text.splitlines() if not line.startswith("#")]  # FEEL's null mark
    expression = " ".join(lines).removesuffix(YES_OR_NO).strip()
    feel = text.startswith(ABSENT_AS_NULL)  # engine/dialects._feel_null: a FEEL condition that reads data
    if value is None and (feel or _either_or(expression)):
        return False
    if isinstance(value, str) and not feel and value.lower() in ("true", "false"):
        return value.lower() == "true"  # a yes/no form property's value (Activiti's 同意/不同意 demos)
    raise _not_yes_or_no(spec, my_task, target, expression, value, feel)


def _either_or(expression: str) -> bool:
    """Whether the translated JUEL condition is an ``and``/``or`` (``${urgent && approved}``)."""
    try:
        return isinstance(ast.parse(expression, mode="eval").body, ast.BoolOp)
    except SyntaxError:
        return False


def _where(my_task, target: str) -> str:
    """Where a flow leads, by the name of its target (else its id)."""
    target_spec = my_task.workflow.spec.task_specs.get(target)
    return getattr(target_spec, "bpmn_name", None) or getattr(target_spec, "bpmn_id", None) or target


def _not_yes_or_no(spec, my_task, target: str, expression: str, value, feel: bool) -> TextCondition:
    """The incident of a translated condition that gave ``value``, neither yes nor no."""
    where = _where(my_task, target)
    data = my_task.data if isinstance(my_task.data, dict) else {}
    try:
        read = [n.id for n in ast.walk(ast.parse(expression, mode="eval")) if isinstance(n, ast.Name)]
    except SyntaxError:
        read = []
    name = next((n for n in read if n in data and type(data[n]) is type(value) and data[n] == value), None)
    said = f"案件数据「{name}」" if name else f"条件「{expression[:80]}」"
    if value is None:
        what = "没有值（空）"
    elif isinstance(value, str):
        what = f"的值是文字「{value[:40]}」"
    elif isinstance(value, (int, float)):
        what = f"的值是数字 {value}"
    elif isinstance(value, (list, tuple)):
        what = "的值是一个列表"
    elif isinstance(value, dict):
        what = "的值是一组数据"
    else:
        what = "的值"
    who = "Camunda 8 同样停在这里" if feel else "Camunda、Flowable 同样停在这里"
    compare = f"{name or 'x'} == \"同意\"" if isinstance(value, str) or value is None else f"{name or 'x'} > 0"
    return TextCondition(
        f"{_named(spec)} 通往「{where}」的连线：{said}{what}，不是“是/否”，无法判断走不走这条分支"
        f"（{who}）；请把该数据改为是或否后重试，或请流程设计员把条件改为比较（如 {compare}）", task_spec=spec)


class ExclusiveGateway(defaults.ExclusiveGateway):
    """SpiffWorkflow's exclusive gateway (排他网关): the first flow in the file's order whose condition
    holds (``_holds``: text is refused) is taken, else the default; none is an incident in Chinese."""

    def _run_hook(self, my_task):
        chosen = next((target for condition, target in self.cond_task_specs
                       if condition is not None and _holds(self, my_task, condition, target)),
                      self.default_task_spec)
        if chosen is None:
            raise _no_path(self, my_task)
        my_task._sync_children([my_task.workflow.spec.get_task_spec_from_name(chosen)], TaskState.FUTURE)
        for child in my_task.children:
            child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
        return True


class InclusiveGateway(defaults.InclusiveGateway):
    """SpiffWorkflow's inclusive gateway (包容网关): every flow whose condition holds (``_holds``: text
    is refused) and those without one; none is an incident in Chinese."""

    def _get_matching_outputs(self, my_task):
        specs = my_task.workflow.spec
        matches, unconditional = [], []
        for condition, target in self.cond_task_specs:
            if self.choice is not None and target not in self.choice:
                continue
            if condition is None:
                unconditional.append(specs.get_task_spec_from_name(target))
            elif _holds(self, my_task, condition, target):
                matches.append(specs.get_task_spec_from_name(target))
        if not matches and not unconditional:
            raise _no_path(self, my_task)
        return matches, unconditional

    def _check_threshold_unstructured(self, my_task):
        """As a join (汇合): whether it may fire now. SpiffWorkflow's check counts every task of this
        join the workflow holds, and no unfinished task below one: in a loop (Camunda's
        ``InclusiveGatewayTest.testAllPositiveSplitAndJoinAfterParallelGatewayWithBackloop``: a
        parallel join, an inclusive fork and join, a way back) the join's turn before had both its
        inputs in, so the next turn's join fired on its first branch — 汇总 opened while 另一条分支
        was still open, and that branch was left over. Here only this turn's tasks of the join count
        (not those above the task updated: its turns before), and every unfinished task of the
        workflow not past them may still send a token (BPMN 2.0 §13.3.2: the join waits while an
        incoming flow without a token can still get one)."""
        by_id = my_task.workflow.tasks
        before = _line(my_task, by_id)
        last_at, last = _last_turn(my_task, self, by_id)
        turn = []
        for task in by_id.values():
            if task.task_spec is not self or id(task) in before:
                continue
            if task is my_task:
                turn.append(task)
                continue
            at = _meet(task, my_task, before, by_id, linked=False)[0]
            if at != _BELOW and not _of_a_turn_before(task, at, last_at, last, by_id):
                turn.append(task)
        arrived = {task.parent.task_spec for task in turn
                   if task.parent is not None and task.parent._state == TaskState.COMPLETED}
        for task in turn:  # a branch on its way in (its task below the join's not yet done)
            if task.parent is not None and task.parent._state & TaskState.DEFINITE_MASK \
                    and task.parent.task_spec not in arrived:
                return False
        waiting = [spec for spec in self.inputs if spec not in arrived]
        if not waiting:
            return True
        in_turn = {id(task) for task in turn}
        pending = set()
        for task in by_id.values():
            if not task._state & _MAY_SEND or task.task_spec is self:
                continue
            if not _past(task, in_turn, before, by_id):  # not past this turn's join
                pending.add(task.task_spec)
        # an unfinished task a branch already in came through (a join waiting for this one, around
        # a loop) does not hold it; one from which a waiting input can be reached does
        pending -= _upstream(arrived, self)
        return not any(_reaches(spec, waiting, self) for spec in pending)

    def _run_hook(self, my_task):
        # as a join: the branches' changes since the fork (engine/join_data.py), then the flows to take
        merge_branches(self, my_task)
        matches, unconditional = self._get_matching_outputs(my_task)
        my_task._sync_children(matches or unconditional, TaskState.FUTURE)
        for child in my_task.children:
            child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
        return True


_MAY_SEND = TaskState.READY | TaskState.WAITING


def _upstream(specs, join) -> set:
    """The task specs from which one of ``specs`` is reached without passing ``join``."""
    seen, stack = set(), [parent for spec in specs for parent in spec.inputs]
    while stack:
        spec = stack.pop()
        if spec is join or spec in seen:
            continue
        seen.add(spec)
        stack.extend(spec.inputs)
    return seen


def _reaches(spec, targets, join) -> bool:
    """Whether a path from ``spec`` (itself included) reaches one of ``targets`` without passing ``join``."""
    wanted, seen, stack = set(targets), set(), [spec]
    while stack:
        node = stack.pop()
        if node in wanted:
            return True
        if node is join or node in seen:
            continue
        seen.add(node)
        stack.extend(node.outputs)
    return False


_FLOWS_FROM = etree.XPath("./*[local-name() = 'sequenceFlow' and @sourceRef = $source]")


class ExclusiveGatewayParser(ConditionalGatewayParser):
    """An exclusive gateway's flows are looked at in the order the file lists them, as Camunda 7,
    Flowable and Zeebe do (their first flow whose condition holds is taken). SpiffWorkflow's parser
    orders a gateway's outgoing flows by how high their targets are drawn in the diagram, so of two
    conditions that both held the upper branch was taken, whatever the file said."""

    def parse_node(self):
        task = super().parse_node()
        order: dict[str, int] = {}
        # the gateway's own flows picked out by libxml2 (a Python loop over every flow of the process
        # for every gateway made a large model's validation quadratic: tests/test_model_availability.py)
        for flow in _FLOWS_FROM(self.node.getparent(), source=self.bpmn_id):
            order.setdefault(flow.get("targetRef"), len(order))
        self.task.cond_task_specs.sort(key=lambda pair: order.get(pair[1].removesuffix(".BoundaryEventSplit"),
                                                                  len(order)))
        return task


def _line(my_task, tasks) -> dict:
    """``my_task``'s ancestors up to the root of its workflow (``tasks``: that workflow's task dict),
    as ``Task.parent`` finds them one by one: ``id(task)`` -> how far up (its parent 0). A loop over
    dict lookups at any depth (a parent missing from the dict, or a parent link that loops, ends it)."""
    line: dict = {}
    parent_id = my_task._parent
    while parent_id is not None:
        parent = tasks.get(parent_id)
        if parent is None or id(parent) in line:
            break
        line[id(parent)] = len(line)
        parent_id = parent._parent
    return line


_BELOW = -1  # ``_meet``: the task is below the one updated


def _last_turn(my_task, spec, tasks) -> tuple:
    """The join's turn before ``my_task``'s (a loop): its nearest ancestor that is a task of ``spec``,
    as ``(how far up, the task)`` (its parent 0, as ``_line`` counts), or ``(None, None)``."""
    parent_id, up, most = my_task._parent, 0, len(tasks)
    while parent_id is not None and up <= most:
        parent = tasks.get(parent_id)
        if parent is None:
            break
        if parent.task_spec is spec:
            return up, parent
        parent_id, up = parent._parent, up + 1
    return None, None


def _of_a_turn_before(task, at, last_at, last, tasks) -> bool:
    """Whether ``task``, a task of a join beside the one updated whose branch leaves its line at
    ancestor ``at``, came in at one of the join's turns before (``last_at``, ``last``: ``_last_turn``).
    A branch that left the line above the join's last turn and came in before that turn fired was
    that turn's (or one before): the last turn took its token. SpiffWorkflow keeps such a task,
    cancelled, in the tree until the step's save cuts it (engine/state.prune, engine/workflow.py
    ``_trim``) and counted it as come in: in a loop whose branches came in in another order at the turn
    before (a branch that took an error boundary event's way in one round and not in the next), the
    join fired on its first branch — its second then fired it again, the first firing's round undone
    and what its branch had recorded lost (tests/test_loops_s26.py). A branch that left above the
    last turn but came in after it fired (a token that waited elsewhere meanwhile) still counts."""
    if last is None or at is None or at <= last_at:
        return False
    parent = tasks.get(task._parent) if task._parent is not None else None
    return parent is not None and parent.last_state_change <= last.last_state_change


def _meet(task, my_task, line: dict, tasks, linked: bool = True) -> tuple:
    """Where ``task`` stands to ``my_task`` (``line``: its ancestors, ``_line``), by a walk up from
    ``task`` that stops where it meets them: ``(_BELOW, None)`` below ``my_task``; ``(n, None)``
    ``task`` is its ancestor ``n`` up; ``(n, child)`` its branch leaves the line at ancestor ``n``
    through ``child``; ``(None, None)`` not linked to the root as the walk of the tree finds it (a
    parent missing, or not listing it as a child) or a parent link that loops. The walk up is as
    long as ``task``'s own branch, not the tree's depth: a loop run 1,000 times puts ~5,000 tasks
    above its last turn, and SpiffWorkflow's check walked up to the root recursively from each of
    the join's tasks (a loop run in one step: the cost of a round grew with the square of those
    before, and near the walk's depth a RecursionError). ``linked=False``: a parent not listing its
    child is followed all the same (the inclusive join's look, which asks the parents)."""
    node, below, steps, most = task, None, 0, len(tasks)
    while steps <= most:
        if node is my_task:
            return _BELOW, None
        found = line.get(id(node))
        if found is not None:
            return found, below
        parent_id = node._parent
        parent = tasks.get(parent_id) if parent_id is not None else None
        if parent is None or linked and node.id not in parent._children:
            return None, None
        below, node, steps = node, parent, steps + 1
    return None, None


def _past(task, turn: set, line: dict, tasks) -> bool:
    """Whether one of ``turn`` (ids of tasks) is above ``task``: a walk up from its parent that stops
    at the line above the task updated (``line``), which holds none of them."""
    parent_id, steps, most = task._parent, 0, len(tasks)
    while parent_id is not None and steps <= most:
        parent = tasks.get(parent_id)
        if parent is None:
            return False
        key = id(parent)
        if key in turn:
            return True
        if key in line:
            return False
        parent_id, steps = parent._parent, steps + 1
    return False


def _subtree_order(top, spec, tasks) -> list:
    """The tasks of ``spec`` below ``top`` in the order SpiffWorkflow's walk meets them (depth first,
    children in order; tasks never changed, ``last_state_change`` below 0, left out as the walk's
    filter leaves them). Below the task a join updates lie only the tasks it predicted."""
    found, stack = [], [tasks.get(child) for child in reversed(top._children)]
    seen, most = 0, len(tasks)
    while stack and seen <= most:
        task = stack.pop()
        if task is None:
            continue
        seen += 1
        if task.task_spec is spec and task.last_state_change >= 0:
            found.append(task)
        stack.extend(tasks.get(child) for child in reversed(task._children))
    return found


def _split_at(beside: list, my_task, line: dict, tasks) -> tuple[list, list]:
    """Of the join's tasks beside ``my_task`` (``(task, n, child)``: its branch leaves the line of
    ``my_task``'s ancestors at ancestor ``n`` through ``child``), those the walk of the tree meets
    before ``my_task``'s own subtree and those after it: at ancestor ``n`` the walk takes the
    children in their order."""
    chain: list = []  # the ancestors ``line`` counts, its parent first
    parent_id = my_task._parent
    while parent_id is not None and len(chain) < len(line):
        chain.append(tasks[parent_id])
        parent_id = chain[-1]._parent
    first, last = [], []
    for entry in beside:
        task, at, child = entry
        if at is None:  # ``my_task`` itself: met before its subtree
            first.append(entry)
            continue
        mine = chain[at - 1] if at else my_task
        order = chain[at]._children
        if mine.id not in order:  # the walk does not reach ``my_task``: take it as met first
            first.append(entry)
            continue
        (first if order.index(child.id) < order.index(mine.id) else last).append(entry)
    return first, last


def _arrived(beside: list, waiting_inputs: set, tasks) -> None:
    """SpiffWorkflow's look at a join's task neither above nor below the task updated: its branch
    has come in (its parent completed) on an input still waited for, which is waited for no more."""
    for task, _, _ in beside:
        parent = tasks.get(task._parent) if task._parent is not None else None
        if parent is not None and parent._state == TaskState.COMPLETED and parent.task_spec in waiting_inputs:
            waiting_inputs.remove(parent.task_spec)


class ParallelGateway(defaults.ParallelGateway):
    """SpiffWorkflow's parallel gateway (并行网关). As a join it fires once a token has come in on
    every incoming flow: SpiffWorkflow's check takes the join's tasks (``get_tasks(spec_name=...)``,
    engine/workflow.py's walk) and asks of each, by a recursive walk up its parents through the
    ``parent`` property, whether it is below the task being updated (a loop's first turn) or above it
    (a turn before) — two or three walks up to the root a task, recursive ones (``is_descendant_of``,
    ``remove_ancestor``): a loop of 300 rounds in one step stopped with RecursionError (after
    469 s). Here the join's tasks come from the workflow's task dict; the updated task's ancestors
    are listed once (``_line``) and each other task is followed up only until it meets them
    (``_meet``), at any depth and with no fallback to SpiffWorkflow's check. Where the walk's order
    matters (a join task below
    the one updated: a loop's first turn) it is found from the tree's links (``_split_at``,
    ``_subtree_order``). The same answer as SpiffWorkflow's (tests/test_task_walk.py,
    tests/test_spiff_run_cost.py compare both at every update), but past the walk's depth of 1,000
    tasks, which SpiffWorkflow's check did not see; tasks of a sub-process's workflow (which the walk
    enters) are not looked at: their specs are another process's, never this join's inputs."""

    def _check_threshold_unstructured(self, my_task):
        tasks = my_task.workflow.tasks
        line = _line(my_task, tasks)
        waiting_inputs = set(self.inputs)
        beside = []  # (task, where its branch leaves my_task's line, through which child)
        below = False
        last_at, last = _last_turn(my_task, self, tasks)
        for task in tasks.values():
            if task.task_spec is not self or task.last_state_change < 0 or id(task) in line:
                continue  # another task, or a turn before this one (an ancestor of the task updated)
            if task is my_task:
                beside.append((task, None, None))
                continue
            at, child = _meet(task, my_task, line, tasks)
            if at == _BELOW:
                below = True
            elif at is not None and not _of_a_turn_before(task, at, last_at, last, tasks):
                beside.append((task, at, child))
        if below:  # a loop's first turn: the tasks in the walk's order, those below ``my_task`` between
            first, beside = _split_at(beside, my_task, line, tasks)
            _arrived(first, waiting_inputs, tasks)
            for task in _subtree_order(my_task, self, tasks):
                found, steps = task, 0  # SpiffWorkflow's remove_ancestor: the nearest input still waited for
                while found is not None and steps <= len(tasks):
                    if found.task_spec in waiting_inputs:
                        waiting_inputs.remove(found.task_spec)
                        break
                    found = tasks.get(found._parent) if found._parent is not None else None
                    steps += 1
        _arrived(beside, waiting_inputs, tasks)
        return len(waiting_inputs) == 0

    def _run_hook(self, my_task):
        merge_branches(self, my_task)  # the branches' changes since the fork (engine/join_data.py)
        return True


_NOT_FINISHED = TaskState.NOT_FINISHED_MASK


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
        root, name, most = workflow.task_tree, self.name, len(tasks)
        for task in tasks.values():
            if not task._state & _NOT_FINISHED or task is my_task:
                continue
            below, steps = task, 0
            while below is not root:
                steps += 1
                if steps > most:
                    return super()._check_threshold_unstructured(my_task)  # a parent link that loops
                parent = tasks.get(below._parent) if below._parent is not None else None
                if parent is None or below.id not in parent._children:
                    return super()._check_threshold_unstructured(my_task)  # not in the tree as expected
                if parent.task_spec.name == name:
                    break  # below a task of this join: the walk does not get there
                below = parent
            else:
                return False  # reached: another unfinished task
        return True

    def _run_hook(self, my_task):
        host = esp_data.host_of(my_task.workflow)
        if host is not None:  # an event sub-process's end: its paths wrote to the scope as they ran
            # (engine/esp_data.written), so it gives back the scope's data as it is now; its paths'
            # ends merged here would take a value written before one the flow wrote since for the newer
            my_task.data = deepcopy(open_case_data(host.workflow))
        else:
            merge_branches(self, my_task)  # branches ending at end events of their own (engine/join_data.py)
        my_task.workflow.data.update(my_task.data)
        return True


def our_end_join(spec) -> None:
    """A process spec just parsed ends through ``_EndJoin`` (SpiffWorkflow's made it: its class
    changes, nothing else; stored specs restore to it by its type name, engine/parser.py)."""
    for task_spec in spec.task_specs.values():
        if type(task_spec) is control._EndJoin:
            task_spec.__class__ = _EndJoin


OURS = {defaults.ExclusiveGateway: ExclusiveGateway, defaults.InclusiveGateway: InclusiveGateway,
        defaults.ParallelGateway: ParallelGateway}

