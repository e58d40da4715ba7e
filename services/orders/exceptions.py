"""What the orders service refuses, and why. The gateway maps these by name."""


class OrdersError(Exception):
    """Root of every error the orders service raises on purpose."""


class OrderNotFound(OrdersError):
    """No order has this id."""


class TeamNotKnown(OrdersError):
    """The orders service has no record of this team."""


class NotAllowed(OrdersError):
    """The caller's role or scope does not cover this order."""


class OrderConflict(OrdersError):
    """The order's status does not allow this command."""


class InvalidOrderInput(OrdersError):
    """The command's content breaks a rule of the order flow."""


class TeamUnavailable(OrdersError):
    """The team is suspended: no order may be dispatched to it."""


class TeamDoesNotServe(OrdersError):
    """The team does not offer the order's category of service."""


class NotHeardOfYet(OrdersError):
    """An event names a team this service's copy does not hold yet; the
    handler fails, and the event is retried once the team has arrived."""
