"""The fault suite's own platform: a RabbitMQ node, a PostgreSQL cluster and
every service as real processes, a district built through the API, and the
reconciliation run after each scenario.

Scenarios share one platform (starting it takes a while) and run in file
order; each leaves every service running, healthy and quiet for the next.
"""

import json
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

import psycopg2
import pytest
import requests

from loadtest import district
from loadtest.system import ADMIN_PASSWORD, System
from ops import reconcile, settings
from tests.faults.servers import PostgresCluster, RabbitNode, reap_orphans
from tests.faults.traffic import Traffic

# short enough for a suite of minutes, long enough (29 s in all) to outlast
# the 20 s database outage without dead-lettering anything
RETRY_DELAYS_MS = [300, 1000, 3000, 25000]
RECOVERIES = {}
REPORT = Path("build/faults/recovery.json")
LOGS = Path("build/faults/logs")


def pytest_terminal_summary(terminalreporter):
    if not RECOVERIES:
        return
    terminalreporter.section("fault scenarios: recovery")
    for scenario, figures in RECOVERIES.items():
        shown = ", ".join(f"{k}={v}" for k, v in figures.items())
        terminalreporter.write_line(f"{scenario}: {shown}")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(RECOVERIES, indent=2, ensure_ascii=False))


def free_port_base(span=25):
    """A port whose next `span` ports are free too (gateway, health ports)."""
    for base in range(21000, 30000, 100):
        if all(_free(base + offset) for offset in range(span)):
            return base
    raise RuntimeError("no free range of ports")


def _free(port):
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class Platform:
    def __init__(self, base):
        self.base = Path(base)
        self.rabbit = RabbitNode(self.base / "rabbit")
        self.postgres = PostgresCluster(self.base / "postgres")
        self.system = None
        self.district = None
        self.confirmed = set()

    def start(self):
        self.rabbit.start()
        self.postgres.start()
        conn = psycopg2.connect(self.postgres.dsn())
        conn.autocommit = True
        with conn.cursor() as cursor:
            for service in settings.SERVICES:
                cursor.execute(f'CREATE DATABASE "vp_{service}"')
        conn.close()
        self.system = System(
            self.rabbit.amqp_uri,
            {s: self.postgres.url(f"vp_{s}") for s in settings.SERVICES},
            self.base / "services",
            free_port_base(),
            config_overrides={
                "*": {"EVENT_RETRY_DELAYS_MS": RETRY_DELAYS_MS},
                "gateway": {"GATEWAY_RPC_TIMEOUT": 5},
            },
        )
        self.system.prepare()
        self.queues = self.system.queues()
        self.system.start()
        self.district = district.build(
            self.system.url, ADMIN_PASSWORD, teams=2, residents=4, prefix="faults"
        )
        self.sources = reconcile.Sources(
            self.system.database_urls, self.rabbit.amqp_uri, self.queues
        )
        reconcile.wait_until_quiet(self.sources, timeout=60)

    def stop(self):
        if self.system:
            self.system.stop()
        self.rabbit.stop()
        self.postgres.stop(mode="immediate")

    @property
    def url(self):
        return self.system.url

    def traffic(self, rate=5.0, workers=5):
        return Traffic(self.url, self.district, rate, workers)

    def one(self, service):
        [process] = self.system.running(service)
        return process

    def restart(self, service, faults=None):
        """Restart the one process of `service`, with VP_FAULTS if given."""
        process = self.one(service)
        extra = {"VP_FAULTS": faults} if faults else None
        restarted = self.system.restart(process, extra)
        self.system.wait_ready()
        return restarted

    def heal(self):
        """Every service running once, without faults, and nothing in flight."""
        for process in list(self.system.processes):
            if not process.alive() or process.replica > 0:
                if process.alive():
                    self.system.kill(process)
                self.system.processes.remove(process)
        for service in settings.SERVICES:
            running = self.system.running(service)
            if not running:
                self.system.spawn(service)
            elif any(_has_faults(p) for p in running):
                self.restart(service)
        self.system.wait_ready()
        reconcile.wait_until_quiet(self.sources, timeout=90)

    def wait_for_flow(self, since, timeout=60):
        """Seconds from `since` until a whole new flow went through and its
        points were credited: the system is back."""
        traffic = self.traffic()
        session = requests.Session()
        team = self.district["teams"][0]
        resident = self.district["resident_tokens"][0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            order_id = traffic.run_flow(session, team, resident)
            if order_id and self._credited(order_id, deadline):
                self.confirmed.add(order_id)
                return round(time.monotonic() - since, 1)
            time.sleep(0.5)
        raise AssertionError(f"no flow went through within {timeout}s")

    def _credited(self, order_id, deadline):
        while time.monotonic() < deadline:
            try:
                rows = self.sources.rows(
                    "points",
                    "SELECT COUNT(*) FROM transfers WHERE order_id = :o",
                    o=order_id,
                )
                if rows[0][0] == len(self.district["teams"][0]["volunteer_ids"]):
                    return True
            except Exception:  # noqa: BLE001 - the database may still be coming back
                pass
            time.sleep(0.2)
        return False

    def reconcile(self, traffic=None, checks=reconcile.ALL_CHECKS):
        """Wait until nothing moves, then check the whole platform."""
        if traffic is not None:
            self.confirmed |= traffic.confirmed
        drained = reconcile.wait_until_quiet(self.sources, timeout=120, settle=1.5)
        self.sources.confirmed_orders = set(self.confirmed)
        report = reconcile.reconcile(self.sources, checks)
        self.sources.close()
        return report, round(drained, 1)

    def log_lines(self, service, needle):
        return self.system.log_lines(service, needle)


def _has_faults(process):
    return "VP_FAULTS" in process.extra_env


@pytest.fixture(scope="session")
def platform():
    reap_orphans(tempfile.gettempdir())
    base = tempfile.mkdtemp(prefix="vp-faults-")
    os.chmod(base, 0o755)
    Path(base, "owner.pid").write_text(str(os.getpid()))
    platform = Platform(base)
    try:
        platform.start()
        yield platform
    finally:
        platform.stop()
        keep_logs(Path(base))
        shutil.rmtree(base, ignore_errors=True)


def keep_logs(base):
    """Every process's log, for a failed run's post-mortem."""
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True)
    for path in [*base.glob("services/*.log"), base / "postgres" / "server.log"]:
        if path.exists():
            shutil.copy(path, LOGS / path.name)
    for path in (base / "rabbit" / "log").glob("*.log"):
        shutil.copy(path, LOGS / f"rabbitmq-{path.name}")


@pytest.fixture
def healthy(platform):
    """The platform, whole and quiet, before and after the scenario."""
    platform.heal()
    yield platform
    platform.heal()


def assert_nothing_lost(report):
    lines = "\n".join(report.lines())
    assert report.lost == 0, lines
    assert report.duplicated == 0, lines
    assert report.ok, lines
