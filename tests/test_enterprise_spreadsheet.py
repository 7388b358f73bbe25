"""Spreadsheet import/export of the registry (CSV and xlsx), on SQLite and PostgreSQL."""
import csv
import datetime as dt
import io
import time

import openpyxl
import pytest
import sqlalchemy as sa

from workflows.enterprises import EnterpriseRegistry, RiskLevel, create_tables, credit_code
from workflows.enterprises.samples import fake_enterprises
from workflows.enterprises.spreadsheet import (COLUMNS, SpreadsheetError, export_enterprises, export_rows,
                                               import_enterprises)

HEADERS = [h for _, h in COLUMNS]
NOW = dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def registry(database_url):
    engine = sa.create_engine(database_url)
    create_tables(engine)
    yield EnterpriseRegistry(engine, clock=lambda: NOW)
    engine.dispose()


def sample_rows(n: int, seed: int = 5) -> list[list[str]]:
    """Spreadsheet rows (text cells, in COLUMNS order) for ``n`` sample enterprises."""
    rows = []
    for values in fake_enterprises(n, seed=seed):
        cells = {k: getattr(v, "value", v) for k, v in values.items()}
        rows.append([cells.get(attr, "") or "" for attr, _ in COLUMNS])
    return rows


def write_csv(path, rows, headers=HEADERS, encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(path, rows, headers=HEADERS):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def col(header):
    return HEADERS.index(header)


def wrong_check(code):
    return code[:17] + ("1" if code[17] == "0" else "0")


@pytest.mark.slow
def test_ten_thousand_rows_with_three_bad_ones_import_nothing_then_everything(registry, tmp_path):
    rows = sample_rows(10_000)
    good = {i: list(rows[i]) for i in (17, 4_321, 9_998)}
    rows[17][col("统一社会信用代码")] = wrong_check(rows[17][col("统一社会信用代码")])
    rows[4_321][col("行业类别")] = "化工"
    rows[9_998][col("法定代表人电话")] = "电话不详"
    path = write_csv(tmp_path / "企业名录.csv", rows)

    start = time.perf_counter()
    report = import_enterprises(registry, path, by="区应急局")
    assert not report.ok and not report.imported
    assert [(e.line, e.field) for e in report.errors] == [
        (19, "统一社会信用代码"), (4_323, "行业类别"), (10_000, "法定代表人电话")]
    assert report.errors[0].message.startswith("校验码错误：第18位应为")
    assert report.errors[1].message.startswith("应为以下之一：危化")
    assert "第4323行 行业类别" in str(report)
    assert registry.search().total == 0  # nothing imported

    for i, row in good.items():
        rows[i] = row
    write_csv(path, rows)
    dry = import_enterprises(registry, path, dry_run=True)
    assert dry.ok and dry.created == 10_000 and not dry.imported
    assert registry.search().total == 0
    report = import_enterprises(registry, path, by="区应急局")
    assert report.ok and report.imported and report.created == 10_000
    assert registry.search().total == 10_000
    graded = registry.risk_history(rows[0][0])
    assert [(h.new_level.value, h.changed_by, h.changed_at) for h in graded] == [(rows[0][col("风险等级")], "区应急局", NOW)]
    # A sanity bound only (a stuck import, not speed): speed is measured in bench/enterprises.py.
    assert time.perf_counter() - start < 120


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trip(registry, database_url, tmp_path, fmt):
    rows = sample_rows(120)
    rows[0][col("严重失信")] = "是"
    rows[0][col("失信列入日期")] = "2025-05-20"
    rows[1][col("最近检查日期")] = "2026-02-03"
    rows[2][col("风险等级")] = ""
    rows[3][col("地址")] = "佛山市禅城区季华路1号, 3栋\n东侧"  # a comma and a newline survive CSV
    assert import_enterprises(registry, write_csv(tmp_path / "in.csv", rows)).ok
    exported = tmp_path / f"out.{fmt}"
    assert export_enterprises(registry, exported) == 120

    other_url = database_url + "_copy" if database_url.startswith("postgresql") else None
    target_engine = sa.create_engine(f"sqlite:///{tmp_path / 'copy.sqlite'}") if other_url is None else None
    if target_engine is None:
        admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
        name = database_url.rsplit("/", 1)[1]
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}_copy"'))
        admin.dispose()
        target_engine = sa.create_engine(other_url)
    try:
        create_tables(target_engine)
        copy = EnterpriseRegistry(target_engine, clock=lambda: NOW)
        report = import_enterprises(copy, exported)
        assert report.ok and report.created == 120
        assert list(export_rows(copy)) == list(export_rows(registry))
        first = copy.get(rows[0][0])
        assert first.dishonest and first.dishonest_until == dt.date(2028, 5, 20)
        assert copy.get(rows[2][0]).risk_level is None
        assert copy.get(rows[3][0]).address == "佛山市禅城区季华路1号, 3栋\n东侧"
    finally:
        target_engine.dispose()
        if other_url is not None:
            admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}_copy" WITH (FORCE)'))
            admin.dispose()


