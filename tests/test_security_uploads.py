"""Spreadsheets uploaded to 批量导入 (the enterprise registry's import) that are not what they say:
a truncated or hand-made .xlsx, a zip bomb, a file of more enterprises than any registry holds
(security round three).

openpyxl reads an .xlsx lazily, so a sheet cut short or a workbook part that is not XML failed while
the rows were read — a 500 page — and a zip missing a part showed Python's English error
(「There is no item named '[Content_Types].xml' in the archive」). A zip whose parts unpack to
256 MB and more (900 KB uploaded: 3.9 million rows) was read to the end, and so was a file of millions of rows (200,000 rows
took 43 s and 220 MB to report). Now each is refused in Chinese before anything is imported.
Through the import page (Flask's test client) as a 科室负责人 uses it, the registry on a real SQLite
file (nothing here reaches the database: every refusal comes before it); the row limit through
``parse`` with a limit of 5 (the real one, 100,000 rows, takes 20 s to reach).
"""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from tests.ui_support import client_login, make_world
from workflows.enterprises.credit_code import complete
from workflows.enterprises.spreadsheet import MAX_UNPACKED, UNREADABLE, parse

HEADER = ["统一社会信用代码", "企业名称", "属地代码", "行业类别", "企业规模"]


def _xlsx(rows=((complete("91110101MA0000001"), "东城鑫华化工有限公司", "east", "危化", "中型"),)) -> bytes:
    wb = Workbook()
    wb.active.append(HEADER)
    for row in rows:
        wb.active.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _changed(change) -> bytes:
    """The workbook with each part passed through ``change(name, bytes)`` (None: left out)."""
    source, out = zipfile.ZipFile(io.BytesIO(_xlsx())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name in source.namelist():
            data = change(name, source.read(name))
            if data is not None:
                package.writestr(name, data)
    return out.getvalue()


def _bomb() -> bytes:
    """The workbook whose first sheet unpacks past the limit: the same row again and again (~900 KB
    uploaded). openpyxl would read every one of them (200,000 such rows: 43 s, 220 MB)."""
    source, out = zipfile.ZipFile(io.BytesIO(_xlsx())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        for name in source.namelist():
            data = source.read(name)
            if name != "xl/worksheets/sheet1.xml":
                package.writestr(name, data)
                continue
            head, rest = re.sub(rb"<dimension [^>]*/>", b"", data).split(b"<sheetData>", 1)
            rows, tail = rest.split(b"</sheetData>", 1)
            row = b'<row><c t="inlineStr"><is><t>91110101MA0000001X</t></is></c></row>'
            chunk = row * ((1 << 20) // len(row))
            with package.open(name, "w", force_zip64=True) as part:
                part.write(head + b"<sheetData>" + rows)
                for _ in range(MAX_UNPACKED // len(chunk) + 1):
                    part.write(chunk)
                part.write(b"</sheetData>" + tail)
    return out.getvalue()


CRAFTED = {
    "sheet_cut_short": lambda: _changed(lambda n, d: d[:len(d) // 2] if n == "xl/worksheets/sheet1.xml" else d),
    "sheet_missing": lambda: _changed(lambda n, d: None if n == "xl/worksheets/sheet1.xml" else d),
    "content_types_missing": lambda: _changed(lambda n, d: None if n == "[Content_Types].xml" else d),
    "workbook_not_xml": lambda: _changed(lambda n, d: b"<workbook" if n == "xl/workbook.xml" else d),
    "styles_not_xml": lambda: _changed(lambda n, d: b"<styleSheet" if n == "xl/styles.xml" else d),
    "not_a_zip": lambda: b"PK\x03\x04 not really a zip",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("uploads"))
    yield w
    w.engine.dispose()


def _upload(client, content: bytes, filename: str = "企业名录.xlsx"):
    return client.post("/enterprises/import", data={"_csrf": client.csrf, "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def _said(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


@pytest.mark.parametrize("shape", sorted(CRAFTED))
def test_a_crafted_xlsx_is_refused_in_chinese_not_a_server_error(world, shape):
    qian = client_login(world.app, "qian")
    response = _upload(qian, CRAFTED[shape]())
    assert response.status_code == 422, (shape, response.status_code)
    said = _said(response)
    assert UNREADABLE in said, said[:400]
    assert not re.search(r"There is no item|archive|Error|Traceback", said), said[:400]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(world):
    content = _bomb()
    assert len(content) < 2 * 1024 * 1024  # what is uploaded is small; what it unpacks to is not
    response = _upload(client_login(world.app, "qian"), content)
    assert response.status_code == 422 and "解压后超过 256 MB" in _said(response)


def test_a_file_of_more_enterprises_than_the_limit_is_refused_at_the_first_row_past_it():
    rows = [(f"9111010{i:011d}", f"企业{i}", "east", "危化", "小型") for i in range(6)]
    found = parse(io.BytesIO(_xlsx(rows)), "xlsx", max_rows=5)
    assert [(e.line, e.field, e.message) for e in found.errors] == [(7, "文件", "超过 5 家企业，请按区县分成几个文件导入")]
    assert found.rows == []


def test_a_good_xlsx_still_imports_after_the_checks(world):
    qian = client_login(world.app, "qian")
    response = _upload(qian, _xlsx())
    assert response.status_code == 200 and "未导入任何数据" not in _said(response), _said(response)[:400]


GEOJSON = {
    "brackets_100000": b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "features_not_objects": b'{"type": "FeatureCollection", "features": [1, "x", [2]]}',
    "properties_a_list": b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": [1], '
                         b'"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 1], [0, 0]]]}}]}',
    "features_an_object": b'{"type": "FeatureCollection", "features": {"a": 1}}',
}


@pytest.mark.parametrize("shape", sorted(GEOJSON))
def test_a_crafted_geojson_boundary_file_is_refused_in_chinese_not_a_server_error(world, shape):
    """行政区划边界 (the risk map's districts), uploaded by an administrator: brackets nested past
    Python's JSON reader raised RecursionError, a feature that is not an object AttributeError —
    both 500 pages. Now each is said in Chinese on the map page and nothing is saved."""
    d = world.engine.directory
    if not any(u.username == "admin_hsec" for u in d.users()):
        d.add_user("admin_hsec", org="city", roles=["admin"], name="安全管理员", password_hash=d.user("zhang").password_hash)
    admin = client_login(world.app, "admin_hsec")
    answer = admin.post("/leadership/map/boundaries", data={"_csrf": admin.csrf, "geojson": (
        io.BytesIO(GEOJSON[shape]), "边界.geojson")}, content_type="multipart/form-data", follow_redirects=True)
    assert answer.status_code == 200, answer.status_code
    said = _said(answer)
    assert "边界未保存：" in said and "已保存" not in said, said[:400]
    assert 'id="map-data"' not in answer.get_data(as_text=True)


def test_an_evidence_files_name_loses_the_invisible_characters_that_disguise_its_type(tmp_path):
    """整改证明材料 uploaded by an enterprise (隐患整改, 16号令第十五条) named 「整改报告\\u202Efdp.exe」: the
    right-to-left override showed it on the case page and in the browser's save dialog as
    「整改报告exe.pdf」. The name kept, shown and offered back is 「整改报告fdp.exe」."""
    from tests.ui_support import REGISTER_MAJOR, open_task, start_hazard
    w = make_world(tmp_path)
    try:
        e = w.engine
        case = start_hazard(e, title="附件名称检查")
        e.complete(open_task(e, case.id, "register").id, "zhang",
                   dict(REGISTER_MAJOR, major_criterion=None, requires_shutdown=False, fix_deadline="2026-11-30"))
        acme = client_login(w.app, "acme")
        disguised = "整改报告\u202efdp.exe"
        response = acme.post(f"/tasks/{open_task(e, case.id, 'fix_now').id}", content_type="multipart/form-data", data={
            "_csrf": acme.csrf, "measures_taken": "更换报警探头", "completed_on": "2026-11-26",
            "attachments__upload": [(io.BytesIO(b"MZ\x90\x00"), disguised, "application/pdf")]})
        assert response.status_code == 302, _said(response)[:300]
        stored = [v for values in e.case(case.id).data.values() if isinstance(values, list) for v in values
                  if isinstance(v, str) and v.startswith("attachment:")]
        assert [s.rsplit("/", 1)[1] for s in stored] == ["整改报告fdp.exe"], stored
        page = client_login(w.app, "zhang").get(f"/cases/{case.id}").get_data(as_text=True)
        assert "\u202e" not in page and "整改报告fdp.exe" in page
        link = re.search(r'href="(/attachments/[0-9a-f]{32}/[^"]+)"', page).group(1)
        disposition = client_login(w.app, "zhang").get(link).headers["Content-Disposition"]
        assert "%E2%80%AE" not in disposition.upper() and "\u202e" not in disposition, disposition
    finally:
        w.engine.dispose()
