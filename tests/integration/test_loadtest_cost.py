"""The load test's cost per flow: CPU by part of the system, transactions by
service, read from the kernel and from PostgreSQL."""

import os

import psycopg2
import pytest

from eventing.database import driver_connect_args
from loadtest import cost
from loadtest.system import Found

pytestmark = pytest.mark.integration


class OneService:
    """This test process, standing in for an orders process."""

    def __init__(self, url):
        self.database_urls = {"orders": url}

    def running(self, service=None):
        return [Found("orders-0", os.getpid())]


def run_transactions(url, count):
    conn = psycopg2.connect(**driver_connect_args(url))
    try:
        for _ in range(count):
            with conn, conn.cursor() as cursor:
                # work enough for PostgreSQL's CPU to show in clock ticks
                # (10 ms each): SELECT 1 alone sometimes came to none
                cursor.execute("SELECT sum(g) FROM generate_series(1, 200000) g")
    finally:
        conn.close()  # a backend that ends reports its counts at once


def test_a_flows_cost_counts_the_services_cpu_and_transactions(
    make_database, monkeypatch
):
    monkeypatch.setattr(cost, "STATS_SETTLE_S", 0.0)
    url = make_database("orders")
    system = OneService(url)
    measured = cost.Cost(system)
    measured.start()

    run_transactions(url, 10)
    sum(i * i for i in range(300_000))  # some CPU of "orders"
    measured.drained()
    figures = measured.per_flow(flows=2)

    # ten queries and the connection's start, over two flows
    assert figures["db_transactions"] == {"orders": 5.5}
    assert figures["cpu_ms"]["orders"] > 0
    assert figures["cpu_ms"]["postgresql"] > 0
    assert figures["cpu_ms"]["total"] == pytest.approx(
        sum(ms for part, ms in figures["cpu_ms"].items() if part != "total"), abs=0.5
    )
