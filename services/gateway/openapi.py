"""The gateway's HTTP API as an OpenAPI 3.1 document, built from its routes.

Each route's declaration (`api(method, url, body=, query=, response=,
status=, idempotent=, public=, errors=)`), its docstring and its row in
`permissions.ROLES_FOR` are the document's only sources: it is built on each
request for /api/openapi.json, so it cannot drift from what the gateway does.
A route that does not declare what the document needs stops the gateway
from starting (`undocumented`).
"""

import inspect
import re
from dataclasses import dataclass
from importlib.metadata import version

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields as mfields
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.web.handlers import HttpRequestHandler

from eventing.asyncapi import ContractConverter
from services.gateway import permissions
from services.gateway.requestid import ACCEPTED
from services.gateway.responses import ErrorSchema

OPENAPI_VERSION = "3.1.0"
DISTRIBUTION = "volunteer-platform"
JSON = "application/json"
PATH_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
TAKES_A_BODY = ("POST", "PUT", "PATCH")
SECURITY = "bearerAuth"
REQUEST_ID_PATTERN = ACCEPTED.pattern

DESCRIPTION = """\
The district's HTTP API for people and browsers.

**Signing in.** `POST /api/auth/token` answers a short-lived access token and
a refresh token. Send `Authorization: Bearer <access_token>` on every call but
the public ones (sign-in, refresh, `/health`, `/ready`, this document and
`/api/docs`); without it the answer is 401. `POST /api/auth/refresh` trades a
refresh token (each works once) for a new pair. Five failed sign-ins of one
account within 15 minutes (twenty from one address) are answered 429 with
`Retry-After`. A disabled account's tokens stop working at once.

**Errors** all have one shape, `{"error": CODE, "message": ..., "fields"?}`:
400 the body or query has the wrong shape (`fields` names each field), 401 no
valid token, 403 the role or scope does not allow it, 404 unknown, 405 wrong
method, 409 a conflict with the current state, 413 a body over 64 KiB, 422
well-formed content that breaks a rule, 429 too many failed sign-ins, 503 a
service, the broker or a database is down (nothing was changed: retry).

**Idempotency.** Commands that create something take an `Idempotency-Key`
header: a retry with the same key answers the first answer (with
`Idempotent-Replayed: true`) and creates nothing more; the same key with
another body is 409. Keys are kept 24 hours, per account.

**Request ids.** Every answer carries `X-Request-Id` (the caller's own, if it
sent a plain one): it is on every log line of every service the request
reached, and is the `correlationid` of every event it caused.

**Lists** come a page at a time (`limit` at most 100): pass a page's
`next_cursor` back as `cursor` for the next.
Text is UTF-8 JSON; Chinese is sent and answered as it is.
"""

TAGS = {
    "auth": "accounts",
    "users": "accounts",
    "teams": "teams",
    "volunteers": "teams",
    "places": "teams",
    "stations": "teams",
    "orders": "orders",
    "banks": "banks",
    "donors": "banks",
    "items": "banks",
    "donations": "banks",
    "redemptions": "banks",
    "distributions": "banks",
    "reports": "banks",
    "points": "points",
}


@dataclass(frozen=True)
class Route:
    name: str
    entrypoint: HttpRequestHandler
    function: object

    @property
    def path(self):
        return PATH_PARAMETER.sub(r"{\1}", self.entrypoint.url)

    @property
    def method(self):
        return self.entrypoint.method.lower()

    @property
    def path_parameters(self):
        return PATH_PARAMETER.findall(self.entrypoint.url)


