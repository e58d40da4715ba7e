"""The gateway's HTTP entrypoint: authenticate, authorise, answer in JSON.

`api(method, url, ...)` is nameko's `http` with a declaration the gateway
acts on and documents (see `services.gateway.openapi`):

- `body=Schema` / `query=Schema`: loaded before a worker starts (400 naming
  the fields); the route reads `request.body` / `request.query`;
- `response=Schema` and `status=`: what a success answers (a route returns a
  dict, or `(status, dict)`);
- `idempotent=True`: the route accepts an `Idempotency-Key` header;
- `public=True`: no token needed; any other route needs a valid token of an
  active account and a role that `permissions.ROLES_FOR` lets in;
- `errors=(...)`: the refusals worth naming in the document beyond the usual.

Results are JSON in UTF-8 (Chinese stays Chinese), every answer carries the
request's `X-Request-Id`, and every failure leaves in the one error shape,
with no stack trace.
"""

import json
import logging
from functools import partial

from eventlet.event import Event
from marshmallow import ValidationError
from nameko.exceptions import ConfigurationError, ContainerBeingKilled, RemoteError
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from eventing import logcontext
from eventing.database import (
    COMMAND_KEY,
    Database,
    DatabaseUnavailable,
    Transactions,
)
from services.gateway import accounts, auth, idempotency, openapi, permissions
from services.gateway.errors import (
    ApiError,
    BadRequest,
    Forbidden,
    InternalError,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    Unavailable,
    from_http_exception,
    from_remote,
)
from services.gateway.requestid import HEADER, request_id_for

logger = logging.getLogger(__name__)

JWT_SECRET_KEY = "GATEWAY_JWT_SECRET"
MAX_BODY_KEY = "GATEWAY_MAX_BODY_BYTES"
DEFAULT_MAX_BODY = 64 * 1024
JSON_TYPE = "application/json; charset=utf-8"


def json_response(status, payload, headers=None):
    body = json.dumps(payload, ensure_ascii=False)
    return Response(body, status=status, headers=headers, content_type=JSON_TYPE)


def error_response(error):
    return json_response(error.status, error.body(), error.headers)


def load_body(request, schema):
    """The request's JSON body loaded by `schema`, or BadRequest naming the fields."""
    try:
        body = json.loads(request.get_data().decode("utf-8") or "{}")
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8") from None
    except ValueError:
        raise BadRequest("the body is not JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    refuse_unstorable_text(body, "some fields are not valid text")
    try:
        return schema.load(body)
    except ValidationError as exc:
        raise BadRequest("some fields are not valid", fields=exc.messages) from None


def load_query(request, schema):
    """The query string loaded by `schema`, or BadRequest naming the fields."""
    query = request.args.to_dict()
    refuse_unstorable_text(query, "some query parameters are not valid text")
    try:
        return schema.load(query)
    except ValidationError as exc:
        raise BadRequest(
            "some query parameters are not valid", fields=exc.messages
        ) from None


def unstorable_text(value, path=""):
    """The fields (as dotted paths) holding text no database can store: the
    NUL character, or half of a UTF-16 surrogate pair."""
    if isinstance(value, str):
        return [] if _storable(value) else [path or "_value"]
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    found = []
    for key, item in items:
        name = f"{path}.{key}" if path else str(key)
        if not _storable(str(key)):
            found.append(path or "_key")
        found += unstorable_text(item, name)
    return found


def refuse_unstorable_text(value, message):
    found = unstorable_text(value)
    if found:
        reason = ["contains a NUL character or a lone surrogate"]
        raise BadRequest(message, fields=dict.fromkeys(found, reason))


def _storable(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def as_api_error(exc):
    """Any failure as the ApiError the caller sees; the unexpected are logged."""
    if isinstance(exc, RemoteError):
        known = from_remote(exc)
        if known is not None:
            return known
        logger.error("a service failed: %s", exc.exc_type)
        return InternalError("the request failed; it was logged")
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, HTTPException):
        return from_http_exception(exc)
    if isinstance(exc, DatabaseUnavailable):
        return Unavailable(str(exc))
    if isinstance(exc, ContainerBeingKilled):
        return Unavailable("the gateway is stopping; try again")
    logger.error("unexpected failure: %r", exc, exc_info=exc)
    return InternalError("the request failed; it was logged")


class ApiWsgiApp(WsgiApp):
    """nameko's WSGI app, with ids, size limits and werkzeug's refusals (unknown
    path or method) in the one error shape."""

    def __init__(self, server):
        super().__init__(server)
        config = server.container.config
        self.max_body = int(config.get(MAX_BODY_KEY, DEFAULT_MAX_BODY))
        self.secret = config.get(JWT_SECRET_KEY)

    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)
        request.request_id = request_id_for(request)
        logcontext.bind(request.request_id)
        request.max_content_length = self.max_body
        try:
            response = self.route(request, environ)
        except Exception as exc:  # noqa: BLE001 - nothing may leave unanswered
            response = error_response(as_api_error(exc))
        response.headers[HEADER] = request.request_id
        return response(environ, start_response)

    def route(self, request, environ):
        if (request.content_length or 0) > self.max_body:
            raise PayloadTooLarge(f"the body may be at most {self.max_body} bytes")
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
        except HTTPException as exc:
            raise self.refusal(request, exc) from None
        request.path_values = values
        return provider.handle_request(request)

    def refusal(self, request, exc):
        # which paths exist is nobody's business before they sign in
        try:
            auth.caller_from_header(request.headers.get("Authorization"), self.secret)
        except Unauthorized as unauthorized:
            return unauthorized
        error = from_http_exception(exc)
        error.message = f"{request.method} {request.path}: {error.message}"
        return error


