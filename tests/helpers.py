"""Small tools the integration and end-to-end tests share."""

import json
import time

import pika

from eventing.envelope import CONTENT_TYPE, Envelope


def pika_parameters(amqp_uri):
    # nameko's URIs say `pyamqp://`; pika speaks the same protocol as `amqp://`
    return pika.URLParameters(amqp_uri.replace("pyamqp://", "amqp://", 1))


def publish(
    amqp_uri,
    exchange,
    routing_key,
    body,
    content_type=CONTENT_TYPE,
    message_id=None,
    headers=None,
):
    """Publish as a foreign system would: plain pika, persistent, confirmed."""
    if isinstance(body, Envelope):
        message_id = message_id or body.id
        body = body.to_json()
    if isinstance(body, str):
        body = body.encode("utf-8")
    connection = pika.BlockingConnection(pika_parameters(amqp_uri))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        channel.exchange_declare(exchange, exchange_type="topic", durable=True)
        channel.basic_publish(
            exchange,
            routing_key,
            body,
            pika.BasicProperties(
                content_type=content_type,
                delivery_mode=2,
                message_id=message_id,
                headers=headers,
            ),
            mandatory=True,
        )
    finally:
        connection.close()


class Listener:
    """A queue of our own bound to an exchange, read with pika."""

    def __init__(self, amqp_uri, exchange, routing_key="#"):
        self.connection = pika.BlockingConnection(pika_parameters(amqp_uri))
        self.channel = self.connection.channel()
        self.channel.exchange_declare(exchange, exchange_type="topic", durable=True)
        self.queue = self.channel.queue_declare("", exclusive=True).method.queue
        self.channel.queue_bind(self.queue, exchange, routing_key)

    def get(self, count=1, timeout=10):
        """The next `count` messages as (properties, decoded body) pairs."""
        received = []
        deadline = time.monotonic() + timeout
        while len(received) < count and time.monotonic() < deadline:
            method, properties, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                self.connection.sleep(0.05)
                continue
            received.append((properties, json.loads(body)))
        return received

    def close(self):
        self.connection.close()


def queue_depth(amqp_uri, queue):
    connection = pika.BlockingConnection(pika_parameters(amqp_uri))
    try:
        return (
            connection.channel().queue_declare(queue, passive=True).method.message_count
        )
    finally:
        connection.close()


def get_raw(amqp_uri, queue, timeout=10):
    """One message from `queue`: (properties, raw body), or None in time."""
    connection = pika.BlockingConnection(pika_parameters(amqp_uri))
    try:
        channel = connection.channel()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            method, properties, body = channel.basic_get(queue, auto_ack=True)
            if method is not None:
                return properties, body
            connection.sleep(0.05)
        return None
    finally:
        connection.close()


def wait_for(predicate, timeout=10, interval=0.05, message="condition"):
    """Poll `predicate` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def record_known_team(session, data):
    """Give the orders service's copy a team, as its handler would: the data
    loaded by the TeamRegistered contract, defaults and all."""
    from eventing import contracts
    from services.orders import directory

    directory.record_team(session, contracts.load("TeamRegistered", data))


def record_known_membership(session, data):
    """Give the orders service's copy a member, as its handler would."""
    from eventing import contracts
    from services.orders import directory

    directory.record_membership(session, contracts.load("VolunteerJoinedTeam", data))
