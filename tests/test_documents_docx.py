"""公文 as Word and PDF: a real case's 挂牌督办通知书 downloaded from the case page as .docx opens with
python-docx, carries the case's data in the right paragraphs, with the GB/T 9704-2012 fonts, sizes and
margins; LibreOffice headless (Debian's libreoffice-writer-nogui, installed by scripts/setup-documents)
turns it into a PDF."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document
from docx.shared import Pt

from tests.ui_support import client_login, major_case_at, make_world
from workflows.documents import DOCUMENTS, render
from workflows.documents.docx import (docx_from_text, east_asian_font, layout, render_docx, rule_sizes, run_east_asian_font, soffice,
                                      to_pdf)

ISSUER = "东城区应急管理局"  # the org unit of the scenario's case (tests/ui_support.py)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("docx"))
    case = major_case_at(w.engine, "submit_plan")  # the 通知书 has been issued (issue_notice done)
    w.case_id = case.id
    w.case_no = w.engine.case(case.id).case_no
    yield w
    w.engine.dispose()


@pytest.fixture(scope="module")
def notice(world):
    client = client_login(world.app, "zhang")
    response = client.get(f"/cases/{world.case_id}/documents/hazard.notice/docx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response.headers["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    return Document(io.BytesIO(response.data))


def paragraphs(doc, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == style]


def test_listing_notice_docx_has_the_gbt9704_header_title_and_number(notice, world):
    assert paragraphs(notice, "发文机关标志") == [ISSUER]
    assert paragraphs(notice, "发文字号")[0] == "东应急督〔2026〕1号"
    assert paragraphs(notice, "公文标题") == ["重大事故隐患挂牌督办通知书"]
    assert paragraphs(notice, "主送机关") == ["甲化工有限公司："]
    order = [p.style.name for p in notice.paragraphs if p.text]
    assert order.index("发文机关标志") < order.index("发文字号") < order.index("公文标题") < order.index("主送机关")


def test_listing_notice_docx_body_carries_the_case_data(notice, world):
    body = "\n".join(paragraphs(notice, "公文正文"))
    assert "液氯储罐区未设置防火堤，可燃气体报警装置失效" in body
    assert "应于2027年2月26日前完成整改" in body
    assert "设置防火堤，修复报警装置" in body
    assert "采取有效的安全防范和监控措施" in body  # the proposal did not order 停产停业
    assert paragraphs(notice, "发文机关署名") == [ISSUER]
    assert paragraphs(notice, "成文日期") == ["2026年11月23日"]  # listed on the scenario's Monday
    assert "（印章）" in paragraphs(notice, "印章位置")
    assert paragraphs(notice, "附注") == [f"（案号：{world.case_no}）"]


def test_listing_notice_docx_fonts_sizes_and_margins_follow_gbt9704(notice):
    styles = notice.styles
    assert east_asian_font(styles["公文标题"]) == "方正小标宋简体" and styles["公文标题"].font.size == Pt(22)  # 二号
    assert east_asian_font(styles["公文正文"]) == "仿宋_GB2312" and styles["公文正文"].font.size == Pt(16)  # 三号
    assert styles["公文正文"].paragraph_format.first_line_indent == Pt(32)  # 首行缩进二字
    assert east_asian_font(styles["发文机关标志"]) == "方正小标宋简体" and str(styles["发文机关标志"].font.color.rgb) == "E60012"
    assert east_asian_font(styles["一级标题"]) == "黑体"
    section = notice.sections[0]
    mm = lambda length: round(length / 36000, 1)  # noqa: E731 - EMU to mm; Word stores twips
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin)) == (37, 28)     # 天头, 订口
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156  # 版心宽
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == 225  # 版心高
    assert "PAGE" in section.footer.paragraphs[0]._p.xml


def test_case_page_links_word_and_pdf_versions_and_keeps_the_text(world):
    client = client_login(world.app, "zhang")
    page = client.get(f"/cases/{world.case_id}").get_data(as_text=True)
    assert f"/cases/{world.case_id}/documents/hazard.notice/docx" in page
    assert f"/cases/{world.case_id}/documents/hazard.notice\"" in page  # the text version stays
    assert (f"/cases/{world.case_id}/documents/hazard.notice/pdf" in page) == (soffice() is not None)


def test_another_district_cannot_download_the_docx(world):
    client = client_login(world.app, "wang")  # inspector of 西城区
    assert client.get(f"/cases/{world.case_id}/documents/hazard.notice/docx").status_code == 403
    assert client_login(world.app, "zhang").get(f"/cases/{world.case_id}/documents/nope/docx").status_code == 404


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda d: d.key)
def test_every_document_renders_as_docx_even_empty(doc):
    content = render_docx(doc.key, {}, issuer=ISSUER)
    opened = Document(io.BytesIO(content))
    parts = layout(render(doc.key, {}, issuer=ISSUER), ISSUER)
    assert paragraphs(opened, "公文标题") == parts.title
    # the 公文 title names the kind of document (a 通报's title reads 关于……的通报)
    assert doc.title.replace("（提纲）", "")[-2:] in "".join(parts.title)
    words = "".join(p.text for p in opened.paragraphs)
    assert all(text in words for _style, text in parts.body)  # nothing of the text version is lost


def test_listing_notice_renders_to_pdf_through_libreoffice(world):
    assert soffice(), "LibreOffice is needed: bash scripts/setup-documents installs libreoffice-writer-nogui"
    content = render_docx("hazard.notice", world.engine.case(world.case_id).data, issuer=ISSUER)
    pdf = to_pdf(content)
    assert pdf[:5] == b"%PDF-" and pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 1 and b"/FontFile" in pdf  # pages, fonts embedded
    client = client_login(world.app, "zhang")
    response = client.get(f"/cases/{world.case_id}/documents/hazard.notice/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data[:5] == b"%PDF-"


def test_every_document_ends_with_the_banji_printer_and_date_between_thick_rules_gbt9704_7_4(notice):
    """版记 (GB/T 9704-2012 7.4.1-7.4.3): no 抄送 in the case, so one line, 印发机关 左空一字 and the
    印发日期 (the 成文日期) 右空一字 followed by 印发, between the thick first and last 分隔线."""
    last = notice.paragraphs[-1]
    assert last.style.name == "版记" and paragraphs(notice, "版记") == [f"{ISSUER}办公室\t2026年11月23日印发"]
    assert rule_sizes(last) == {"top": "8", "bottom": "8"}  # 粗线 1 pt = 0.35 mm
    style = notice.styles["版记"]
    assert east_asian_font(style) == "仿宋_GB2312" and style.font.size == Pt(14)  # 四号仿宋
    assert last.paragraph_format.right_indent == Pt(14)  # 右空一字


def test_copy_to_officials_typed_with_commas_print_as_chaosong_over_a_thin_rule_gbt9704_7_4_2():
    data = {"copy_to": "市应急管理局、 东城区人民政府，东城区纪委监委；", "listed_at": "2026-11-23T09:00:00+08:00"}
    opened = Document(io.BytesIO(render_docx("hazard.notice", data, issuer=ISSUER)))
    copies, printed = opened.paragraphs[-2:]
    assert copies.style.name == printed.style.name == "版记"
    assert copies.text == "抄送：市应急管理局，东城区人民政府，东城区纪委监委。"
    assert rule_sizes(copies) == {"top": "8", "bottom": "4"}  # 首条粗线, then the 细线 between
    assert rule_sizes(printed) == {"bottom": "8"}             # 末条粗线
    assert printed.text == f"{ISSUER}办公室\t2026年11月23日印发"


def test_an_upward_report_names_its_signer_right_of_the_number_line_gbt9704_7_2_4():
    """上行文 (事故调查报告 to the 人民政府, 条例第三十二条): "签发人：" 仿宋, the names 楷体, 居右空一字."""
    data = {"signer": ["李建国", "王　芳"], "report_summary": "储罐区爆燃"}
    opened = Document(io.BytesIO(render_docx("accident.report", data, issuer=ISSUER)))
    line = opened.paragraphs[0]
    assert line.style.name == "发文字号" and line.text == "\t签发人：李建国　王　芳"
    label, signers = line.runs
    assert run_east_asian_font(signers) == "楷体_GB2312" and run_east_asian_font(label) is None  # 仿宋 of the style
    assert line.paragraph_format.left_indent == line.paragraph_format.right_indent == Pt(16)  # 空一字 (三号)
    order = [p.style.name for p in opened.paragraphs if p.text]
    assert order.index("发文字号") < order.index("公文标题")


def test_a_downward_notice_names_no_signer_even_when_the_case_has_one():
    opened = Document(io.BytesIO(render_docx("hazard.notice", {"signer": "李建国"}, issuer=ISSUER)))
    assert "签发人" not in "".join(p.text for p in opened.paragraphs)
    assert [d.key for d in DOCUMENTS if d.direction == "上行文"] == ["accident.report", "assessment.report"]


def test_a_committee_office_prints_its_own_notice_gbt9704_7_4_3():
    """The quarterly 通报 is issued by the 安委会办公室 itself: it is its own 印发机关."""
    issuer = "示范市安全生产委员会办公室"
    text = f"{issuer}\n关于2026年第四季度安全生产工作考核排名情况的通报\n安委办通〔2026〕4号\n\n各有关单位：\n    正文。\n\n" \
           f"{' ' * 40}{issuer}\n{' ' * 40}2026年12月31日\n"
    opened = Document(io.BytesIO(docx_from_text(text, issuer)))
    assert paragraphs(opened, "版记") == [f"{issuer}\t2026年12月31日印发"]
