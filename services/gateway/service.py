"""The gateway: HTTP for people and browsers, RPC to the domain services.

Each route declares what it takes, answers and needs (see `api`); the
OpenAPI document at /api/openapi.json is built from those declarations. The
routes live by area in `services.gateway.routes`, mixed in here.
"""

import logging

from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider

from eventing.database import Database
from services.gateway import accounts
from services.gateway.housekeeping import Housekeeping
from services.gateway.models import Base
from services.gateway.routes.accounts import AccountRoutes
from services.gateway.routes.bank import BankRoutes
from services.gateway.routes.directory import DirectoryRoutes
from services.gateway.routes.orders import OrderRoutes
from services.gateway.routes.points import PointsRoutes
from services.gateway.routes.volunteers import VolunteerRoutes
from services.gateway.rpc import ServiceClient
from services.gateway.system import SystemRoutes

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


class GatewayService(
    SystemRoutes,
    AccountRoutes,
    DirectoryRoutes,
    VolunteerRoutes,
    OrderRoutes,
    BankRoutes,
    PointsRoutes,
):
    name = "gateway"

    db = Database(Base.metadata)
    admin_account = AdminAccount()
    housekeeping = Housekeeping()
    config = Config()
    orders = ServiceClient("orders")
    teams = ServiceClient("teams")
    points = ServiceClient("points")
    inventory = ServiceClient("inventory")
