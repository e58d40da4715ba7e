from alembic import context

from eventing.migrations import run_environment
from services.gateway.models import Base

run_environment(context, Base.metadata)
