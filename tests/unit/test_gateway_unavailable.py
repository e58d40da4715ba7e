"""The gateway answers 503 when the broker or a service's database is down."""

import amqp.exceptions
import kombu.exceptions
import pytest
from nameko.exceptions import RemoteError

from services.gateway.errors import Unavailable, from_remote
from services.gateway.rpc import ServiceClient, TimedProxy


class BrokenProxy:
    """A service proxy whose every call fails the way the broker made it fail."""

    service_name = "orders"

    def __init__(self, failure):
        self.failure = failure

    def __getattr__(self, method_name):
        def call(*args, **kwargs):
            raise self.failure

        return call


@pytest.mark.parametrize(
    "failure",
    [
        ConnectionRefusedError(111, "Connection refused"),
        ConnectionResetError(104, "Connection reset by peer"),
        amqp.exceptions.RecoverableConnectionError("connection already closed"),
        kombu.exceptions.OperationalError("[Errno 111] Connection refused"),
    ],
)
def test_a_call_the_broker_cannot_carry_is_unavailable(failure):
    proxy = TimedProxy(BrokenProxy(failure), timeout=1)

    with pytest.raises(Unavailable) as refused:
        proxy.place_order({}, {})

    assert refused.value.status == 503
    assert "orders" in refused.value.message


def test_a_service_whose_database_is_down_is_unavailable():
    remote = RemoteError("OperationalError", "could not connect to server")

    assert isinstance(from_remote(remote), Unavailable)


def test_a_failure_of_the_service_itself_is_not_hidden_as_unavailable():
    proxy = TimedProxy(BrokenProxy(RemoteError("KeyError", "'x'")), timeout=1)

    with pytest.raises(RemoteError):
        proxy.place_order({}, {})


def test_requests_to_services_expire_with_the_caller_and_skip_the_disk():
    client = ServiceClient("orders", timeout=3)

    assert client.options["expiration"] == 3
    assert client.options["delivery_mode"] == 1
