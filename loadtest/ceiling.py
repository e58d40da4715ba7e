"""What the broker alone moves on this machine: the ceiling for the system.

A plain pika publisher sends persistent messages the size of an event, with
publisher confirms in a window, while a plain pika consumer acks each one;
both run for the same seconds. The figure is messages consumed per second
from the first publish to the last ack.
"""

import logging
import threading
import time

import pika

from ops.reconcile import pika_parameters

logger = logging.getLogger(__name__)

QUEUE = "loadtest.ceiling"
BODY = b'{"specversion":"1.0","data":{' + b'"x":"' + b"a" * 600 + b'"}}'


class WindowedPublisher:
    """Publishes for `seconds`, keeping at most `window` unconfirmed messages."""

    def __init__(self, amqp_uri, seconds, window):
        self.seconds = seconds
        self.window = window
        self.published = 0
        self.confirmed = 0
        self.nacked = 0
        self.started = None
        self._stop_at = None
        self._connection = pika.SelectConnection(
            pika_parameters(amqp_uri), on_open_callback=self._on_open
        )

    def run(self):
        self._connection.ioloop.start()

    def _on_open(self, connection):
        connection.channel(on_open_callback=self._on_channel)

    def _on_channel(self, channel):
        self._channel = channel
        channel.confirm_delivery(self._on_confirm)
        self.started = time.monotonic()
        self._stop_at = self.started + self.seconds
        self._fill()

    def _fill(self):
        properties = pika.BasicProperties(delivery_mode=2)
        while (
            self.published - self.confirmed - self.nacked < self.window
            and time.monotonic() < self._stop_at
        ):
            self._channel.basic_publish("", QUEUE, BODY, properties)
            self.published += 1
        if self.published == self.confirmed + self.nacked:
            self._connection.close()
            self._connection.ioloop.stop()

    def _on_confirm(self, frame):
        method = frame.method
        settled = (
            method.delivery_tag - self.confirmed - self.nacked if method.multiple else 1
        )
        if isinstance(method, pika.spec.Basic.Nack):
            self.nacked += settled
        else:
            self.confirmed += settled
        self._fill()


class AckingConsumer:
    """Consumes and acks each message until `expected()` were consumed."""

    def __init__(self, amqp_uri, prefetch):
        self.consumed = 0
        self.last = None
        self._connection = pika.BlockingConnection(pika_parameters(amqp_uri))
        self._channel = self._connection.channel()
        self._channel.basic_qos(prefetch_count=prefetch)
        self._channel.basic_consume(QUEUE, self._on_message)

    def _on_message(self, channel, method, properties, body):
        channel.basic_ack(method.delivery_tag)
        self.consumed += 1
        self.last = time.monotonic()

    def run(self, done, deadline):
        while not done(self.consumed) and time.monotonic() < deadline:
            self._connection.process_data_events(time_limit=0.1)
        self._connection.close()


def measure(amqp_uri, seconds=10.0, window=1000):
    """Messages per second through the broker, publisher and consumer at once."""
    setup = pika.BlockingConnection(pika_parameters(amqp_uri))
    channel = setup.channel()
    channel.queue_declare(QUEUE, durable=True)
    channel.queue_purge(QUEUE)
    publisher = WindowedPublisher(amqp_uri, seconds, window)
    consumer = AckingConsumer(amqp_uri, prefetch=window)
    finished = threading.Event()

    def done(consumed):
        return finished.is_set() and consumed >= publisher.confirmed

    thread = threading.Thread(
        target=consumer.run, args=(done, time.monotonic() + seconds + 60)
    )
    thread.start()
    publisher.run()
    finished.set()
    thread.join()
    channel.queue_delete(QUEUE)
    setup.close()
    elapsed = (consumer.last or time.monotonic()) - publisher.started
    result = {
        "seconds": round(elapsed, 2),
        "window": window,
        "published": publisher.published,
        "confirmed": publisher.confirmed,
        "consumed": consumer.consumed,
        "per_s": round(consumer.consumed / elapsed, 1) if elapsed else 0.0,
    }
    logger.info("broker ceiling: %s", result)
    return result