def routes(service_cls):
    """Every `api` route of the service class, inherited ones included."""
    found = []
    for name, function in inspect.getmembers(service_cls, inspect.isfunction):
        for entrypoint in getattr(function, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if hasattr(entrypoint, "response"):
                found.append(Route(name, entrypoint, function))
    return sorted(found, key=lambda r: (r.entrypoint.url, r.method))


def undocumented(entrypoint, function):
    """What the route fails to declare for the document ('' if nothing)."""
    missing = []
    if not inspect.getdoc(function):
        missing.append("a docstring (its first line is the summary)")
    if entrypoint.response is None:
        missing.append("response=<Schema> (what a success answers)")
    if entrypoint.method in TAKES_A_BODY and entrypoint.body is None:
        missing.append("body=<Schema> (an empty schema if it takes none)")
    if entrypoint.idempotent and entrypoint.public:
        missing.append("a caller: idempotency keys are kept per account")
    return "; ".join(missing)


def build_document(service_cls):
    spec = APISpec(
        title="Volunteer platform API",
        version=version(DISTRIBUTION),
        openapi_version=OPENAPI_VERSION,
        plugins=[Plugin()],
        info={"description": DESCRIPTION},
        security=[{SECURITY: []}],
    )
    spec.components.security_scheme(
        SECURITY, {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.header(
        "X-Request-Id",
        {"description": "The request's id", "schema": {"type": "string"}},
    )
    spec.components.parameter(
        "X-Request-Id",
        "header",
        {
            "description": "Your own id for the request, kept if it is plain.",
            "schema": {"type": "string", "pattern": REQUEST_ID_PATTERN},
        },
    )
    for route in routes(service_cls):
        missing = undocumented(route.entrypoint, route.function)
        if missing:
            raise UndocumentedRoute(f"route {route.name} must declare {missing}")
        spec.path(path=route.path, operations={route.method: operation(route)})
    return spec.to_dict()


class UndocumentedRoute(Exception):
    """A route does not declare what the document needs."""


class Plugin(MarshmallowPlugin):
    # the event contracts' converter: Dict fields as JSON Schema objects
    Converter = ContractConverter

    def init_spec(self, spec):
        super().init_spec(spec)
        self.converter.add_attribute_function(amount_as_text)


def amount_as_text(self, field, ret, **kwargs):
    """An amount sent as text (`"12.50"`): a pattern, not a numeric range,
    which JSON Schema would compare with a number."""
    if isinstance(field, mfields.Decimal) and field.as_string:
        ret.pop("minimum", None)
        ret.pop("maximum", None)
        ret["type"] = "string"
        ret["pattern"] = r"^[0-9]{1,9}(\.[0-9]{1,2})?$"
    return ret


def operation(route):
    entrypoint = route.entrypoint
    summary, _, description = inspect.getdoc(route.function).partition("\n")
    op = {
        "operationId": route.name,
        "summary": entrypoint.summary or summary,
        "description": (description.strip() + "\n\n" + who_may_call(route)).strip(),
        "tags": [tag(entrypoint.url)],
        "parameters": parameters(route),
        "responses": responses(route),
    }
    if entrypoint.public:
        op["security"] = []
    else:
        op["x-permissions"] = dict(permissions.ROLES_FOR[route.name])
    if entrypoint.body is not None:
        op["requestBody"] = {
            "required": any(f.required for f in entrypoint.body().fields.values()),
            "content": {JSON: {"schema": entrypoint.body}},
        }
    return op


def who_may_call(route):
    if route.entrypoint.public:
        return "Public: no token needed."
    roles = permissions.ROLES_FOR[route.name]
    rows = [f"{role} ({scope})" for role, scope in roles.items()]
    text = "Who may call: " + ", ".join([*rows, "admin (district)"]) + "."
    if permissions.for_their_volunteer(route.name):
        text += (
            " An account of another role that carries a volunteer record"
            " may call it as that volunteer."
        )
    return text


def tag(url):
    parts = url.strip("/").split("/")
    if parts[0] != "api" or len(parts) < 2 or parts[1] not in TAGS:
        return "system"
    return "points" if parts[-1] == "points" else TAGS[parts[1]]


def parameters(route):
    entrypoint = route.entrypoint
    found = [
        {
            "in": "path",
            "name": name,
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 64},
        }
        for name in route.path_parameters
    ]
    if entrypoint.query is not None:
        found.append({"in": "query", "schema": entrypoint.query})
    found.append("X-Request-Id")  # the component of that name
    if entrypoint.idempotent:
        found.append(
            {
                "in": "header",
                "name": "Idempotency-Key",
                "description": "Retries with this key answer the first answer.",
                "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
            }
        )
    return found


def error_statuses(route):
    entrypoint = route.entrypoint
    statuses = set(entrypoint.errors)
    if entrypoint.body is not None or entrypoint.query is not None:
        statuses |= {400}
    if entrypoint.body is not None:
        statuses |= {413}
    if not entrypoint.public:
        statuses |= {401, 403, 503}
    if route.path_parameters:
        statuses |= {404}
    if entrypoint.idempotent:
        statuses |= {400, 409}
    return sorted(statuses)


def responses(route):
    entrypoint = route.entrypoint
    success = entrypoint.response
    content = success if isinstance(success, dict) else {JSON: {"schema": success}}
    answers = {
        str(entrypoint.status): {
            "description": "Success.",
            "headers": {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}},
            "content": content,
        }
    }
    for status in error_statuses(route):
        answers[str(status)] = error_answer(STATUS_TEXT[status])
    answers["default"] = error_answer("Any other failure, in the same shape.")
    return answers


def error_answer(description):
    return {
        "description": description,
        "headers": {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}},
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


STATUS_TEXT = {
    400: "The body or query has the wrong shape; `fields` names each field.",
    401: "No valid token, or the account is disabled.",
    403: "The caller's role or scope does not allow this.",
    404: "What the path names does not exist.",
    409: "A conflict with the current state, or a reused Idempotency-Key.",
    413: "The body is too large.",
    422: "Well-formed content that breaks a rule of the domain.",
    429: "Too many failed sign-ins; wait as long as Retry-After says.",
    503: "A service, the broker or a database did not answer; nothing changed.",
}
