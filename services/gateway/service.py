"""The gateway: HTTP for people and browsers, RPC to the domain services."""

import logging

from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider

from eventing.database import Database
from services.gateway import accounts, auth
from services.gateway.api import api, load_body, load_query
from services.gateway.models import Base
from services.gateway.rpc import ServiceClient
from services.gateway.schemas import CreateUserSchema, TokenRequestSchema
from services.orders.schemas import (
    AcceptOrderSchema,
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
    return request.caller.to_dict()


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

    # ---- teams and volunteers

    @api("POST", "/api/teams")
    def register_team(self, request):
        """Register a team; TeamRegistered follows."""
        body = load_body(request, RegisterTeamSchema())
        return 201, self.teams.register_team(_caller(request), body)

    @api("GET", "/api/teams")
    def list_teams(self, request):
        """Teams by category and community: `{items, total}`."""
        query = load_query(request, TeamQuerySchema())
        return self.teams.list_teams(_caller(request), query)

    @api("GET", "/api/teams/<string:team_id>")
    def get_team(self, request, team_id):
        """One team with its members."""
        return self.teams.get_team(_caller(request), team_id)

    @api("POST", "/api/teams/<string:team_id>/members")
    def add_member(self, request, team_id):
        """Add a volunteer to a team; VolunteerJoinedTeam follows."""
        body = load_body(request, AddMemberSchema())
        return self.teams.add_member(_caller(request), team_id, body)

    @api("POST", "/api/volunteers")
    def register_volunteer(self, request):
        """Register a volunteer; VolunteerRegistered follows."""
        body = load_body(request, RegisterVolunteerSchema())
        return 201, self.teams.register_volunteer(_caller(request), body)

    @api("GET", "/api/volunteers/<string:volunteer_id>/points")
    def get_points(self, request, volunteer_id):
        """A volunteer's balance and newest ledger entries."""
        return self.points.get_points(_caller(request), volunteer_id)

    # ---- orders

    @api("POST", "/api/orders")
    def place_order(self, request):
        """Place an order; OrderPlaced follows."""
        body = load_body(request, PlaceOrderSchema())
        return 201, self.orders.place_order(_caller(request), body)

    @api("GET", "/api/orders/<string:order_id>")
    def get_order(self, request, order_id):
        """The order and its history, for those involved in it."""
        return self.orders.get_order(_caller(request), order_id)

    @api("POST", "/api/orders/<string:order_id>/dispatch")
    def dispatch_order(self, request, order_id):
        """Dispatch to a team; OrderDispatched follows."""
        body = load_body(request, DispatchOrderSchema())
        return self.orders.dispatch_order(_caller(request), order_id, body)

    @api("POST", "/api/orders/<string:order_id>/accept")
    def accept_order(self, request, order_id):
        """Accept with volunteers; OrderAccepted follows."""
        body = load_body(request, AcceptOrderSchema())
        return self.orders.accept_order(_caller(request), order_id, body)

    @api("POST", "/api/orders/<string:order_id>/report")
    def report_service(self, request, order_id):
        """Report minutes per volunteer; OrderServiceReported follows."""
        body = load_body(request, ReportServiceSchema())
        return self.orders.report_service(_caller(request), order_id, body)

    @api("POST", "/api/orders/<string:order_id>/confirm")
    def confirm_order(self, request, order_id):
        """Confirm the report; OrderCompleted and then PointsCredited follow."""
        return self.orders.confirm_order(_caller(request), order_id)

    # ---- banks

    @api("GET", "/api/banks")
    def list_banks(self, request):
        """The district's mutual-aid banks."""
        return {"items": self.inventory.list_banks(_caller(request))}
