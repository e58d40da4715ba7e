"""A service whose RPC reply cannot be sent carries on serving."""

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from eventing.rpc import QuickResponder, ReplyPublisher, rpc

pytestmark = pytest.mark.integration


class EchoService:
    name = "echo"

    @rpc
    def echo(self, value):
        return value


class BrokerGoneAway(ReplyPublisher):
    """Fails to publish once, as when the broker stops mid-reply."""

    failures = 1

    def publish(self, *args, **kwargs):
        if BrokerGoneAway.failures:
            BrokerGoneAway.failures -= 1
            raise ConnectionRefusedError(111, "Connection refused")
        return super().publish(*args, **kwargs)


def test_a_reply_the_broker_refused_leaves_the_service_running(
    rabbit_config, container_factory, monkeypatch
):
    monkeypatch.setattr(QuickResponder, "publisher_cls", BrokerGoneAway)
    container = container_factory(EchoService, rabbit_config)
    container.start()

    with ClusterRpcProxy(rabbit_config, timeout=2) as cluster:
        with pytest.raises(Exception):  # noqa: B017 - the caller times out
            cluster.echo.echo("lost reply")
        answer = cluster.echo.echo("回答")

    assert answer == "回答"
    assert not container._died.ready()
