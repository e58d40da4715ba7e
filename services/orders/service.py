"""The orders service: a resident's request from placed to completed."""

import logging

from marshmallow import ValidationError
from nameko.web.handlers import http

from eventing.database import Database
from eventing.handlers import reliable_handler
from eventing.health import health_response
from eventing.identity import Caller
from eventing.relay import OutboxRelay
from eventing.rpc import rpc
from services.orders import directory, flow
from services.orders.exceptions import OrdersError
from services.orders.models import Base
from services.orders.schemas import (
    AcceptOrderSchema,
    DispatchOrderSchema,
    PlaceOrderSchema,
    ReportServiceSchema,
)

logger = logging.getLogger(__name__)

# refusals a caller can cause; nameko logs anything else as a failure
EXPECTED = (OrdersError, ValidationError)


class OrdersService:
    name = "orders"

    db = Database(Base.metadata)
    relay = OutboxRelay()

    @http("GET", "/health")
    def health(self, request):
        """The service runs and its database answers."""
        return health_response(self.db)

    def _command(self, fn, caller, *args):
        with self.db.transaction() as uow:
            order = fn(uow, Caller.from_dict(caller), *args)
            return flow.order_view(order)

    @rpc(expected_exceptions=EXPECTED)
    def place_order(self, caller, payload):
        """Place a resident's order; emits OrderPlaced."""
        fields = PlaceOrderSchema().load(payload)
        return self._command(flow.place_order, caller, fields)

    @rpc(expected_exceptions=EXPECTED)
    def dispatch_order(self, caller, order_id, payload):
        """Dispatch a placed order to a team; emits OrderDispatched."""
        team_id = DispatchOrderSchema().load(payload)["team_id"]
        return self._command(flow.dispatch_order, caller, order_id, team_id)

    @rpc(expected_exceptions=EXPECTED)
    def accept_order(self, caller, order_id, payload):
        """Accept a dispatched order with its volunteers; emits OrderAccepted."""
        volunteer_ids = AcceptOrderSchema().load(payload)["volunteer_ids"]
        return self._command(flow.accept_order, caller, order_id, volunteer_ids)

    @rpc(expected_exceptions=EXPECTED)
    def report_service(self, caller, order_id, payload):
        """Report minutes per volunteer; emits OrderServiceReported."""
        minutes = ReportServiceSchema().load(payload)["minutes"]
        return self._command(flow.report_service, caller, order_id, minutes)

    @rpc(expected_exceptions=EXPECTED)
    def confirm_order(self, caller, order_id):
        """Confirm a reported order; emits OrderCompleted."""
        return self._command(flow.confirm_order, caller, order_id)

    @rpc(expected_exceptions=EXPECTED)
    def get_order(self, caller, order_id):
        """The order with its history, if the caller is involved in it."""
        with self.db.session() as session:
            order = flow.get_order(session, Caller.from_dict(caller), order_id)
            return flow.order_view(order)

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

    @reliable_handler("teams", "VolunteerJoinedTeam")
    def handle_volunteer_joined_team(self, event):
        """Keep the memberships used to check who may serve an order."""
        self._apply(event, directory.record_membership, "volunteer_id")

    def _apply(self, event, fn, key):
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
