"""Documents of a case (文书：通知书、决定书) offered for download, if the domain provides them.

``workflows.documents`` is written separately; this adapter looks for what it offers and degrades
to "no documents" when it offers nothing: a ``render(doc_key, case_data)`` function, plus a way to
list the documents for a case — ``available(process_key, case_data)``, ``available(case_data)``,
``documents_for(...)``, or a ``DOCUMENTS`` mapping of key to title. ``render`` may return text (plain or HTML),
bytes, or an object/tuple with a file name, content and media type; if it takes an ``issuer``, the
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
    try:
        return importlib.import_module("workflows.documents")
    except ImportError:
        return None


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


def render(doc_key: str, data: dict, title: str | None = None, issuer: str | None = None) -> Rendered | None:
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
    default_name = f"{base}.html"
    if isinstance(result, str):
        if result.lstrip().startswith("<"):
            return Rendered(default_name, result.encode("utf-8"), "text/html; charset=utf-8")
        return Rendered(f"{base}.txt", result.encode("utf-8"), "text/plain; charset=utf-8")
    if isinstance(result, bytes):
        return Rendered(f"{base}.pdf" if result[:4] == b"%PDF" else default_name, result,
                        "application/pdf" if result[:4] == b"%PDF" else "application/octet-stream")
    if isinstance(result, tuple):
        name, content, *rest = result
        mimetype = rest[0] if rest else "application/octet-stream"
    else:
        name = getattr(result, "filename", None) or getattr(result, "name", None) or default_name
        content = getattr(result, "content", None)
        if content is None:
            content = getattr(result, "body", b"")
        mimetype = getattr(result, "mimetype", None) or getattr(result, "content_type", None) or "text/html"
    if isinstance(content, str):
        content = content.encode("utf-8")
        if "charset" not in mimetype and mimetype.startswith("text/"):
            mimetype += "; charset=utf-8"
    return Rendered(str(name), content, mimetype)
