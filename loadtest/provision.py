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
