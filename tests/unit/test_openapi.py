"""The OpenAPI document: every route in it, nothing in it that is not a route,
and a route that does not declare its answer cannot join."""

import pytest
from jsonschema import Draft202012Validator
from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from services.gateway import docs, openapi
from services.gateway.api import ApiRoute
from services.gateway.service import GatewayService

PUBLIC = {
    ("POST", "/api/auth/token"),
    ("POST", "/api/auth/refresh"),
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/docs"),
}


@pytest.fixture(scope="module")
def document():
    return openapi.build_document(GatewayService)


def every_http_entrypoint():
    return [
        (name, entrypoint)
        for name in dir(GatewayService)
        for entrypoint in getattr(
            getattr(GatewayService, name), "nameko_entrypoints", ()
        )
        if isinstance(entrypoint, HttpRequestHandler)
    ]


def operations(document):
    return {
        (method.upper(), path): op
        for path, item in document["paths"].items()
        for method, op in item.items()
    }


def test_every_route_is_in_the_document_with_its_answer(document):
    documented = operations(document)

    for route in openapi.routes(GatewayService):
        op = documented[(route.entrypoint.method, route.path)]
        success = op["responses"][str(route.entrypoint.status)]
        assert op["operationId"] == route.name
        assert op["summary"]
        assert success["content"]


def test_every_http_entrypoint_is_a_documented_route():
    assert {name for name, _ in every_http_entrypoint()} == {
        route.name for route in openapi.routes(GatewayService)
    }


def test_every_documented_operation_is_a_route(document):
    urls = Map(
        [
            Rule(r.entrypoint.url, methods=[r.entrypoint.method], endpoint=r.name)
            for r in openapi.routes(GatewayService)
        ]
    ).bind("gateway")

    for (method, path), op in operations(document).items():
        sample = path.replace("{", "").replace("}", "")
        try:
            endpoint, _ = urls.match(sample, method=method)
        except (NotFound, MethodNotAllowed):
            pytest.fail(f"{method} {path} is documented but no route answers it")
        assert endpoint == op["operationId"]


def test_a_route_that_does_not_declare_its_answer_cannot_be_documented():
    def place_order(self, request):
        pass

    route = ApiRoute("POST", "/api/orders")

    missing = openapi.undocumented(route, place_order)

    assert "docstring" in missing
    assert "response=" in missing
    assert "body=" in missing


def test_only_sign_in_refresh_probes_and_the_documentation_are_public(document):
    public = {
        key for key, op in operations(document).items() if op.get("security") == []
    }

    assert public == PUBLIC


def test_every_schema_in_the_document_is_valid_json_schema(document):
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)

    assert document["openapi"] == "3.1.0"


def test_commands_that_create_something_take_an_idempotency_key(document):
    for (method, path), op in operations(document).items():
        names = {p.get("name") for p in op["parameters"]}
        if "201" in op["responses"]:
            assert "Idempotency-Key" in names, (method, path)


def test_the_reference_page_shows_every_operation_and_its_fields(document):
    page = docs.render(document)

    for (_, path), op in operations(document).items():
        assert f"id={op['operationId']}" in page
        assert path in page
    assert "<code>volunteer_ids</code>" in page
    assert "<script" not in page
