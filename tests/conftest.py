"""Fixtures shared by the integration and end-to-end tests.

Each test gets its own RabbitMQ vhost (nameko's `rabbit_config`) and, per
service, its own PostgreSQL database cloned from a template that alembic
migrated once per session, so tests never see each other's messages or rows.
"""

import os
import socket
import uuid

import psycopg2
import pytest
from nameko.containers import ServiceContainer

from eventing.migrations import upgrade
from ops import settings

PG_DSN = os.environ.get(
    "TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)
TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256"
TEST_ID_CARD_SECRET = "test-id-card-key"
# per test session, so that two sessions on one machine never share a template
TEMPLATE_PREFIX = f"vp_template_{os.getpid()}_"


def _admin_connection():
    conn = psycopg2.connect(PG_DSN)
    conn.autocommit = True
    return conn


def _sqlalchemy_url(dbname):
    params = dict(part.split("=", 1) for part in PG_DSN.split())
    user, host, port = params.get("user", "postgres"), params["host"], params["port"]
    return f"postgresql+psycopg2://{user}@{host}:{port}/{dbname}"


def _drop(cursor, dbname):
    cursor.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_templates():
    """One migrated template database per service, made once per session."""
    conn = _admin_connection()
    with conn.cursor() as cursor:
        for service in settings.SERVICES:
            name = TEMPLATE_PREFIX + service
            _drop(cursor, name)
            cursor.execute(f'CREATE DATABASE "{name}"')
            upgrade(service, _sqlalchemy_url(name))
    yield {service: TEMPLATE_PREFIX + service for service in settings.SERVICES}
    with conn.cursor() as cursor:
        for service in settings.SERVICES:
            _drop(cursor, TEMPLATE_PREFIX + service)
    conn.close()


@pytest.fixture
def make_database(database_templates):
    """Create a fresh database for a service from its template; return its URL."""
    conn = _admin_connection()
    created = []

    def make(service):
        name = f"vp_test_{service}_{uuid.uuid4().hex[:10]}"
        with conn.cursor() as cursor:
            cursor.execute(
                f'CREATE DATABASE "{name}" TEMPLATE "{database_templates[service]}"'
            )
        created.append(name)
        return _sqlalchemy_url(name)

    yield make
    with conn.cursor() as cursor:
        for name in created:
            _drop(cursor, name)
    conn.close()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def service_config(rabbit_config, make_database):
    """A service's own config, pointed at this test's vhost and database."""

    def make(service, **overrides):
        config = settings.load_config(service)
        config.pop("LOGGING", None)  # pytest captures the logs itself
        config.update(
            AMQP_URI=rabbit_config["AMQP_URI"],
            DATABASE_URL=make_database(service),
            WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}",
            OUTBOX_POLL_INTERVAL=0.2,
            GATEWAY_JWT_SECRET=TEST_JWT_SECRET,
            GATEWAY_ADMIN_PASSWORD="admin-password",
            ID_CARD_HMAC_SECRET=TEST_ID_CARD_SECRET,
        )
        config.update(overrides)
        return config

    return make


@pytest.fixture
def container_factory(make_database, rabbit_config):
    """nameko's container factory, torn down before this test's databases and
    vhost are: no relay or consumer outlives what it talks to."""
    containers = []

    def make(service_cls, config):
        container = ServiceContainer(service_cls, config)
        containers.append(container)
        return container

    yield make
    for container in containers:
        container.kill()
