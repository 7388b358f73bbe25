"""Duban's BPMN runtime: persistence, queues, timers, audit. Knows nothing of work safety.

    from engine import Engine
    eng = Engine("sqlite:///duban.sqlite")
"""
from .clock import ManualClock, SystemClock
from .cases import CaseView
from .engine import Engine
from .errors import Conflict, EngineError, Forbidden, IncidentRaised, InvalidData, InvalidModel, NotFound

__all__ = ["Engine", "CaseView", "ManualClock", "SystemClock", "EngineError", "Conflict", "Forbidden",
           "IncidentRaised", "InvalidData", "InvalidModel", "NotFound"]
