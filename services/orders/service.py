"""The orders service: a resident's request from placed to rated, or to its end."""

import logging
from functools import partial

from marshmallow import ValidationError
from nameko.dependency_providers import Config
from nameko.rpc import rpc
from nameko.web.handlers import http

from eventing.database import Database
from eventing.handlers import reliable_handler
from eventing.health import health_response
from eventing.identity import Caller
from eventing.relay import OutboxRelay
from eventing.timer import configured_timer
from services.orders import detours, directory, flow, queries, timers
from services.orders.exceptions import OrdersError
from services.orders.models import Base
from services.orders.schemas import (
    AcceptOrderSchema,
    BoardQuerySchema,
    DispatchOrderSchema,
    ListOrdersSchema,
    PlaceOrderSchema,
    RateOrderSchema,
    ReasonSchema,
    RejectOrderSchema,
    ReportServiceSchema,
    RequestReportSchema,
    SuggestQuerySchema,
)
from services.orders.timing import Timings
from services.orders.views import order_view

logger = logging.getLogger(__name__)

# refusals a caller can cause; nameko logs anything else as a failure
EXPECTED = (OrdersError, ValidationError)
TIMER_INTERVAL_KEY = "ORDER_TIMER_INTERVAL_SECONDS"
TIMER_BATCH_KEY = "ORDER_TIMER_BATCH"


