"""Per-service database access with a transactional outbox.

A state change and the events it causes are written in one transaction: the
events go to the service's `outbox` table and the relay publishes them after
commit. A crash between commit and publish therefore delays an event and never
loses one. The `inbox` table records every event a consumer applied, in the
same transaction as the effect, so a redelivered event changes nothing.
"""

import io
import json
import logging
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime

import eventlet
import psycopg2.extensions
from nameko.extensions import DependencyProvider
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, InvalidatePoolError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from eventing import contracts, faults, logcontext
from eventing.envelope import Envelope

logger = logging.getLogger(__name__)

DATABASE_URL_KEY = "DATABASE_URL"
# the worker context key of a command's idempotency key (see UnitOfWork.new_id)
COMMAND_KEY = "command_key"
MAX_WORKERS_KEY = "max_workers"
DEFAULT_MAX_WORKERS = 10
# what a NULL looks like in the CSV that bulk_insert hands to COPY
COPY_NULL = "\\N"
# a pooled connection idle this long is pinged before use (see ping_when_idle)
IDLE_PING_SECONDS = 2.0
IDLE_SINCE = "idle_since"


# what a database that is down, restarting or out of connections raises
UNREACHABLE = (OperationalError, InterfaceError, PoolTimeout)


class DatabaseUnavailable(Exception):
    """The service's database did not answer; nothing was written.

    Raised at the service boundary in place of the driver's error, so it
    crosses RPC under this one name and the gateway answers 503.
    """


@contextmanager
def unavailable_as_one_error(service_name):
    try:
        yield
    except UNREACHABLE as exc:
        logger.error("the %s database is unavailable: %s", service_name, exc)
        raise DatabaseUnavailable(
            f"the {service_name} service's database is unavailable; try again"
        ) from None


# ids derived from a command key live in their own namespace
COMMAND_IDS = uuid.UUID("6f1d6c1e-8a39-4d5e-9b8e-2f4c1a7d3b90")


def utcnow():
    return datetime.now(UTC)


def add_eventing_tables(metadata):
    """Add the `outbox` and `inbox` tables to a service's metadata."""
    outbox = Table(
        "outbox",
        metadata,
        Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("exchange", String(128), nullable=False),
        Column("routing_key", String(128), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text),
    )
    # the relay only ever scans unsent rows: keep that index small
    Index(
        "ix_outbox_unsent",
        outbox.c.seq,
        postgresql_where=outbox.c.sent_at.is_(None),
        sqlite_where=outbox.c.sent_at.is_(None),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(200), primary_key=True),
        Column("event_id", String(128), primary_key=True),
        Column("applied_at", DateTime(timezone=True), nullable=False),
    )
    return outbox, inbox


def _copy_value(value):
    # every value but NULL is quoted, so no text can be taken for a NULL
    if value is None:
        return COPY_NULL
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, date):
        value = value.isoformat()
    return '"' + str(value).replace('"', '""') + '"'


def _green():
    return psycopg2.extensions.get_wait_callback() is not None


def bulk_insert(session, table, rows):
    """Insert many rows with the same keys in the session's transaction.

    On PostgreSQL the rows go by COPY, about twice as fast as multi-row
    INSERTs for the hundred thousand rows of a registry import; elsewhere,
    and in a process eventlet made green (psycopg2 cannot COPY with the wait
    callback that keeps the other green threads going), by one executemany.
    """
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql" or _green():
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    buffer = io.StringIO(
        "".join(
            ",".join(_copy_value(row[column]) for column in columns) + "\n"
            for row in rows
        )
    )
    quote = session.get_bind().dialect.identifier_preparer.quote
    names = ", ".join(quote(column) for column in columns)
    cursor = session.connection().connection.cursor()
    cursor.copy_expert(
        f"COPY {quote(table.name)} ({names}) FROM STDIN "
        f"WITH (FORMAT csv, NULL '{COPY_NULL}')",
        buffer,
    )


