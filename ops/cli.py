"""`volunteer-platform`: migrate, declare the queues, run every service, demo."""

import codecs
import importlib
import ipaddress
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import requests
import sqlalchemy
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from eventing.identity import ADMIN_USERNAME
from ops import settings

logger = logging.getLogger(__name__)

GATEWAY_PORT = 8000
GATEWAY_URL = f"http://127.0.0.1:{GATEWAY_PORT}"
# only for a run on one's own machine; compose and real deployments set both
LOCAL_JWT_SECRET = "local-run-only-secret-do-not-deploy-000000"
LOCAL_ADMIN_PASSWORD = "admin"
LOCAL_ID_CARD_SECRET = "local-run-only-id-card-key-do-not-deploy"
LOOPBACK = "127.0.0.1"


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log what the command does.")
def main(verbose):
    """The order-style volunteer service platform."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


@main.command()
@click.argument("services", nargs=-1, type=click.Choice(settings.SERVICES))
def migrate(services):
    """Bring each service's database to its newest schema."""
    from eventing.migrations import upgrade

    settings.VAR.mkdir(exist_ok=True)
    for service in services or settings.SERVICES:
        upgrade(service, settings.database_url(service))
        click.echo(f"migrated {service}")


@main.command()
def declare():
    """Declare every consumer queue on the broker before anyone publishes."""
    click.echo(f"declared {len(declare_queues())} queues")


def declare_queues():
    from eventing.topology import declare_topology

    classes = [service_class(name) for name in settings.DOMAIN_SERVICES]
    config = settings.load_config("orders")
    return declare_topology(classes, config)


def service_class(service):
    module = importlib.import_module(settings.service_module(service))
    return next(
        value
        for value in vars(module).values()
        if isinstance(value, type) and getattr(value, "name", None) == service
    )


def wait_for_broker(timeout=60):
    from kombu import Connection

    uri = settings.load_config("orders")["AMQP_URI"]
    deadline = time.monotonic() + timeout
    while True:
        try:
            with Connection(uri, connect_timeout=3) as conn:
                conn.ensure_connection(max_retries=1)
                return
        except Exception as exc:
            if time.monotonic() > deadline:
                raise click.ClickException(
                    f"RabbitMQ at {uri} did not answer: {exc}"
                ) from exc
            time.sleep(1)


def local_env():
    env = dict(os.environ)
    # eventlet announces its maintenance mode when `nameko run` imports it (from
    # nameko.cli.commands), with a plain Warning: once per service is noise
    env.setdefault("PYTHONWARNINGS", "ignore:::nameko.cli.commands")
    env.setdefault("GATEWAY_JWT_SECRET", LOCAL_JWT_SECRET)
    env.setdefault("GATEWAY_ADMIN_PASSWORD", LOCAL_ADMIN_PASSWORD)
    if _loopback(env.get("GATEWAY_HOST", LOOPBACK)):
        # on one's own machine every client is 127.0.0.1, and the demo finds
        # out which of its people exist by signing them in
        env.setdefault("GATEWAY_LOGIN_FAILURES_PER_ADDRESS", "200")
    env.setdefault("ID_CARD_HMAC_SECRET", LOCAL_ID_CARD_SECRET)
    return env


def gateway_url(host, port):
    """Where this machine reaches the gateway listening on `host`."""
    return f"http://{LOOPBACK if host in ('0.0.0.0', 'localhost') else host}:{port}"


