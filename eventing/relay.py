"""Publishes a service's outbox to its `<service>.events` exchange.

The relay claims a batch of unsent rows with `FOR UPDATE SKIP LOCKED` (so two
replicas never publish the same row), publishes the whole batch with
publisher confirms in one window, waits until the broker settled every
message, marks the confirmed rows sent and commits. If the process dies after
publishing and before committing, the rows are published again by whoever
claims them next: consumers de-duplicate on the event id, so at-least-once
publishing plus an idempotent inbox gives exactly-once effects.
"""

import logging
import time
from datetime import timedelta

import amqp
import eventlet
from kombu import Connection
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from sqlalchemy import case, delete, select, update

from eventing import faults
from eventing.database import Database, utcnow
from eventing.envelope import CONTENT_TYPE

logger = logging.getLogger(__name__)

BATCH_SIZE_KEY = "OUTBOX_BATCH_SIZE"
POLL_INTERVAL_KEY = "OUTBOX_POLL_INTERVAL"
LINGER_KEY = "OUTBOX_LINGER_SECONDS"
DEFAULT_LINGER = 0.005
RETENTION_KEY = "OUTBOX_RETENTION_HOURS"
CONFIRM_TIMEOUT = 10.0
PURGE_EVERY = 600.0
UNROUTABLE = "unroutable: no queue bound"


class PublishFailed(Exception):
    """The broker did not confirm every message of a batch."""


class ConfirmingPublisher:
    """Publishes batches with publisher confirms settled in one window."""

    def __init__(self, amqp_uri, exchange):
        self.amqp_uri = amqp_uri
        self.exchange = exchange
        self._connection = None
        self._channel = None
        self._next_tag = 1
        self._acked = set()
        self._nacked = set()
        self._returned = set()

    def _ensure_channel(self):
        if (
            self._channel is not None
            and self._channel.is_open
            and self._connection.connected
        ):
            return self._channel
        self.close()
        self._connection = Connection(self.amqp_uri, connect_timeout=5)
        self._connection.ensure_connection(max_retries=1)
        channel = self._connection.connection.channel()
        # the service owns its exchange; declaring it here means an event is
        # never published to an exchange that does not exist yet
        channel.exchange_declare(
            self.exchange, "topic", durable=True, auto_delete=False
        )
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        channel.events["basic_return"].add(self._on_return)
        self._channel = channel
        self._next_tag = 1
        return channel

    def _settle(self, store, tag, multiple):
        pending = self._pending
        tags = [t for t in pending if t <= tag] if multiple else [tag]
        for t in tags:
            event_id = pending.pop(t, None)
            if event_id is not None:
                store.add(event_id)

    def _on_ack(self, delivery_tag, multiple):
        self._settle(self._acked, delivery_tag, multiple)

    def _on_nack(self, delivery_tag, multiple):
        self._settle(self._nacked, delivery_tag, multiple)

    def _on_return(self, exc, exchange, routing_key, message):
        # a return comes before the ack of the same message
        self._returned.add(message.properties.get("message_id"))

    def publish(self, rows):
        """Publish rows of (event_id, routing_key, body); return the ids the
        broker confirmed and the subset of those that no queue was bound for."""
        channel = self._ensure_channel()
        self._pending = {}
        self._acked, self._nacked, self._returned = set(), set(), set()
        for event_id, routing_key, body in rows:
            message = amqp.Message(
                body.encode("utf-8"),
                content_type=CONTENT_TYPE,
                content_encoding="utf-8",
                delivery_mode=2,
                message_id=event_id,
                type=routing_key,
                timestamp=int(time.time()),
            )
            channel.basic_publish(
                message, exchange=self.exchange, routing_key=routing_key, mandatory=True
            )
            self._pending[self._next_tag] = event_id
            self._next_tag += 1
        deadline = time.monotonic() + CONFIRM_TIMEOUT
        while self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PublishFailed(
                    f"{len(self._pending)} messages not confirmed in time"
                )
            self._connection.connection.drain_events(timeout=remaining)
        if self._nacked:
            logger.warning("broker refused %d events", len(self._nacked))
        return self._acked, self._returned & self._acked

    def close(self):
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # noqa: BLE001 - a dead connection may fail to close
                logger.debug("closing a broken relay connection failed", exc_info=True)
        self._connection = None
        self._channel = None


