"""Script output (脚本输出): ``print`` in a model's script writes to the case's log.

Designers debug scripts with ``print``; Camunda users expect it to work. Inside a step it records
the text as a ``script_output`` audit event of the case (written with the step), and logs it on
the ``duban.case`` logger; outside a step (a dry evaluation) it only logs.
"""
from __future__ import annotations

import logging

from . import scripting

log = logging.getLogger("duban.case")
MAX_OUTPUT = 2000


def script_print(*values, sep=" ", end="\n", **_ignored) -> None:
    record_output(str(sep).join(str(v) for v in values))


def record_output(text: str) -> None:
    """Text a script printed (in the host, or sent back by the isolated worker, engine/evaluator.py)."""
    text = text.rstrip("\n")[:MAX_OUTPUT]
    log.info("script output: %s", text)
    items = scripting._step_requests.get()
    if items is not None:
        items.append(("log", {"text": text}))
