"""The order lifecycle: the one place that decides which move is legal.

Pure: no database, no broker. Every command the orders service carries out
asks `transition()` first, and each accepted move names the one event it
emits.
"""

from dataclasses import dataclass

from services.orders.exceptions import OrderConflict

PLACED = "placed"
DISPATCHED = "dispatched"
ACCEPTED = "accepted"
IN_SERVICE = "in_service"
REPORTED = "reported"
DISPUTED = "disputed"
COMPLETED = "completed"
RATED = "rated"
REJECTED = "rejected"
CANCELLED = "cancelled"
EXPIRED = "expired"

STATES = frozenset(
    {
        PLACED,
        DISPATCHED,
        ACCEPTED,
        IN_SERVICE,
        REPORTED,
        DISPUTED,
        COMPLETED,
        RATED,
        REJECTED,
        CANCELLED,
        EXPIRED,
    }
)
# nothing moves an order out of these
TERMINAL = frozenset({RATED, REJECTED, CANCELLED, EXPIRED})
# the order still waits for a team to take it on
WAITING = frozenset({PLACED, DISPATCHED})
# a team holds the order and has not finished it: its open load
OPEN_FOR_TEAM = frozenset({DISPATCHED, ACCEPTED, IN_SERVICE, REPORTED, DISPUTED})


@dataclass(frozen=True)
class Move:
    sources: frozenset
    target: str
    event: str


MOVES = {
    "dispatch": Move(frozenset({PLACED}), DISPATCHED, "OrderDispatched"),
    "reject": Move(frozenset({PLACED}), REJECTED, "OrderRejected"),
    # back to the community, which dispatches it again
    "decline": Move(frozenset({DISPATCHED}), PLACED, "OrderDeclined"),
    "accept": Move(frozenset({DISPATCHED}), ACCEPTED, "OrderAccepted"),
    "start": Move(frozenset({ACCEPTED}), IN_SERVICE, "OrderStarted"),
    # a team may report straight after accepting when nobody checked in
    "report": Move(frozenset({ACCEPTED, IN_SERVICE}), REPORTED, "OrderServiceReported"),
    "dispute": Move(frozenset({REPORTED}), DISPUTED, "OrderDisputed"),
    # staff resolve a dispute by sending the team back to report again
    "request_report": Move(frozenset({DISPUTED}), IN_SERVICE, "OrderReportRequested"),
    # confirming a disputed order is how staff resolve it in the report's favour
    "confirm": Move(frozenset({REPORTED, DISPUTED}), COMPLETED, "OrderCompleted"),
    # the quiet period ended with nobody confirming or disputing
    "auto_complete": Move(frozenset({REPORTED}), COMPLETED, "OrderCompleted"),
    "rate": Move(frozenset({COMPLETED}), RATED, "OrderRated"),
    # before service starts
    "cancel": Move(
        frozenset({PLACED, DISPATCHED, ACCEPTED}), CANCELLED, "OrderCancelled"
    ),
    "expire": Move(frozenset({PLACED, DISPATCHED}), EXPIRED, "OrderExpired"),
    # nobody accepted in time and the district prefers another dispatch to expiry
    "lapse": Move(frozenset({DISPATCHED}), PLACED, "OrderExpired"),
}

# what a due timer does, by the status it was armed for
TIMEOUTS = {PLACED: "expire", DISPATCHED: "expire", REPORTED: "auto_complete"}


class InvalidTransition(OrderConflict):
    """The order's status does not allow this command."""

    def __init__(self, command, status):
        super().__init__(f"cannot {command} an order that is {status}")
        self.command = command
        self.status = status


def transition(status, command):
    """Return the Move `command` makes from `status`, or raise InvalidTransition."""
    move = MOVES.get(command)
    if move is None:
        raise ValueError(f"unknown command {command!r}")
    if status not in move.sources:
        raise InvalidTransition(command, status)
    return move


def timeout_command(status, return_dispatched=False):
    """The command a due timer runs on an order in `status`, or None.

    A dispatched order nobody accepted either expires or goes back to be
    dispatched again, as the district configures.
    """
    if status == DISPATCHED and return_dispatched:
        return "lapse"
    return TIMEOUTS.get(status)
