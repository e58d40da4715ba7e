"""How long an order may wait in a status before its timer fires. Pure.

A placed order nobody dispatches expires, a dispatched order nobody accepts
expires or returns to be dispatched again, and a reported order nobody
confirms or disputes completes by itself. Urgent orders wait less for a
team; the quiet period is the same for every order, since it is the
resident's time to object.
"""

from dataclasses import dataclass
from datetime import timedelta

from services.orders.lifecycle import DISPATCHED, PLACED, REPORTED

HOUR = 3600
URGENT = "urgent"

PLACED_KEY = "ORDER_PLACED_EXPIRY_SECONDS"
DISPATCHED_KEY = "ORDER_DISPATCHED_EXPIRY_SECONDS"
URGENT_PLACED_KEY = "ORDER_URGENT_PLACED_EXPIRY_SECONDS"
URGENT_DISPATCHED_KEY = "ORDER_URGENT_DISPATCHED_EXPIRY_SECONDS"
QUIET_PERIOD_KEY = "ORDER_QUIET_PERIOD_SECONDS"
UNACCEPTED_KEY = "ORDER_UNACCEPTED_ACTION"
RETURN, EXPIRE = "return", "expire"


@dataclass(frozen=True)
class Timings:
    placed: float = 48 * HOUR
    dispatched: float = 24 * HOUR
    urgent_placed: float = 4 * HOUR
    urgent_dispatched: float = 2 * HOUR
    quiet_period: float = 72 * HOUR
    return_unaccepted: bool = True

    @classmethod
    def from_config(cls, config):
        """Read the periods (seconds) from a service's config; defaults fill gaps."""
        default = cls()

        def seconds(key, fallback):
            return float(config.get(key) or fallback)

        action = str(config.get(UNACCEPTED_KEY) or RETURN)
        if action not in (RETURN, EXPIRE):
            raise ValueError(f"{UNACCEPTED_KEY} must be {RETURN!r} or {EXPIRE!r}")
        return cls(
            placed=seconds(PLACED_KEY, default.placed),
            dispatched=seconds(DISPATCHED_KEY, default.dispatched),
            urgent_placed=seconds(URGENT_PLACED_KEY, default.urgent_placed),
            urgent_dispatched=seconds(URGENT_DISPATCHED_KEY, default.urgent_dispatched),
            quiet_period=seconds(QUIET_PERIOD_KEY, default.quiet_period),
            return_unaccepted=action == RETURN,
        )

    def period(self, status, priority):
        """Seconds an order of `priority` may stay in `status`, or None."""
        urgent = priority == URGENT
        if status == PLACED:
            return self.urgent_placed if urgent else self.placed
        if status == DISPATCHED:
            return self.urgent_dispatched if urgent else self.dispatched
        if status == REPORTED:
            return self.quiet_period
        return None

    def due_at(self, status, priority, moment):
        """When the timer of an order entering `status` at `moment` fires."""
        period = self.period(status, priority)
        return None if period is None else moment + timedelta(seconds=period)
