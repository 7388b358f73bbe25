"""A small in-process limiter for login attempts (登录限速): N failures per user and address a minute.

Guessing passwords needs many tries; legitimate users fail a few times at most. Counting only
*failures*, per (username, client address), slows guessing without locking anyone out for good
and without letting an attacker lock out a user from another address. State lives in the process
(no database, no extra service): with several workers each counts on its own, which multiplies the
allowance by the number of processes but keeps the order of magnitude — fine for a login form.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque


class LoginLimiter:
    def __init__(self, max_failures: int = 5, window_seconds: float = 60.0, max_keys: int = 10_000,
                 clock=time.monotonic):
        self.max_failures = max_failures
        self.window = window_seconds
        self.max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[tuple[str, str], deque] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key, now) -> deque:
        q = self._failures.get(key)
        if q is None:
            return deque()
        while q and now - q[0] >= self.window:
            q.popleft()
        if not q:
            del self._failures[key]
        return q

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until another attempt is allowed; 0 when allowed now."""
        key = (username.lower(), address or "")
        now = self._clock()
        with self._lock:
            q = self._recent(key, now)
            if len(q) < self.max_failures:
                return 0
            return max(1, int(self.window - (now - q[0])) + 1)

    def failed(self, username: str, address: str) -> None:
        key = (username.lower(), address or "")
        now = self._clock()
        with self._lock:
            q = self._recent(key, now)
            if not q:
                self._failures[key] = q
            q.append(now)
            self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:  # bounded memory under a spray of names
                self._failures.popitem(last=False)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username.lower(), address or ""), None)
