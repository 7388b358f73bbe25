"""The in-process cache of restored workflows (已恢复的流程实例缓存), keyed by case id and the case's
version counter: a step whose case was last changed by this process skips restoring it from rows.

An entry is taken out while a step runs (so two threads never share a workflow) and put back only
after the step's transaction committed (engine/step.py); a version that moved meanwhile — another
process changed the case — makes the entry useless and it is dropped. Least recently used first out.

A workflow is a web of reference cycles (each SpiffWorkflow task holds its workflow, the workflow
its tasks, its event manager and sub-processes hold it back): dropped as it is, only Python's cyclic
collector frees it, with every task, id and data dict, and each collection walks what is left of
the heap. A workflow the cache drops is no one's (a step takes its workflow out before it runs), so
``release`` breaks its cycles and reference counting frees it at once. With the cache off
(``size=0``) that is every workflow a step restored.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


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
    def __init__(self, size: int = 512):
        self.size = size
        self._entries: OrderedDict[int, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, case_id: int, version: int):
        """The workflow cached for ``case_id`` at ``version``, removed from the cache; else None."""
        with self._lock:
            entry = self._entries.pop(case_id, None)
        if entry is None:
            return None
        if entry[0] == version:
            return entry[1]
        release(entry[1])  # another process stepped the case: this one is stale
        return None

    def put(self, case_id: int, version: int, loaded, ended: bool = False) -> None:
        """Keep ``loaded`` for the case's next step; what falls out (the least recently used, an
        entry it replaces; ``loaded`` itself if the cache holds nothing) is released. ``ended``:
        the step ended the case (no step follows): its entry goes first in line to fall out, before
        any running case's, rather than last (engine/step.py ``commit_cache``)."""
        dropped = []
        with self._lock:
            old = self._entries.get(case_id)
            if old is not None and old[1] is not loaded:
                dropped.append(old[1])
            self._entries[case_id] = (version, loaded)
            self._entries.move_to_end(case_id, last=not ended)
            while len(self._entries) > self.size:
                dropped.append(self._entries.popitem(last=False)[1][1])
        for each in dropped:
            release(each)

    def evict(self, case_id: int) -> None:
        with self._lock:
            entry = self._entries.pop(case_id, None)
        if entry is not None:
            release(entry[1])

    def __len__(self) -> int:
        return len(self._entries)
