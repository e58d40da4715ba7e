"""Small tools the integration and end-to-end tests share."""

import json
import socket
import threading
import time

import eventlet
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


class Outage:
    """A TCP proxy in front of a server (the broker, PostgreSQL) that a test can
    cut, as if the server went down, and restore.

    Cutting ends every connection through it and refuses new ones at once,
    like a stopped server on this machine. The proxy runs in green threads: the
    tests run monkey-patched.
    """

    def __init__(self, target_port, target_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self.listener = eventlet.listen(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = False
        self.sockets = set()
        self._accepting = eventlet.spawn(self._accept)

    def route(self, url):
        """`url` with its port pointed at this proxy."""
        return url.replace(f":{self.target[1]}/", f":{self.port}/", 1)

    def cut(self):
        self.down = True
        # shutting down wakes both pipes of a connection, which then close it;
        # closing here, under a pipe still reading, would confuse the hub
        for sock in list(self.sockets):
            _shutdown(sock)

    def restore(self):
        self.down = False

    def close(self):
        self.cut()
        self._accepting.kill()
        self.listener.close()

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            if self.down:
                _shutdown(client)
                client.close()
                continue
            try:
                server = eventlet.connect(self.target)
            except OSError:
                client.close()
                continue
            self.sockets |= {client, server}
            pipes = [
                eventlet.spawn(self._pipe, client, server),
                eventlet.spawn(self._pipe, server, client),
            ]
            eventlet.spawn(self._close_after, pipes, client, server)

    def _pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _shutdown(source)
            _shutdown(sink)

    def _close_after(self, pipes, *socks):
        for pipe in pipes:
            pipe.wait()
        for sock in socks:
            self.sockets.discard(sock)
            sock.close()


def _shutdown(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


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


def at_once(actions):
    """Run every action in a thread of its own, all released together; their
    answers, in order."""
    start = threading.Barrier(len(actions))
    answers = [None] * len(actions)

    def run(i):
        start.wait()
        answers[i] = actions[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers
