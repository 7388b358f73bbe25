"""Import and export of the registry as a spreadsheet (CSV or .xlsx), one enterprise per row.

Districts hand over their enterprise lists as Excel files. An import is all-or-nothing: every row
is validated first and every bad row is reported with its row number, column and reason, and
nothing is written until the whole file is clean; then all rows go in one transaction. The export
writes the same columns, so an exported file can be edited and imported again (round trip).

Row numbers are the spreadsheet's: the header is row 1, the first enterprise row 2, and blank
rows still count, so a clerk can go straight to the row in Excel.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from marshmallow import ValidationError

from engine.typed_input import without_controls

from . import credit_code, search_index
from .models import Enterprise, RiskLevelChange
from .registry import EnterpriseRegistry
from .schemas import FIELD_LABELS, EnterpriseSchema, first_messages

#: Column order of the spreadsheet: attribute name and the Chinese header a clerk sees.
COLUMNS: list[tuple[str, str]] = [(attr, FIELD_LABELS[attr]) for attr in (
    "credit_code", "name", "address", "org_unit", "sector", "size", "legal_rep", "legal_rep_phone",
    "safety_manager", "safety_manager_phone", "risk_level", "last_inspected_on", "dishonest",
    "dishonest_from", "dishonest_until", "kind")]
HEADER_OF = dict(COLUMNS)
ATTR_OF = {header: attr for attr, header in COLUMNS}
REQUIRED_HEADERS = ["统一社会信用代码", "企业名称", "属地代码", "行业类别", "企业规模"]
FORMATS = ("csv", "xlsx")
_CHUNK = 500  # codes per IN (...) lookup; far below SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class RowError:
    """One problem: spreadsheet row number, column header (or 文件/表头), and the reason in Chinese."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"第{self.line}行 {self.field}：{self.message}"


@dataclass
class ImportReport:
    """What an import found and did. ``created``/``updated`` are what it did, or would do on a dry run."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})

    def __str__(self) -> str:
        if self.errors:
            head = f"共{self.rows}行，{len(self.bad_lines)}行有误，未导入任何数据："
            return "\n".join([head, *map(str, self.errors)])
        verb = "可导入" if self.dry_run else "已导入"
        return f"共{self.rows}行，{verb}：新增{self.created}家，更新{self.updated}家，无变化{self.unchanged}家"


class SpreadsheetError(ValueError):
    """A file that cannot be read at all (wrong format, not a spreadsheet); message in Chinese."""


# -- reading ---------------------------------------------------------------------------------------

def _format_of(source, fmt: str | None) -> str:
    if fmt is None and isinstance(source, (str, os.PathLike)):
        fmt = Path(source).suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise SpreadsheetError(f"不支持的文件格式“{fmt}”，请使用 CSV 或 xlsx")
    return fmt


def _cell_text(value) -> str:
    """A cell as the text a clerk sees: dates as YYYY-MM-DD, whole numbers without “.0”."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value[:1] == "'" and value[1:].startswith(FORMULA_START):
        value = value[1:]  # our export's guard against formulas (see _csv_safe)
    return without_controls(str(value))  # a NUL PostgreSQL refuses, a character no .xlsx holds


def _csv_rows(source) -> Iterator[list]:
    raw = source.read() if hasattr(source, "read") else Path(source).read_bytes()
    if isinstance(raw, bytes):
        # Excel on Chinese Windows saves CSV as GBK; everything else writes UTF-8 (maybe with BOM).
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                raw = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    yield from csv.reader(io.StringIO(raw, newline=""))


UNREADABLE = "无法读取 xlsx 文件：文件已损坏，或不是用 Excel、WPS 保存的 .xlsx 文件；请用 Excel 或 WPS 打开后另存为 .xlsx 再上传"
MAX_ROWS = 100_000                   # enterprises one file may bring: a province's registry is split by city
MAX_UNPACKED = 256 * 1024 * 1024     # an xlsx unpacked: 100,000 full rows take ~60 MB; a zip bomb far more


def _unpacked_size(source) -> int:
    """What the xlsx (a zip) says its parts take unpacked; Python's zipfile reads no more than that
    of a part, so a part lying about it stops there."""
    import zipfile
    with zipfile.ZipFile(source) as package:
        size = sum(info.file_size for info in package.infolist())
    if hasattr(source, "seek"):
        source.seek(0)
    return size


