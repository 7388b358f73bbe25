"""Facts about a parsed model's specs (is this task spec a timer? does this process spec catch a
message?), computed once per spec and kept only as long as the spec itself lives.

A spec's event definitions and task specs are fixed once its model is parsed, so the steps of its
cases ask each such question once, not on every step. Until 2026-12-05 these answers sat in
``functools.lru_cache``s keyed by the spec objects (up to 4,096 entries each): every entry kept a
whole model's spec graph alive, so a server whose designers redeploy models kept thousands of
retired versions in memory, and the test suite (an engine and parsed models per test) grew to
about 1 GB. Here a fact is held beside a weak reference to its spec: when the models' cache lets a
version go, its facts go with it.

Written here, not taken from the standard library: ``weakref.WeakKeyDictionary`` does the same at
about three times the cost of a lookup (a new ``weakref.ref`` for every question), and these are
asked on every step of every case.
"""
from __future__ import annotations

import functools
import weakref
from typing import Callable, TypeVar

T = TypeVar("T")


def per_spec(compute: Callable[[object], T]) -> Callable[[object], T]:
    """``compute(spec)`` answered once per live spec object (by identity). The answer must not hold
    the spec nor anything that reaches it (a bool, ids, names): it would keep the spec alive."""
    facts: dict[int, tuple[weakref.ref, T]] = {}

    def forget(ref: weakref.ref, key: int) -> None:
        entry = facts.get(key)
        if entry is not None and entry[0] is ref:  # not a newer spec that took the same id
            del facts[key]

    @functools.wraps(compute)
    def fact(spec) -> T:
        key = id(spec)
        entry = facts.get(key)
        if entry is not None and entry[0]() is spec:
            return entry[1]
        value = compute(spec)
        facts[key] = (weakref.ref(spec, functools.partial(forget, key=key)), value)
        return value

    fact.facts = facts  # type: ignore[attr-defined]  # for tests: how many specs are remembered
    return fact


__all__ = ["per_spec"]
