"""The four processes of DESIGN §3, in the order the issue lists them."""
from __future__ import annotations

from . import accident, assessment, enforcement, hazard

PROCESSES = [hazard.build(), accident.build(), enforcement.build(), assessment.build()]