def _xlsx_rows(source) -> Iterator[list]:
    """The first sheet's rows. A file openpyxl cannot read — not a zip, a part missing or not XML, a
    zip bomb — is a SpreadsheetError in Chinese (an upload by anyone with the import page); before,
    a truncated sheet or a missing workbook part was a 500 and a zip's own English error was shown."""
    import openpyxl  # optional at import time: only spreadsheets need it
    try:
        if _unpacked_size(source) > MAX_UNPACKED:
            raise SpreadsheetError(f"xlsx 文件解压后超过 {MAX_UNPACKED // 2**20} MB，请删去多余的工作表、图片后重新保存，或分批导入")
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except SpreadsheetError:
        raise
    except Exception:  # noqa: BLE001 - openpyxl's errors on a crafted file are many kinds (zip, XML, index)
        raise SpreadsheetError(UNREADABLE) from None
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    except Exception:  # noqa: BLE001 - a sheet cut short or not XML, found as it is read
        raise SpreadsheetError(UNREADABLE) from None
    finally:
        book.close()


def read_rows(source, fmt: str | None = None) -> Iterator[tuple[int, list]]:
    """``(row number, raw cell values)`` for every row of the first sheet, header included."""
    rows = _csv_rows(source) if _format_of(source, fmt) == "csv" else _xlsx_rows(source)
    for number, row in enumerate(rows, start=1):
        yield number, row


def _check_header(cells: list) -> tuple[list[str | None], list[RowError]]:
    """Map each column to an attribute; a wrong header makes every row meaningless, so it is an error."""
    errors, attrs, seen = [], [], set()
    for cell in cells:
        header = _cell_text(cell).strip()
        if not header:
            attrs.append(None)
            continue
        if header not in ATTR_OF:
            errors.append(RowError(1, header, "未知列（列名须与导出模板一致）"))
        elif header in seen:
            errors.append(RowError(1, header, "列名重复"))
        seen.add(header)
        attrs.append(ATTR_OF.get(header))
    for header in REQUIRED_HEADERS:
        if header not in seen:
            errors.append(RowError(1, header, "缺少必填列"))
    return attrs, errors


@dataclass
class _Parsed:
    present: set[str]
    rows: list[tuple[int, dict]]
    errors: list[RowError]
    count: int


def parse(source, fmt: str | None = None, max_rows: int = MAX_ROWS) -> _Parsed:
    """Validate every row without touching the database; a file of more than ``max_rows``
    enterprises is refused at the first row past them."""
    schema = EnterpriseSchema()
    rows_iter = read_rows(source, fmt)
    try:
        _, header = next(rows_iter)
    except StopIteration:
        return _Parsed(set(), [], [RowError(1, "文件", "文件为空")], 0)
    attrs, errors = _check_header(header)
    if errors:
        return _Parsed(set(), [], errors, 0)
    present = {a for a in attrs if a}
    good: list[tuple[int, dict]] = []
    first_line_of: dict[str, int] = {}
    count = 0
    for line, cells in rows_iter:
        if all(_cell_text(c).strip() == "" for c in cells):
            continue
        count += 1
        if count > max_rows:
            return _Parsed(present, [], [RowError(line, "文件", f"超过 {max_rows} 家企业，请按区县分成几个文件导入")], count)
        raw = {attr: _cell_text(cell) for attr, cell in zip(attrs, cells) if attr}
        bad = {}
        try:
            values = schema.load(raw)
        except ValidationError as err:
            bad = first_messages(err.messages)
            values = None
        at = attrs.index("credit_code")
        if at < len(cells) and isinstance(cells[at], float):
            # Excel keeps 15 significant digits: an all-digit code typed as a number is already lost.
            bad["credit_code"] = "单元格为数字格式，长数字已失真，请将该列设为文本后重新填写"
        if "credit_code" not in bad:
            # Checked even when other cells of either row are wrong, so one pass shows every problem.
            earlier = first_line_of.setdefault(credit_code.normalize(raw["credit_code"]), line)
            if earlier != line:
                bad["credit_code"] = f"与第{earlier}行重复"
        if bad:
            errors += [RowError(line, HEADER_OF.get(attr, attr), msg) for attr, msg in bad.items()]
        else:
            good.append((line, values))
    return _Parsed(present, good, errors, count)


# -- importing -------------------------------------------------------------------------------------

