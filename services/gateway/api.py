"""The gateway's HTTP entrypoint: authenticate, authorise, answer in JSON.

`api(method, url)` is nameko's `http` with three additions: the caller's token
is checked and their role looked up in `permissions.ROLES_FOR` before a worker
starts; results are JSON in UTF-8 (Chinese stays Chinese); and every failure
leaves in the one error shape, with no stack trace.
"""

import json
import logging

from marshmallow import ValidationError
from nameko.exceptions import ConfigurationError, RemoteError
from nameko.web.handlers import HttpRequestHandler
from werkzeug.wrappers import Response

from services.gateway import auth, permissions
from services.gateway.errors import ApiError, BadRequest, Forbidden, from_remote

logger = logging.getLogger(__name__)

JWT_SECRET_KEY = "GATEWAY_JWT_SECRET"
JSON_TYPE = "application/json; charset=utf-8"


def json_response(status, payload, headers=None):
    body = json.dumps(payload, ensure_ascii=False)
    return Response(body, status=status, headers=headers, content_type=JSON_TYPE)


def load_body(request, schema):
    """The request's JSON body loaded by `schema`, or BadRequest naming the fields."""
    try:
        body = json.loads(request.get_data(as_text=True) or "{}")
    except ValueError:
        raise BadRequest("the body is not JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    try:
        return schema.load(body)
    except ValidationError as exc:
        raise BadRequest("some fields are not valid", fields=exc.messages) from None


def load_query(request, schema):
    """The query string loaded by `schema`, or BadRequest naming the fields."""
    try:
        return schema.load(request.args.to_dict())
    except ValidationError as exc:
        raise BadRequest(
            "some query parameters are not valid", fields=exc.messages
        ) from None


class ApiRoute(HttpRequestHandler):
    def __init__(self, method, url, public=False, **kwargs):
        self.public = public
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

    def handle_request(self, request):
        try:
            request.caller = self.caller_of(request)
        except ApiError as exc:
            return self.response_from_exception(exc)
        return super().handle_request(request)

    def caller_of(self, request):
        return None if self.public else self.authorise(request)

    def authorise(self, request):
        caller = auth.caller_from_header(
            request.headers.get("Authorization"), self.secret
        )
        if not permissions.allows(self.method_name, caller.role):
            raise Forbidden(
                f"a {caller.role} may not call {request.method} {request.path}"
            )
        return caller

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status, payload = result if isinstance(result, tuple) else (200, result)
        return json_response(status, payload)

    def response_from_exception(self, exc):
        if isinstance(exc, RemoteError):
            exc = from_remote(exc) or exc
        if isinstance(exc, ApiError):
            if exc.status >= 500:
                logger.error("%s: %s", exc.code, exc.message)
            return json_response(exc.status, exc.body())
        logger.error("unexpected failure: %r", exc, exc_info=exc)
        return json_response(
            500,
            {"error": "internal_error", "message": "the request failed; it was logged"},
        )


api = ApiRoute.decorator
