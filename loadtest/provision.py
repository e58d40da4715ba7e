"""A clean broker vhost and clean databases for one load-test run."""

import logging
import os
from urllib.parse import quote

import psycopg2
import requests

from ops import settings

logger = logging.getLogger(__name__)

PG_DSN = os.environ.get(
    "LOADTEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)
RABBIT_API = os.environ.get("LOADTEST_RABBIT_API", "http://127.0.0.1:15672/api")
RABBIT_USER = ("guest", "guest")
AMQP_HOST = "guest:guest@127.0.0.1:5672"


class Busy(Exception):
    """Another load test holds the databases and the vhost."""


def claim(prefix):
    """Hold PostgreSQL's advisory lock on `prefix` for as long as the returned
    connection is open; Busy if another run holds it.

    A second run would drop the first one's databases and vhost under its
    running services. The lock is PostgreSQL's, so it covers every checkout
    on this machine and ends with the process that held it, however it ended.
    """
    conn = psycopg2.connect(PG_DSN, application_name=f"loadtest {os.getpid()}")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (prefix,))
        [held] = cursor.fetchone()
        if held:
            return conn
        # a one-number advisory lock shows as its high and low halves
        cursor.execute(
            "SELECT a.application_name FROM pg_locks l"
            " JOIN pg_stat_activity a ON a.pid = l.pid"
            " JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
            " AND d.datname = current_database()"
            " AND l.classid = (hashtext(%s)::bigint >> 32)::bit(32)::int::oid"
            " AND l.objid = hashtext(%s)::bigint::bit(32)::int::oid",
            (prefix, prefix),
        )
        holders = [name for (name,) in cursor.fetchall()]
    conn.close()
    raise Busy(
        f"another load test is running ({', '.join(holders) or 'unknown'}):"
        f" it uses the {prefix}_* databases and the broker vhost this one"
        " would start afresh; wait for it to end or stop it"
    )


def fresh_vhost(name):
    """Delete and create `name` through the management API; return its AMQP URI."""
    url = f"{RABBIT_API}/vhosts/{quote(name, safe='')}"
    requests.delete(url, auth=RABBIT_USER, timeout=30)
    requests.put(url, auth=RABBIT_USER, timeout=30).raise_for_status()
    permissions = f"{RABBIT_API}/permissions/{quote(name, safe='')}/guest"
    requests.put(
        permissions,
        json={"configure": ".*", "write": ".*", "read": ".*"},
        auth=RABBIT_USER,
        timeout=30,
    ).raise_for_status()
    return f"pyamqp://{AMQP_HOST}/{quote(name, safe='')}"


def fresh_databases(prefix):
    """Drop and create one PostgreSQL database per service; return their URLs."""
    params = dict(part.split("=", 1) for part in PG_DSN.split())
    conn = psycopg2.connect(PG_DSN)
    conn.autocommit = True
    urls = {}
    try:
        with conn.cursor() as cursor:
            for service in settings.SERVICES:
                name = f"{prefix}_{service}"
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}"')
                urls[service] = (
                    f"postgresql+psycopg2://{params.get('user', 'postgres')}"
                    f"@{params['host']}:{params['port']}/{name}"
                )
    finally:
        conn.close()
    return urls
