"""The gateway: HTTP for people and browsers, RPC to the domain services.

Each route declares what it takes, answers and needs (see `api`); the
OpenAPI document at /api/openapi.json is built from those declarations.
"""

import logging

from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider

from eventing.database import Database
from services.gateway import accounts, signin
from services.gateway.api import api
from services.gateway.housekeeping import Housekeeping
from services.gateway.models import Base
from services.gateway.responses import (
    BankListSchema,
    OrderSchema,
    PointsSchema,
    TeamPageSchema,
    TeamSchema,
    TokenSchema,
    UserSchema,
    VolunteerSchema,
)
from services.gateway.rpc import ServiceClient
from services.gateway.schemas import (
    CreateUserSchema,
    RefreshRequestSchema,
    TokenRequestSchema,
    UpdateUserSchema,
)
from services.gateway.system import SystemRoutes
from services.orders.schemas import (
    AcceptOrderSchema,
    ConfirmOrderSchema,
    DispatchOrderSchema,
    PlaceOrderSchema,
    ReportServiceSchema,
)
from services.teams.schemas import (
    AddMemberSchema,
    RegisterTeamSchema,
    RegisterVolunteerSchema,
    TeamQuerySchema,
)

logger = logging.getLogger(__name__)

ADMIN_PASSWORD_KEY = "GATEWAY_ADMIN_PASSWORD"


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
    return request.caller.to_dict()


class GatewayService(SystemRoutes):
    name = "gateway"

    db = Database(Base.metadata)
    admin_account = AdminAccount()
    housekeeping = Housekeeping()
    config = Config()
    orders = ServiceClient("orders")
    teams = ServiceClient("teams")
    points = ServiceClient("points")
    inventory = ServiceClient("inventory")

    # ---- accounts

    @api(
        "POST",
        "/api/auth/token",
        public=True,
        body=TokenRequestSchema,
        response=TokenSchema,
        errors=(401, 429, 503),
    )
    def issue_token(self, request):
        """Exchange a username and password for an access and a refresh token."""
        settings = signin.Settings.from_config(self.config)
        body = request.body
        return signin.sign_in(
            self.db, settings, body["username"], body["password"], request.remote_addr
        )

    @api(
        "POST",
        "/api/auth/refresh",
        public=True,
        body=RefreshRequestSchema,
        response=TokenSchema,
        errors=(401, 503),
    )
    def refresh_token(self, request):
        """Trade a refresh token (each works once) for a new pair of tokens."""
        settings = signin.Settings.from_config(self.config)
        return signin.refresh(self.db, settings, request.body["refresh_token"])

    @api(
        "POST",
        "/api/users",
        body=CreateUserSchema,
        response=UserSchema,
        status=201,
        idempotent=True,
        errors=(409,),
    )
    def create_user(self, request):
        """Create an account (admin only)."""
        with self.db.transaction() as uow:
            user = accounts.create_user(uow.session, request.body)
            return accounts.user_view(user)

    @api(
        "PATCH",
        "/api/users/<string:user_id>",
        body=UpdateUserSchema,
        response=UserSchema,
        errors=(409,),
    )
    def update_user(self, request, user_id):
        """Disable or enable an account; a disabled one's tokens stop working."""
        with self.db.transaction() as uow:
            user = accounts.set_disabled(
                uow.session, request.caller, user_id, request.body["disabled"]
            )
            return accounts.user_view(user)

    # ---- teams and volunteers

    @api(
        "POST",
        "/api/teams",
        body=RegisterTeamSchema,
        response=TeamSchema,
        status=201,
        idempotent=True,
    )
    def register_team(self, request):
        """Register a team; TeamRegistered follows."""
        return self.teams.register_team(_caller(request), request.body)

    @api("GET", "/api/teams", query=TeamQuerySchema, response=TeamPageSchema)
    def list_teams(self, request):
        """Teams by category and community, a page at a time: `{items, total}`."""
        return self.teams.list_teams(_caller(request), request.query)

    @api("GET", "/api/teams/<string:team_id>", response=TeamSchema)
    def get_team(self, request, team_id):
        """One team with its members."""
        return self.teams.get_team(_caller(request), team_id)

    @api(
        "POST",
        "/api/teams/<string:team_id>/members",
        body=AddMemberSchema,
        response=TeamSchema,
    )
    def add_member(self, request, team_id):
        """Add a volunteer to a team; VolunteerJoinedTeam follows."""
        return self.teams.add_member(_caller(request), team_id, request.body)

    @api(
        "POST",
        "/api/volunteers",
        body=RegisterVolunteerSchema,
        response=VolunteerSchema,
        status=201,
        idempotent=True,
    )
    def register_volunteer(self, request):
        """Register a volunteer; VolunteerRegistered follows."""
        return self.teams.register_volunteer(_caller(request), request.body)

    @api("GET", "/api/volunteers/<string:volunteer_id>/points", response=PointsSchema)
    def get_points(self, request, volunteer_id):
        """A volunteer's balance and newest ledger entries."""
        return self.points.get_points(_caller(request), volunteer_id)

    # ---- orders

    @api(
        "POST",
        "/api/orders",
        body=PlaceOrderSchema,
        response=OrderSchema,
        status=201,
        idempotent=True,
    )
    def place_order(self, request):
        """Place an order; OrderPlaced follows."""
        return self.orders.place_order(_caller(request), request.body)

    @api("GET", "/api/orders/<string:order_id>", response=OrderSchema)
    def get_order(self, request, order_id):
        """The order and its history, for those involved in it."""
        return self.orders.get_order(_caller(request), order_id)

    @api(
        "POST",
        "/api/orders/<string:order_id>/dispatch",
        body=DispatchOrderSchema,
        response=OrderSchema,
        errors=(409,),
    )
    def dispatch_order(self, request, order_id):
        """Dispatch to a team; OrderDispatched follows."""
        return self.orders.dispatch_order(_caller(request), order_id, request.body)

    @api(
        "POST",
        "/api/orders/<string:order_id>/accept",
        body=AcceptOrderSchema,
        response=OrderSchema,
        errors=(409, 422),
    )
    def accept_order(self, request, order_id):
        """Accept with volunteers; OrderAccepted follows."""
        return self.orders.accept_order(_caller(request), order_id, request.body)

    @api(
        "POST",
        "/api/orders/<string:order_id>/report",
        body=ReportServiceSchema,
        response=OrderSchema,
        errors=(409, 422),
    )
    def report_service(self, request, order_id):
        """Report minutes per volunteer; OrderServiceReported follows."""
        return self.orders.report_service(_caller(request), order_id, request.body)

    @api(
        "POST",
        "/api/orders/<string:order_id>/confirm",
        body=ConfirmOrderSchema,
        response=OrderSchema,
        errors=(409,),
    )
    def confirm_order(self, request, order_id):
        """Confirm the report; OrderCompleted and then PointsCredited follow."""
        return self.orders.confirm_order(_caller(request), order_id)

    # ---- banks

    @api("GET", "/api/banks", response=BankListSchema)
    def list_banks(self, request):
        """The district's mutual-aid banks."""
        return {"items": self.inventory.list_banks(_caller(request))}
