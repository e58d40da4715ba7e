"""The gateway: HTTP for people and browsers, RPC to the domain services.

Each route declares what it takes, answers and needs (see `api`); the
OpenAPI document at /api/openapi.json is built from those declarations. The
routes live by area in `services.gateway.routes`, mixed in here.
"""

import logging

from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider
from sqlalchemy.orm import Session

from eventing.database import DATABASE_URL_KEY, Database, make_engine
from services.gateway import accounts, system
from services.gateway.active_accounts import ActiveAccounts
from services.gateway.housekeeping import Housekeeping
from services.gateway.models import Base
from services.gateway.references import KnownCommunities
from services.gateway.routes import accounts as account_routes
from services.gateway.routes import bank as bank_routes
from services.gateway.routes import directory as directory_routes
from services.gateway.routes import orders as order_routes
from services.gateway.routes import points as points_routes
from services.gateway.routes import volunteers as volunteer_routes
from services.gateway.rpc import ServiceClient

logger = logging.getLogger(__name__)

ADMIN_PASSWORD_KEY = "GATEWAY_ADMIN_PASSWORD"


class AdminAccount(DependencyProvider):
    """Creates the district admin account when the gateway first starts."""

    def setup(self):
        # nameko sets every extension up before it starts any, and the HTTP
        # server opens its port when it starts: done here, the admin exists
        # before anyone can try to sign in. The Database provider may not be
        # set up yet, so this borrows an engine of its own.
        password = self.container.config.get(ADMIN_PASSWORD_KEY)
        if not password:
            logger.warning(
                "%s is not set: no admin account is created", ADMIN_PASSWORD_KEY
            )
            return
        engine = make_engine(self.container.config[DATABASE_URL_KEY], pool_size=1)
        try:
            with Session(engine) as session, session.begin():
                accounts.ensure_admin(session, str(password))
        finally:
            engine.dispose()


# The mixins are reached through their modules, never imported by name: `nameko
# run services.gateway.service` takes every top-level class with entrypoints
# in this module for a service of its own, and a mixin has no `name`.
class GatewayService(
    system.SystemRoutes,
    account_routes.AccountRoutes,
    directory_routes.DirectoryRoutes,
    volunteer_routes.VolunteerRoutes,
    order_routes.OrderRoutes,
    bank_routes.BankRoutes,
    points_routes.PointsRoutes,
):
    name = "gateway"

    db = Database(Base.metadata)
    active_accounts = ActiveAccounts()
    admin_account = AdminAccount()
    housekeeping = Housekeeping()
    config = Config()
    orders = ServiceClient("orders")
    teams = ServiceClient("teams")
    points = ServiceClient("points")
    inventory = ServiceClient("inventory")
    communities = KnownCommunities()
