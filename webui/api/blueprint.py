"""The one blueprint the REST API lives in, and what every API request goes through first.

One blueprint named ``api`` (not one per resource) because the pages' cross-cutting hooks exempt the
API by blueprint name (webui/csrf.py) — the API authenticates and checks CSRF on its own. Resources
still get a module and an OpenAPI tag each (``bp.route(..., tags=[...])``).

Order for every request: authenticate (token or session, see ``auth``), then guard the body
(``limits``), then the view. Engine errors raised by a view are mapped to statuses in ``errors``.
"""
from __future__ import annotations

from flask import current_app, g
from flask_smorest import Blueprint
from flask_smorest.utils import resolve_schema_instance

from engine.directory import Principal


class ApiBlueprint(Blueprint):
    """flask-smorest's Blueprint, its argument schemas made once when the route is declared.

    Given a schema *class*, webargs makes an instance of it on every request (``Parser._get_schema``):
    marshmallow copies every declared field for it, ~0.3 ms of a POST's web layer. An instance is
    used as it is, and a marshmallow 4 schema keeps no state between loads; responses already get one
    instance at declaration (``Blueprint.response``). The OpenAPI document is the same either way."""

    def arguments(self, schema, *args, **kwargs):
        return super().arguments(resolve_schema_instance(schema), *args, **kwargs)


bp = ApiBlueprint("api", __name__, url_prefix="/api",
                  description="督办 REST API: 流程模型、案件、任务、定时器与异常事件、人员与组织机构")


def engine():
    return current_app.extensions["duban_engine"]


def principal() -> Principal:
    """The authenticated user of this request, as the engine's policy sees them."""
    return g.api_principal


def username() -> str:
    return g.api_principal.username


def page(items, limit: int, offset: int) -> dict:
    return {"items": list(items), "limit": limit, "offset": offset}


# Hooks and handlers are attached once, at import, because Flask refuses to change a blueprint
# after it has been registered on an app (tests register it on many apps).
from . import auth, errors, limits  # noqa: E402

bp.before_request(auth.authenticate)
bp.before_request(limits.guard_request)
errors.install_on(bp)
