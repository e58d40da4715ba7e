"""`volunteer-platform run --replicas` and the ports each process listens on."""

import click
import pytest

from ops import settings
from ops.cli import check_replicas_database, parse_replicas


def test_replicas_are_read_per_service():
    assert parse_replicas(("orders=2", "points=3")) == {"orders": 2, "points": 3}


@pytest.mark.parametrize("value", ["orders", "orders=0", "nobody=2", "orders=two"])
def test_a_replica_count_it_cannot_read_is_refused(value):
    with pytest.raises(click.BadParameter):
        parse_replicas((value,))


def test_every_replica_of_a_service_gets_its_own_health_port():
    ports = {
        settings.listen_addresses(service, replica, 18000)["HEALTH_ADDRESS"]
        for service in settings.DOMAIN_SERVICES
        for replica in range(3)
    }

    assert len(ports) == 3 * len(settings.DOMAIN_SERVICES)
    assert "127.0.0.1:18001" in ports


def test_gateway_replicas_share_the_one_http_port():
    addresses = {
        settings.listen_addresses("gateway", replica, 18000)["GATEWAY_ADDRESS"]
        for replica in range(3)
    }

    assert addresses == {"0.0.0.0:18000"}


def test_replicas_on_sqlite_are_refused(monkeypatch):
    monkeypatch.delenv("ORDERS_DATABASE_URL", raising=False)

    with pytest.raises(click.BadParameter, match="PostgreSQL"):
        check_replicas_database({"orders": 2})
