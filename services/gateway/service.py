"""The gateway: HTTP for people and browsers, RPC to the domain services."""

import logging

from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from eventing.database import Database
from services.gateway import accounts, auth
from services.gateway.api import api, load_body, load_query
from services.gateway.errors import NotFound
from services.gateway.models import Base
from services.gateway.rpc import ServiceClient
from services.gateway.schemas import CreateUserSchema, TokenRequestSchema
from services.inventory.schemas import (
    REPORT_QUERIES,
    AddItemSchema,
    DistributeSchema,
    OpenBankSchema,
    RecordDonationSchema,
    RegisterDonorSchema,
    RequestRedemptionSchema,
    StocktakeSchema,
)
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
from services.points.schemas import (
    AdjustPointsSchema,
    LeaderboardQuerySchema,
    ReverseTransferSchema,
    SetRateSchema,
    StatementQuerySchema,
)
from services.teams.schemas import (
    AddMemberSchema,
    ApplyVolunteerSchema,
    PutStationSchema,
    RegisterTeamSchema,
    RegisterVolunteerSchema,
    RejectVolunteerSchema,
    ServiceRecordQuerySchema,
    StationQuerySchema,
    TeamQuerySchema,
    UpdateTeamSchema,
    VolunteerQuerySchema,
)

logger = logging.getLogger(__name__)

ADMIN_PASSWORD_KEY = "GATEWAY_ADMIN_PASSWORD"
TOKEN_TTL_KEY = "GATEWAY_TOKEN_TTL"


class AdminAccount(DependencyProvider):
    """Creates the district admin account when the gateway first starts."""

    def start(self):
        password = self.container.config.get(ADMIN_PASSWORD_KEY)
        if not password:
            logger.warning(
                "%s is not set: no admin account is created", ADMIN_PASSWORD_KEY
            )
            return
        database = next(
            d for d in self.container.dependencies if isinstance(d, Database)
        )
        with database.sessions() as session, session.begin():
            accounts.ensure_admin(session, str(password))


def _caller(request):
    return None if request.caller is None else request.caller.to_dict()


