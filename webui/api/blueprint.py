"""The one blueprint the REST API lives in, and what every API request goes through first.

One blueprint named ``api`` (not one per resource) because the pages' cross-cutting hooks exempt the
API by blueprint name (webui/csrf.py) — the API authenticates and checks CSRF on its own. Resources
still get a module and an OpenAPI tag each (``bp.route(..., tags=[...])``).

Order for every request: authenticate (token or session, see ``auth``), then guard the body
(``limits``), then the view. Engine errors raised by a view are mapped to statuses in ``errors``.
"""
from __future__ import annotations

import marshmallow as ma
from flask import current_app, g
from flask_smorest import Blueprint
from flask_smorest.utils import resolve_schema_instance
from webargs.flaskparser import FlaskParser

from engine.directory import Principal

from .dump import fast_dump


class BodyOnceParser(FlaskParser):
    """webargs' Flask parser, a JSON body taken as ``limits.guard_request`` parsed and checked it
    (``g.api_body``) instead of parsed a second time (a completion's form of 6 kB: ~35 µs). A body
    the guard did not keep (empty, not JSON by its content type) is read by webargs as before."""

    def load_json(self, req, schema):
        body = g.get(limits.BODY_KEY, ma.missing)
        return super().load_json(req, schema) if body is ma.missing else body


class ApiBlueprint(Blueprint):
    """flask-smorest's Blueprint, its argument schemas made once when the route is declared.

    Given a schema *class*, webargs makes an instance of it on every request (``Parser._get_schema``):
    marshmallow copies every declared field for it, ~0.3 ms of a POST's web layer. An instance is
    used as it is, and a marshmallow 4 schema keeps no state between loads; responses already get one
    instance at declaration (``Blueprint.response``). The OpenAPI document is the same either way."""

    ARGUMENTS_PARSER = BodyOnceParser()

    def arguments(self, schema, *args, **kwargs):
        return super().arguments(resolve_schema_instance(schema), *args, **kwargs)

    def response(self, status_code, schema=None, *args, **kwargs):
        """flask-smorest's ``response``, its schema instance dumping through ``webui.api.dump``:
        the same JSON without marshmallow's per-field layers (0.1–0.3 ms CPU of a case page). The
        instance is still the one the OpenAPI document is made from; only its ``dump`` is replaced."""
        schema = resolve_schema_instance(schema)
        if isinstance(schema, ma.Schema):
            fast = fast_dump(schema)
            if fast is not None:
                schema.dump = fast  # type: ignore[method-assign]
        return super().response(status_code, schema, *args, **kwargs)


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