def _loopback(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def gateway_host(env):
    """Where a local run's gateway listens: this machine alone, unless
    GATEWAY_HOST says otherwise, and never beyond it with the local run's
    published token key and admin password."""
    host = env.get("GATEWAY_HOST", LOOPBACK)
    if ":" in host:
        # nameko reads its address as host:port, so an IPv6 literal cannot
        # be given
        raise click.ClickException(f"GATEWAY_HOST={host}: give an IPv4 address")
    published = [
        name
        for name, value in (
            ("GATEWAY_JWT_SECRET", LOCAL_JWT_SECRET),
            ("GATEWAY_ADMIN_PASSWORD", LOCAL_ADMIN_PASSWORD),
        )
        if env.get(name) == value
    ]
    if not _loopback(host) and published:
        raise click.ClickException(
            f"GATEWAY_HOST={host} lets other machines in, while "
            f"{' and '.join(published)} still hold the local run's published"
            " values: set them first"
        )
    return host


def refuse_published_admin(host, database_url):
    """Before other machines are let in: the admin account a first local run
    made with the published password keeps it, whatever the environment now
    says (the password only ever seeds a new account)."""
    if _loopback(host):
        return
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.scalar(
                sqlalchemy.text("SELECT password_hash FROM users WHERE username = :u"),
                {"u": ADMIN_USERNAME},
            )
    finally:
        engine.dispose()
    try:
        published = stored is not None and PasswordHasher().verify(
            stored, LOCAL_ADMIN_PASSWORD
        )
    except (VerificationError, InvalidHashError):
        published = False
    if published:
        raise click.ClickException(
            f"GATEWAY_HOST={host} lets other machines in, but the admin account"
            f" in {database_url} has the local run's published password: start"
            " from a new gateway database (GATEWAY_DATABASE_URL)"
        )


def spawn(service, env, replica=0, port_base=GATEWAY_PORT):
    """Start one process of `service`; replica k listens on its own health port,
    while every gateway replica shares the one HTTP port (SO_REUSEPORT, which
    eventlet sets, lets the kernel spread connections over them)."""
    env = {
        **env,
        "DATABASE_URL": env.get(f"{service.upper()}_DATABASE_URL")
        or settings.database_url(service),
        **settings.listen_addresses(service, replica, port_base, gateway_host(env)),
    }
    command = [
        sys.executable,
        "-m",
        "nameko",
        "run",
        "--config",
        str(settings.config_path(service)),
        settings.service_module(service),
    ]
    # a session of its own: Ctrl-C reaches this process alone, which stops
    # each service with one SIGTERM; a service that also had the terminal's
    # SIGINT would be stopped twice, and nameko's second stop fails midway
    return subprocess.Popen(command, env=env, cwd=settings.ROOT, start_new_session=True)


def wait_for_gateway(url, timeout=60, processes=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            return False
        try:
            if requests.get(f"{url}/health", timeout=2).ok:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


def stop(processes, grace=15):
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()


def parse_replicas(values):
    """`("orders=2", "points=2")` as `{"orders": 2, "points": 2}`."""
    replicas = {}
    for value in values:
        service, _, count = value.partition("=")
        if service not in settings.SERVICES or not count.isdigit() or int(count) < 1:
            raise click.BadParameter(
                f"{value!r}: give SERVICE=N with N >= 1, SERVICE one of "
                + ", ".join(settings.SERVICES)
            )
        replicas[service] = int(count)
    return replicas


def check_replicas_database(replicas):
    """Replicas claim outbox rows with SKIP LOCKED, which SQLite lacks."""
    for service, count in replicas.items():
        if count > 1 and settings.database_url(service).startswith("sqlite"):
            raise click.BadParameter(
                f"{service} replicas need PostgreSQL: set "
                f"{service.upper()}_DATABASE_URL"
            )


@main.command()
@click.option(
    "--replicas",
    multiple=True,
    metavar="SERVICE=N",
    help="Run N processes of SERVICE (repeat the option for several services).",
)
@click.option(
    "--port",
    type=int,
    default=GATEWAY_PORT,
    show_default=True,
    help="The gateway's port; the services' health ports follow it (+1 to +4).",
)
def run(replicas, port):
    """Run every service and the gateway on this machine until Ctrl-C."""
    replicas = parse_replicas(replicas)
    check_replicas_database(replicas)
    processes = start_all(replicas=replicas, port_base=port)
    url = gateway_url(gateway_host(local_env()), port)
    click.echo(f"gateway ready at {url}; Ctrl-C stops every service")
    # `kill` stops every service as Ctrl-C does
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        failed = [p.args[-1] for p in processes if p.poll() is not None]
        raise click.ClickException(f"{', '.join(failed)} stopped; stopping the rest")
    except KeyboardInterrupt:
        click.echo("stopping every service")
    finally:
        stop(processes)


@main.command()
@click.option("--gateway", default=GATEWAY_URL, show_default=True, help="Gateway URL.")
@click.option(
    "--admin-password",
    envvar="GATEWAY_ADMIN_PASSWORD",
    default=LOCAL_ADMIN_PASSWORD,
    help="The admin's password  [env GATEWAY_ADMIN_PASSWORD; default: admin]",
)
def demo(gateway, admin_password):
    """Run a morning of the district through the system, starting it if needed."""
    from ops import demo as district_demo

    district_demo.main(gateway, admin_password, out=click.echo)


@main.command()
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=settings.ROOT / "docs" / "asyncapi.yaml",
    show_default="docs/asyncapi.yaml",
    help="Where to write the document.",
)
def asyncapi(output):
    """Write the event contract as an AsyncAPI 3.0 document built from the schemas."""
    from eventing.asyncapi import build_document, to_yaml

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(to_yaml(build_document()), encoding="utf-8")
    click.echo(f"wrote {output}")


def _known_encoding(ctx, param, name):
    """Click's check of an --encoding option."""
    if name is None:
        return None
    try:
        codecs.lookup(name)
    except LookupError:
        raise click.BadParameter(f"no encoding is called {name!r}") from None
    return name


@main.command("import-registry")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--encoding",
    callback=_known_encoding,
    help="Force the files' encoding (default: UTF-8, else GB18030).",
)
def import_registry(folder, encoding):
    """Import teams.csv, volunteers.csv, memberships.csv and stations.csv."""
    from ops import registry

    try:
        secret = registry.id_card_secret(LOCAL_ID_CARD_SECRET)
        registry.run_import(folder, secret, encoding, out=click.echo)
    except registry.ImportFailed as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("generate-registry")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--volunteers", default=80_000, show_default=True)
