"""The facts the engine keeps about a parsed model's specs (engine/spec_facts.py) live only as long as
the specs: an engine's models, once let go, are freed with everything their specs reach — not kept
by a process-wide cache keyed by the spec objects (until 2026-12-05: ``lru_cache``s of up to 4,096
entries, each keeping a whole model's spec graph alive in a server whose designers redeploy models)."""
from __future__ import annotations

import gc
import weakref

from engine import external_tasks, messages, projection
from engine.spec_facts import per_spec
from tests.support import deploy, make_engine

FACTS = (projection._is_timer, projection._timer_specs, messages._catches_events, external_tasks._has_external)


def test_a_fact_is_computed_once_per_spec_and_forgotten_with_it():
    class Spec:
        pass

    asked = []
    fact = per_spec(lambda spec: asked.append(spec) or len(asked))
    a, b = Spec(), Spec()
    assert (fact(a), fact(a), fact(b), fact(a)) == (1, 1, 2, 1)
    assert len(asked) == 2 and len(fact.facts) == 2
    gone = weakref.ref(a)
    del a, asked[:]
    gc.collect()
    assert gone() is None and len(fact.facts) == 1  # the fact went with its spec, and held nothing of it


def test_an_engine_let_go_leaves_no_spec_of_its_models_alive(database_url):
    engine = make_engine(database_url)
    known = {f: set(f.facts) for f in FACTS}
    deploy(engine, "deadline.bpmn")
    engine.start("deadline", by="zhang", org="east", party="P-1", data={"registered_at": "2026-09-28T09:00:00+08:00"})
    specs = [ref for f in FACTS for key, (ref, _) in list(f.facts.items()) if key not in known[f] and ref() is not None]
    assert len(specs) >= 3  # the start's step asked about this model's process and timer specs
    engine.dispose()
    del engine
    gc.collect()
    assert [ref for ref in specs if ref() is not None] == []
