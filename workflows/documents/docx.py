"""公文 as Word files: a document of ``workflows.documents`` laid out in the national layout
(GB/T 9704-2012《党政机关公文格式》) with python-docx, and turned into PDF by LibreOffice where installed.

    from workflows.documents.docx import render_docx, to_pdf
    content = render_docx("hazard.notice", case.data, issuer="示范市东城区应急管理局")   # bytes of a .docx
    pdf = to_pdf(content)        # bytes of a PDF, or None when LibreOffice (soffice) is not installed

The words are the text version's (``workflows.documents.render``): the .docx lays out the same text,
so the page, the .docx and the PDF never disagree. The text templates keep one shape, which is read
back here line by line:

- a header block up to the first empty line: ``issuer / title / 发文字号`` for the 通知书 and 决定书,
  or the title alone (one or two lines) for the reports;
- the body: a line ending in "：" at the left margin right after the header is the 主送机关; lines
  indented four spaces are paragraphs (首行缩进二字); "一、…" at the margin are 一级标题 (黑体);
- lines indented by 20 spaces or more are the 发文机关署名 and 成文日期, with the 印章 area above them;
- a final "（案号：…）" line is the 附注.

Layout (GB/T 9704-2012): A4; 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm (so bottom 35 mm, right 26 mm);
发文机关标志 in red 小标宋; 发文字号 仿宋 三号 centred over a red 分隔线; 标题 小标宋 二号 centred; 正文
仿宋 三号, 22 lines of 28 characters (fixed line pitch 28.95 pt); 一级标题 黑体; 成文日期 右空四字; page
numbers "— 1 —" in 宋体 四号 in the footer. A 上行文 (``Document.direction``) names its 签发人 on the
发文字号 line (7.2.4: 发文字号 居左空一字, "签发人：" 仿宋 and the names 楷体 居右空一字). Every document ends
with the 版记 (7.4): 抄送机关 (四号仿宋, 左右各空一字, "抄送：…。") and 印发机关和印发日期 (印发机关 左空一字,
"…印发" 右空一字), between a thick first and last 分隔线 with a thin one between them. The case data
give the 签发人 (``signer``) and the 抄送机关 (``copy_to``, a list or "，"-separated); the 印发机关 is
the issuer's 办公室 and the 印发日期 the 成文日期. Each part has its own named paragraph style (公文标题,
公文正文…) so a clerk can restyle a part in Word/WPS and a test can check what is where.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document as new_docx
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from engine.typed_input import without_controls

from . import DEFAULT_ISSUER, document, render

# Fonts as bureaus have them installed (Windows / WPS); LibreOffice substitutes a CJK font elsewhere.
FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
RED = RGBColor(0xE6, 0x00, 0x12)  # the red of 版头 and 分隔线

SIZE_2 = Pt(22)   # 二号
SIZE_3 = Pt(16)   # 三号
SIZE_4 = Pt(14)   # 四号
LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines

# paragraph style name -> (font, size, bold, alignment, first-line indent in characters, red)
STYLES = {
    "发文机关标志": (XIAOBIAOSONG, Pt(30), False, WD_ALIGN_PARAGRAPH.CENTER, 0, True),
    "发文字号": (FANGSONG, SIZE_3, False, WD_ALIGN_PARAGRAPH.CENTER, 0, False),
    "公文标题": (XIAOBIAOSONG, SIZE_2, False, WD_ALIGN_PARAGRAPH.CENTER, 0, False),
    "主送机关": (FANGSONG, SIZE_3, False, WD_ALIGN_PARAGRAPH.LEFT, 0, False),
    "公文正文": (FANGSONG, SIZE_3, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, False),
    "一级标题": (HEITI, SIZE_3, False, WD_ALIGN_PARAGRAPH.LEFT, 2, False),
    "二级标题": (KAITI, SIZE_3, False, WD_ALIGN_PARAGRAPH.LEFT, 2, False),
    "印章位置": (FANGSONG, SIZE_3, False, WD_ALIGN_PARAGRAPH.RIGHT, 0, False),
    "发文机关署名": (FANGSONG, SIZE_3, False, WD_ALIGN_PARAGRAPH.RIGHT, 0, False),
    "成文日期": (FANGSONG, SIZE_3, False, WD_ALIGN_PARAGRAPH.RIGHT, 0, False),
    "附注": (FANGSONG, SIZE_3, False, WD_ALIGN_PARAGRAPH.LEFT, 2, False),
    "页码": (SONGTI, SIZE_4, False, WD_ALIGN_PARAGRAPH.CENTER, 0, False),
    "版记": (FANGSONG, SIZE_4, False, WD_ALIGN_PARAGRAPH.LEFT, 0, False),
}
TEXT_WIDTH = Mm(156)  # 版心宽
RULE_THICK, RULE_THIN = "8", "4"  # 版记分隔线 in eighths of a point: 粗线 1 pt (0.35 mm), 细线 0.5 pt (0.25 mm 以下)
SIGNATURE_INDENT = 20  # leading spaces that mark the 署名/成文日期 lines of a text template
DATE_LINE = re.compile(r"^\s*(\d{4}|＿+)年")
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Layout:
    """The parts of one 公文, read from its text version."""
    title: list[str]
    issuer_mark: str | None = None       # 发文机关标志 (版头)
    number: str | None = None            # 发文字号
    addressee: str | None = None         # 主送机关
    body: list[tuple[str, str]] = field(default_factory=list)  # (style, text)
    signature: list[str] = field(default_factory=list)          # 署名 lines, then 成文日期
    note: str | None = None              # 附注


@dataclass
class Record:
    """版记 (GB/T 9704-2012 7.4) and the 签发人 of a 上行文 (7.2.4)."""
    copies_to: list[str] = field(default_factory=list)  # 抄送机关
    printer: str | None = None                          # 印发机关
    printed_on: str | None = None                       # 印发日期, e.g. 2026年11月23日
    signers: list[str] = field(default_factory=list)    # 签发人 (上行文 only)


def names(value) -> list[str]:
    """A list of names as a case holds them: a list, or one text separated by 、，,；; or new lines."""
    if not value:
        return []
    items = value if isinstance(value, (list, tuple)) else re.split(r"[、，,；;\n]+", str(value))
    return [without_controls(str(v)).strip().rstrip("。") for v in items if str(v).strip()]


def printer_of(issuer: str | None) -> str:
    """印发机关: the issuer's 办公室 (文秘部门), or the issuer itself when it is one (安委会办公室)."""
    issuer = issuer or DEFAULT_ISSUER
    return issuer if issuer.endswith(("办公室", "办公厅")) else issuer + "办公室"


