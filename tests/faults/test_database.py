"""PostgreSQL goes away for 20 seconds while orders flow."""

import time

import eventlet
import pytest
import requests

from tests.faults.conftest import RECOVERIES, assert_nothing_lost

pytestmark = pytest.mark.faults

OUTAGE_S = 20


def place_order(platform):
    d = platform.district
    return requests.post(
        f"{platform.url}/api/orders",
        json={
            "category": d["category"],
            "title": "买药",
            "description": "降压药一盒",
            "community": d["community"],
            "address": "金水源2号",
        },
        headers={"Authorization": f"Bearer {d['resident_tokens'][0]}"},
        timeout=15,
    )


def test_the_gateway_answers_503_while_postgresql_is_down_and_all_flows_after(
    healthy,
):
    traffic = healthy.traffic()
    traffic.start()
    eventlet.sleep(3)

    healthy.postgres.stop()
    stopped = time.monotonic()
    answers_while_down = []
    while time.monotonic() - stopped < OUTAGE_S:
        answers_while_down.append(place_order(healthy).status_code)
        eventlet.sleep(1)
    healthy.postgres.start()
    back_after = healthy.wait_for_flow(since=time.monotonic())
    eventlet.sleep(2)
    traffic.stop()
    report, drained = healthy.reconcile(traffic)

    RECOVERIES[f"PostgreSQL down {OUTAGE_S} s"] = {
        "flow_back_after_s": back_after,
        "drained_after_s": drained,
        "answers_while_down": sorted(set(answers_while_down)),
        "answers": dict(traffic.statuses),
    }
    assert set(answers_while_down) == {503}
    assert_nothing_lost(report)
