"""/ready: the gateway can serve, because the broker and every domain service
answer.

Each service is asked for its own `/health` over HTTP (which also checks its
database); the addresses come from config, so compose names the services by
host name. All checks run at once and each gives up after a short timeout, so
a probe never hangs.
"""

import logging

import requests
from eventlet import GreenPool, Timeout
from kombu import Connection
from nameko.constants import AMQP_URI_CONFIG_KEY

logger = logging.getLogger(__name__)

HEALTH_URLS_KEY = "SERVICE_HEALTH_URLS"
TIMEOUT_KEY = "GATEWAY_READY_TIMEOUT"
DEFAULT_TIMEOUT = 2.0


def check_all(config):
    """`{dependency: "ok" or the reason}` for the broker and each service."""
    timeout = float(config.get(TIMEOUT_KEY, DEFAULT_TIMEOUT))
    checks = {"broker": (broker_answers, config[AMQP_URI_CONFIG_KEY])}
    for service, url in (config.get(HEALTH_URLS_KEY) or {}).items():
        checks[service] = (service_answers, url)
    pool = GreenPool(len(checks))
    results = pool.imap(lambda item: run(*item[1], timeout), checks.items())
    return dict(zip(checks, results, strict=True))


def run(check, target, timeout):
    try:
        with Timeout(timeout + 1):
            check(target, timeout)
    except (Exception, Timeout) as exc:  # noqa: BLE001 - any failure is "not ready"
        logger.warning("not ready: %s: %s", target_name(target), exc)
        return type(exc).__name__
    return "ok"


def broker_answers(amqp_uri, timeout):
    with Connection(amqp_uri, connect_timeout=timeout) as connection:
        connection.ensure_connection(max_retries=1)


def service_answers(url, timeout):
    requests.get(url, timeout=timeout).raise_for_status()


def target_name(target):
    # never log the broker's password
    return target.split("@")[-1]
