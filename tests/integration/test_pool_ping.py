"""A pooled connection is pinged only after sitting idle; a dead one is
replaced, and so is every other connection of the pool."""

import time

import psycopg2
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from eventing import database
from eventing.database import driver_connect_args, make_engine

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(make_database, monkeypatch):
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 1.0)
    engine = make_engine(make_database("teams"), pool_size=2)
    yield engine
    engine.dispose()


def backend_pid(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_in_steady_use_is_not_pinged(engine):
    backend_pid(engine)
    pings = []
    original = engine.dialect.do_ping
    engine.dialect.do_ping = lambda conn: pings.append(conn) or original(conn)

    for _ in range(5):
        backend_pid(engine)

    assert pings == []


def test_a_quiet_service_reuses_the_connection_it_used_last(engine):
    # two connections in the pool; the one returned last is handed out next,
    # so the other sits idle instead of each in turn needing a ping
    with engine.connect() as first, engine.connect() as second:
        last = second.execute(text("SELECT pg_backend_pid()")).scalar_one()
        first.close()

    assert [backend_pid(engine) for _ in range(3)] == [last] * 3


def kill_a_pooled_connection(engine):
    """End the backend of a connection waiting in the pool, as a PostgreSQL
    restart would; return its pid. The pool hands it out next."""
    with engine.connect() as pooled, engine.connect() as other:
        pid = pooled.execute(text("SELECT pg_backend_pid()")).scalar_one()
        other.execute(text("SELECT 1"))
    # both are back in the pool, `pooled` last (the block closes them in the
    # reverse order): it is the one handed out next
    url = engine.url.render_as_string(hide_password=False)
    outside = psycopg2.connect(**driver_connect_args(url))
    try:
        with outside, outside.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
    finally:
        outside.close()
    return pid


def test_an_idle_connection_that_died_is_replaced_before_use(engine):
    dead = kill_a_pooled_connection(engine)
    time.sleep(1.2)

    assert backend_pid(engine) != dead  # no error: pinged, found dead, replaced


def test_a_busy_connection_that_died_fails_once_and_the_pool_recovers(engine):
    dead = kill_a_pooled_connection(engine)

    # used again at once: not pinged, so the statement meets the dead backend
    with pytest.raises(OperationalError):
        backend_pid(engine)

    assert backend_pid(engine) != dead
