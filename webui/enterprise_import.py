"""Importing the enterprise list through the web (企业名录导入): upload, dry run, confirm.

The registry's import (``workflows.enterprises.spreadsheet``) is all-or-nothing and names every bad
row. The page adds two things:

- the uploaded file is kept in the instance folder, under a random name remembered in the user's
  session, between the dry run and the confirmation: nobody uploads twice, and what goes in is
  exactly the file that was checked (and it is checked once more, all-or-nothing, when it does);
- an official imports only enterprises of the org units he oversees — a row for another district,
  or for an enterprise another district keeps, is a bad row like any other, with its line number.
"""
from __future__ import annotations

import io
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, session

from workflows.enterprises.models import Enterprise
from workflows.enterprises.spreadsheet import FORMATS, ImportReport, RowError, import_enterprises, parse

SESSION_KEY = "enterprise_import"
KEEP_SECONDS = 24 * 3600  # a staged file nobody confirmed is removed after a day


@dataclass(frozen=True)
class Staged:
    token: str
    filename: str
    fmt: str

    @property
    def path(self) -> Path:
        return _folder() / f"{self.token}.{self.fmt}"


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def format_of(filename: str) -> str | None:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if suffix in FORMATS else None


def stage(filename: str, content: bytes, fmt: str) -> Staged:
    """Keep an upload for its confirmation; the session remembers which file is this user's."""
    _sweep()
    staged = Staged(secrets.token_hex(16), filename, fmt)
    staged.path.write_bytes(content)
    session[SESSION_KEY] = {"token": staged.token, "filename": filename, "fmt": fmt}
    return staged


def staged(token: str) -> Staged | None:
    """The file this session uploaded under ``token``, if it is still there."""
    mine = session.get(SESSION_KEY) or {}
    if not token or mine.get("token") != token:
        return None
    found = Staged(token, mine.get("filename", ""), mine.get("fmt", ""))
    return found if found.fmt in FORMATS and found.path.exists() else None


def discard(item: Staged) -> None:
    item.path.unlink(missing_ok=True)
    session.pop(SESSION_KEY, None)


def _sweep() -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in _folder().iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def scope_errors(registry, content: bytes, fmt: str, scope: list[str] | None) -> list[RowError]:
    """Rows an official may not import: another org unit's, or an enterprise another unit keeps."""
    if scope is None:
        return []
    allowed = set(scope)
    rows = parse(io.BytesIO(content), fmt).rows
    errors = [RowError(line, "属地代码", f"“{values['org_unit']}”不在本单位管辖范围内")
              for line, values in rows if values["org_unit"] not in allowed]
    codes = [values["credit_code"] for _, values in rows]
    kept_elsewhere: dict[str, str] = {}
    with registry.transaction() as s:
        for start in range(0, len(codes), 500):
            chunk = codes[start:start + 500]
            kept_elsewhere.update(s.execute(sa.select(Enterprise.credit_code, Enterprise.org_unit)
                                            .where(Enterprise.credit_code.in_(chunk),
                                                   Enterprise.org_unit.not_in(allowed))).all())
    errors += [RowError(line, "统一社会信用代码", f"该企业属“{kept_elsewhere[values['credit_code']]}”管辖，不能在此导入更新")
               for line, values in rows if values["credit_code"] in kept_elsewhere]
    return errors


def check(registry, content: bytes, fmt: str, scope: list[str] | None) -> ImportReport:
    """The dry run: the registry's findings plus the scope's, every bad row in line order."""
    report = import_enterprises(registry, io.BytesIO(content), fmt=fmt, dry_run=True)
    extra = scope_errors(registry, content, fmt, scope)
    if extra:
        report.errors = sorted(report.errors + extra, key=lambda e: e.line)
        report.created = report.updated = report.unchanged = 0
    return report


def run(registry, content: bytes, fmt: str, scope: list[str] | None, *, by: str, filename: str) -> ImportReport:
    """Import for real, after checking the scope again (the registry checks the rest itself)."""
    if scope_errors(registry, content, fmt, scope):
        return check(registry, content, fmt, scope)
    return import_enterprises(registry, io.BytesIO(content), fmt=fmt, by=by,
                              reason=f"批量导入：{filename}" if filename else "批量导入")
