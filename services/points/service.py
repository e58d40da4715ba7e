"""The points service: confirmed hours become points in an append-only ledger,
and redemptions at the mutual-aid banks spend them."""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from marshmallow import ValidationError
from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider
from nameko.rpc import rpc
from nameko.web.handlers import http

from eventing.database import Database
from eventing.handlers import reliable_handler
from eventing.health import health_response
from eventing.identity import Caller
from eventing.relay import OutboxRelay
from services.points import (
    boards,
    corrections,
    credits,
    ledger,
    rates,
    redemptions,
    rules,
)
from services.points.exceptions import PointsError
from services.points.models import Base
from services.points.schemas import (
    AdjustPointsSchema,
    LeaderboardQuerySchema,
    ReverseTransferSchema,
    SetRateSchema,
    StatementQuerySchema,
)

logger = logging.getLogger(__name__)

DEFAULT_RATE_KEY = "POINTS_PER_HOUR"
CATEGORY_RATES_KEY = "POINTS_PER_HOUR_BY_CATEGORY"
CAP_PER_ORDER_KEY = "POINTS_CAP_PER_ORDER"
CAP_PER_DAY_KEY = "POINTS_CAP_PER_DAY"
TIMEZONE_KEY = "DISTRICT_TIMEZONE"
DEFAULT_TIMEZONE = "Asia/Shanghai"
EXPECTED = (PointsError, ValidationError)


class RateSeed(DependencyProvider):
    """Seeds the rates table from the config when the service starts."""

    def start(self):
        config = self.container.config
        database = next(
            d for d in self.container.dependencies if isinstance(d, Database)
        )
        with database.sessions() as session, session.begin():
            rates.seed(
                session,
                int(config.get(DEFAULT_RATE_KEY, rules.DEFAULT_POINTS_PER_HOUR)),
                config.get(CATEGORY_RATES_KEY),
            )


class PointsService:
    name = "points"

    db = Database(Base.metadata)
    relay = OutboxRelay()
    rate_seed = RateSeed()
    config = Config()

    @http("GET", "/health")
    def health(self, request):
        """The service runs and its database answers."""
        return health_response(self.db)

    @rpc(expected_exceptions=EXPECTED)
    def get_points(self, caller, volunteer_id, query=None):
        """A volunteer's balance, certified minutes and a page of entries."""
        page = StatementQuerySchema().load(query or {})
        with self.db.session() as session:
            return ledger.statement(
                session, Caller.from_dict(caller), volunteer_id, **page
            )

    @rpc(expected_exceptions=EXPECTED)
    def leaderboard(self, caller, query):
        """Points earned by volunteer, team or community in a period."""
        filters = LeaderboardQuerySchema().load(query)
        today = self.today()
        filters["start"] = filters["start"] or today.replace(day=1)
        filters["end"] = filters["end"] or today
        with self.db.session() as session:
            return boards.leaderboard(session, **filters)

    @rpc(expected_exceptions=EXPECTED)
    def set_rate(self, caller, payload):
        """Set a category's rate from a future day (admin)."""
        fields = SetRateSchema().load(payload)
        with self.db.transaction() as uow:
            return rates.set_rate(
                uow.session, Caller.from_dict(caller), fields, self.today()
            )

    @rpc(expected_exceptions=EXPECTED)
    def list_rates(self, caller):
        """Every rate with the day it took or takes effect."""
        with self.db.session() as session:
            return rates.list_rates(session)

    @rpc(expected_exceptions=EXPECTED)
    def reverse_transfer(self, caller, transfer_id, payload):
        """Reverse one entry with a reason (admin); emits PointsAdjusted."""
        reason = ReverseTransferSchema().load(payload)["reason"]
        with self.db.transaction() as uow:
            transfer = corrections.reverse(
                uow, Caller.from_dict(caller), transfer_id, reason
            )
            return ledger.entry(transfer)

    @rpc(expected_exceptions=EXPECTED)
    def adjust_points(self, caller, payload):
        """Give or take points by hand with a reason (admin); emits PointsAdjusted."""
        fields = AdjustPointsSchema().load(payload)
        with self.db.transaction() as uow:
            transfer = corrections.adjust(uow, Caller.from_dict(caller), **fields)
            return ledger.entry(transfer)

    # Each handler applies its event at most once (inbox on the event id, in
    # the same transaction as the effect), and keys its effect by order or
    # redemption besides. A failure is retried with delays, then dead-lettered.

    @reliable_handler("orders", "OrderCompleted")
    def handle_order_completed(self, event):
        """Credit each volunteer who served; emits PointsCredited per volunteer."""
        with self.db.transaction() as uow:
            if self._first_time(uow, event, event.data["order_id"]):
                credits.credit_order(
                    uow, event.id, event.data, self.caps(), self.zone()
                )

    @reliable_handler("teams", "VolunteerRegistered")
    def handle_volunteer_registered(self, event):
        """Open the volunteer's points account in their community."""
        data = event.data
        with self.db.transaction() as uow:
            if self._first_time(uow, event, data["volunteer_id"]):
                ledger.open_volunteer_account(
                    uow.session, data["volunteer_id"], data["community"]
                )

    @reliable_handler("inventory", "StockReserved")
    def handle_stock_reserved(self, event):
        """Debit or refuse the reserved goods' points; emits PointsDebited or
        PointsDebitRejected, repeating the first answer when asked again."""
        with self.db.transaction() as uow:
            if self._first_time(uow, event, event.data["redemption_id"]):
                redemptions.debit_for_redemption(uow, event.id, event.data)

    @reliable_handler("inventory", "RedemptionCancelled")
    def handle_redemption_cancelled(self, event):
        """Refund a cancelled redemption's debit, or bar a later one."""
        with self.db.transaction() as uow:
            if self._first_time(uow, event, event.data["redemption_id"]):
                redemptions.settle_cancelled(uow, event.id, event.data)

    def _first_time(self, uow, event, subject):
        if uow.mark_applied(f"{self.name}.{event.type}", event.id):
            logger.info(
                "applying event_id=%s type=%s subject=%s", event.id, event.type, subject
            )
            return True
        logger.info("duplicate ignored event_id=%s type=%s", event.id, event.type)
        return False

    def caps(self):
        return rules.Caps.from_config(
            self.config.get(CAP_PER_ORDER_KEY), self.config.get(CAP_PER_DAY_KEY)
        )

    def zone(self):
        return ZoneInfo(self.config.get(TIMEZONE_KEY) or DEFAULT_TIMEZONE)

    def today(self):
        return datetime.now(self.zone()).date()