@click.option("--teams", default=420, show_default=True)
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    callback=_known_encoding,
)
def generate_registry(folder, volunteers, teams, encoding):
    """Write a synthetic registry of the district's size into FOLDER."""
    from pathlib import Path

    from ops.synthetic_registry import Size, generate

    size = Size(volunteers=volunteers, teams=teams)
    problem = size.problem()
    if problem:
        raise click.BadParameter(problem, param_hint="--teams")
    counts = generate(Path(folder), size, encoding=encoding)
    click.echo(", ".join(f"{file}: {rows} rows" for file, rows in counts.items()))


@main.command()
@click.option(
    "--in-flight",
    is_flag=True,
    help="Events may still be travelling: a pending redemption is no fault.",
)
def audit(in_flight):
    """Check the ledger, the stock and the redemptions against each other."""
    from ops.invariants import check_all

    violations = check_all(
        points=settings.database_url("points"),
        inventory=settings.database_url("inventory"),
        orders=settings.database_url("orders"),
        settled=not in_flight,
    )
    for violation in violations:
        click.echo(str(violation))
    if violations:
        raise click.ClickException(f"{len(violations)} invariants broken")
    click.echo("every invariant holds")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def start_all(replicas=None, port_base=GATEWAY_PORT):
    """Migrate, declare the queues, start every service (`replicas` maps a
    service to its number of processes); wait for the gateway."""
    env = local_env()
    host = gateway_host(env)
    settings.VAR.mkdir(exist_ok=True)
    from eventing.migrations import upgrade

    for service in settings.SERVICES:
        upgrade(service, settings.database_url(service))
    refuse_published_admin(host, settings.database_url("gateway"))
    wait_for_broker()
    declare_queues()
    processes = [
        spawn(service, env, replica, port_base)
        for service in settings.SERVICES
        for replica in range((replicas or {}).get(service, 1))
    ]
    if not wait_for_gateway(gateway_url(host, port_base), processes=processes):
        stop(processes)
        raise click.ClickException("the gateway did not come up; see the logs above")
    return processes


if __name__ == "__main__":
    main()