def make_engine(url, pool_size=DEFAULT_MAX_WORKERS):
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # WAL lets the relay read while a worker writes; foreign keys are
            # off by default in SQLite
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # a worker that cannot get a connection waits and then fails: size the pool
    # to the worker pool, plus the relay and a spare. Last in, first out: a
    # quiet service (the relay's poll twice a second) keeps reusing the
    # connection it just used instead of taking each in turn after it sat
    # idle long enough to need a ping
    engine = create_engine(
        url, pool_size=pool_size + 2, max_overflow=2, pool_use_lifo=True
    )
    ping_when_idle(engine, IDLE_PING_SECONDS)
    return engine


def driver_connect_args(url):
    """What `psycopg2.connect` takes for a PostgreSQL URL, read as the
    engine's own dialect reads it (hosts, options and all); None otherwise."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return None
    _, args = parsed.get_dialect()().create_connect_args(parsed)
    return args


def ping_when_idle(engine, idle_seconds):
    """Ping a pooled connection before use only if it sat idle a while.

    SQLAlchemy's `pool_pre_ping` pings on every checkout: a round trip per
    transaction, a sixth of all statements under load. A connection in steady
    use needs none: if PostgreSQL restarts under it, its next statement fails
    (one 503, or one retried event), SQLAlchemy sees a disconnect and replaces
    every connection of the pool. A connection that sat idle may have been cut
    off by a restart nobody noticed; that one is pinged, and the whole pool
    replaced if it is dead, so the first request after a quiet night works.
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_connection, record):
        record.info[IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy):
        since = record.info.pop(IDLE_SINCE, None)
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # the pool reconnects and retries the checkout
            raise InvalidatePoolError(f"idle connection is dead: {exc}") from exc


class Doorbell:
    """Wakes the outbox relay as soon as a transaction with events commits."""

    def __init__(self):
        self._event = eventlet.event.Event()

    def ring(self):
        if not self._event.ready():
            self._event.send(True)

    def wait(self, timeout):
        """Until it rings (or rang since the last `answer`), or `timeout`."""
        with eventlet.Timeout(timeout, False):
            self._event.wait()

    def answer(self):
        """Forget the rings so far: the relay is about to read the outbox,
        and will see every commit that rang before this."""
        if self._event.ready():
            self._event = eventlet.event.Event()


class UnitOfWork:
    """One database transaction that may also record events to publish."""

    def __init__(
        self,
        session,
        service_name,
        outbox,
        inbox,
        correlation_id=None,
        command_key=None,
    ):
        self.session = session
        self.service_name = service_name
        self._outbox = outbox
        self._inbox = inbox
        self.correlation_id = correlation_id
        self.command_key = command_key
        self._ids = 0
        self.emitted = []

    def new_id(self, purpose=None):
        """An id for something this command creates.

        Random, unless the command came with a key (the caller's
        Idempotency-Key, scoped to the caller): then derived from it, so a
        command that runs twice (a retry after a reply was lost) finds what
        its first run created under the same id instead of creating another.
        A `purpose` keeps ids of different kinds of thing in one table apart,
        should a key released after a failure be reused for another command.
        """
        if self.command_key is None:
            return str(uuid.uuid4())
        self._ids += 1
        name = f"{self.command_key}:{self._ids}"
        if purpose is not None:
            name = f"{self.command_key}:{purpose}:{self._ids}"
        return str(uuid.uuid5(COMMAND_IDS, name))

    def emit(self, event_type, data, subject=None):
        """Record an event in the outbox; it is published after commit."""
        contract = contracts.contract_for(event_type)
        if contract.source != self.service_name:
            raise ValueError(f"{self.service_name} may not emit {event_type}")
        envelope = Envelope(
            type=event_type,
            source=f"/services/{self.service_name}",
            data=contracts.dump(event_type, data),
            subject=subject,
            correlationid=self.correlation_id,
        )
        self.session.execute(
            insert(self._outbox).values(
                event_id=envelope.id,
                exchange=f"{self.service_name}.events",
                routing_key=event_type,
                body=envelope.to_json(),
                created_at=utcnow(),
            )
        )
        self.emitted.append(envelope)
        return envelope

    def emit_many(self, event_type, items):
        """Record one event per `(data, subject)` item in a single statement.

        The bulk form of `emit`, for imports of many thousands of rows: one
        schema checks every item and one multi-row INSERT writes the outbox.
        """
        contract = contracts.contract_for(event_type)
        if contract.source != self.service_name:
            raise ValueError(f"{self.service_name} may not emit {event_type}")
        # one load both checks an event and gives it in its contract's plain
        # JSON types: at a hundred thousand events, half the time of emit's
        # validate and dump
        schema = contract.schema()
        envelopes = [
            Envelope(
                type=event_type,
                source=f"/services/{self.service_name}",
                data=schema.load(data),
                subject=subject,
                correlationid=self.correlation_id,
            )
            for data, subject in items
        ]
        created_at = utcnow()
        bulk_insert(
            self.session,
            self._outbox,
            [
                {
                    "event_id": envelope.id,
                    "exchange": f"{self.service_name}.events",
                    "routing_key": event_type,
                    "body": envelope.to_json(),
                    "created_at": created_at,
                }
                for envelope in envelopes
            ],
        )
        self.emitted.extend(envelopes)
        return envelopes

    def mark_applied(self, consumer, event_id):
        """Record that `consumer` applied `event_id`; False if it already had.

        The primary key makes this safe under any number of replicas: of two
        transactions applying the same event, the second blocks on the first
        and then inserts nothing.
        """
        dialect = self.session.get_bind().dialect.name
        stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(self._inbox)
        stmt = stmt.values(consumer=consumer, event_id=event_id, applied_at=utcnow())
        result = self.session.execute(stmt.on_conflict_do_nothing())
        return result.rowcount == 1


