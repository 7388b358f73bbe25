"""Which of the app's request hooks a REST API request runs (接口请求的钩子).

The pages install app-wide hooks every request goes through: the logged-in user for the menu
(``webui/auth._load_user``), the login redirect, Flask-WTF's form CSRF check, the message centre's
catch-up, the pages' security headers. The API authenticates itself (a bearer token, or the login
session with the ``X-CSRF-Token`` header: webui/api/auth.py), and each of those hooks already
returned at once for it, after being looked up, called and asked its blueprint (~700 bytecodes of an
API completion, bench/http_profile.py ``--bytecodes``). A hook marked ``not_for_api`` is left out
of an API request's hooks altogether; every other hook runs for it as before, in Flask's order: the
session's 503 when the database is away, the login limits (``POST /api/tokens``), a demo database's
clock, the API's own authentication and body guard; after the view the API's security headers and
the session's save.

``DubanFlask`` (webui/app.py) takes an API request's hooks from ``api_hooks``, made once per app
and blueprint at its first request (Flask refuses a hook added after an app's first request).
A view's own ``after_this_request`` hooks, and any app with ``url_value_preprocessors``, take
Flask's own path.
"""
from __future__ import annotations

from itertools import chain

NOT_FOR_API = "duban_not_for_api"


def not_for_api(hook):
    """Mark an app-wide ``before_request``/``after_request`` hook that has nothing to do for a REST
    API request (its blueprint is one of ``webui.auth.API_BLUEPRINTS``): the API's requests skip it."""
    setattr(hook, NOT_FOR_API, True)
    return hook


def for_api(hook) -> bool:
    return not getattr(hook, NOT_FOR_API, False)


def api_hooks(app, blueprint: str) -> tuple[tuple, tuple]:
    """The before-request and after-request hooks of a request to ``blueprint`` (an API blueprint,
    not nested), in the order Flask calls them, without those marked ``not_for_api``; each already
    through ``app.ensure_sync``."""
    before = chain(app.before_request_funcs.get(None, ()), app.before_request_funcs.get(blueprint, ()))
    after = chain(reversed(app.after_request_funcs.get(blueprint, ())), reversed(app.after_request_funcs.get(None, ())))
    return (tuple(app.ensure_sync(f) for f in before if for_api(f)),
            tuple(app.ensure_sync(f) for f in after if for_api(f)))
