"""Event handlers that lose nothing: delayed retries and a dead-letter queue.

nameko's own `event_handler` acks and drops a message whose handler raised.
`reliable_handler` keeps nameko's queue naming (`evt-<source>-<type>--
<service>.<method>`) and adds, per handler queue:

- `<queue>.retry.<ms>`: one queue per delay, whose messages expire back into
  the handler queue through the default exchange (one queue per delay, since
  a single queue with mixed TTLs blocks at its head);
- `<queue>.dlq`: where a message ends when it can never be applied (it is not
  an envelope, or its data breaks the contract) or kept failing after every
  retry. Its headers say why (`x-death-reason`) and how often it was tried.

A failed message is republished with confirms to its next stop and only then
acked; if that republish fails, the message is requeued and nothing is lost.
"""

import dataclasses
import json
import logging
import traceback
from functools import partial

import kombu.serialization
from kombu import Connection, Exchange, Producer, Queue
from marshmallow import ValidationError
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import SERVICE_POOL, EventHandler
from nameko.messaging import QueueConsumer

from eventing import contracts, faults
from eventing.envelope import CONTENT_TYPE, MalformedEvent, parse

logger = logging.getLogger(__name__)

ATTEMPT_HEADER = "x-retry-attempt"
REASON_HEADER = "x-death-reason"
DEFAULT_RETRY_DELAYS_MS = (1_000, 5_000, 30_000, 120_000)
# a service's config may set its own delays, e.g. [1000, 10000]
RETRY_DELAYS_KEY = "EVENT_RETRY_DELAYS_MS"
HEADER_PREFIX = "nameko."


class Unprocessable(Exception):
    """An event that can never be applied: retrying would not help."""


def register_cloudevents_serializer():
    kombu.serialization.register(
        "cloudevents",
        encoder=lambda obj: json.dumps(obj, ensure_ascii=False),
        decoder=json.loads,
        content_type=CONTENT_TYPE,
        content_encoding="utf-8",
    )


class ReliableQueueConsumer(QueueConsumer):
    """A queue consumer that hands undecodable messages to their handler's
    dead-letter queue instead of acking them away."""

    def setup(self):
        super().setup()
        register_cloudevents_serializer()

    @property
    def accept(self):
        return sorted(set(self.container.accept) | {"json", "cloudevents"})

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(self._on_decode_error, provider)
        return consumers

    def _on_decode_error(self, provider, message, exc):
        # kombu refuses content types it does not know (including
        # `application/cloudevents+json; charset=utf-8` with a parameter): if
        # the raw body is still a readable envelope, handle it all the same
        provider.handle_message(message.body, message)