def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def import_enterprises(registry: EnterpriseRegistry, source, *, fmt: str | None = None,
                       by: str = "import", reason: str = "批量导入", dry_run: bool = False
                       ) -> ImportReport:
    """Import a spreadsheet: all rows or none.

    New codes are added; known codes are updated in the columns the file has (a column left out of
    the file leaves that attribute alone). A risk level that differs from the stored one is
    recorded in the risk history with ``by`` and ``reason``; a blank risk-level cell never clears
    a level. ``dry_run`` validates and counts but writes nothing.
    """
    parsed = parse(source, fmt)
    report = ImportReport(rows=parsed.count, errors=parsed.errors, dry_run=dry_run)
    if parsed.errors:
        return report
    now = registry.now()
    with registry.transaction() as s:
        existing: dict[str, Enterprise] = {}
        codes = [values["credit_code"] for _, values in parsed.rows]
        for chunk in _chunks(codes):
            for ent in s.scalars(sa.select(Enterprise).where(Enterprise.credit_code.in_(chunk))):
                existing[ent.credit_code] = ent
        new_rows = [values for _, values in parsed.rows if values["credit_code"] not in existing]
        updates = _plan_updates(parsed, existing)
        report.created, report.updated = len(new_rows), len(updates)
        report.unchanged = len(existing) - len(updates)
        if dry_run:
            s.rollback()
            return report
        search_index.bulk_insert(s.connection(), Enterprise.__table__,
                                 [Enterprise.insert_values(v, now) for v in new_rows])
        changes = []
        for ent, attrs in updates:
            if "risk_level" in attrs:
                changes.append({"enterprise_id": ent.id, "old_level": ent.risk_level,
                                "new_level": attrs["risk_level"]})
            for key, value in attrs.items():
                setattr(ent, key, value)
            ent.updated_at = now
        s.flush()
        graded = [v["credit_code"] for v in new_rows if v.get("risk_level")]
        for chunk in _chunks(graded):
            rows = s.execute(sa.select(Enterprise.id, Enterprise.risk_level)
                             .where(Enterprise.credit_code.in_(chunk)))
            changes += [{"enterprise_id": id_, "old_level": None, "new_level": level} for id_, level in rows]
        if changes:
            s.execute(sa.insert(RiskLevelChange),
                      [{**c, "changed_by": by, "changed_at": now, "reason": reason} for c in changes])
    report.imported = True
    return report


def _plan_updates(parsed: _Parsed, existing: dict[str, Enterprise]) -> list[tuple[Enterprise, dict]]:
    """For each known enterprise whose row differs, the attributes to change."""
    keys = parsed.present - {"credit_code"}
    if "dishonest_from" in keys:
        keys.add("dishonest_until")  # the schema fills a default end date from the start date
    plan = []
    for _, values in parsed.rows:
        ent = existing.get(values["credit_code"])
        if ent is None:
            continue
        attrs = {k: values[k] for k in keys if getattr(ent, k) != values[k]}
        if "risk_level" in attrs and attrs["risk_level"] is None:
            del attrs["risk_level"]  # a blank cell never clears a grade: that needs who and why
        if attrs:
            plan.append((ent, attrs))
    return plan


# -- exporting -------------------------------------------------------------------------------------

# A cell a spreadsheet program would take for a formula (CSV/formula injection): written as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(text: str) -> str:
    """Excel and WPS run a CSV cell beginning with = + - @ as a formula (``=HYPERLINK(…)``,
    ``=cmd|…``): such a cell gets a leading apostrophe, which both show as text and which the import
    takes off again."""
    return "'" + text if isinstance(text, str) and text.startswith(FORMULA_START) else text


def _export_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    return getattr(value, "value", value)


def export_rows(registry: EnterpriseRegistry, org: str | Iterable[str] | None = None) -> Iterator[list[str]]:
    """The header, then one row of text per enterprise, by credit code; streamed for big registries."""
    yield [header for _, header in COLUMNS]
    query = sa.select(Enterprise).order_by(Enterprise.credit_code)
    if org is not None:
        query = query.where(Enterprise.org_unit.in_([org] if isinstance(org, str) else list(org)))
    with registry.transaction() as s:
        for ent in s.scalars(query.execution_options(yield_per=2000)):
            yield [_export_text(getattr(ent, attr)) for attr, _ in COLUMNS]


def export_enterprises(registry: EnterpriseRegistry, target: str | os.PathLike | IO,
                       *, fmt: str | None = None, org: str | Iterable[str] | None = None) -> int:
    """Write the registry (or the given org units) to ``target``; returns the number of enterprises.

    CSV is written as UTF-8 with a BOM so Excel shows the Chinese correctly; in xlsx every cell is
    text, so codes and phone numbers are never turned into numbers. A cell beginning with
    ``= + - @`` is never a formula: a text cell in xlsx, apostrophe-prefixed in CSV.
    """
    fmt = _format_of(target, fmt)
    rows = export_rows(registry, org)
    count = -1
    if fmt == "csv":
        own = not hasattr(target, "write")
        handle = open(target, "w", encoding="utf-8-sig", newline="") if own else target
        try:
            writer = csv.writer(handle)
            for count, row in enumerate(rows):
                writer.writerow([_csv_safe(v) for v in row])
        finally:
            if own:
                handle.close()
        return count
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("企业")
    for count, row in enumerate(rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=without_controls(value) if isinstance(value, str) else value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula, whatever it begins with
            cells.append(cell)
        sheet.append(cells)
    book.save(target)
    return count