def record_for(doc_key: str, case_data: dict, issuer: str | None, parts: Layout) -> Record:
    """The 版记 and 签发人 of document ``doc_key`` for a case: 抄送 from ``copy_to``, 印发 by the
    issuer's 办公室 on the 成文日期 (blank where the text has none), 签发人 from ``signer`` for a 上行文."""
    issued = parts.signature[-1] if parts.signature and DATE_LINE.match(parts.signature[-1]) else None
    upward = document(doc_key).direction == "上行文"
    return Record(copies_to=names(case_data.get("copy_to")), printer=printer_of(issuer),
                  printed_on=issued, signers=names(case_data.get("signer")) if upward else [])


def layout(text: str, issuer: str | None) -> Layout:
    issuer = issuer or DEFAULT_ISSUER
    lines = text.rstrip("\n").split("\n")
    blank = lines.index("") if "" in lines else len(lines)
    head, rest = lines[:blank], lines[blank + 1:]
    if issuer and len(head) == 3 and head[0].strip() == issuer:
        out = Layout(title=[head[1].strip()], issuer_mark=head[0].strip(), number=head[2].strip())
    else:
        out = Layout(title=[h.strip() for h in head if h.strip()])
    for line in rest:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if not stripped:
            continue
        if not out.body and out.addressee is None and indent == 0 and stripped.endswith("："):
            out.addressee = stripped
        elif indent >= SIGNATURE_INDENT:
            out.signature.append(stripped)
        elif indent == 0 and stripped.startswith("（案号"):
            out.note = stripped
        elif indent == 0 and re.match(r"^[一二三四五六七八九十]+、", stripped):
            out.body.append(("一级标题", stripped))
        elif re.match(r"^（[一二三四五六七八九十]+）", stripped) and indent <= 4 and len(stripped) < 30:
            out.body.append(("二级标题", stripped))
        else:
            out.body.append(("公文正文", stripped))
    return out


