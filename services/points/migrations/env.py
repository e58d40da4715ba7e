from alembic import context

from eventing.migrations import run_environment
from services.points.models import Base

run_environment(context, Base.metadata)
