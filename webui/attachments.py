"""Attachments (附件): uploaded files kept in the instance folder, referenced from case data.

A form never puts a file into case data, only a reference string ``attachment:<id>/<file name>``;
the file itself sits at ``<instance>/attachments/<id>/file`` with a small ``meta.json`` naming the
case it was uploaded for. Downloading checks that the user may view that case, with the same policy
as the case page. The reference carries the original (often Chinese) file name, so pages can show it
without touching the disk.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, abort, current_app, g, send_file, url_for
from werkzeug.datastructures import FileStorage

from engine.errors import Conflict, Forbidden

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


HELD_SECONDS = 24 * 3600   # a refused submit's files wait this long for the form to go in
HELD_MAX_BYTES = 50 * 1024 * 1024  # per task and person: one submit's worth (MAX_CONTENT_LENGTH)
HELD_GONE = "暂存的附件「{name}」已过期或已随另一次提交使用，请重新选择"
HELD_LOST = "有暂存的附件已过期或已随另一次提交使用，请重新选择"
_IDENT = re.compile(r"[0-9a-f]{32}")


def _held_root() -> Path:
    """Files of refused submits (暂存附件), beside the attachments but never under them: the download
    route serves ``<attachments>/<id>`` only, so a held file is reachable by nobody until its form goes in."""
    return Path(current_app.config.get("HELD_UPLOAD_DIR") or _root().with_name("held_uploads"))


def _held_folder(task_id: str, username: str) -> Path:
    """The folder of one task's files held for one person: named by a hash of both, so a file posted
    as held is found only in the folder of the task and the person submitting (nobody else's)."""
    key = hashlib.blake2b(f"{task_id}\0{username}".encode(), digest_size=16).hexdigest()
    return _held_root() / key


def _size_text(size: int) -> str:
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


@dataclass
class Held:
    """A file of a refused submit, kept for the task and person it was chosen by (shown under its
    field with its size and a 移除 button; posted back as ``<field>__held``)."""
    ident: str
    name: str
    field: str
    size: int
    content_type: str
    held_at: float

    @property
    def size_text(self) -> str:
        return _size_text(self.size)


def _read_held(folder: Path, ident: str, now: float) -> Held | None:
    if not _IDENT.fullmatch(ident or ""):
        return None
    try:
        meta = json.loads((folder / ident / "meta.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, ValueError):
        return None
    held = Held(ident, meta["name"], meta["field"], int(meta["size"]), meta["content_type"], float(meta["held_at"]))
    return held if now - held.held_at < HELD_SECONDS else None


def held_files(task_id: str, username: str) -> dict[str, list[Held]]:
    """{field: [Held]} the files ``username`` chose for ``task_id`` in submits that were refused, oldest
    first; expired ones are not offered (``sweep_held`` removes them)."""
    folder, now = _held_folder(task_id, username), time.time()
    if not folder.is_dir():
        return {}
    found = [h for h in (_read_held(folder, p.name, now) for p in folder.iterdir()) if h]
    out: dict[str, list[Held]] = {}
    for h in sorted(found, key=lambda h: (h.held_at, h.ident)):
        out.setdefault(h.field, []).append(h)
    return out


def drop_held(task_id: str, username: str) -> None:
    """Forget what was held for the task and person (the form went in; what it did not take was removed)."""
    shutil.rmtree(_held_folder(task_id, username), ignore_errors=True)


def sweep_held(now: float | None = None) -> int:
    """Remove held files past ``HELD_SECONDS`` (a form never submitted again); returns how many."""
    root, now = _held_root(), time.time() if now is None else now
    if not root.is_dir():
        return 0
    removed = 0
    for folder in root.iterdir():
        for item in list(folder.iterdir()) if folder.is_dir() else []:
            if _read_held(folder, item.name, now) is None:
                shutil.rmtree(item, ignore_errors=True)
                removed += 1
        try:
            folder.rmdir()  # only if empty
        except OSError:
            pass
    return removed


def _write_meta(folder: Path, meta: dict) -> None:
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


class PendingUploads:
    """The files of one submit: those uploaded with it, named but not yet on disk, and those held from
    this task's earlier refused submits by the same person (``<field>__held``). The form is validated
    with their references first; ``save`` writes them into the attachments only once it passes.
    A refused submit keeps them (``hold``) for this task and this person alone, out of the download
    route's reach, for ``HELD_SECONDS`` and up to ``HELD_MAX_BYTES``: the page lists them and they go
    in with the form when it passes — the person does not have to choose them again (and often did
    not notice they had to). Without a task and person nothing is held (the old behaviour)."""

    def __init__(self, files, field_names: list[str], task_id: str | None = None, username: str | None = None,
                 form=None):
        self.refs: dict[str, list[str]] = {}
        self.gone: dict[str, str] = {}  # field -> why a held file posted back is no longer there
        self.not_held: list[str] = []   # names of files a refused submit could not keep (over the limit)
        self._task, self._user = task_id, username
        self._waiting: list[tuple[str, str, str, FileStorage]] = []  # (field, ident, clean name, upload)
        self._held: list[Held] = []
        self._saved: list[tuple[str, Held | None]] = []
        now = time.time()
        held_folder = _held_folder(task_id, username) if task_id and username else None
        for name in field_names:
            for ident in form.getlist(f"{name}__held") if form is not None and held_folder else []:
                held = _read_held(held_folder, ident, now) if held_folder else None
                if held is None or held.field != name:
                    self.gone.setdefault(name, HELD_LOST)
                    continue
                if held.ident not in {h.ident for h in self._held}:
                    self._held.append(held)
                    self.refs.setdefault(name, []).append(f"{PREFIX}{held.ident}/{held.name}")
            for upload in files.getlist(f"{name}__upload"):
                if upload and upload.filename:
                    ident, clean = uuid.uuid4().hex, clean_name(upload.filename)
                    self._waiting.append((name, ident, clean, upload))
                    self.refs.setdefault(name, []).append(f"{PREFIX}{ident}/{clean}")

    def all_refs(self) -> set[str]:
        return {ref for refs in self.refs.values() for ref in refs}

    def save(self, case_id: int, username: str, at) -> None:
        """Into the attachments, for ``case_id``. A held file is moved (one rename): a second submit of
        the same form (another tab, a double click) finds it gone and is refused before it completes."""
        meta = {"case_id": case_id, "by": username, "at": at.isoformat()}
        held_folder = _held_folder(self._task, self._user) if self._task and self._user else None
        for held in self._held:
            folder = _root() / held.ident
            folder.parent.mkdir(parents=True, exist_ok=True)
            try:
                (held_folder / held.ident).rename(folder)  # type: ignore[operator]
            except FileNotFoundError:
                self.discard(keep=True)
                raise Conflict(HELD_GONE.format(name=held.name)) from None
            _write_meta(folder, {"name": held.name, **meta, "content_type": held.content_type, "size": held.size})
            self._saved.append((held.ident, held))
        self._held = []
        for field, ident, clean, upload in self._waiting:
            folder = _root() / ident
            folder.mkdir(parents=True)
            upload.save(folder / "file")
            _write_meta(folder, {"name": clean, **meta, "content_type": upload.mimetype or "application/octet-stream",
                                 "size": (folder / "file").stat().st_size})
            self._saved.append((ident, Held(ident, clean, field, (folder / "file").stat().st_size,
                                            upload.mimetype or "application/octet-stream", time.time())))
        self._waiting = []

    def discard(self, keep: bool = False) -> None:
        """Take back what ``save`` wrote (the step that was to reference it did not happen): held again
        for the task and person if ``keep`` (the engine refused the data), else removed."""
        held_folder = _held_folder(self._task, self._user) if keep and self._task and self._user else None
        for ident, held in self._saved:
            if held_folder is None or held is None:
                shutil.rmtree(_root() / ident, ignore_errors=True)
                continue
            held_folder.mkdir(parents=True, exist_ok=True)
            (_root() / ident).rename(held_folder / ident)
            _write_meta(held_folder / ident, {"name": held.name, "field": held.field, "size": held.size,
                                              "content_type": held.content_type, "held_at": held.held_at})
            self._held.append(held)
        self._saved = []

    def hold(self) -> dict[str, list[Held]]:
        """The submit was refused: keep its new files beside the held ones it posted back, drop the held
        files it did not post back (移除), and return what is held now, {field: [Held]}."""
        if not (self._task and self._user):
            return {}
        sweep_held()
        folder = _held_folder(self._task, self._user)
        keep = {h.ident for h in self._held}
        if folder.is_dir():
            for item in folder.iterdir():
                if item.name not in keep:
                    shutil.rmtree(item, ignore_errors=True)
        total = sum(h.size for h in self._held)
        limit = min(HELD_MAX_BYTES, int(current_app.config.get("MAX_CONTENT_LENGTH") or HELD_MAX_BYTES))
        for field, ident, clean, upload in self._waiting:
            target = folder / ident
            target.mkdir(parents=True)
            upload.save(target / "file")
            size = (target / "file").stat().st_size
            if total + size > limit:
                shutil.rmtree(target, ignore_errors=True)
                self.not_held.append(clean)
                continue
            total += size
            _write_meta(target, {"name": clean, "field": field, "size": size, "held_at": time.time(),
                                 "content_type": upload.mimetype or "application/octet-stream"})
        self._waiting = []
        return held_files(self._task, self._user)


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
