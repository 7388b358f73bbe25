"""Documents of a case as files to print and stamp (公文 .docx in the GB/T 9704 layout, and PDF where
LibreOffice is installed), beside the text versions the case page shows (``webui.documents``).

The case is read through ``engine.case(id, username)``, so the same policy decides who may download.
"""
from __future__ import annotations

import subprocess
from urllib.parse import quote

from flask import Blueprint, Response, abort, g

from workflows.documents import docx as official

from . import display, documents, headers, redaction
from .auth import engine

bp = Blueprint("document_files", __name__, url_prefix="/cases")


def _docx_of(case_id: int, doc_key: str) -> tuple[bytes, str]:
    case = redaction.case_for(engine(), case_id, g.user)
    offered = {d.key: d for d in documents.available(case.process_key, case.data)}
    if doc_key not in offered:
        abort(404)
    content = official.render_docx(doc_key, case.data, issuer=display.org_name(case.org_code))
    return content, f"{offered[doc_key].title}（{case.case_no}）"


def _download(content: bytes, filename: str, mimetype: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = headers.DOWNLOAD_CSP  # a file, never a page
    return response


@bp.get("/<int:case_id>/documents/<doc_key>/docx")
def docx(case_id: int, doc_key: str):
    content, name = _docx_of(case_id, doc_key)
    return _download(content, f"{name}.docx", official.DOCX_MIMETYPE)


@bp.get("/<int:case_id>/documents/<doc_key>/pdf")
def pdf(case_id: int, doc_key: str):
    content, name = _docx_of(case_id, doc_key)
    if official.soffice() is None:
        abort(404)
    try:
        converted = official.to_pdf(content)
    except (subprocess.SubprocessError, OSError):
        converted = None
    if converted is None:
        return Response("PDF 转换失败，请下载 Word 版本后打印。", status=503, mimetype="text/plain")
    return _download(converted, f"{name}.pdf", "application/pdf")


def install(app) -> None:
    app.register_blueprint(bp)

    pdf_available = official.soffice() is not None  # looked up once: installing LibreOffice means a restart

    @app.context_processor
    def _pdf_available():
        return {"pdf_available": pdf_available}