class ReliableEventHandler(EventHandler):
    queue_consumer = ReliableQueueConsumer()

    def __init__(self, source_service, event_type, retry_delays_ms=None, **kwargs):
        self.retry_delays_ms = tuple(retry_delays_ms or DEFAULT_RETRY_DELAYS_MS)
        super().__init__(
            source_service,
            event_type,
            handler_type=SERVICE_POOL,
            reliable_delivery=True,
            requeue_on_error=False,
            **kwargs,
        )

    @property
    def consumer_name(self):
        return f"{self.container.service_name}.{self.method_name}"

    def setup(self):
        self.configure()
        with Connection(self.amqp_uri) as conn:
            self.declare(conn.default_channel)

    def configure(self):
        """Name the queues and read the retry delays, with no broker I/O."""
        super().setup()
        config = self.container.config
        self.amqp_uri = config[AMQP_URI_CONFIG_KEY]
        if config.get(RETRY_DELAYS_KEY):
            self.retry_delays_ms = tuple(int(ms) for ms in config[RETRY_DELAYS_KEY])

    def side_queues(self):
        name = self.queue.name
        retries = [
            Queue(
                f"{name}.retry.{delay}",
                durable=True,
                queue_arguments={
                    "x-message-ttl": delay,
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": name,
                },
            )
            for delay in self.retry_delays_ms
        ]
        return [*retries, Queue(f"{name}.dlq", durable=True)]

    def declare(self, channel):
        """Declare the handler queue, bound to its exchange, and its side queues."""
        self.queue(channel).declare()
        for queue in self.side_queues():
            queue(channel).declare()

    def unpack_message_headers(self, message):
        # only our own context travels on; broker headers such as x-death and
        # our retry headers must not be re-sent on everything the worker emits
        return {
            key[len(HEADER_PREFIX) :]: value
            for key, value in (message.headers or {}).items()
            if key.startswith(HEADER_PREFIX)
        }

    def handle_message(self, body, message):
        try:
            event = self.read(body)
        except Unprocessable as exc:
            self.dead_letter(message, str(exc))
            return
        try:
            faults.check_event(event.id)
        except faults.InjectedFault as exc:
            self.handle_result(message, None, exc_info=(type(exc), exc, None))
            return
        context_data = self.unpack_message_headers(message)
        if event.correlationid:
            context_data["correlation_id"] = event.correlationid
        handle_result = partial(self.handle_result, message)
        try:
            self.container.spawn_worker(
                self,
                (event,),
                {},
                context_data=context_data,
                handle_result=handle_result,
            )
        except Exception:  # ContainerBeingKilled: another replica will take it
            self.queue_consumer.requeue_message(message)

    def read(self, body):
        try:
            event = parse(body)
        except MalformedEvent as exc:
            raise Unprocessable(exc.reason) from exc
        if event.type != self.event_type:
            raise Unprocessable(
                f"type {event.type!r} arrived on the {self.event_type} queue"
            )
        try:
            data = contracts.load(event.type, event.data)
        except ValidationError as exc:
            raise Unprocessable(
                f"data breaks the {event.type} contract: {exc.messages}"
            ) from exc
        return dataclasses.replace(event, data=data)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        # nameko kills the container if this raises: it must not
        try:
            if exc_info is None:
                faults.reach("after_commit")
                self.queue_consumer.ack_message(message)
            else:
                self.handle_failure(message, exc_info[1])
        except Exception:
            logger.exception("could not settle a failed message; requeueing it")
            self.queue_consumer.requeue_message(message)
        return result, exc_info

    def handle_failure(self, message, exc):
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 0))
        reason = "".join(traceback.format_exception_only(exc)).strip()
        if isinstance(exc, Unprocessable | ValidationError):
            self.dead_letter(message, reason)
        elif attempt < len(self.retry_delays_ms):
            delay = self.retry_delays_ms[attempt]
            logger.warning(
                "handler %s failed (attempt %d), retrying in %d ms message_id=%s: %s",
                self.consumer_name,
                attempt + 1,
                delay,
                message.properties.get("message_id"),
                reason,
            )
            self.republish(
                message, f"{self.queue.name}.retry.{delay}", attempt + 1, reason
            )
        else:
            self.dead_letter(
                message, f"failed {attempt + 1} times; last error: {reason}"
            )

    def dead_letter(self, message, reason):
        logger.error(
            "dead-lettering message_id=%s from %s: %s",
            message.properties.get("message_id"),
            self.queue.name,
            reason,
        )
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 0))
        try:
            self.republish(message, f"{self.queue.name}.dlq", attempt, reason)
        except Exception:
            logger.exception("could not dead-letter; requeueing the message")
            self.queue_consumer.requeue_message(message)

    def republish(self, message, queue_name, attempt, reason):
        """Move the message to `queue_name` with confirms, then ack the original."""
        headers = dict(message.headers or {})
        headers[ATTEMPT_HEADER] = attempt
        headers[REASON_HEADER] = reason[:1000]
        properties = message.properties
        conn = Connection(self.amqp_uri, transport_options={"confirm_publish": True})
        with conn:
            producer = Producer(conn.default_channel, exchange=Exchange(""))
            publish = conn.ensure(producer, producer.publish, max_retries=3)
            publish(
                message.body,
                routing_key=queue_name,
                headers=headers,
                content_type=message.content_type or "application/octet-stream",
                content_encoding=message.content_encoding or "binary",
                delivery_mode=2,
                message_id=properties.get("message_id"),
                type=properties.get("type"),
                mandatory=True,
            )
        self.queue_consumer.ack_message(message)


reliable_handler = ReliableEventHandler.decorator