class Database(DependencyProvider):
    """Gives each worker `transaction()`: a unit of work with an outbox."""

    def __init__(self, metadata):
        self.metadata = metadata
        # the gateway keeps accounts and emits nothing: no outbox there
        self.outbox = metadata.tables.get("outbox")
        self.inbox = metadata.tables.get("inbox")
        self.doorbell = Doorbell()
        self.engine = None

    def setup(self):
        config = self.container.config
        url = config[DATABASE_URL_KEY]
        self.engine = make_engine(url, config.get(MAX_WORKERS_KEY, DEFAULT_MAX_WORKERS))
        self.sessions = sessionmaker(bind=self.engine, expire_on_commit=False)

    def stop(self):
        self.engine.dispose()

    def kill(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return Transactions(
            self,
            worker_ctx.data.get(logcontext.CONTEXT_KEY),
            worker_ctx.data.get(COMMAND_KEY),
        )

    # every service has a Database: it is the one place that can put the
    # request id of each worker, RPC or event, on that worker's log lines
    def worker_setup(self, worker_ctx):
        logcontext.bind(worker_ctx.data.get(logcontext.CONTEXT_KEY))

    def worker_teardown(self, worker_ctx):
        logcontext.unbind()


class Transactions:
    """What a worker sees of the Database provider."""

    def __init__(self, provider, correlation_id, command_key=None):
        self._provider = provider
        self.correlation_id = correlation_id
        self.command_key = command_key

    @property
    def engine(self):
        return self._provider.engine

    @property
    def _service_name(self):
        return self._provider.container.service_name

    @contextmanager
    def transaction(self):
        """One transaction; DatabaseUnavailable if the database is down."""
        provider = self._provider
        with unavailable_as_one_error(self._service_name):
            with provider.sessions() as session, session.begin():
                uow = UnitOfWork(
                    session,
                    self._service_name,
                    provider.outbox,
                    provider.inbox,
                    self.correlation_id,
                    self.command_key,
                )
                yield uow
                faults.reach("before_commit")
        if uow.emitted:
            provider.doorbell.ring()

    @contextmanager
    def session(self) -> Session:
        """A plain session for reads; DatabaseUnavailable if the database is down."""
        with unavailable_as_one_error(self._service_name):
            with self._provider.sessions() as session:
                yield session
