"""The gateway's HTTP entrypoint: authenticate, authorise, answer in JSON.

`api(method, url, ...)` is nameko's `http` with a declaration the gateway
acts on and documents (see `services.gateway.openapi`):

- `body=Schema` / `query=Schema`: loaded before a worker starts (400 naming
  the fields); the route reads `request.body` / `request.query`;
- `response=Schema` and `status=`: what a success answers (a route returns a
  dict, or `(status, dict)`);
- `idempotent=True`: the route accepts an `Idempotency-Key` header;
- `public=True`: no token needed; any other route needs a valid token of an
  active account (see `active_accounts`) and a role that
  `permissions.ROLES_FOR` lets in;
- `errors=(...)`: the refusals worth naming in the document beyond the usual.

Results are JSON in UTF-8 (Chinese stays Chinese), every answer carries the
request's `X-Request-Id`, and every failure leaves in the one error shape,
with no stack trace.
"""

import logging
from functools import partial

from eventlet.event import Event
from nameko.exceptions import ConfigurationError, RemoteError
from nameko.web.handlers import HttpRequestHandler
from werkzeug.wrappers import Response

from eventing import logcontext
from eventing.database import COMMAND_KEY, Database, Transactions
from services.gateway import accounts, auth, idempotency, openapi, permissions
from services.gateway.active_accounts import ActiveAccounts
from services.gateway.bodies import load_body, load_query, unstorable_text
from services.gateway.errors import ApiError, Forbidden, NotFound
from services.gateway.server import (
    JWT_SECRET_KEY,
    ApiServer,
    as_api_error,
    error_response,
    json_response,
)

logger = logging.getLogger(__name__)

# what route modules import from here
__all__ = ["api", "load_body", "load_query", "json_response"]


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
        self.active_accounts = next(
            d for d in self.container.dependencies if isinstance(d, ActiveAccounts)
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

        def read():
            with self.db(request).session() as session:
                accounts.check_active(session, caller.user_id)

        self.active_accounts.check(caller.user_id, read)
        if not permissions.allows(self.method_name, caller.role, caller.volunteer_id):
            reason = f"a {caller.role} may not call {request.method} {request.path}"
            if permissions.for_their_volunteer(self.method_name):
                # an application approved since this token was issued
                reason += (
                    " unless the account carries a volunteer record: sign in"
                    " again if it has been given one"
                )
            raise Forbidden(reason)
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
