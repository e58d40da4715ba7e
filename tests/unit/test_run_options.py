"""`volunteer-platform run --replicas`, the ports each process listens on, and
where a local run's gateway may listen."""

import click
import pytest

from ops import settings
from ops.cli import (
    LOCAL_JWT_SECRET,
    check_replicas_database,
    gateway_host,
    local_env,
    parse_replicas,
)


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

    assert addresses == {"127.0.0.1:18000"}


def test_replicas_on_sqlite_are_refused(monkeypatch):
    monkeypatch.delenv("ORDERS_DATABASE_URL", raising=False)

    with pytest.raises(click.BadParameter, match="PostgreSQL"):
        check_replicas_database({"orders": 2})


def test_a_local_run_listens_on_this_machine_alone(monkeypatch):
    for name in ("GATEWAY_HOST", "GATEWAY_JWT_SECRET", "GATEWAY_ADMIN_PASSWORD"):
        monkeypatch.delenv(name, raising=False)

    assert gateway_host(local_env()) == "127.0.0.1"
    assert gateway_host({**local_env(), "GATEWAY_HOST": "::1"}) == "::1"


def test_the_network_is_let_in_only_once_the_local_secrets_are_replaced(monkeypatch):
    for name in ("GATEWAY_JWT_SECRET", "GATEWAY_ADMIN_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    exposed = {**local_env(), "GATEWAY_HOST": "0.0.0.0"}
    own_key = {**exposed, "GATEWAY_JWT_SECRET": "a-key-of-the-district-" + "x" * 20}
    both = {**own_key, "GATEWAY_ADMIN_PASSWORD": "管理员的长密码-2026"}

    with pytest.raises(click.ClickException, match="GATEWAY_JWT_SECRET and GATEW"):
        gateway_host(exposed)
    with pytest.raises(click.ClickException, match="GATEWAY_ADMIN_PASSWORD"):
        gateway_host(own_key)
    assert gateway_host(both) == "0.0.0.0"
    assert LOCAL_JWT_SECRET not in both.values()
