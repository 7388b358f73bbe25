"""Security headers of every response (安全响应头), pages and downloads.

One place for the Content-Security-Policy: pages load scripts only from this site
(``script-src 'self'``: no inline ``<script>`` blocks, no ``on…=`` handlers, no ``javascript:``
links — page scripts live in ``webui/static/*.js`` and read their data from ``data-`` attributes or
``<script type="application/json">`` blocks, which the browser never executes). Styles allow
``'unsafe-inline'`` because bpmn-js and the properties panel set ``style`` attributes on the SVG
they draw; an inline style cannot run script. Images may be ``data:`` URLs (the favicon, bpmn-js
icons). Downloads (文书, attachments) get ``sandbox`` on top, so even a file a browser chose to
render could not run script or reach this origin's cookies.
"""
from __future__ import annotations

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'self'")
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"

PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Frame-Options": "SAMEORIGIN",
}
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",  # uploads and documents are never sniffed into HTML
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def apply(response, *, api: bool = False, api_headers: dict | None = None):
    """Set the headers a response does not set itself (a download sets its own stricter CSP)."""
    for name, value in {**COMMON_HEADERS, **((api_headers or {}) if api else PAGE_HEADERS)}.items():
        response.headers.setdefault(name, value)
    return response
