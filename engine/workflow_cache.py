"""The in-process cache of restored workflows (已恢复的流程实例缓存), keyed by case id and the case's
version counter: a step whose case was last changed by this process skips restoring it from rows.

An entry is taken out while a step runs (so two threads never share a workflow) and put back only
after the step's transaction committed (engine/step.py); a version that moved meanwhile — another
process changed the case — makes the entry useless and it is dropped. Least recently used first out.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class WorkflowCache:
    def __init__(self, size: int = 512):
        self.size = size
        self._entries: OrderedDict[int, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, case_id: int, version: int):
        """The workflow cached for ``case_id`` at ``version``, removed from the cache; else None."""
        with self._lock:
            entry = self._entries.pop(case_id, None)
        if entry is not None and entry[0] == version:
            return entry[1]
        return None

    def put(self, case_id: int, version: int, loaded) -> None:
        with self._lock:
            self._entries[case_id] = (version, loaded)
            self._entries.move_to_end(case_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def evict(self, case_id: int) -> None:
        with self._lock:
            self._entries.pop(case_id, None)

    def __len__(self) -> int:
        return len(self._entries)
