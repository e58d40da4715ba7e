"""RabbitMQ stops and starts again while orders flow."""

import time

import eventlet
import pytest

from tests.faults.conftest import RECOVERIES, assert_nothing_lost

pytestmark = pytest.mark.faults


def test_services_reconnect_by_themselves_after_rabbitmq_restarts(healthy):
    traffic = healthy.traffic()
    traffic.start()
    eventlet.sleep(3)

    healthy.rabbit.stop()
    eventlet.sleep(3)
    healthy.rabbit.start()
    restarted = time.monotonic()
    back_after = healthy.wait_for_flow(since=restarted, timeout=60)
    eventlet.sleep(2)
    traffic.stop()
    report, drained = healthy.reconcile(traffic)

    RECOVERIES["RabbitMQ stopped 3 s and started"] = {
        "flow_back_after_s": back_after,
        "drained_after_s": drained,
        "answers": dict(traffic.statuses),
    }
    assert back_after <= 30
    assert_nothing_lost(report)