def csv_response(text, filename):
    return Response(
        text.encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# bodies and queries go on to the services as plain JSON types (dates and
# amounts as strings), dumped by the same schema that checked them
def _checked(request, schema):
    return schema.dump(load_body(request, schema))


def _checked_query(request, schema):
    return schema.dump(load_query(request, schema))


class GatewayService:
    name = "gateway"

    db = Database(Base.metadata)
    admin_account = AdminAccount()
    config = Config()
    orders = ServiceClient("orders")
    teams = ServiceClient("teams")
    points = ServiceClient("points")
    inventory = ServiceClient("inventory")

    @api("GET", "/health", public=True)
    def health(self, request):
        """The gateway process answers."""
        return {"status": "ok"}

    # ---- accounts

    @api("POST", "/api/auth/token", public=True)
    def issue_token(self, request):
        """Exchange a username and password for a bearer token."""
        body = load_body(request, TokenRequestSchema())
        with self.db.session() as session:
            user = accounts.sign_in(session, body["username"], body["password"])
        ttl = int(self.config.get(TOKEN_TTL_KEY, 3600))
        token = auth.issue_token(user, self.config["GATEWAY_JWT_SECRET"], ttl)
        return {
            "access_token": token,
            "token_type": "bearer",
            "role": user.role,
            "expires_in": ttl,
            "user": accounts.user_view(user),
        }

    @api("POST", "/api/users")
    def create_user(self, request):
        """Create an account (admin only)."""
        fields = load_body(request, CreateUserSchema())
        with self.db.transaction() as uow:
            user = accounts.create_user(uow.session, fields)
            return 201, accounts.user_view(user)

    # ---- places, stations, teams and volunteers

    @api("GET", "/api/places")
    def get_places(self, request):
        """The district's streets and each street's communities."""
        return self.teams.get_places(_caller(request))

    @api("GET", "/api/stations")
    def list_stations(self, request):
        """The volunteer stations, of one community if asked: `{items}`."""
        query = load_query(request, StationQuerySchema())
        return self.teams.list_stations(_caller(request), query)

    @api("PUT", "/api/stations/<string:station_id>")
    def put_station(self, request, station_id):
        """Add or change a station (and its street and community if new)."""
        body = load_body(request, PutStationSchema())
        return self.teams.put_station(_caller(request), station_id, body)

    @api("POST", "/api/teams")
    def register_team(self, request):
        """Register a team; TeamRegistered follows."""
        body = load_body(request, RegisterTeamSchema())
        return 201, self.teams.register_team(_caller(request), body)

    @api("GET", "/api/teams")
    def list_teams(self, request):
        """Teams by keyword, category, street, community and kind, a page at a
        time: `{items, total, next_cursor}`."""
        query = load_query(request, TeamQuerySchema())
        return self.teams.list_teams(_caller(request), query)

    @api("GET", "/api/teams/<string:team_id>")
    def get_team(self, request, team_id):
        """One team; its contact phone for signed-in residents and staff."""
        return self.teams.get_team(_caller(request), team_id)

    @api("PATCH", "/api/teams/<string:team_id>")
    def update_team(self, request, team_id):
        """Change a team, its leaders or its status; TeamUpdated, TeamSuspended
        or TeamReactivated follows."""
        body = load_body(request, UpdateTeamSchema())
        return self.teams.update_team(_caller(request), team_id, body)

    @api("POST", "/api/teams/<string:team_id>/members")
    def add_member(self, request, team_id):
        """Add a volunteer to a team; VolunteerJoinedTeam follows."""
        body = load_body(request, AddMemberSchema())
        return self.teams.add_member(_caller(request), team_id, body)

    @api("DELETE", "/api/teams/<string:team_id>/members/<string:volunteer_id>")
    def remove_member(self, request, team_id, volunteer_id):
        """End a membership; VolunteerLeftTeam follows."""
        return self.teams.remove_member(_caller(request), team_id, volunteer_id)

    @api("POST", "/api/volunteers")
    def register_volunteer(self, request):
        """Register a volunteer; VolunteerRegistered follows."""
        body = load_body(request, RegisterVolunteerSchema())
        return 201, self.teams.register_volunteer(_caller(request), body)

    @api("POST", "/api/volunteers/apply")
    def apply_volunteer(self, request):
        """Apply to volunteer; pending until staff of the community approve."""
        body = load_body(request, ApplyVolunteerSchema())
        return 201, self.teams.apply_volunteer(_caller(request), body)

    @api("POST", "/api/volunteers/<string:volunteer_id>/approve")
    def approve_volunteer(self, request, volunteer_id):
        """Approve an application and link the applicant's account;
        VolunteerRegistered follows."""
        volunteer = self.teams.approve_volunteer(_caller(request), volunteer_id)
        if volunteer["user_id"]:
            with self.db.transaction() as uow:
                accounts.link_volunteer(uow.session, volunteer["user_id"], volunteer_id)
        return volunteer

    @api("POST", "/api/volunteers/<string:volunteer_id>/reject")
    def reject_volunteer(self, request, volunteer_id):
        """Turn an application down with a reason."""
        body = load_body(request, RejectVolunteerSchema())
        return self.teams.reject_volunteer(_caller(request), volunteer_id, body)

    @api("GET", "/api/volunteers")
    def list_volunteers(self, request):
        """Volunteers by keyword, community and team, a page at a time."""
        query = load_query(request, VolunteerQuerySchema())
        return self.teams.list_volunteers(_caller(request), query)

    @api("GET", "/api/volunteers/<string:volunteer_id>")
    def get_volunteer(self, request, volunteer_id):
        """One volunteer (never their ID-card number)."""
        return self.teams.get_volunteer(_caller(request), volunteer_id)

    @api("GET", "/api/volunteers/<string:volunteer_id>/service-record")
    def get_service_record(self, request, volunteer_id):
        """Every order the volunteer served and totals by year; `?format=csv`
        for a spreadsheet."""
        if load_query(request, ServiceRecordQuerySchema())["format"] == "json":
            return self.teams.get_service_record(_caller(request), volunteer_id)
        text = self.teams.get_service_record_csv(_caller(request), volunteer_id)
        return csv_response(text, f"service-record-{volunteer_id}.csv")

    @api("GET", "/api/volunteers/<string:volunteer_id>/points")
    def get_points(self, request, volunteer_id):
        """A volunteer's balance, certified minutes and a page of entries."""
        query = _checked_query(request, StatementQuerySchema())
        return self.points.get_points(_caller(request), volunteer_id, query)

    # ---- orders

    @api("POST", "/api/orders")
    def place_order(self, request):
        """Place an order, or enter one for a resident (staff); OrderPlaced follows."""
        body = load_body(request, PlaceOrderSchema())
        if body["on_behalf_of"]:
            with self.db.session() as session:
                accounts.require_resident(session, body["on_behalf_of"])
        payload = PlaceOrderSchema().dump(body)
        return 201, self.orders.place_order(_caller(request), payload)

    @api("GET", "/api/orders")
    def list_orders(self, request):
        """Orders the caller may see, filtered, newest first: `{items, next_cursor}`."""
        query = ListOrdersSchema().dump(load_query(request, ListOrdersSchema()))
        return self.orders.list_orders(_caller(request), query)

    @api("GET", "/api/orders/board")
    def order_board(self, request):
        """A community's counts by status, longest waiting and nearest expiry."""
        query = load_query(request, BoardQuerySchema())
        return self.orders.board(_caller(request), query)

    @api("GET", "/api/orders/<string:order_id>")
    def get_order(self, request, order_id):
        """The order and its history, for those involved in it."""
        return self.orders.get_order(_caller(request), order_id)

    @api("GET", "/api/orders/<string:order_id>/suggested-teams")
    def suggest_teams(self, request, order_id):
        """Teams to dispatch the order to, fewest open orders and best rated first."""
        query = load_query(request, SuggestQuerySchema())
        return self.orders.suggested_teams(_caller(request), order_id, query)

    @api("POST", "/api/orders/<string:order_id>/dispatch")
    def dispatch_order(self, request, order_id):
        """Dispatch to a team; OrderDispatched follows."""
        body = load_body(request, DispatchOrderSchema())
        return self.orders.dispatch_order(_caller(request), order_id, body)

    @api("POST", "/api/orders/<string:order_id>/reject")
    def reject_order(self, request, order_id):
        """Turn a placed order down with a reason code; OrderRejected follows."""
        body = load_body(request, RejectOrderSchema())
        return self.orders.reject_order(_caller(request), order_id, body)

    @api("POST", "/api/orders/<string:order_id>/decline")
    def decline_order(self, request, order_id):
        """The team turns the order down; OrderDeclined follows."""
        body = load_body(request, ReasonSchema())
        return self.orders.decline_order(_caller(request), order_id, body)

    @api("POST", "/api/orders/<string:order_id>/accept")
    def accept_order(self, request, order_id):
        """Accept with volunteers; OrderAccepted follows."""
        body = load_body(request, AcceptOrderSchema())
        return self.orders.accept_order(_caller(request), order_id, body)

    @api("POST", "/api/orders/<string:order_id>/start")
    def start_order(self, request, order_id):
        """The leader records the start or a volunteer checks in; OrderStarted."""
        load_body(request, NoBodySchema())
        return self.orders.start_order(_caller(request), order_id)

    @api("POST", "/api/orders/<string:order_id>/report")
    def report_service(self, request, order_id):
        """Report minutes per volunteer; OrderServiceReported follows."""
        body = load_body(request, ReportServiceSchema())
        return self.orders.report_service(_caller(request), order_id, body)

    @api("POST", "/api/orders/<string:order_id>/dispute")
    def dispute_order(self, request, order_id):
        """The resident disputes the report; OrderDisputed follows."""
        body = load_body(request, ReasonSchema())
        return self.orders.dispute_order(_caller(request), order_id, body)

    @api("POST", "/api/orders/<string:order_id>/request-report")
    def request_report(self, request, order_id):
        """Staff ask the team to report again; OrderReportRequested follows."""
        body = load_body(request, RequestReportSchema())
        return self.orders.request_report(_caller(request), order_id, body)

    @api("POST", "/api/orders/<string:order_id>/confirm")
    def confirm_order(self, request, order_id):
        """Confirm the report; OrderCompleted and then PointsCredited follow."""
        load_body(request, NoBodySchema())
        return self.orders.confirm_order(_caller(request), order_id)

    @api("POST", "/api/orders/<string:order_id>/rate")
    def rate_order(self, request, order_id):
        """Rate the completed service; OrderRated follows."""
        body = load_body(request, RateOrderSchema())
        return self.orders.rate_order(_caller(request), order_id, body)

    @api("POST", "/api/orders/<string:order_id>/cancel")
    def cancel_order(self, request, order_id):
        """Cancel before service starts; OrderCancelled follows."""
        body = load_body(request, ReasonSchema())
        return self.orders.cancel_order(_caller(request), order_id, body)

    # ---- banks

    @api("GET", "/api/banks")
    def list_banks(self, request):
        """The district's mutual-aid banks."""
        return {"items": self.inventory.list_banks(_caller(request))}

    @api("POST", "/api/banks")
    def open_bank(self, request):
        """Open a community's bank (admin): 201 `{id}`."""
        body = _checked(request, OpenBankSchema())
        return 201, self.inventory.open_bank(_caller(request), body)

    @api("POST", "/api/donors")
    def register_donor(self, request):
        """Register a donor (company, public body or individual): 201 `{id}`."""
        body = _checked(request, RegisterDonorSchema())
        return 201, self.inventory.register_donor(_caller(request), body)

    @api("GET", "/api/donors")
    def list_donors(self, request):
        """Every donor, by name."""
        return {"items": self.inventory.list_donors(_caller(request))}

    @api("POST", "/api/items")
    def add_item(self, request):
        """Add an item to the catalogue: 201 `{id}`."""
        body = _checked(request, AddItemSchema())
        return 201, self.inventory.add_item(_caller(request), body)

    @api("GET", "/api/items")
    def list_items(self, request):
        """Every item with its unit, price and restrictions."""
        return {"items": self.inventory.list_items(_caller(request))}

    @api("POST", "/api/banks/<string:bank_id>/donations")
    def record_donation(self, request, bank_id):
        """Record a donation: 201 `{id, receipt_no}`; DonationReceived follows."""
        body = _checked(request, RecordDonationSchema())
        return 201, self.inventory.record_donation(_caller(request), bank_id, body)

    @api("GET", "/api/donations/<string:donation_id>")
    def get_donation(self, request, donation_id):
        """A donation with its receipt number, donor and lines."""
        return self.inventory.get_donation(_caller(request), donation_id)

    @api("GET", "/api/donations/<string:donation_id>/receipt")
    def donation_receipt(self, request, donation_id):
        """The donation's receipt as plain text, to print for the donor."""
        text = self.inventory.get_donation(_caller(request), donation_id, True)
        return Response(text, content_type="text/plain; charset=utf-8")

    @api("GET", "/api/banks/<string:bank_id>/stock")
    def get_stock(self, request, bank_id):
        """What a bank holds: `{items: [{item_id, name, quantity, points_price}]}`."""
        return self.inventory.get_stock(_caller(request), bank_id)

    @api("POST", "/api/banks/<string:bank_id>/stocktakes")
    def take_stock(self, request, bank_id):
        """Book counted quantities: 201 `{id, lines}`; StockAdjusted follows."""
        body = _checked(request, StocktakeSchema())
        return 201, self.inventory.take_stock(_caller(request), bank_id, body)

    # ---- redemptions and free distribution

    @api("POST", "/api/redemptions")
    def request_redemption(self, request):
        """Redeem points for goods: 202 `{id, status: "pending"}`."""
        body = _checked(request, RequestRedemptionSchema())
        return 202, self.inventory.request_redemption(_caller(request), body)

    @api("GET", "/api/redemptions/<string:redemption_id>")
    def get_redemption(self, request, redemption_id):
        """A redemption's `{id, status, reason?}`: pending, completed or cancelled."""
        return self.inventory.get_redemption(_caller(request), redemption_id)

    @api("POST", "/api/distributions")
    def distribute_goods(self, request):
        """Give goods free to a family: 201 `{id}`; GoodsDistributed follows."""
        body = _checked(request, DistributeSchema())
        return 201, self.inventory.distribute(_caller(request), body)

    @api("GET", "/api/reports/<string:name>")
    def bank_report(self, request, name):
        """donations, stock, redemptions, distributions or destinations."""
        if name not in REPORT_QUERIES:
            raise NotFound(f"no report {name!r}; there are {', '.join(REPORT_QUERIES)}")
        query = _checked_query(request, REPORT_QUERIES[name]())
        return self.inventory.report(_caller(request), name, query)

    # ---- points: leaderboards, rates and the district's corrections

    @api("GET", "/api/points/leaderboard")
    def leaderboard(self, request):
        """Points earned in a period by volunteer, team or community."""
        query = _checked_query(request, LeaderboardQuerySchema())
        return self.points.leaderboard(_caller(request), query)

    @api("GET", "/api/points/rates")
    def list_rates(self, request):
        """Every rate per category with the day it takes effect."""
        return self.points.list_rates(_caller(request))

    @api("POST", "/api/points/rates")
    def set_rate(self, request):
        """Set a category's rate from a future day (admin): 201, the rate."""
        body = _checked(request, SetRateSchema())
        return 201, self.points.set_rate(_caller(request), body)

    @api("POST", "/api/points/transfers/<string:transfer_id>/reversal")
    def reverse_transfer(self, request, transfer_id):
        """Reverse a ledger entry with a reason (admin): 201, the new entry."""
        body = _checked(request, ReverseTransferSchema())
        return 201, self.points.reverse_transfer(_caller(request), transfer_id, body)

    @api("POST", "/api/points/adjustments")
    def adjust_points(self, request):
        """Give or take points with a reason (admin): 201, the new entry."""
        body = _checked(request, AdjustPointsSchema())
        return 201, self.points.adjust_points(_caller(request), body)