def render_docx(doc_key: str, case_data: dict, issuer: str | None = None) -> bytes:
    """The document ``doc_key`` for ``case_data`` as the bytes of a .docx in the GB/T 9704 layout."""
    document(doc_key)  # unknown keys fail here, with the key named
    text = render(doc_key, case_data, issuer=issuer)
    return docx_from_text(text, issuer, record_for(doc_key, case_data or {}, issuer, layout(text, issuer)))


def docx_from_text(text: str, issuer: str | None = None, record: Record | None = None) -> bytes:
    """Any text in the templates' shape (see the module docstring) as a 公文 .docx: the case documents,
    and others such as the quarterly 通报 (workflows/leadership/notice.py). Without ``record`` the 版记
    names the issuer's 办公室 and the 成文日期. A control character pasted into the case's text (no
    .docx can hold one) is left out, a line or page break is a line break (engine/typed_input.py)."""
    parts = layout(without_controls(text), issuer)
    if record is None:
        issued = parts.signature[-1] if parts.signature and DATE_LINE.match(parts.signature[-1]) else None
        record = Record(printer=printer_of(issuer), printed_on=issued)
    doc = new_docx()
    _page(doc)
    _styles(doc)
    if parts.issuer_mark:
        doc.add_paragraph(parts.issuer_mark, style="发文机关标志")
    if record.signers:
        _number_and_signers(doc.add_paragraph(style="发文字号"), parts.number, record.signers)
        if parts.number:
            _red_rule(doc.add_paragraph(style="发文字号"))
    elif parts.number:
        doc.add_paragraph(parts.number, style="发文字号")
        _red_rule(doc.add_paragraph(style="发文字号"))
    for line in parts.title:
        doc.add_paragraph(line, style="公文标题")
    doc.add_paragraph(style="公文正文").paragraph_format.first_line_indent = None  # 标题下空一行
    if parts.addressee:
        doc.add_paragraph(parts.addressee, style="主送机关")
    for style, line in parts.body:
        doc.add_paragraph(line, style=style)
    if parts.signature:
        doc.add_paragraph(style="印章位置")  # two empty lines the 印章 presses down into, over 署名 and 日期
        doc.add_paragraph("（印章）", style="印章位置")
        for i, line in enumerate(parts.signature):
            last = i == len(parts.signature) - 1
            style = "成文日期" if last or DATE_LINE.match(line) else "发文机关署名"
            p = doc.add_paragraph(line, style=style)
            p.paragraph_format.right_indent = Pt(16 * 4) if style == "成文日期" else Pt(16 * 2)  # 右空四字 / 二字
    if parts.note:
        doc.add_paragraph(parts.note, style="附注")
    _record(doc, record)
    doc.core_properties.title = parts.title[-1] if parts.title else ""
    doc.core_properties.author = issuer or ""
    doc.core_properties.language = "zh-CN"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _number_and_signers(paragraph, number: str | None, signers: list[str]) -> None:
    """发文字号 居左空一字 and 签发人 居右空一字 on one line (GB/T 9704-2012 7.2.4)."""
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
    fmt.left_indent = fmt.right_indent = SIZE_3
    fmt.tab_stops.add_tab_stop(TEXT_WIDTH - 2 * SIZE_3, WD_TAB_ALIGNMENT.RIGHT)
    paragraph.add_run((number or "") + "\t签发人：")
    _run_font(paragraph.add_run("　".join(signers)), KAITI)


