"""The inventory service: the communities' mutual-aid banks."""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from marshmallow import ValidationError
from nameko.dependency_providers import Config
from nameko.rpc import rpc
from nameko.timer import Timer
from nameko.web.handlers import http

from eventing.database import Database
from eventing.handlers import reliable_handler
from eventing.health import health_response
from eventing.identity import Caller
from eventing.relay import OutboxRelay
from services.inventory import (
    catalogue,
    distributions,
    donations,
    redemptions,
    reports,
    stock,
    stocktakes,
)
from services.inventory.exceptions import InventoryError
from services.inventory.models import Base
from services.inventory.schemas import (
    AddItemSchema,
    DistributeSchema,
    OpenBankSchema,
    RecordDonationSchema,
    RegisterDonorSchema,
    RequestRedemptionSchema,
    StocktakeSchema,
)

logger = logging.getLogger(__name__)

EXPECTED = (InventoryError, ValidationError)
TIMER_INTERVAL_KEY = "REDEMPTION_TIMER_INTERVAL"
RETRY_AFTER_KEY = "REDEMPTION_RETRY_AFTER_SECONDS"
DEADLINE_KEY = "REDEMPTION_DEADLINE_SECONDS"
FAMILY_LIMIT_KEY = "DISTRIBUTIONS_PER_FAMILY_PER_MONTH"
TIMEZONE_KEY = "DISTRICT_TIMEZONE"
SWEEP_BATCH = 100


class ConfiguredTimer(Timer):
    """nameko's timer with its interval read from the config at setup."""

    def __init__(self, interval_key, default, **kwargs):
        self.interval_key = interval_key
        super().__init__(default, eager=True, **kwargs)

    def setup(self):
        super().setup()
        self.interval = float(
            self.container.config.get(self.interval_key, self.interval)
        )


