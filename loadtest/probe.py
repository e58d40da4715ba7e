"""An independent consumer of points.events: when did each credit reach the broker.

Plain pika, a queue of its own bound before the run starts, so the figures
come from outside the system: what any district system would see.
"""

import json
import logging
import threading
import time

import pika

from ops.reconcile import pika_parameters

logger = logging.getLogger(__name__)

QUEUE = "loadtest.probe.points-credited"


class CreditProbe:
    """Records (arrival time, event id, order id, volunteer id) per credit."""

    def __init__(self, amqp_uri):
        self.amqp_uri = amqp_uri
        self.seen = []
        self._stop = threading.Event()
        self._connection = pika.BlockingConnection(pika_parameters(amqp_uri))
        channel = self._connection.channel()
        channel.exchange_declare("points.events", exchange_type="topic", durable=True)
        channel.queue_declare(QUEUE, durable=False, auto_delete=False)
        channel.queue_purge(QUEUE)
        channel.queue_bind(QUEUE, "points.events", "PointsCredited")
        channel.basic_qos(prefetch_count=500)
        channel.basic_consume(QUEUE, self._on_message)
        self._channel = channel
        self._thread = threading.Thread(target=self._run, name="probe", daemon=True)

    def start(self):
        self._thread.start()

    def _on_message(self, channel, method, properties, body):
        arrived = time.time()
        event = json.loads(body)
        data = event.get("data", {})
        self.seen.append(
            (arrived, event.get("id"), data.get("order_id"), data.get("volunteer_id"))
        )
        channel.basic_ack(method.delivery_tag)

    def _run(self):
        while not self._stop.is_set():
            self._connection.process_data_events(time_limit=0.2)

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=10)
        self._channel.queue_delete(QUEUE)
        self._connection.close()

    def credits_seen(self):
        """(order_id, volunteer_id) -> event ids, in arrival order."""
        credits = {}
        for _, event_id, order_id, volunteer_id in self.seen:
            credits.setdefault((order_id, volunteer_id), []).append(event_id)
        return credits