class ApiServer(WebServer):
    def get_wsgi_app(self):
        return ApiWsgiApp(self)


class ApiRoute(HttpRequestHandler):
    server = ApiServer()

    def __init__(
        self,
        method,
        url,
        public=False,
        body=None,
        query=None,
        response=None,
        status=200,
        idempotent=False,
        errors=(),
        summary=None,
        **kwargs,
    ):
        self.public = public
        self.body = body
        self.query = query
        self.response = response
        self.status = status
        self.idempotent = idempotent
        self.errors = tuple(errors)
        self.summary = summary
        # refusals are answered, not failures of the gateway: nameko need not
        # log them as errors
        kwargs.setdefault("expected_exceptions", (ApiError, RemoteError))
        super().__init__(method, url, **kwargs)

    def setup(self):
        super().setup()
        self.secret = self.container.config.get(JWT_SECRET_KEY)
        if not self.secret:
            raise ConfigurationError(f"{JWT_SECRET_KEY} must be set")
        if not self.public and self.method_name not in permissions.ROLES_FOR:
            raise ConfigurationError(
                f"no permission entry for route {self.method_name}"
            )
        function = getattr(self.container.service_cls, self.method_name)
        missing = openapi.undocumented(self, function)
        if missing:
            raise ConfigurationError(f"route {self.method_name}: {missing}")
        self.database = next(
            d for d in self.container.dependencies if isinstance(d, Database)
        )
        self.keys = idempotency.Store(self.container.config)

    def handle_request(self, request):
        request.shallow = False
        try:
            request.caller = None if self.public else self.authorise(request)
            if unstorable_text(request.path_values):
                raise NotFound(f"nothing is named so: {request.path!r}")
            request.body = self.body and load_body(request, self.body())
            request.query = self.query and load_query(request, self.query())
            key = request.headers.get(idempotency.HEADER)
            if self.idempotent and key is not None:
                return self.keys.respond(self.db(request), request, key, self.answer)
        except Exception as exc:
            return self.response_from_exception(exc)
        return self.answer(request)

    def db(self, request):
        return Transactions(self.database, request.request_id)

    def authorise(self, request):
        caller = auth.caller_from_header(
            request.headers.get("Authorization"), self.secret
        )
        with self.db(request).session() as session:
            accounts.check_active(session, caller.user_id)
        if not permissions.allows(self.method_name, caller.role):
            raise Forbidden(
                f"a {caller.role} may not call {request.method} {request.path}"
            )
        return caller

    def answer(self, request):
        """Run the route in a worker; its result or failure as a Response."""
        try:
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            event = Event()
            self.container.spawn_worker(
                self,
                args,
                kwargs,
                context_data=self.context_data(request),
                handle_result=partial(self.handle_result, event),
            )
            return self.response_from_result(event.wait())
        except Exception as exc:
            return self.response_from_exception(exc)

    def context_data(self, request):
        """What travels with every RPC the worker makes (nameko headers)."""
        data = {logcontext.CONTEXT_KEY: request.request_id}
        if getattr(request, "command_key", None):
            data[COMMAND_KEY] = request.command_key
        return data

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status, payload = result if isinstance(result, tuple) else (self.status, result)
        return json_response(status, payload)

    def response_from_exception(self, exc):
        error = as_api_error(exc)
        if error.status >= 500:
            logger.error("%s: %s", error.code, error.message)
        return error_response(error)


api = ApiRoute.decorator
