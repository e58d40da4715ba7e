"""One alembic environment per service, run from code.

Each service keeps its revisions in `services/<name>/migrations/versions`;
`upgrade()` brings a service's database to the newest one. The environment
itself is shared: every service's `env.py` calls `run_environment()`.
"""

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import engine_from_config, pool


def alembic_config(service, url):
    package = importlib.import_module(f"services.{service}")
    config = Config()
    config.set_main_option(
        "script_location", str(Path(package.__file__).parent / "migrations")
    )
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["service"] = service
    return config


def upgrade(service, url, revision="head"):
    command.upgrade(alembic_config(service, url), revision)


def run_environment(context, metadata):
    """The body of every service's env.py."""
    config = context.config
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=metadata,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            # SQLite alters tables by copying them
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
