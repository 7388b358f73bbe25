"""Errors the engine raises to its callers (web UI, API, CLI).

Each carries a message fit to show a user; callers map them to HTTP statuses (403, 409, 422...).
"""
from __future__ import annotations


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class NotFound(EngineError):
    """No such case, task, model, user or org unit."""


class Forbidden(EngineError):
    """The user may not do this (wrong role, org unit, enterprise, or not the assignee)."""


class Conflict(EngineError):
    """The task was already completed or claimed by someone else, or the case changed meanwhile."""


class InvalidData(EngineError):
    """Submitted data failed validation. ``errors`` maps field name to the reason (Chinese)."""

    def __init__(self, errors: dict[str, str], message: str | None = None):
        self.errors = dict(errors)
        super().__init__(message or "; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class InvalidModel(EngineError):
    """A BPMN/DMN file cannot be deployed. Names the file, the line and the element at fault."""

    def __init__(self, message: str, *, filename: str | None = None, line: int | None = None,
                 element_id: str | None = None, problems: list[dict] | None = None):
        self.message = message  # without the file/line/element prefix of str(exc)
        self.filename = filename
        self.line = line
        self.element_id = element_id
        self.problems = problems or [{"message": message, "line": line, "element_id": element_id}]
        where = ", ".join(p for p in (
            filename,
            f"line {line}" if line else None,
            f"element '{element_id}'" if element_id else None) if p)
        super().__init__(f"{where}: {message}" if where else message)


class IncidentRaised(EngineError):
    """A script, service or rule task failed; the case stays where it was and an incident is open."""

    def __init__(self, incident_id: int, message: str, *, element_id: str | None = None, case_id: int | None = None):
        self.incident_id = incident_id
        self.message = message  # the incident's text, as stored
        self.element_id = element_id  # the failed element
        self.case_id = case_id  # None when a start failed
        super().__init__(f"incident #{incident_id}: {message}")
