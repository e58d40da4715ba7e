"""The gateway's WSGI app: every answer carries its request id, bodies over the
limit are refused before they are read, and werkzeug's own refusals (unknown
path or method) and any failure at all leave in the one error shape."""

import json
import logging

from nameko.exceptions import ContainerBeingKilled, RemoteError
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Request, Response

from eventing import logcontext
from eventing.database import DatabaseUnavailable
from services.gateway import auth
from services.gateway.errors import (
    ApiError,
    InternalError,
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
TRUSTED_PROXIES_KEY = "GATEWAY_TRUSTED_PROXIES"
DEFAULT_MAX_BODY = 64 * 1024
JSON_TYPE = "application/json; charset=utf-8"


def json_response(status, payload, headers=None):
    body = json.dumps(payload, ensure_ascii=False)
    return Response(body, status=status, headers=headers, content_type=JSON_TYPE)


def error_response(error):
    return json_response(error.status, error.body(), error.headers)


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
        app = ApiWsgiApp(self)
        # behind proxies, the caller's address (which the sign-in limit counts
        # by) is what the trusted ones put in X-Forwarded-For; with none, the
        # header is the caller's own word and is ignored
        proxies = int(self.container.config.get(TRUSTED_PROXIES_KEY, 0))
        return ProxyFix(app, x_for=proxies, x_proto=proxies) if proxies else app
