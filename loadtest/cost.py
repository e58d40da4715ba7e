"""What a flow costs the machine, over the load: CPU by part of the system
and database transactions by service.

CPU is read from the kernel's counters at both ends of the load: for each
service (its processes together), PostgreSQL (every `postgres` process, with
the backends that ended in between, which the postmaster has reaped), RabbitMQ
(the Erlang VM and its helpers) and the load generator (this process and
Locust, its child, reaped by then). Transactions come from PostgreSQL's own
counters per database. Divided by the flows completed, they compare across
runs, machines and code far better than throughput on a machine whose speed
varies from hour to hour.
"""

import logging
import time
from collections import Counter

import psutil
import psycopg2

from eventing.database import driver_connect_args

logger = logging.getLogger(__name__)

BROKER_PROCESSES = {"beam.smp", "epmd", "erl_child_setup", "inet_gethost"}
LOAD_GENERATOR = "load generator"
STATS_SETTLE_S = 11.0
# PostgreSQL counts a transaction for a backend's start, and one per query
READING = 2


def _seconds(times, children=False):
    total = times.user + times.system
    if children:
        total += times.children_user + times.children_system
    return total


def cpu_by_part(system):
    """CPU seconds so far: each service, PostgreSQL, RabbitMQ, the load generator."""
    parts = Counter()
    for process in system.running():
        try:
            seconds = _seconds(psutil.Process(process.pid).cpu_times())
        except psutil.Error:
            continue
        parts[process.name.rsplit("-", 1)[0]] += seconds
    for proc in psutil.process_iter(["name", "ppid"]):
        name = proc.info["name"]
        try:
            if name == "postgres":
                # the postmaster (its parent is not postgres) also counts the
                # backends it reaped
                postmaster = psutil.Process(proc.info["ppid"]).name() != "postgres"
                parts["postgresql"] += _seconds(proc.cpu_times(), postmaster)
            elif name in BROKER_PROCESSES:
                parts["rabbitmq"] += _seconds(proc.cpu_times())
        except psutil.Error:
            continue
    parts[LOAD_GENERATOR] += _seconds(psutil.Process().cpu_times(), children=True)
    return parts


def transactions(database_urls):
    """Transactions committed or rolled back so far, by service."""
    counts = {}
    for service, url in database_urls.items():
        args = driver_connect_args(url)
        if args is None:
            continue
        try:
            with psycopg2.connect(**args) as conn, conn.cursor() as cursor:
                cursor.execute(
                    "SELECT xact_commit + xact_rollback FROM pg_stat_database "
                    "WHERE datname = current_database()"
                )
                counts[service] = cursor.fetchone()[0]
            conn.close()
        except psycopg2.Error as exc:
            logger.warning("no transaction count for %s: %s", service, exc)
    return counts


class Cost:
    """Reads the counters at the start of the load and again once it drained."""

    def __init__(self, system):
        self.system = system
        self._cpu = self._transactions = None
        self._cpu_spent = None
        self._drained_at = None

    def start(self):
        self._cpu = cpu_by_part(self.system)
        self._transactions = transactions(self.system.database_urls)

    def drained(self):
        """The load is over and every event handled: CPU stops counting here."""
        cpu = cpu_by_part(self.system)
        self._cpu_spent = {part: cpu[part] - self._cpu.get(part, 0) for part in cpu}
        self._drained_at = time.monotonic()

    def per_flow(self, flows):
        """CPU milliseconds and transactions per completed flow.

        A busy PostgreSQL backend reports its counts at most once a second,
        and an idle one within ten seconds: the transactions are read no
        sooner than that after the load drained.
        """
        time.sleep(max(0.0, self._drained_at + STATS_SETTLE_S - time.monotonic()))
        counted = transactions(self.system.database_urls)
        flows = max(flows, 1)
        cpu_ms = {
            part: round(seconds * 1000 / flows, 1)
            for part, seconds in sorted(self._cpu_spent.items())
        }
        cpu_ms["total"] = round(sum(cpu_ms.values()), 1)
        # the first reading's connection and query count too
        per_flow = {
            service: round(
                (counted[service] - self._transactions[service] - READING) / flows, 2
            )
            for service in sorted(counted)
            if service in self._transactions
        }
        return {"flows": flows, "cpu_ms": cpu_ms, "db_transactions": per_flow}
