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
        COMPLETED,
        RATED,
        REJECTED,
        CANCELLED,
        EXPIRED,
    }
)
# nothing moves an order out of these
TERMINAL = frozenset({RATED, REJECTED, CANCELLED, EXPIRED})


@dataclass(frozen=True)
class Move:
    sources: frozenset
    target: str
    event: str


MOVES = {
    "dispatch": Move(frozenset({PLACED}), DISPATCHED, "OrderDispatched"),
    "accept": Move(frozenset({DISPATCHED}), ACCEPTED, "OrderAccepted"),
    # a team may report straight after accepting when nobody checked in
    "report": Move(frozenset({ACCEPTED, IN_SERVICE}), REPORTED, "OrderServiceReported"),
    "confirm": Move(frozenset({REPORTED}), COMPLETED, "OrderCompleted"),
}


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