def test_xlsx_errors_use_excel_row_numbers_and_catch_numeric_codes(registry, tmp_path):
    rows = sample_rows(5)
    rows[1][col("企业规模")] = "特大型"
    rows[3][col("统一社会信用代码")] = 9.14406041234568e17  # typed as a number: Excel keeps 15 digits
    rows.insert(2, [None] * len(HEADERS))  # a blank row still counts in the numbering
    rows[0][col("失信列入日期")] = dt.datetime(2026, 1, 5)  # a real date cell is read as a date
    path = write_xlsx(tmp_path / "名录.xlsx", rows)
    report = import_enterprises(registry, path)
    assert report.rows == 5
    assert [(e.line, e.field) for e in report.errors] == [(3, "企业规模"), (6, "统一社会信用代码")]
    assert report.errors[0].message == "应为以下之一：大型、中型、小型、微型"
    assert "数字格式" in report.errors[1].message
    assert registry.search().total == 0


def test_every_bad_field_and_duplicate_codes_are_reported(registry, tmp_path):
    rows = sample_rows(4)
    rows[1][col("企业名称")] = ""
    rows[1][col("风险等级")] = "绿"
    rows[2][col("统一社会信用代码")] = "91440604MA4UJ8K2XI"[:10]
    rows[3][col("统一社会信用代码")] = rows[0][col("统一社会信用代码")].lower()
    rows[0][col("严重失信")] = "是"
    report = import_enterprises(registry, write_csv(tmp_path / "x.csv", rows))
    found = {(e.line, e.field): e.message for e in report.errors}
    assert found == {
        (2, "失信列入日期"): "列入严重失信主体名单时须填写列入日期",
        (3, "企业名称"): "必填",
        (3, "风险等级"): "应为以下之一：红、橙、黄、蓝",
        (4, "统一社会信用代码"): "统一社会信用代码应为18位，实际为10位",
        (5, "统一社会信用代码"): "与第2行重复",
    }
    assert report.bad_lines == [2, 3, 4, 5]


def test_header_problems_stop_the_import(registry, tmp_path):
    headers = [h for h in HEADERS if h != "行业类别"] + ["备注"]
    report = import_enterprises(registry, write_csv(tmp_path / "h.csv", [], headers=headers))
    assert {(e.line, e.field, e.message) for e in report.errors} == {
        (1, "备注", "未知列（列名须与导出模板一致）"), (1, "行业类别", "缺少必填列")}
    with pytest.raises(SpreadsheetError, match="不支持的文件格式"):
        import_enterprises(registry, tmp_path / "名录.xls")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert str(import_enterprises(registry, empty).errors[0]) == "第1行 文件：文件为空"


def test_gbk_csv_from_chinese_excel(registry, tmp_path):
    rows = sample_rows(3)
    report = import_enterprises(registry, write_csv(tmp_path / "gbk.csv", rows, encoding="gb18030"))
    assert report.ok and registry.get(rows[0][0]).name == rows[0][col("企业名称")]


def test_reimport_updates_present_columns_and_records_risk_changes(registry, tmp_path):
    rows = sample_rows(3)
    rows[0][col("风险等级")] = "蓝"
    assert import_enterprises(registry, write_csv(tmp_path / "a.csv", rows)).created == 3
    code = rows[0][0]
    # A narrower file: only code, name, org, sector, size, risk. Other columns stay as they were.
    narrow = ["统一社会信用代码", "企业名称", "属地代码", "行业类别", "企业规模", "风险等级"]
    updates = [[r[col(h)] for h in narrow] for r in rows]
    updates[0][narrow.index("风险等级")] = "红"
    updates[0][narrow.index("企业名称")] = "佛山市改名后化工有限公司"
    updates[1][narrow.index("风险等级")] = ""  # blank never clears a grade
    buf = io.BytesIO()
    text = io.StringIO()
    csv.writer(text).writerows([narrow, *updates])
    buf.write(text.getvalue().encode("utf-8"))
    buf.seek(0)
    report = import_enterprises(registry, buf, fmt="csv", by="李科员", reason="2026年度风险评估")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    ent = registry.get(code)
    assert ent.name == "佛山市改名后化工有限公司" and ent.risk_level is RiskLevel.RED
    assert ent.legal_rep == rows[0][col("法定代表人")]
    assert registry.search("改名后").total == 1
    assert registry.get(rows[1][0]).risk_level.value == rows[1][col("风险等级")]
    history = registry.risk_history(code)
    assert [(h.old_level, h.new_level, h.changed_by, h.reason) for h in history][-1] == (
        RiskLevel.BLUE, RiskLevel.RED, "李科员", "2026年度风险评估")


def test_export_filters_by_org_and_keeps_codes_as_text(registry, tmp_path):
    rows = sample_rows(30)
    assert import_enterprises(registry, write_csv(tmp_path / "a.csv", rows)).ok
    org = rows[0][col("属地代码")]
    path = tmp_path / "org.xlsx"
    n = export_enterprises(registry, path, org=org)
    assert n == sum(r[col("属地代码")] == org for r in rows)
    sheet = openpyxl.load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADERS and len(values) == n + 1
    assert all(isinstance(v[0], str) and credit_code.is_valid(v[0]) for v in values[1:])
    assert all(isinstance(v[col("法定代表人电话")], str) for v in values[1:])
