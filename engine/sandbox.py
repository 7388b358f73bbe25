"""The script sandbox (脚本沙箱): how model code is kept away from the host — the entry points.

Model code (scripts, conditions, timer expressions, task properties, DMN cells, message payloads)
is written by process designers. Three layers keep a careless or hostile model from the host; each
holds on its own (tests/test_security_probes.py switches the first one off and probes the rest):

1. **Deploy check** — ``check_model``: every place a model keeps code (engine/code_locations.py)
   compiled by RestrictedPython under our policy (engine/restricted.py); a model that reaches for
   ``__class__``, ``import``, ``str.format``, ``match`` class patterns... is refused with the
   element and line at fault.
2. **Restricted runtime** — the same compile before every evaluation, with allow-listed builtins
   and guarded attribute, item and iteration access (engine/evaluator.py).
3. **Isolation** — anything but a plain comparison or a date-helper call on case data and literals
   (engine/date_calls.py, which does in the host only what a worker would ask the host to do) runs
   in a worker process without secrets, database or network, under CPU-time, memory and wall-clock
   bounds; a hung or dead worker is replaced and the case gets an incident (engine/evaluator.py,
   engine/evaluator_worker.py).

Design and numbers: docs/sandbox.md.
"""
from __future__ import annotations

from . import restricted
from .code_locations import check_model, locations
from .evaluator import EvaluatorCrashed, ModelCodeError, ScriptTimeout
from .restricted import MAX_RANGE, ModelCodeRefused, bounded_range


def check_code(source: str, mode: str = "exec") -> list[str]:
    """Problems (Chinese, one per offending construct) with one script or expression; [] if fine."""
    return restricted.problems(source, mode)


__all__ = ["check_code", "check_model", "locations", "ScriptTimeout", "EvaluatorCrashed", "ModelCodeError",
           "ModelCodeRefused", "MAX_RANGE", "bounded_range"]
