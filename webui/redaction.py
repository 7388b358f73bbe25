"""A case as one user may read it: ``engine.case`` (which checks the user may see the case at all) with
the fields only another role reads taken out of its data and its history — the whistleblower's
identity (举报人身份) is for the 举报受理员 alone (``workflows.forms.context.RESTRICTED``). Every page
and API call that shows a case reads it through here."""
from __future__ import annotations

from workflows.forms.context import RESTRICTED, redact


def case_for(engine, case_id: int, user):
    view = engine.case(case_id, username=user.username)
    if RESTRICTED and any(role not in user.roles for role in set(RESTRICTED.values())):
        view.data = redact(view.data, user.roles)
        view.history = redact(view.history, user.roles)
    return view
