"""Text a page receives, without the characters no record can hold (录入文本中的控制字符).

What an official types into a page's form or address is often pasted: text copied from Word keeps
its manual line break (U+000B) or page break (U+000C), text copied out of another system a NUL or
another control character nobody sees. PostgreSQL refuses a NUL in text — the submit answered 500
and what was typed was lost — and the .docx of a 文书 and the .xlsx of a 统计表 cannot hold any of
them. The REST API refuses them (422, webui/api/limits.py): a client program can mend its request.
A page cleans them instead (engine/typed_input.py ``without_controls``), as the person cannot see
what to mend; everything else is kept as typed.

The cleaning is the request's own (``PageRequest``, Flask's ``request_class``), so every view, and the
form check behind it, reads the cleaned text; the REST API's requests are left to its own refusal.
"""
from __future__ import annotations

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

from engine.typed_input import has_controls, without_controls

API_PREFIX = "/api/"


def _cleaned(values):
    pairs = list(values.items(multi=True))
    if not any(has_controls(k) or (isinstance(v, str) and has_controls(v)) for k, v in pairs):
        return values
    return ImmutableMultiDict([(without_controls(k), without_controls(v) if isinstance(v, str) else v)
                               for k, v in pairs])


class PageRequest(Request):
    """Flask's request, its form fields and query parameters without control characters on a page."""

    def _page(self) -> bool:
        return not self.path.startswith(API_PREFIX)

    def _load_form_data(self) -> None:
        loaded = "form" in self.__dict__
        super()._load_form_data()
        if not loaded and self._page():
            self.__dict__["form"] = _cleaned(self.__dict__["form"])

    @cached_property
    def args(self):  # type: ignore[override]
        args = Request.args.__get__(self, type(self))  # werkzeug's own parse
        return _cleaned(args) if self._page() else args
