"""One error shape for every caller: `{"error": CODE, "message": ..., "fields"?}`.

Errors raised by a service on purpose cross RPC as `RemoteError`s named by
their class; `REMOTE_ERRORS` is the one table that maps those names to HTTP.
Which status means what:

- 400 the body or query has the wrong shape (a schema refused it, naming fields);
- 401 no valid token, or the account is disabled;
- 403 the caller's role or scope does not cover the call;
- 404 what the path names does not exist;
- 409 the call conflicts with the current state (or an Idempotency-Key was
  used for another request);
- 413 the body is larger than the gateway takes;
- 422 the body has the right shape but its content breaks a domain rule;
- 429 too many failed sign-ins: wait as long as Retry-After says;
- 503 a service, the broker or a database did not answer: nothing was changed.
"""

from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    """An answer other than success, with its HTTP status and error code."""

    status = 500
    code = "internal_error"

    def __init__(self, message, fields=None, headers=None):
        super().__init__(message)
        self.message = message
        self.fields = fields
        self.headers = headers or {}

    def body(self):
        body = {"error": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class BadRequest(ApiError):
    """The body or query is not what the call takes."""

    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    """No valid token came with the call."""

    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    """The caller's role or scope does not allow the call."""

    status, code = 403, "forbidden"


class NotFound(ApiError):
    """What the call names does not exist."""

    status, code = 404, "not_found"


class MethodNotAllowed(ApiError):
    """The path exists, but not with this method."""

    status, code = 405, "method_not_allowed"


class Conflict(ApiError):
    """The call does not fit the current state of what it names."""

    status, code = 409, "conflict"


class PayloadTooLarge(ApiError):
    """The body is larger than the gateway accepts."""

    status, code = 413, "payload_too_large"


class Unprocessable(ApiError):
    """The body is well formed but its content breaks a rule of the domain."""

    status, code = 422, "unprocessable"


class TooManyRequests(ApiError):
    """Too many failed attempts; the caller must wait."""

    status, code = 429, "too_many_requests"


class InternalError(ApiError):
    """Something failed that should not have; it was logged."""

    status, code = 500, "internal_error"


class Unavailable(ApiError):
    """A service, the broker or a database the call needs did not answer."""

    status, code = 503, "unavailable"


REMOTE_ERRORS = {
    # orders
    "OrderNotFound": NotFound,
    "TeamNotKnown": NotFound,
    "InvalidTransition": Conflict,
    "OrderConflict": Conflict,
    "InvalidOrderInput": Unprocessable,
    "TeamUnavailable": Conflict,
    "TeamDoesNotServe": Unprocessable,
    # teams
    "TeamNotFound": NotFound,
    "VolunteerNotFound": NotFound,
    "StationNotFound": NotFound,
    "MembershipNotFound": NotFound,
    "UnknownPlace": Unprocessable,
    "InvalidDirectoryInput": Unprocessable,
    "IdCardAlreadyRegistered": Conflict,
    "VolunteerConflict": Conflict,
    "PlaceConflict": Conflict,
    # points
    "AccountNotFound": NotFound,
    "TransferNotFound": NotFound,
    "InsufficientPoints": Conflict,
    "NotReversible": Conflict,
    "RateNotAllowed": Unprocessable,
    "BadCursor": BadRequest,
    # inventory
    "BankNotFound": NotFound,
    "DonorNotFound": NotFound,
    "ItemNotFound": NotFound,
    "DonationNotFound": NotFound,
    "RedemptionNotFound": NotFound,
    "BankExists": Conflict,
    "OutOfStock": Conflict,
    "ItemNotRedeemable": Unprocessable,
    "FamilyLimitReached": Conflict,
    "CountBelowReserved": Conflict,
    # every service
    # the service's database did not answer: nothing was written, try again
    "OperationalError": Unavailable,
    "NotAllowed": Forbidden,
    "ValidationError": BadRequest,
    "DatabaseUnavailable": Unavailable,
}

HTTP_ERRORS = {
    cls.status: cls for cls in (BadRequest, NotFound, MethodNotAllowed, PayloadTooLarge)
}


def from_remote(remote_error):
    """The ApiError for a RemoteError, or None if it was not raised on purpose."""
    error_cls = REMOTE_ERRORS.get(remote_error.exc_type)
    if error_cls is None:
        return None
    return error_cls(str(remote_error.value))


def from_http_exception(exc: HTTPException):
    """werkzeug's own refusals (unknown path, wrong method, body too large) in
    the one shape, without werkzeug's HTML page."""
    error_cls = HTTP_ERRORS.get(exc.code, BadRequest)
    headers = {}
    if exc.code == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return error_cls(_plain(exc.description), headers=headers)


def _plain(description):
    # werkzeug's descriptions are written for an HTML page
    return " ".join((description or "").split())
