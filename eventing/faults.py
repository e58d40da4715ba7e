"""Faults the fault-injection suite asks a service process for, by environment.

`VP_FAULTS` lists them, comma-separated. Unset, as everywhere but in the
suite's own processes, every hook does nothing:

- `kill:<point>@<n>`: SIGKILL this process the n-th time it reaches `point`:
  `before_commit` (a unit of work is about to commit), `after_commit` (a
  handler's effect is committed and its message not yet acked) or
  `after_publish` (the relay's batch is confirmed by the broker and not yet
  marked sent);
- `fail:<prefix>@<n>`: a handler fails the first n deliveries of every event
  whose id starts with `prefix`, then applies it; `@always` never applies it.
"""

import logging
import os
import signal
from collections import Counter

logger = logging.getLogger(__name__)

FAULTS_ENV = "VP_FAULTS"
KILL_POINTS = ("before_commit", "after_commit", "after_publish")
ALWAYS = None


class InjectedFault(Exception):
    """A failure the fault suite asked for."""


class Faults:
    """The faults one process was asked for, and how often each was reached."""

    def __init__(self, spec, kill=os.kill):
        self.kills = {}
        self.fails = {}
        self._kill = kill
        self._reached = Counter()
        self._deliveries = Counter()
        for rule in filter(None, (part.strip() for part in spec.split(","))):
            self._add(rule)

    def _add(self, rule):
        kind, _, rest = rule.partition(":")
        target, _, count = rest.partition("@")
        if kind == "kill" and target in KILL_POINTS and count.isdigit():
            self.kills[target] = int(count)
        elif kind == "fail" and target and (count.isdigit() or count == "always"):
            self.fails[target] = ALWAYS if count == "always" else int(count)
        else:
            raise ValueError(f"{FAULTS_ENV}: cannot read the rule {rule!r}")

    def reach(self, point):
        """Die here if this is the hit of `point` the suite asked for."""
        if point not in self.kills:
            return
        self._reached[point] += 1
        if self._reached[point] == self.kills[point]:
            logger.warning("fault injected: SIGKILL at point=%s", point)
            self._kill(os.getpid(), signal.SIGKILL)

    def check_event(self, event_id):
        """Raise InjectedFault if this delivery of `event_id` must fail."""
        for prefix, times in self.fails.items():
            if not event_id.startswith(prefix):
                continue
            self._deliveries[event_id] += 1
            delivery = self._deliveries[event_id]
            if times is ALWAYS or delivery <= times:
                logger.warning(
                    "fault injected: failing event_id=%s delivery=%d",
                    event_id,
                    delivery,
                )
                raise InjectedFault(f"injected failure {delivery} of {event_id}")


active = Faults(os.environ.get(FAULTS_ENV, ""))


def reach(point):
    active.reach(point)


def check_event(event_id):
    active.check_event(event_id)
