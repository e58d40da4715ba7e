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
