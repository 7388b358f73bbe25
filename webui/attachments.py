"""Attachments (附件): uploaded files kept in the instance folder, referenced from case data.

A form never puts a file into case data, only a reference string ``attachment:<id>/<file name>``;
the file itself sits at ``<instance>/attachments/<id>/file`` with a small ``meta.json`` naming the
case it was uploaded for. Downloading checks that the user may view that case, with the same policy
as the case page. The reference carries the original (often Chinese) file name, so pages can show it
without touching the disk.
"""
from __future__ import annotations

import json
import re
import unicodedata
import uuid
from pathlib import Path

from flask import Blueprint, abort, current_app, g, send_file, url_for
from werkzeug.datastructures import FileStorage

from engine.errors import Forbidden

from .headers import DOWNLOAD_CSP

PREFIX = "attachment:"
_BAD = re.compile(r'[\x00-\x1f/\\:*?"<>|]+')

bp = Blueprint("attachments", __name__, url_prefix="/attachments")


def _root() -> Path:
    return Path(current_app.config["ATTACHMENT_DIR"])


def clean_name(name: str) -> str:
    """The uploaded file's name as it is kept and offered back: no path, no characters a file name
    may not hold, and no invisible format characters — a right-to-left override (U+202E) makes
    「整改报告\u202Efdp.exe」 show as 「整改报告exe.pdf」, a program dressed as a PDF."""
    name = "".join(ch for ch in (name or "") if unicodedata.category(ch) != "Cf")
    name = _BAD.sub("_", name.strip()).strip(". ") or "附件"
    return name[-120:]


def store(upload: FileStorage, case_id: int, username: str, at) -> str:
    """Save one uploaded file; returns its reference string for the case data."""
    ident = uuid.uuid4().hex
    folder = _root() / ident
    folder.mkdir(parents=True)
    upload.save(folder / "file")
    name = clean_name(upload.filename or "")
    meta = {"name": name, "case_id": case_id, "by": username, "at": at.isoformat(),
            "content_type": upload.mimetype or "application/octet-stream", "size": (folder / "file").stat().st_size}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return f"{PREFIX}{ident}/{name}"


def store_all(files, field_names: list[str], case_id: int, username: str, at) -> dict[str, list[str]]:
    """Every non-empty upload of each attachments field (inputs named ``<field>__upload``)."""
    out: dict[str, list[str]] = {}
    for name in field_names:
        for upload in files.getlist(f"{name}__upload"):
            if upload and upload.filename:
                out.setdefault(name, []).append(store(upload, case_id, username, at))
    return out


