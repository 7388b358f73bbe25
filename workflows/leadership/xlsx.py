"""Statistics tables as Excel workbooks (.xlsx, openpyxl): a title row, the period and issuer, bold
headers, a total row, thousands separators on money, frozen headers, widths that fit Chinese text.

Every text cell is written as text: openpyxl stores a string beginning with ``=`` as a formula, and
the tables carry names typed by others (an enterprise's name from a 隐患登记 form), so
``=HYPERLINK(…)`` typed as a name stays those characters in Excel and WPS, never a link or a formula."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from engine.typed_input import without_controls

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THIN = Side(style="thin", color="999999")


def workbook(sheets: list[dict]) -> bytes:
    """``sheets``: [{"title", "heading", "subheading", "columns": [(key, label)], "rows": [dict],
    "total": dict | None, "money": {keys}}] -> the bytes of one .xlsx."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet["title"][:31])
        columns = sheet["columns"]
        width = len(columns)
        _text(ws.cell(row=1, column=1, value=_fit(sheet["heading"]))).font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
        _text(ws.cell(row=2, column=1, value=_fit(sheet.get("subheading", ""))))
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
        for i, (_key, label) in enumerate(columns, 1):
            cell = _text(ws.cell(row=3, column=i, value=_fit(label)))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="EEF2F7")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
        body = list(sheet["rows"]) + ([sheet["total"]] if sheet.get("total") else [])
        for r, row in enumerate(body, 4):
            for c, (key, _label) in enumerate(columns, 1):
                cell = _text(ws.cell(row=r, column=c, value=_fit(row.get(key))))
                cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
                if key in sheet.get("money", ()):
                    cell.number_format = "#,##0.00"
                if sheet.get("total") and r == 3 + len(body):
                    cell.font = Font(bold=True)
        for c, (key, label) in enumerate(columns, 1):
            longest = max([_width(label)] + [_width(row.get(key)) for row in body])
            ws.column_dimensions[get_column_letter(c)].width = min(40, max(8, longest + 2))
        ws.freeze_panes = "B4"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _fit(value):
    """A value as a cell can hold it: a name typed with a control character (an enterprise's name
    pasted into its 隐患自查自报) made openpyxl refuse the whole workbook; the character is left out,
    a line or page break is a line break (engine/typed_input.py)."""
    return without_controls(value) if isinstance(value, str) else value


def _text(cell):
    """The cell, a string in it kept as text whatever it begins with (not a formula)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def _width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