class OutboxRelay(DependencyProvider):
    """Runs the relay loop beside the service's workers.

    Declare it on a service next to its `Database`; workers never see it.
    """

    def setup(self):
        config = self.container.config
        self.database = next(
            ext for ext in self.container.dependencies if isinstance(ext, Database)
        )
        self.batch_size = int(config.get(BATCH_SIZE_KEY, 500))
        self.poll_interval = float(config.get(POLL_INTERVAL_KEY, 0.5))
        self.linger = float(config.get(LINGER_KEY, DEFAULT_LINGER))
        self.retention_hours = float(config.get(RETENTION_KEY, 72))
        self.publisher = ConfirmingPublisher(
            config[AMQP_URI_CONFIG_KEY], f"{self.container.service_name}.events"
        )
        self._stopping = False
        self._gt = None

    def start(self):
        self._gt = self.container.spawn_managed_thread(
            self._run, identifier="outbox-relay"
        )

    def stop(self):
        self._stopping = True
        self.database.doorbell.ring()
        if self._gt is not None:
            self._gt.wait()
        self.publisher.close()

    def kill(self):
        if self._gt is not None:
            self._gt.kill()
        self.publisher.close()

    def _run(self):
        backoff = 0.5
        last_purge = 0.0
        while not self._stopping:
            try:
                # a ring after this is for a commit the claim may not see:
                # it brings the relay round again
                self.database.doorbell.answer()
                published = relay_batch(
                    self.database.engine,
                    self.database.outbox,
                    self.publisher,
                    self.batch_size,
                )
                if time.monotonic() - last_purge > PURGE_EVERY:
                    purge_sent(
                        self.database.engine, self.database.outbox, self.retention_hours
                    )
                    last_purge = time.monotonic()
                backoff = 0.5
            except Exception:
                logger.exception("outbox relay failed; retrying in %.1fs", backoff)
                self.publisher.close()
                eventlet.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            if published < self.batch_size:
                self.database.doorbell.wait(self.poll_interval)
                # let the commits of the next few milliseconds join the batch:
                # under load one claim, one publish window and one update
                # carry several events instead of one each
                eventlet.sleep(self.linger)


def relay_batch(engine, outbox, publisher, batch_size):
    """Publish one batch of unsent outbox rows; return how many were claimed."""
    with engine.begin() as conn:
        rows = conn.execute(
            select(outbox.c.event_id, outbox.c.routing_key, outbox.c.body)
            .where(outbox.c.sent_at.is_(None))
            .order_by(outbox.c.seq)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return 0
        confirmed, unroutable = publisher.publish(rows)
        faults.reach("after_publish")
        now = utcnow()
        if confirmed:
            # confirmed but bound to no queue: nobody subscribes to this type
            # yet. It counts as sent; the note says so for operators. One
            # statement marks the batch either way.
            note = outbox.c.last_error
            if unroutable:
                note = case((outbox.c.event_id.in_(unroutable), UNROUTABLE), else_=note)
            conn.execute(
                update(outbox)
                .where(outbox.c.event_id.in_(confirmed))
                .values(sent_at=now, attempts=outbox.c.attempts + 1, last_error=note)
            )
        refused = {row.event_id for row in rows} - confirmed
        if refused:
            conn.execute(
                update(outbox)
                .where(outbox.c.event_id.in_(refused))
                .values(attempts=outbox.c.attempts + 1, last_error="refused by broker")
            )
    for row in rows:
        if row.event_id in confirmed:
            logger.debug("published event_id=%s type=%s", row.event_id, row.routing_key)
    return len(rows)


def purge_sent(engine, outbox, retention_hours):
    """Forget rows sent longer ago than the retention period."""
    cutoff = utcnow() - timedelta(hours=retention_hours)
    with engine.begin() as conn:
        result = conn.execute(
            delete(outbox).where(
                outbox.c.sent_at.is_not(None), outbox.c.sent_at < cutoff
            )
        )
    if result.rowcount:
        logger.info("purged %d sent outbox rows", result.rowcount)
