"""`volunteer-platform run --replicas`, the ports each process listens on, and
where a local run's gateway may listen."""

import click
import pytest
import sqlalchemy
from argon2 import PasswordHasher
from click.testing import CliRunner

from eventing.migrations import upgrade
from ops import settings
from ops.cli import (
    LOCAL_ADMIN_PASSWORD,
    LOCAL_JWT_SECRET,
    check_replicas_database,
    gateway_host,
    local_env,
    main,
    parse_replicas,
    refuse_published_admin,
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
    assert local_env()["GATEWAY_LOGIN_FAILURES_PER_ADDRESS"] == "200"
    # nameko reads host:port, so an IPv6 literal is refused, not misread
    with pytest.raises(click.ClickException, match="IPv4"):
        gateway_host({**local_env(), "GATEWAY_HOST": "::1"})


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
    # the sign-in limit per address is the deployed one, not the local run's
    monkeypatch.setenv("GATEWAY_HOST", "0.0.0.0")
    monkeypatch.delenv("GATEWAY_LOGIN_FAILURES_PER_ADDRESS", raising=False)
    assert "GATEWAY_LOGIN_FAILURES_PER_ADDRESS" not in local_env()


def test_an_admin_made_with_the_published_password_keeps_the_network_out(tmp_path):
    url = f"sqlite:///{tmp_path / 'gateway.sqlite3'}"
    upgrade("gateway", url)
    engine = sqlalchemy.create_engine(url)

    def admin_with(password):
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text("DELETE FROM users"))
            connection.execute(
                sqlalchemy.text(
                    "INSERT INTO users (id, username, password_hash, role,"
                    " display_name, disabled, created_at) VALUES ('u-1', 'admin',"
                    " :hash, 'admin', 'District admin', false, CURRENT_TIMESTAMP)"
                ),
                {"hash": PasswordHasher().hash(password)},
            )

    admin_with(LOCAL_ADMIN_PASSWORD)
    with pytest.raises(click.ClickException, match="published password"):
        refuse_published_admin("0.0.0.0", url)
    refuse_published_admin("127.0.0.1", url)  # nobody else can reach it
    admin_with("管理员的长密码-2026")
    refuse_published_admin("0.0.0.0", url)
    engine.dispose()


def test_registry_commands_refuse_an_unknown_encoding_and_impossible_sizes(tmp_path):
    runner = CliRunner()

    imported = runner.invoke(
        main, ["import-registry", str(tmp_path), "--encoding", "nonsense"]
    )
    generated = runner.invoke(
        main, ["generate-registry", str(tmp_path), "--teams", "30"]
    )

    assert imported.exit_code == 2
    assert "no encoding is called 'nonsense'" in imported.output
    assert generated.exit_code == 2
    assert "30 teams cannot hold 44 professional" in generated.output
    assert list(tmp_path.iterdir()) == []