class OrdersService:
    name = "orders"

    db = Database(Base.metadata)
    relay = OutboxRelay()
    config = Config()

    @http("GET", "/health")
    def health(self, request):
        """The service runs and its database answers."""
        return health_response(self.db)

    def _command(self, fn, caller, *args):
        timings = Timings.from_config(self.config)
        with self.db.transaction() as uow:
            order = fn(uow, Caller.from_dict(caller), *args, timings=timings)
            return order_view(order)

    def _read(self, fn, caller, *args):
        with self.db.session() as session:
            return fn(session, Caller.from_dict(caller), *args)

    @rpc(expected_exceptions=EXPECTED)
    def place_order(self, caller, payload):
        """Place an order, a resident's own or entered for one; emits OrderPlaced."""
        fields = PlaceOrderSchema().load(payload)
        return self._command(flow.place_order, caller, fields)

    @rpc(expected_exceptions=EXPECTED)
    def dispatch_order(self, caller, order_id, payload):
        """Dispatch a placed order to a team; emits OrderDispatched."""
        team_id = DispatchOrderSchema().load(payload)["team_id"]
        return self._command(flow.dispatch_order, caller, order_id, team_id)

    @rpc(expected_exceptions=EXPECTED)
    def reject_order(self, caller, order_id, payload):
        """Turn a placed order down with a reason code; emits OrderRejected."""
        body = RejectOrderSchema().load(payload)
        args = (order_id, body["reason_code"], body["note"])
        return self._command(detours.reject_order, caller, *args)

    @rpc(expected_exceptions=EXPECTED)
    def decline_order(self, caller, order_id, payload):
        """The team turns a dispatched order down; emits OrderDeclined."""
        reason = ReasonSchema().load(payload)["reason"]
        return self._command(detours.decline_order, caller, order_id, reason)

    @rpc(expected_exceptions=EXPECTED)
    def accept_order(self, caller, order_id, payload):
        """Accept a dispatched order with its volunteers; emits OrderAccepted."""
        volunteer_ids = AcceptOrderSchema().load(payload)["volunteer_ids"]
        return self._command(flow.accept_order, caller, order_id, volunteer_ids)

    @rpc(expected_exceptions=EXPECTED)
    def start_order(self, caller, order_id):
        """Record that the service began; emits OrderStarted."""
        return self._command(flow.start_order, caller, order_id)

    @rpc(expected_exceptions=EXPECTED)
    def report_service(self, caller, order_id, payload):
        """Report minutes per volunteer; emits OrderServiceReported."""
        minutes = ReportServiceSchema().load(payload)["minutes"]
        return self._command(flow.report_service, caller, order_id, minutes)

    @rpc(expected_exceptions=EXPECTED)
    def dispute_order(self, caller, order_id, payload):
        """The resident disputes the report; emits OrderDisputed."""
        reason = ReasonSchema().load(payload)["reason"]
        return self._command(detours.dispute_order, caller, order_id, reason)

    @rpc(expected_exceptions=EXPECTED)
    def request_report(self, caller, order_id, payload):
        """Staff ask the team to report a disputed order again;
        emits OrderReportRequested."""
        reason = RequestReportSchema().load(payload)["reason"]
        return self._command(detours.request_report, caller, order_id, reason)

    @rpc(expected_exceptions=EXPECTED)
    def confirm_order(self, caller, order_id):
        """Confirm a reported (or resolve a disputed) order; emits OrderCompleted."""
        return self._command(flow.confirm_order, caller, order_id)

    @rpc(expected_exceptions=EXPECTED)
    def rate_order(self, caller, order_id, payload):
        """Rate a completed order once; emits OrderRated."""
        body = RateOrderSchema().load(payload)
        args = (order_id, body["stars"], body["comment"])
        return self._command(flow.rate_order, caller, *args)

    @rpc(expected_exceptions=EXPECTED)
    def cancel_order(self, caller, order_id, payload):
        """Cancel before service starts; emits OrderCancelled."""
        reason = ReasonSchema().load(payload)["reason"]
        return self._command(detours.cancel_order, caller, order_id, reason)

    @rpc(expected_exceptions=EXPECTED)
    def get_order(self, caller, order_id):
        """The order with its history, if the caller is involved in it."""
        with self.db.session() as session:
            order = flow.get_order(session, Caller.from_dict(caller), order_id)
            return order_view(order)

    @rpc(expected_exceptions=EXPECTED)
    def list_orders(self, caller, query):
        """A page of the orders the caller may see: `{items, next_cursor}`."""
        query = ListOrdersSchema().load(query)
        limit, cursor = query.pop("limit"), query.pop("cursor")
        return self._read(queries.list_orders, caller, query, limit, cursor)

    @rpc(expected_exceptions=EXPECTED)
    def board(self, caller, query):
        """A community's counts by status, longest waiting and nearest expiry."""
        query = BoardQuerySchema().load(query)
        return self._read(queries.board, caller, query["community"], query["limit"])

    @rpc(expected_exceptions=EXPECTED)
    def suggested_teams(self, caller, order_id, query):
        """Teams to dispatch the order to, best first."""
        limit = SuggestQuerySchema().load(query)["limit"]
        return self._read(queries.suggested_teams, caller, order_id, limit)

    @configured_timer(TIMER_INTERVAL_KEY, 5.0)
    def fire_due_timers(self):
        """Expire, return or auto-complete the orders whose timer came due;
        each fires once across replicas and emits its one event."""
        timings = Timings.from_config(self.config)
        batch = int(self.config.get(TIMER_BATCH_KEY) or 100)
        fired = timers.fire_due(self.db.transaction, timings, batch)
        if fired:
            logger.info("fired %d order timers", fired)

    # Each handler applies its event at most once (inbox on the event id, in
    # the same transaction as the effect). A failure is retried with delays
    # and then dead-lettered with its reason.

    @reliable_handler("teams", "TeamRegistered")
    def handle_team_registered(self, event):
        """Keep the copy of the team used to check dispatch targets."""
        self._apply(event, directory.record_team, "team_id")

    @reliable_handler("teams", "VolunteerRegistered")
    def handle_volunteer_registered(self, event):
        """Keep the copy of the volunteer used to check assignments."""
        self._apply(event, directory.record_volunteer, "volunteer_id")

    @reliable_handler("teams", "TeamUpdated")
    def handle_team_updated(self, event):
        """Keep the team's copy current: name, community, categories, status."""
        self._apply(event, directory.record_team, "team_id")

    @reliable_handler("teams", "TeamSuspended")
    def handle_team_suspended(self, event):
        """Stop dispatching to the team; retried while the team is unheard of."""
        self._apply(event, partial(directory.record_team_status, status="suspended"))

    @reliable_handler("teams", "TeamReactivated")
    def handle_team_reactivated(self, event):
        """Dispatch to the team again; retried while the team is unheard of."""
        self._apply(event, partial(directory.record_team_status, status="active"))

    @reliable_handler("teams", "VolunteerUpdated")
    def handle_volunteer_updated(self, event):
        """Keep the volunteer's copy current; an inactive one is not assigned."""
        self._apply(event, directory.record_volunteer, "volunteer_id")

    @reliable_handler("teams", "VolunteerJoinedTeam")
    def handle_volunteer_joined_team(self, event):
        """Keep the memberships used to check who may serve an order."""
        self._apply(event, directory.record_membership, "volunteer_id")

    @reliable_handler("teams", "VolunteerLeftTeam")
    def handle_volunteer_left_team(self, event):
        """A volunteer who left a team is no longer assigned its orders."""
        self._apply(event, directory.record_departure, "volunteer_id")

    def _apply(self, event, fn, key="team_id"):
        with self.db.transaction() as uow:
            if not uow.mark_applied(self.name + "." + event.type, event.id):
                logger.info(
                    "duplicate ignored event_id=%s type=%s", event.id, event.type
                )
                return
            fn(uow.session, event.data)
        logger.info(
            "applied event_id=%s type=%s %s=%s",
            event.id,
            event.type,
            key,
            event.data[key],
        )
