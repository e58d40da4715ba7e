"""The inventory service: the communities' mutual-aid banks."""

from nameko.web.handlers import http
from sqlalchemy import select

from eventing.database import Database
from eventing.health import health_response
from eventing.relay import OutboxRelay
from eventing.rpc import rpc
from services.inventory.models import Bank, Base


class InventoryService:
    name = "inventory"

    db = Database(Base.metadata)
    relay = OutboxRelay()

    @http("GET", "/health")
    def health(self, request):
        """The service runs and its database answers."""
        return health_response(self.db)

    @rpc
    def list_banks(self, caller):
        """The banks known to the district."""
        with self.db.session() as session:
            banks = session.scalars(select(Bank).order_by(Bank.name))
            return [
                {"id": b.id, "name": b.name, "community": b.community} for b in banks
            ]
