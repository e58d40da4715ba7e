"""One error shape for every caller: `{"error": CODE, "message": ..., "fields"?}`.

Errors raised by a service on purpose cross RPC as `RemoteError`s named by
their class; `REMOTE_ERRORS` is the one table that maps those names to HTTP.
"""


class ApiError(Exception):
    """An answer other than success, with its HTTP status and error code."""

    status = 500
    code = "internal_error"

    def __init__(self, message, fields=None):
        super().__init__(message)
        self.message = message
        self.fields = fields

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


class Conflict(ApiError):
    """The call does not fit the current state of what it names."""

    status, code = 409, "conflict"


class Unavailable(ApiError):
    """A service the call needs did not answer."""

    status, code = 503, "unavailable"


REMOTE_ERRORS = {
    # orders
    "OrderNotFound": NotFound,
    "TeamNotKnown": NotFound,
    "InvalidTransition": Conflict,
    "OrderConflict": Conflict,
    "InvalidOrderInput": BadRequest,
    "TeamUnavailable": Conflict,
    # teams
    "TeamNotFound": NotFound,
    "VolunteerNotFound": NotFound,
    "StationNotFound": NotFound,
    "MembershipNotFound": NotFound,
    "UnknownPlace": BadRequest,
    "InvalidDirectoryInput": BadRequest,
    "IdCardAlreadyRegistered": Conflict,
    "VolunteerConflict": Conflict,
    "PlaceConflict": Conflict,
    # points
    "AccountNotFound": NotFound,
    "TransferNotFound": NotFound,
    "InsufficientPoints": Conflict,
    "NotReversible": Conflict,
    "RateNotAllowed": BadRequest,
    "BadCursor": BadRequest,
    # inventory
    "BankNotFound": NotFound,
    "DonorNotFound": NotFound,
    "ItemNotFound": NotFound,
    "DonationNotFound": NotFound,
    "RedemptionNotFound": NotFound,
    "BankExists": Conflict,
    "OutOfStock": Conflict,
    "ItemNotRedeemable": Conflict,
    "FamilyLimitReached": Conflict,
    "CountBelowReserved": Conflict,
    # every service
    # the service's database did not answer: nothing was written, try again
    "OperationalError": Unavailable,
    "NotAllowed": Forbidden,
    "ValidationError": BadRequest,
}


def from_remote(remote_error):
    """The ApiError for a RemoteError, or None if it was not raised on purpose."""
    error_cls = REMOTE_ERRORS.get(remote_error.exc_type)
    if error_cls is None:
        return None
    return error_cls(str(remote_error.value))
