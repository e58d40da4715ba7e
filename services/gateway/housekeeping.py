"""Forgets what the gateway no longer needs: old idempotency keys, expired
refresh tokens and failed sign-ins that left their window.

Every replica runs it; each pass is a plain `DELETE ... WHERE older than`, so
several replicas at once only repeat each other's work.
"""

import logging

import eventlet
from nameko.extensions import DependencyProvider

from eventing.database import Database, Transactions
from services.gateway import idempotency, ratelimit, tokens

logger = logging.getLogger(__name__)

INTERVAL_KEY = "GATEWAY_HOUSEKEEPING_SECONDS"
DEFAULT_INTERVAL = 600.0


class Housekeeping(DependencyProvider):
    def setup(self):
        config = self.container.config
        self.interval = float(config.get(INTERVAL_KEY, DEFAULT_INTERVAL))
        self.limits = ratelimit.Limits.from_config(config)
        self.retention_hours = float(
            config.get(idempotency.RETENTION_KEY, idempotency.DEFAULT_RETENTION_HOURS)
        )
        self.database = next(
            d for d in self.container.dependencies if isinstance(d, Database)
        )
        self._gt = None

    def start(self):
        self._gt = self.container.spawn_managed_thread(
            self._run, identifier="housekeeping"
        )

    def stop(self):
        if self._gt is not None:
            self._gt.kill()

    kill = stop

    def _run(self):
        while True:
            eventlet.sleep(self.interval)
            try:
                self.sweep()
            except Exception:  # noqa: BLE001 - try again next time
                logger.exception("housekeeping failed")

    def sweep(self):
        with Transactions(self.database, None).transaction() as uow:
            keys = idempotency.purge(uow.session, self.retention_hours)
            spent = tokens.purge(uow.session)
            failures = ratelimit.purge(uow.session, self.limits)
        logger.info(
            "housekeeping forgot keys=%d tokens=%d failures=%d", keys, spent, failures
        )