class PendingUploads:
    """The uploads of one submit, named but not yet on disk: a form is validated with their
    references first, and ``save`` writes them only once it passes — a refused submit leaves no
    file behind (an attacker cannot fill the disk with submits that never validate)."""

    def __init__(self, files, field_names: list[str]):
        self.refs: dict[str, list[str]] = {}
        self._waiting: list[tuple[str, str, FileStorage]] = []  # (ident, clean name, upload)
        self._saved: list[str] = []
        for name in field_names:
            for upload in files.getlist(f"{name}__upload"):
                if upload and upload.filename:
                    ident, clean = uuid.uuid4().hex, clean_name(upload.filename)
                    self._waiting.append((ident, clean, upload))
                    self.refs.setdefault(name, []).append(f"{PREFIX}{ident}/{clean}")

    def all_refs(self) -> set[str]:
        return {ref for refs in self.refs.values() for ref in refs}

    def save(self, case_id: int, username: str, at) -> None:
        for ident, clean, upload in self._waiting:
            folder = _root() / ident
            folder.mkdir(parents=True)
            upload.save(folder / "file")
            meta = {"name": clean, "case_id": case_id, "by": username, "at": at.isoformat(),
                    "content_type": upload.mimetype or "application/octet-stream",
                    "size": (folder / "file").stat().st_size}
            (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            self._saved.append(ident)
        self._waiting = []

    def discard(self) -> None:
        """Remove what ``save`` wrote (the step that was to reference it did not happen)."""
        import shutil
        for ident in self._saved:
            shutil.rmtree(_root() / ident, ignore_errors=True)
        self._saved = []


_REF = re.compile(PREFIX + r"[0-9a-f]{32}/.+")


def foreign_links(engine, task, fields: list[dict] | None, data: dict, fresh=frozenset()
                  ) -> tuple[dict[str, str], set[str]]:
    """({field: reason}, the references refused) for each file field of ``task``'s form that links a file this step may not
    link, by the page or the REST API alike. A step links the files uploaded with this submit
    (``fresh``) and those it linked in the same field before (its form submitted again after 退回:
    the 整改方案 keeps its file) — not another step's (the 现场照片 of 登记隐患 linked as 整改报告),
    not another case's, not one uploaded with a submit that never completed (refused, withdrawn),
    and not a reference made up (``attachment:`` and no file). Another case's file would show in this
    case to people who may not see that case, and a report would name evidence nobody gave for it."""
    files = {f["name"]: f.get("label") or f["name"] for f in fields or [] if f.get("type") == "attachments"}
    # a key no file field declares (a step with no form takes any data) is checked all the same
    files.update({name: "附件" for name, value in data.items() if name not in files and isinstance(value, list)
                  and any(isinstance(r, str) and r.startswith(PREFIX) for r in value)})
    linked = {name: [r for r in data[name] if isinstance(r, str) and r.startswith(PREFIX) and r not in fresh]
              for name in files if isinstance(data.get(name), list)}
    linked = {name: refs for name, refs in linked.items() if refs}
    if not linked:
        return {}, set()
    from .taskcontext import steps
    case = engine.case(task.case_id)
    mine = [s for s in steps(engine, case) if s.form_key == task.form_key and s.element == task.spec_id]
    errors, refused = {}, set()
    for name, refs in linked.items():
        allowed = {r for s in mine for r in (s.data.get(name) or []) if isinstance(r, str)}
        foreign = [r for r in refs if r not in allowed or not _REF.fullmatch(r)]
        refused.update(foreign)
        if foreign:
            errors[name] = (f"「{files[name]}」中的附件「{name_of(foreign[0]) if is_ref(foreign[0]) else foreign[0]}」"
                            "不是本环节上传的文件，不能在此引用，请重新上传")
    return errors, refused


def is_ref(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX) and "/" in value


def name_of(ref: str) -> str:
    return ref[len(PREFIX):].split("/", 1)[1] if is_ref(ref) else str(ref)


def url_of(ref: str) -> str | None:
    if not is_ref(ref):
        return None
    ident, name = ref[len(PREFIX):].split("/", 1)
    return url_for("attachments.download", ident=ident, name=name)


@bp.get("/<ident>/<path:name>")
def download(ident: str, name: str):
    if not re.fullmatch(r"[0-9a-f]{32}", ident):
        abort(404)
    folder = _root() / ident
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        abort(404)
    engine = current_app.extensions["duban_engine"]
    if not engine.can_view(meta["case_id"], g.user.username):
        raise Forbidden("无权下载该附件")
    response = send_file(folder / "file", mimetype=served_type(meta.get("content_type")), as_attachment=True,
                         download_name=meta.get("name") or name)
    # Whatever type the uploader claimed, never a page of this site: a download in a CSP sandbox.
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


# What an attachment may be served as: the kinds of evidence a case holds (照片、扫描件、文书、表格、
# 录像). The type is the uploader's claim, so anything else — a script, HTML, SVG, XML, CSS — goes out
# as bytes to save: with ``nosniff`` a browser then never runs it, not even as another page's
# ``<script src>`` from this origin (which the page CSP's script-src 'self' would allow).
SAFE_TYPES = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff", "image/heic",
    "application/pdf", "application/ofd", "text/plain", "text/csv",
    "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/zip", "application/x-zip-compressed", "application/x-rar-compressed", "application/vnd.rar",
    "application/x-7z-compressed", "video/mp4", "video/quicktime", "audio/mpeg", "audio/mp4", "audio/amr",
})


def served_type(claimed: str | None) -> str:
    """The Content-Type an attachment is served with: the uploader's claim if it is a kind of
    evidence (``SAFE_TYPES``), else application/octet-stream."""
    kind = (claimed or "").split(";", 1)[0].strip().lower()
    return kind if kind in SAFE_TYPES else "application/octet-stream"


def install_filters(app) -> None:
    app.jinja_env.filters.update(is_attachment=is_ref, attachment_name=name_of, attachment_url=url_of)
