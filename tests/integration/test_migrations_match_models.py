"""Each service's migrations make exactly the tables its models describe:
a column added to a model without a migration (or the other way) fails here,
not on a district's database."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from ops import settings
from ops.cli import service_class

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("service", settings.SERVICES)
def test_the_migrated_schema_is_the_models_schema(service, make_database):
    metadata = service_class(service).db.metadata
    engine = create_engine(make_database(service))
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()

    assert differences == []
