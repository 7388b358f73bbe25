"""The in-process cache of restored workflows (已恢复的流程实例缓存), keyed by case id and the case's
version counter: a step whose case was last changed by this process skips restoring it from rows.

An entry is taken out while a step runs (so two threads never share a workflow) and put back only
after the step's transaction committed (engine/step.py); a version that moved meanwhile — another
process changed the case — makes the entry useless and it is dropped. Least recently used first out.

The cache is sized by memory, not by a count of workflows (``WORKFLOW_CACHE_BYTES``, or
``DUBAN_WORKFLOW_CACHE_MB`` in the environment): a five-task case's workflow holds ~20 KB, a hazard
case's with its forms ~40 KB, a large model's many times that, so a count either wastes memory on
small ones or lets large ones take gigabytes. Each workflow is weighed from its stored state (the
text of its live rows, which the step holds anyway: ``weight``) times ``BYTES_PER_STATE_BYTE``, what
a restored workflow and its rows take in memory per byte of that text (measured with tracemalloc:
5.0x for bench/models/five_tasks.bpmn, 5.6x for case_file_review, 6.6x for hazard_supervision,
plus the rows' text itself). Least recently used first out once the weights pass the budget; an
optional count (``size``) caps it too (``Engine(cache_size=0)``: every step restores its case).

A workflow is a web of reference cycles (each SpiffWorkflow task holds its workflow, the workflow
its tasks, its event manager and sub-processes hold it back): dropped as it is, only Python's cyclic
collector frees it, with every task, id and data dict, and each collection walks what is left of
the heap. A workflow the cache drops is no one's (a step takes its workflow out before it runs), so
``release`` breaks its cycles and reference counting frees it at once. With the cache off
(``size=0``) that is every workflow a step restored.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from operator import itemgetter
from typing import Any

# What a process may hold in restored workflows, approximately (``weight``): 128 MiB, some 6,500
# five-task workflows or 3,000 hazard cases — more than a district bureau's one to two thousand open
# cases, walked in turn (a morning's 审批 across every case), which a smaller cache misses every time
# (least recently used goes first: at 512 workflows, 1,000 five-task cases walked round-robin were all
# cold steps). Each web or timer process holds its own. ``DUBAN_WORKFLOW_CACHE_MB`` sets it.
WORKFLOW_CACHE_BYTES = 128 * 1024 * 1024
CACHE_MB_ENV = "DUBAN_WORKFLOW_CACHE_MB"
# Memory a restored workflow takes per byte of its stored state's text, its rows' text included (above).
BYTES_PER_STATE_BYTE = 7

_content = itemgetter(2)


def configured_bytes() -> int:
    """The byte budget the environment sets (``DUBAN_WORKFLOW_CACHE_MB``, megabytes, 0: no cache),
    else ``WORKFLOW_CACHE_BYTES``."""
    text = os.environ.get(CACHE_MB_ENV, "").strip()
    if not text:
        return WORKFLOW_CACHE_BYTES
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1.0
    if not megabytes >= 0 or megabytes == float("inf"):
        raise ValueError(f"环境变量 {CACHE_MB_ENV}（流程实例缓存大小，单位 MB）应为不小于 0 的数，现为 {text!r}")
    return int(megabytes * 1024 * 1024)


def weight(loaded) -> int:
    """The approximate memory ``loaded`` (``state.LoadedState``) holds: its live rows' text (task
    rows and workflow rows, as its last save left them) times ``BYTES_PER_STATE_BYTE`` — summed in C,
    no walk of its tasks."""
    text = sum(map(len, map(_content, loaded.task_rows.values()))) + sum(map(len, loaded.wf_rows.values()))
    return text * BYTES_PER_STATE_BYTE


def release(loaded) -> None:
    """Break the cycles of a restored workflow (``state.LoadedState``) nothing will use again: its
    workflow's and sub-processes' attributes go, so its tasks, events and data are freed by reference
    counting when the last reference to it goes, not by a collection. The workflow is unusable
    after this."""
    workflow = loaded.workflow
    subprocesses = getattr(workflow, "subprocesses", None)
    parts = list(subprocesses.values()) if subprocesses else []
    for part in parts:
        vars(part).clear()
    vars(workflow).clear()


class WorkflowCache:
    """``budget``: bytes of restored workflows held at most (``weight``); ``size``: workflows held at
    most, None for no count (the budget alone)."""

    def __init__(self, size: int | None = None, budget: int = WORKFLOW_CACHE_BYTES):
        self.size = size
        self.budget = budget
        self.held = 0  # the weights of the workflows held
        self._entries: OrderedDict[int, tuple[int, Any, int]] = OrderedDict()  # case -> (version, loaded, weight)
        self._lock = threading.Lock()

    def take(self, case_id: int, version: int):
        """The workflow cached for ``case_id`` at ``version``, removed from the cache; else None."""
        with self._lock:
            entry = self._entries.pop(case_id, None)
            if entry is not None:
                self.held -= entry[2]
        if entry is None:
            return None
        if entry[0] == version:
            return entry[1]
        release(entry[1])  # another process stepped the case: this one is stale
        return None

    def put(self, case_id: int, version: int, loaded, ended: bool = False) -> None:
        """Keep ``loaded`` for the case's next step; what falls out (the least recently used, while
        the weights pass the budget or the workflows the count; an entry it replaces; ``loaded``
        itself if it alone passes them) is released. ``ended``: the step ended the case (no step
        follows): its entry goes first in line to fall out, before any running case's, rather than
        last (engine/step.py ``commit_cache``)."""
        dropped = []
        heavy = weight(loaded)
        size = self.size
        with self._lock:
            entries = self._entries
            old = entries.get(case_id)
            if old is not None and old[1] is not loaded:
                dropped.append(old[1])
            self.held += heavy - (old[2] if old is not None else 0)
            entries[case_id] = (version, loaded, heavy)
            entries.move_to_end(case_id, last=not ended)
            while entries and (self.held > self.budget or size is not None and len(entries) > size):
                _out, (_version, gone, its_weight) = entries.popitem(last=False)
                self.held -= its_weight
                dropped.append(gone)
        for each in dropped:
            release(each)

    def evict(self, case_id: int) -> None:
        with self._lock:
            entry = self._entries.pop(case_id, None)
            if entry is not None:
                self.held -= entry[2]
        if entry is not None:
            release(entry[1])

    def __len__(self) -> int:
        return len(self._entries)
