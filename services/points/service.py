"""The points service: confirmed hours become points in an append-only ledger."""

import logging

from nameko.dependency_providers import Config
from nameko.web.handlers import http

from eventing.database import Database
from eventing.handlers import reliable_handler
from eventing.health import health_response
from eventing.identity import Caller
from eventing.relay import OutboxRelay
from eventing.rpc import rpc
from services.points import ledger, rules
from services.points.exceptions import PointsError
from services.points.models import Base

logger = logging.getLogger(__name__)

DEFAULT_RATE_KEY = "POINTS_PER_HOUR"
CATEGORY_RATES_KEY = "POINTS_PER_HOUR_BY_CATEGORY"


class PointsService:
    name = "points"

    db = Database(Base.metadata)
    relay = OutboxRelay()

    @http("GET", "/health")
    def health(self, request):
        """The service runs and its database answers."""
        return health_response(self.db)

    config = Config()

    @rpc(expected_exceptions=PointsError)
    def get_points(self, caller, volunteer_id):
        """A volunteer's balance, certified minutes and newest entries."""
        with self.db.session() as session:
            return ledger.statement(session, Caller.from_dict(caller), volunteer_id)

    @reliable_handler("orders", "OrderCompleted")
    def handle_order_completed(self, event):
        """Credit each volunteer who served; emits PointsCredited per volunteer.

        Idempotent twice over: on the event id (inbox) and on order and
        volunteer (a unique credit key). Failures are retried with delays, then
        dead-lettered.
        """
        rates = self.rates()
        with self.db.transaction() as uow:
            if not uow.mark_applied("points.OrderCompleted", event.id):
                logger.info(
                    "duplicate ignored event_id=%s order_id=%s",
                    event.id,
                    event.data["order_id"],
                )
                return
            ledger.credit_order(uow, event.id, event.data, *rates)

    @reliable_handler("teams", "VolunteerRegistered")
    def handle_volunteer_registered(self, event):
        """Open the volunteer's points account; idempotent, retried, dead-lettered."""
        with self.db.transaction() as uow:
            if uow.mark_applied("points.VolunteerRegistered", event.id):
                ledger.open_volunteer_account(uow.session, event.data["volunteer_id"])
        logger.info(
            "account opened event_id=%s volunteer_id=%s",
            event.id,
            event.data["volunteer_id"],
        )

    def rates(self):
        config = self.config
        rates = config.get(CATEGORY_RATES_KEY) or {}
        return rates, int(config.get(DEFAULT_RATE_KEY, rules.DEFAULT_POINTS_PER_HOUR))
