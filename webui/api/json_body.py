"""The JSON text of API responses (接口响应的 JSON 正文), written by msgspec.

Every API answer ends in ``jsonify(dumped)`` (flask-smorest), and Flask's provider writes it with
``json.dumps(..., sort_keys=True, default=...)``: ~40 µs CPU of a case page's or a completion's
~0.4 ms in the web layer (bench/http_profile.py, a case page of ~1.8 kB). msgspec writes the same
text — keys sorted, strings escaped as ``json`` escapes them with ``ensure_ascii`` off — in a
tenth of the time (it is already the engine's encoder: engine/step.py, engine/audit.py).

Where the two could differ, Flask's provider writes the body as before:

- anything msgspec refuses (keys that are not text, ``Markup``, a lone surrogate…) falls back;
- pages' JSON (a non-API request) is left to Flask entirely, so a page script never sees a new
  format;
- an app that escapes non-ASCII, does not sort keys or indents (debug) keeps Flask's.

What remains different is only how numbers and times are spelled, never their value: a float
``1e16`` (``json``: ``1e+16``), ``0.00001`` (``1e-05``); and a ``datetime`` left in a body (the
response schemas turn every time into ISO 8601 text, so none reaches here from them) is ISO 8601
where Flask wrote an HTTP date.
"""
from __future__ import annotations

import msgspec
from flask.json.provider import DefaultJSONProvider

from .errors import is_api_request

_encode = msgspec.json.Encoder(order="sorted").encode


class ApiJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, an API response's body written by msgspec (see the module)."""

    def response(self, *args, **kwargs):
        plain = self.sort_keys and not self.ensure_ascii and (
            self.compact or (self.compact is None and not self._app.debug))
        if not plain or not is_api_request():
            return super().response(*args, **kwargs)
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = _encode(obj)
        except (TypeError, ValueError, msgspec.EncodeError):
            return super().response(obj)
        return self._app.response_class(body + b"\n", mimetype=self.mimetype)


def install(app) -> None:
    """The app's JSON provider becomes ``ApiJSONProvider``, keeping its settings."""
    if isinstance(app.json, ApiJSONProvider):
        return
    old, new = app.json, ApiJSONProvider(app)
    for name in ("ensure_ascii", "sort_keys", "compact", "mimetype"):
        setattr(new, name, getattr(old, name))
    app.json = new
