"""pytest plugin loaded only by mutmut's runner (``[tool.mutmut] pytest_add_cli_args`` in pyproject.toml).

Why it exists: mutmut 3.8 runs each mutant's tests in a forked child under ``RLIMIT_CPU`` with a
*hard* limit (soft = the mutant's time budget, hard = soft + 1 s, mutmut/workers/isolation.py).
Duban's model-code evaluator workers (engine/evaluator_worker.py) are children of that child and
inherit the hard limit; before each job a worker sets its own soft limit with an unlimited hard
one, which the kernel refuses (raising a hard limit needs CAP_SYS_RESOURCE), so the worker dies at
its first job, every expression of every model becomes an incident, every test that runs a model
fails, and mutmut reports every mutant as *killed*, survivors included (docs/mutation.md: "its
verdicts were wrong"). Plain ``pytest`` never sets a hard CPU limit, so only mutmut's runs broke.
Since be8036a the workers keep within an inherited hard limit; this plugin stays as a second
safeguard, so a regression there cannot turn every mutant into a false kill again.

What it does: it is imported in mutmut's own process (mutmut loads it for its first pytest run,
before it forks any mutant's child) and makes mutmut's CPU limit soft only: a ``setrlimit`` of
``RLIMIT_CPU`` made in that process keeps its soft value and leaves the hard one as it was
(unlimited). mutmut's timeout still works — SIGXCPU at the soft limit ends the child, and mutmut's
wall-clock timer stays — and the evaluator workers run as they do in production. Nothing of Duban
is changed: the wrapper is on the standard library's ``resource.setrlimit`` of mutmut's process
only (the evaluator workers are fresh interpreters and do not see it).
"""
from __future__ import annotations

import resource

_setrlimit = resource.setrlimit


def _soft_cpu_limit(which, limits):
    if which == resource.RLIMIT_CPU:
        limits = (limits[0], resource.getrlimit(resource.RLIMIT_CPU)[1])
    return _setrlimit(which, limits)


if resource.setrlimit is _setrlimit:          # loaded once per process, whatever pytest.main runs follow
    resource.setrlimit = _soft_cpu_limit