def _record(doc, record: Record) -> None:
    """版记 (GB/T 9704-2012 7.4): 抄送机关, then 印发机关和印发日期, between the 分隔线."""
    copies = None
    if record.copies_to:
        copies = doc.add_paragraph("抄送：" + "，".join(record.copies_to) + "。", style="版记")
        copies.paragraph_format.right_indent = SIZE_4
        _rules(copies, top=RULE_THICK, bottom=RULE_THIN)
    printed = doc.add_paragraph(style="版记")
    printed.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH - 2 * SIZE_4, WD_TAB_ALIGNMENT.RIGHT)
    printed.paragraph_format.right_indent = SIZE_4
    printed.add_run(f"{record.printer or ''}\t{record.printed_on or '＿＿＿＿年＿＿月＿＿日'}印发")
    _rules(printed, top=None if copies is not None else RULE_THICK, bottom=RULE_THICK)


def _rules(paragraph, top: str | None, bottom: str | None) -> None:
    """Black 分隔线 above and/or below a paragraph, the width of the 版心."""
    border = OxmlElement("w:pBdr")
    for edge, size in (("w:top", top), ("w:bottom", bottom)):
        if size:
            line = OxmlElement(edge)
            for key, value in (("w:val", "single"), ("w:sz", size), ("w:space", "1"), ("w:color", "000000")):
                line.set(qn(key), value)
            border.append(line)
    paragraph._p.get_or_add_pPr().append(border)


def rule_sizes(paragraph) -> dict[str, str]:
    """The 分隔线 of a paragraph, edge ("top"/"bottom") to width in eighths of a point (for tests)."""
    border = paragraph._p.get_or_add_pPr().find(qn("w:pBdr"))
    return {} if border is None else {el.tag.rsplit("}", 1)[1]: el.get(qn("w:sz")) for el in border}


def _run_font(run, name: str) -> None:
    run.font.name = name
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def run_east_asian_font(run) -> str | None:
    """The East Asian font a run names directly, if any (for tests)."""
    rpr = run._r.rPr
    fonts = None if rpr is None else rpr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def _page(doc) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)
    footer = section.footer.paragraphs[0]
    footer.style = _paragraph_style(doc, "页码")
    footer.add_run("— ")
    _page_field(footer.add_run())
    footer.add_run(" —")


def _page_field(run) -> None:
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    _font(normal, FANGSONG, SIZE_3)
    for name in STYLES:
        _paragraph_style(doc, name)


def _paragraph_style(doc, name: str):
    try:
        return doc.styles[name]
    except KeyError:
        pass
    font, size, bold, align, indent, red = STYLES[name]
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    _font(style, font, size)
    style.font.bold = bold
    if red:
        style.font.color.rgb = RED
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Pt(size.pt * indent) if indent else None
    fmt.space_before = fmt.space_after = Pt(0)
    if name == "公文标题":
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(35)
    elif name == "发文机关标志":
        fmt.space_after = Pt(30)
    elif name != "页码":
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH
    return style


def _font(style, name: str, size) -> None:
    style.font.name = name
    style.font.size = size
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def east_asian_font(style) -> str | None:
    """The East Asian font a style names (what Word uses for Chinese text)."""
    fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def _red_rule(paragraph) -> None:
    """The 版头 分隔线: a red line the width of the 版心 under the 发文字号."""
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", str(RED))):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.append(border)


# --- PDF through LibreOffice -------------------------------------------------------------------------

def soffice() -> str | None:
    """The LibreOffice binary, if installed (Debian: libreoffice-writer-nogui)."""
    return os.environ.get("DUBAN_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: bytes, timeout: float = 120) -> bytes | None:
    """The .docx as PDF, converted by LibreOffice headless; None when LibreOffice is not installed.

    Each conversion gets its own LibreOffice profile folder, so conversions running at the same time
    (several web workers) do not fight over one profile's lock."""
    binary = soffice()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="duban-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "document.docx"
        source.write_bytes(docx)
        profile = (folder / "profile").as_uri()
        subprocess.run([binary, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                       check=True, timeout=timeout, capture_output=True)
        target = folder / "document.pdf"
        return target.read_bytes() if target.exists() else None
