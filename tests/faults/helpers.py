"""Plain pika tools for the fault scenarios: publish as an outsider, count
what crossed an exchange."""

import json
import time
from collections import Counter

import pika

from eventing.envelope import CONTENT_TYPE
from ops.reconcile import pika_parameters


def publish(amqp_uri, exchange, routing_key, body, message_id, times=1):
    """Publish `body` persistent and confirmed, `times` times."""
    connection = pika.BlockingConnection(pika_parameters(amqp_uri))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        for _ in range(times):
            channel.basic_publish(
                exchange,
                routing_key,
                body.encode("utf-8") if isinstance(body, str) else body,
                pika.BasicProperties(
                    content_type=CONTENT_TYPE,
                    delivery_mode=2,
                    message_id=message_id,
                    type=routing_key,
                ),
                mandatory=True,
            )
    finally:
        connection.close()


class Tap:
    """A durable queue of our own bound to exchanges: every message that
    crossed them while it existed, counted by message id."""

    def __init__(self, amqp_uri, exchanges, name="faults.tap"):
        self.amqp_uri = amqp_uri
        self.name = name
        connection = pika.BlockingConnection(pika_parameters(amqp_uri))
        channel = connection.channel()
        channel.queue_declare(name, durable=True)
        channel.queue_purge(name)
        for exchange in exchanges:
            channel.exchange_declare(exchange, exchange_type="topic", durable=True)
            channel.queue_bind(name, exchange, "#")
        connection.close()
        self.ids = Counter()

    def drain(self):
        """Take every message now in the queue; return the ids counted so far."""
        connection = pika.BlockingConnection(pika_parameters(self.amqp_uri))
        try:
            channel = connection.channel()
            while True:
                method, properties, _ = channel.basic_get(self.name, auto_ack=True)
                if method is None:
                    return self.ids
                self.ids[properties.message_id] += 1
        finally:
            connection.close()

    def duplicates(self):
        return sum(n - 1 for n in self.drain().values() if n > 1)

    def delete(self):
        connection = pika.BlockingConnection(pika_parameters(self.amqp_uri))
        connection.channel().queue_delete(self.name)
        connection.close()


def take_all(amqp_uri, queue):
    """Every message of `queue` as (headers, decoded body), removing them."""
    taken = []
    connection = pika.BlockingConnection(pika_parameters(amqp_uri))
    try:
        channel = connection.channel()
        while True:
            method, properties, body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                return taken
            taken.append((properties.headers or {}, json.loads(body)))
    finally:
        connection.close()


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)
