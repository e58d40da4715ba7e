"""A pooled connection is pinged only after sitting idle; a dead one is
replaced, and so is every other connection of the pool."""

import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from eventing import database
from eventing.database import make_engine

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


def kill_a_pooled_connection(engine):
    """End the backend of a connection waiting in the pool, as a PostgreSQL
    restart would; return its pid. The pool hands it out next."""
    with engine.connect() as pooled, engine.connect() as other:
        pid = pooled.execute(text("SELECT pg_backend_pid()")).scalar_one()
        pooled.close()
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
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
