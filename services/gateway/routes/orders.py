"""Orders: placed, dispatched, served, confirmed and rated, and the lists
and boards staff work from."""

from services.gateway import accounts
from services.gateway.api import api
from services.gateway.responses import (
    BoardSchema,
    OrderPageSchema,
    OrderSchema,
    SuggestionsSchema,
)
from services.gateway.routes import caller_of, plain
from services.orders.schemas import (
    AcceptOrderSchema,
    BoardQuerySchema,
    DispatchOrderSchema,
    ListOrdersSchema,
    NoBodySchema,
    PlaceOrderSchema,
    RateOrderSchema,
    ReasonSchema,
    RejectOrderSchema,
    ReportServiceSchema,
    RequestReportSchema,
    SuggestQuerySchema,
)


def _move(command, body, errors=(409,)):
    """The declaration of a command on one order."""
    return api(
        "POST",
        f"/api/orders/<string:order_id>/{command}",
        body=body,
        response=OrderSchema,
        errors=errors,
    )


class OrderRoutes:
    @api(
        "POST",
        "/api/orders",
        body=PlaceOrderSchema,
        response=OrderSchema,
        status=201,
        idempotent=True,
        errors=(422,),
    )
    def place_order(self, request):
        """Place an order, or enter one for a resident (staff); OrderPlaced follows."""
        if request.body["on_behalf_of"]:
            with self.db.session() as session:
                accounts.require_resident(
                    session, request.body["on_behalf_of"], request.body["community"]
                )
        caller = caller_of(request)
        self.communities.require(self.teams, caller, request.body["community"])
        payload = plain(PlaceOrderSchema, request.body)
        return self.orders.place_order(caller, payload)

    @api("GET", "/api/orders", query=ListOrdersSchema, response=OrderPageSchema)
    def list_orders(self, request):
        """Orders the caller may see, filtered, newest first: `{items, next_cursor}`."""
        query = plain(ListOrdersSchema, request.query)
        return self.orders.list_orders(caller_of(request), query)

    @api(
        "GET",
        "/api/orders/board",
        query=BoardQuerySchema,
        response=BoardSchema,
        errors=(422,),
    )
    def order_board(self, request):
        """A community's counts by status, longest waiting and nearest expiry."""
        return self.orders.board(caller_of(request), request.query)

    @api("GET", "/api/orders/<string:order_id>", response=OrderSchema)
    def get_order(self, request, order_id):
        """The order and its history, for those involved in it."""
        return self.orders.get_order(caller_of(request), order_id)

    @api(
        "GET",
        "/api/orders/<string:order_id>/suggested-teams",
        query=SuggestQuerySchema,
        response=SuggestionsSchema,
    )
    def suggest_teams(self, request, order_id):
        """Teams to dispatch the order to, fewest open orders and best rated first."""
        return self.orders.suggested_teams(caller_of(request), order_id, request.query)

    @_move("dispatch", DispatchOrderSchema, errors=(409, 422))
    def dispatch_order(self, request, order_id):
        """Dispatch to a team; OrderDispatched follows."""
        return self.orders.dispatch_order(caller_of(request), order_id, request.body)

    @_move("reject", RejectOrderSchema)
    def reject_order(self, request, order_id):
        """Turn a placed order down with a reason code; OrderRejected follows."""
        return self.orders.reject_order(caller_of(request), order_id, request.body)

    @_move("decline", ReasonSchema)
    def decline_order(self, request, order_id):
        """The team turns the order down; OrderDeclined follows."""
        return self.orders.decline_order(caller_of(request), order_id, request.body)

    @_move("accept", AcceptOrderSchema, (409, 422))
    def accept_order(self, request, order_id):
        """Accept with volunteers; OrderAccepted follows."""
        return self.orders.accept_order(caller_of(request), order_id, request.body)

    @_move("start", NoBodySchema)
    def start_order(self, request, order_id):
        """The leader records the start or a volunteer checks in; OrderStarted."""
        return self.orders.start_order(caller_of(request), order_id)

    @_move("report", ReportServiceSchema, (409, 422))
    def report_service(self, request, order_id):
        """Report minutes per volunteer; OrderServiceReported follows."""
        return self.orders.report_service(caller_of(request), order_id, request.body)

    @_move("dispute", ReasonSchema)
    def dispute_order(self, request, order_id):
        """The resident disputes the report; OrderDisputed follows."""
        return self.orders.dispute_order(caller_of(request), order_id, request.body)

    @_move("request-report", RequestReportSchema)
    def request_report(self, request, order_id):
        """Staff ask the team to report again; OrderReportRequested follows."""
        return self.orders.request_report(caller_of(request), order_id, request.body)

    @_move("confirm", NoBodySchema)
    def confirm_order(self, request, order_id):
        """Confirm the report; OrderCompleted and then PointsCredited follow."""
        return self.orders.confirm_order(caller_of(request), order_id)

    @_move("rate", RateOrderSchema)
    def rate_order(self, request, order_id):
        """Rate the completed service; OrderRated follows."""
        return self.orders.rate_order(caller_of(request), order_id, request.body)

    @_move("cancel", ReasonSchema)
    def cancel_order(self, request, order_id):
        """Cancel before service starts; OrderCancelled follows."""
        return self.orders.cancel_order(caller_of(request), order_id, request.body)
