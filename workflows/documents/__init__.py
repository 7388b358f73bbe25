"""Documents (文书) each process produces, rendered as text from templates filled with case data.

    from workflows.documents import render, documents_for
    documents_for("enforcement_case")        # [{"key": "enforcement.notice", "title": "行政处罚告知书", "ready": ...}]
    render("enforcement.decision", case.data, issuer="示范市东城区应急管理局")

A document can be rendered at any stage; values the case does not have yet print as ＿＿＿＿.
``ready`` says whether the case has reached the step that issues it.
"""
from __future__ import annotations

from .format import BLANK, Blanks
from .templates import DOCUMENTS as _BASE, Document
from .accident_warning import DOCUMENTS as _WARNING
from .case_review import DOCUMENTS as _REVIEW
from .leader_inspection import DOCUMENTS as _LEADER

DOCUMENTS = [*_BASE, *_REVIEW, *_WARNING, *_LEADER]

_BY_KEY: dict[str, Document] = {d.key: d for d in DOCUMENTS}
DEFAULT_ISSUER = BLANK + "应急管理局"


def document(key: str) -> Document:
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown document {key!r}") from None


def documents_for(process_key: str, case_data: dict | None = None) -> list[dict]:
    """The documents ``process_key`` offers, with whether ``case_data`` is far enough to issue each."""
    return [{"key": d.key, "title": d.title, "ready": d.ready(case_data) if case_data is not None else None}
            for d in DOCUMENTS if d.process == process_key]


def render(doc_key: str, case_data: dict, issuer: str | None = None) -> str:
    """The document as plain text, filled with ``case_data`` (the issuing authority is ``issuer``)."""
    doc = document(doc_key)
    context = Blanks(doc.context(dict(case_data or {})))
    context["issuer"] = issuer or DEFAULT_ISSUER
    return doc.template.format_map(context)


__all__ = ["render", "documents_for", "document", "DOCUMENTS", "BLANK"]
