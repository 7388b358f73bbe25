"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis).

For every operation in /api/openapi.json, schemathesis generates requests that fit the document
(positive) and requests that break it (negative), sends them to the real Flask app on a real
database with a bearer token, and checks each response: never a 5xx, and always what the document
promises (status code, content type, headers, body schema); invalid input must be refused.
The example count is bounded and the generation derandomized so the run is repeatable in CI and
takes well under two minutes for both databases.
"""
from __future__ import annotations

import hypothesis
import schemathesis
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               response_headers_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests.test_api_helpers import World, build_app, build_engine
from webui.api import create_token

EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


def _world(database_url, tmp_path) -> World:
    engine = build_engine(database_url)
    engine.directory.add_user("fuzz", org="city", roles=["admin", "designer", "supervisor", "inspector"],
                              name="模糊测试")
    world = World(engine, build_app(engine, tmp_path))
    # Something to find: cases in two org units, open tasks, an incident, a timer.
    world.real_ids = {"key": "api_matrix", "topic": "sms", "item_id": 1}  # item_id: /api/outbox (409 if unleased)
    for scope in ("own_org", "other_org", "own_enterprise"):
        case_id = world.start(scope)
        if scope == "own_org":
            world.real_ids.update(case_id=case_id, task_id=world.task(case_id, "inspect"),
                                  incident_id=world.incident(case_id))
    return world


def test_api_holds_its_openapi_contract_under_generated_input(database_url, tmp_path):
    world = _world(database_url, tmp_path)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", world.app)
    failures: list[str] = []
    calls = 0

    for result in schema.get_all_operations():
        operation = result.ok()
        path_names = [p.name for p in operation.path_parameters]
        rounds = [(mode, None) for mode in MODES]
        if path_names:  # once more with ids that exist, so the views run past their 404s
            rounds.append((schemathesis.GenerationMode.POSITIVE, {n: world.real_ids[n] for n in path_names}))
        revokes_token = operation.path == "/api/tokens/current"
        for mode, path_parameters in rounds:
            checks = CHECKS + ([negative_data_rejection] if mode == schemathesis.GenerationMode.NEGATIVE else [])
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                                 suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.generate])
            @hypothesis.given(case=strategy)
            def run(case):
                nonlocal calls
                calls += 1
                # Revoking "the current token" gets a token of its own, not the one the run uses.
                headers = (world.headers("fuzz") if not revokes_token else
                           {"Authorization": "Bearer " + create_token(world.engine, "fuzz")})
                case.call_and_validate(headers=headers, checks=checks)

            label = f"{operation.label} [{mode.value}{', real ids' if path_parameters else ''}]"
            try:
                run()
            except Exception as exc:  # the first failing example of each round is reported
                failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:3000]}")

    world.engine.dispose()
    assert calls > 400
    assert not failures, "\n\n".join(failures)
