"""Documents of a case (文书：通知书、决定书) offered for download, if the domain provides them.

``workflows.documents`` is written separately; this adapter looks for what it offers and degrades
to "no documents" when it offers nothing: a ``render(doc_key, case_data)`` function, plus a way to
list the documents for a case — ``available(process_key, case_data)``, ``available(case_data)``,
``documents_for(...)``, or a ``DOCUMENTS`` mapping of key to title. ``render`` may return text, bytes, or
an object/tuple with a file name, content and media type — whatever it returns is offered only as a
download (``attachment``) of plain text, PDF, Word or bytes, never as HTML (see ``download``); if it takes an ``issuer``, the
case's org unit is named as the issuing authority. A listing entry may say whether the case is ``ready``
for the document (has reached the step that issues it); others are offered as drafts.
"""
from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    key: str
    title: str
    ready: bool | None = None  # None: the domain does not say


@dataclass(frozen=True)
class Rendered:
    filename: str
    content: bytes
    mimetype: str


def _module():
    return importlib.import_module("workflows.documents")  # a broken module is an error, not "no documents"


def available(process_key: str, data: dict) -> list[Document]:
    mod = _module()
    if mod is None or not callable(getattr(mod, "render", None)):
        return []
    listing = getattr(mod, "available", None) or getattr(mod, "documents_for", None)
    try:
        if callable(listing):
            params = len(inspect.signature(listing).parameters)
            found = listing(process_key, data) if params >= 2 else listing(data)
        else:
            found = getattr(mod, "DOCUMENTS", {})
    except Exception:  # noqa: BLE001 - a broken listing must not break the case page
        return []
    return [_as_document(item, found) for item in (found.items() if isinstance(found, dict) else found)]


def _as_document(item, _all) -> Document:
    if isinstance(item, Document):
        return item
    if isinstance(item, dict):
        return Document(str(item["key"]), str(item.get("title") or item["key"]), item.get("ready"))
    if isinstance(item, tuple):
        key, title = item[0], item[1]
        title = getattr(title, "title", title) if not isinstance(title, str) else title
        return Document(str(key), str(title))
    if isinstance(item, str):
        return Document(item, item)
    key = getattr(item, "key", None) or getattr(item, "id", None) or str(item)
    return Document(str(key), str(getattr(item, "title", None) or getattr(item, "name", None) or key))


# What a document download may be served as. Everything else — HTML above all, whatever the domain
# module says — goes out as plain text or as bytes to save: a 文书 is filled with case data (titles,
# names, descriptions typed by anyone), so it must never be a page the browser runs.
SAFE_TYPES = {
    "text/plain": ".txt",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/octet-stream": "",
}
TEXT = "text/plain; charset=utf-8"


def render(doc_key: str, data: dict, title: str | None = None, issuer: str | None = None) -> Rendered | None:
    """The document as a file to download: plain text (HTML from the domain is sent as its source
    text, never as a page), a PDF or Word file, or bytes to save."""
    mod = _module()
    if mod is None or not callable(getattr(mod, "render", None)):
        return None
    kwargs = {}
    if issuer and "issuer" in inspect.signature(mod.render).parameters:
        kwargs["issuer"] = issuer
    result = mod.render(doc_key, data, **kwargs)
    if result is None:
        return None
    base = title or doc_key
    if isinstance(result, str):
        return Rendered(f"{base}.txt", result.encode("utf-8"), TEXT)
    if isinstance(result, bytes):
        pdf = result[:4] == b"%PDF"
        return Rendered(f"{base}.pdf" if pdf else base, result, "application/pdf" if pdf else "application/octet-stream")
    if isinstance(result, tuple):
        name, content, *rest = result
        mimetype = rest[0] if rest else "application/octet-stream"
    else:
        name = getattr(result, "filename", None) or getattr(result, "name", None) or base
        content = getattr(result, "content", None)
        if content is None:
            content = getattr(result, "body", b"")
        mimetype = getattr(result, "mimetype", None) or getattr(result, "content_type", None) or TEXT
    return _safe(str(name), content, str(mimetype))


def _safe(name: str, content, mimetype: str) -> Rendered:
    kind = mimetype.split(";", 1)[0].strip().lower()
    if isinstance(content, str) or kind.startswith("text/"):
        text = content if isinstance(content, str) else bytes(content).decode("utf-8", "replace")
        stem = name.rsplit(".", 1)[0] if "." in name else name
        return Rendered(f"{stem}.txt", text.encode("utf-8"), TEXT)
    if kind not in SAFE_TYPES:
        kind = "application/octet-stream"
    return Rendered(name, bytes(content), kind)


def download(rendered: Rendered):
    """The HTTP response for a rendered document: always a download (``attachment``), never shown
    inline, in a CSP sandbox, and never sniffed into another type."""
    from urllib.parse import quote

    from flask import Response

    from .headers import DOWNLOAD_CSP
    response = Response(rendered.content, content_type=rendered.mimetype)
    ascii_name = "document" + (("." + rendered.filename.rsplit(".", 1)[1]) if "." in rendered.filename else "")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(rendered.filename)}")
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