class InventoryService:
    name = "inventory"

    db = Database(Base.metadata)
    relay = OutboxRelay()
    config = Config()

    @http("GET", "/health")
    def health(self, request):
        """The service runs and its database answers."""
        return health_response(self.db)

    def _caller(self, caller):
        return Caller.from_dict(caller)

    @rpc(expected_exceptions=EXPECTED)
    def list_banks(self, caller):
        """The banks known to the district."""
        with self.db.session() as session:
            return catalogue.list_banks(session)

    @rpc(expected_exceptions=EXPECTED)
    def open_bank(self, caller, payload):
        """Open a community's bank (admin)."""
        fields = OpenBankSchema().load(payload)
        with self.db.transaction() as uow:
            return {
                "id": catalogue.open_bank(uow.session, self._caller(caller), fields)
            }

    @rpc(expected_exceptions=EXPECTED)
    def register_donor(self, caller, payload):
        """Register a company, public body or person who gives goods."""
        fields = RegisterDonorSchema().load(payload)
        with self.db.transaction() as uow:
            donor = catalogue.register_donor(uow.session, self._caller(caller), fields)
            return {"id": donor.id}

    @rpc(expected_exceptions=EXPECTED)
    def list_donors(self, caller):
        """Every donor, by name."""
        with self.db.session() as session:
            return catalogue.list_donors(session)

    @rpc(expected_exceptions=EXPECTED)
    def add_item(self, caller, payload):
        """Add an item to the district's catalogue."""
        fields = AddItemSchema().load(payload)
        with self.db.transaction() as uow:
            return {
                "id": catalogue.add_item(uow.session, self._caller(caller), fields).id
            }

    @rpc(expected_exceptions=EXPECTED)
    def list_items(self, caller):
        """Every item, by name."""
        with self.db.session() as session:
            return catalogue.list_items(session)

    @rpc(expected_exceptions=EXPECTED)
    def record_donation(self, caller, bank_id, payload):
        """Record a donation and stock its goods; emits DonationReceived."""
        fields = RecordDonationSchema().load(payload)
        with self.db.transaction() as uow:
            donation = donations.record_donation(
                uow, self._caller(caller), bank_id, fields, self.today()
            )
            return {"id": donation.id, "receipt_no": donation.receipt_no}

    @rpc(expected_exceptions=EXPECTED)
    def get_donation(self, caller, donation_id, as_text=False):
        """A donation as its receipt shows it; printable text if asked."""
        with self.db.session() as session:
            donation = donations.get_donation(
                session, self._caller(caller), donation_id
            )
            view = donations.donation_view(session, donation)
        return donations.receipt_text(view) if as_text else view

    @rpc(expected_exceptions=EXPECTED)
    def get_stock(self, caller, bank_id):
        """What a bank holds: `{bank_id, items}`."""
        with self.db.session() as session:
            catalogue.get_bank(session, bank_id)
            return {"bank_id": bank_id, "items": stock.bank_stock(session, bank_id)}

    @rpc(expected_exceptions=EXPECTED)
    def take_stock(self, caller, bank_id, payload):
        """Book a stock-take's differences; emits StockAdjusted."""
        fields = StocktakeSchema().load(payload)
        with self.db.transaction() as uow:
            stocktake, lines = stocktakes.take_stock(
                uow, self._caller(caller), bank_id, fields
            )
            return {"id": stocktake.id, "lines": lines}

    @rpc(expected_exceptions=EXPECTED)
    def request_redemption(self, caller, payload):
        """Reserve goods for a volunteer; emits StockReserved. Answers pending."""
        fields = RequestRedemptionSchema().load(payload)
        with self.db.transaction() as uow:
            redemption = redemptions.request(
                uow, self._caller(caller), fields, self.timing()
            )
            return {"id": redemption.id, "status": redemption.status}

    @rpc(expected_exceptions=EXPECTED)
    def get_redemption(self, caller, redemption_id):
        """A redemption's state: pending, completed or cancelled (with reason)."""
        with self.db.session() as session:
            redemption = redemptions.get(session, self._caller(caller), redemption_id)
            return redemptions.view(redemption)

    @rpc(expected_exceptions=EXPECTED)
    def distribute(self, caller, payload):
        """Give goods free to a family; emits GoodsDistributed."""
        fields = DistributeSchema().load(payload)
        limit = int(self.config.get(FAMILY_LIMIT_KEY) or 0)
        month = self.today().strftime("%Y-%m")
        with self.db.transaction() as uow:
            given = distributions.distribute(
                uow, self._caller(caller), fields, limit, month
            )
            return {"id": given.id}

    @rpc(expected_exceptions=EXPECTED)
    def report(self, caller, name, query):
        """One of the reports in schemas.REPORT_QUERIES, over the caller's banks."""
        with self.db.session() as session:
            return reports.run(session, self._caller(caller), name, query, self.zone())

    # The ledger's answers. Each is applied at most once (inbox on the event
    # id, in the effect's transaction) and only to a pending redemption; a
    # failure is retried with delays, then dead-lettered. An answer naming no
    # redemption is dead-lettered at once.

    @reliable_handler("points", "PointsDebited")
    def handle_points_debited(self, event):
        """Complete the redemption; emits RedemptionCompleted."""
        with self.db.transaction() as uow:
            if self._first_time(uow, event):
                redemptions.complete(uow, event.id, event.data)

    @reliable_handler("points", "PointsDebitRejected")
    def handle_points_debit_rejected(self, event):
        """Release the reservation; emits RedemptionCancelled."""
        with self.db.transaction() as uow:
            if self._first_time(uow, event):
                redemptions.refused(uow, event.id, event.data)

    @ConfiguredTimer.decorator(TIMER_INTERVAL_KEY, 1.0)
    def check_waiting_redemptions(self):
        """Ask the ledger again about redemptions still waiting; cancel those
        past their deadline. Safe with any number of replicas (SKIP LOCKED)."""
        with self.db.transaction() as uow:
            redemptions.sweep(uow, self.timing(), SWEEP_BATCH)

    def _first_time(self, uow, event):
        if uow.mark_applied(f"{self.name}.{event.type}", event.id):
            logger.info(
                "applying event_id=%s type=%s redemption_id=%s",
                event.id,
                event.type,
                event.data["redemption_id"],
            )
            return True
        logger.info("duplicate ignored event_id=%s type=%s", event.id, event.type)
        return False

    def timing(self):
        return redemptions.Timing(
            retry_after=timedelta(seconds=float(self.config.get(RETRY_AFTER_KEY, 30))),
            deadline=timedelta(seconds=float(self.config.get(DEADLINE_KEY, 600))),
        )

    def zone(self):
        return ZoneInfo(self.config.get(TIMEZONE_KEY) or "Asia/Shanghai")

    def today(self):
        return datetime.now(self.zone()).date()
