"""A case as one user may read it: ``engine.case`` (which checks the user may see the case at all) with
the fields only another role reads taken out of its data and its history — the whistleblower's
identity (举报人身份) is for the 举报受理员 alone (``workflows.forms.context.RESTRICTED``). Every page
and API call that shows a case reads it through here.

Most cases hold none of those fields, yet their data and every history entry were copied key by key
to take nothing out (~50 µs CPU of a case page with eight history entries, more than the page's
JSON). Data or history whose JSON text names no hidden field as a key is now kept as the engine
read it (fresh for each call): a key ``whistleblower_name`` at any depth is written ``"whistleblower_name":``
by any JSON writer, so a text without that mark has no such key, and msgspec writes the text of a
case page in ~3 µs. A value msgspec cannot write, or a text with the mark (a key, or the mark
inside some text), is redacted as before."""
from __future__ import annotations

import msgspec

from workflows.forms.context import RESTRICTED, redact

_encode = msgspec.json.Encoder().encode


def case_for(engine, case_id: int, user):
    view = engine.case(case_id, username=user.username)
    hidden = _hidden_marks(user.roles)
    if hidden:
        if _may_name(view.data, hidden):
            view.data = redact(view.data, user.roles)
        if _may_name(view.history, hidden):
            view.history = redact(view.history, user.roles)
    return view


def _hidden_marks(roles) -> tuple[bytes, ...]:
    """``"name":`` in UTF-8 for each restricted field these roles may not read."""
    held = set(roles or ())
    return tuple(f'"{name}":'.encode() for name, role in RESTRICTED.items() if role not in held)


def _may_name(value, marks: tuple[bytes, ...]) -> bool:
    """Could ``value`` hold a key among ``marks``, at any depth? False only when it surely does not."""
    try:
        text = _encode(value)
    except (TypeError, ValueError, msgspec.EncodeError):
        return True
    return any(mark in text for mark in marks)
