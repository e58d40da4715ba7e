"""A service that is down gives callers a 503 in bounded time, not a hang."""

import time

import pytest

from services.gateway.service import GatewayService
from services.points.service import PointsService
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def gateway(service_config, container_factory):
    def start(**overrides):
        config = service_config("gateway", GATEWAY_RPC_TIMEOUT=1, **overrides)
        container_factory(GatewayService, config).start()
        return sign_in(
            f"http://{config['WEB_SERVER_ADDRESS']}", "admin", "admin-password"
        )

    return start


def test_a_service_that_never_started_is_unavailable(gateway):
    admin = gateway()

    answer = admin.get("/api/volunteers/v-1/points", expect=503)

    assert answer == {
        "error": "unavailable",
        "message": "the points service is not running",
    }


def test_a_stopped_service_is_unavailable_after_the_timeout(
    gateway, service_config, container_factory
):
    points = container_factory(PointsService, service_config("points"))
    points.start()
    points.stop()
    admin = gateway()

    started = time.monotonic()
    answer = admin.get("/api/volunteers/v-1/points", expect=503)

    assert 1 <= time.monotonic() - started < 5
    assert answer["message"] == "the points service did not answer within 1s"
