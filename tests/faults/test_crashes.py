"""Processes killed with SIGKILL at the worst moments of at-least-once
delivery: the effect is applied once and nothing is lost."""

import time

import eventlet
import pytest

from tests.faults.conftest import RECOVERIES, assert_nothing_lost
from tests.faults.helpers import Tap, wait_for

pytestmark = pytest.mark.faults


def crash_and_recover(platform, service, fault, scenario):
    """Run orders until `service` kills itself at `fault`, restart it clean,
    wait for a whole flow to go through; return the reconciliation."""
    doomed = platform.restart(service, faults=fault)
    traffic = platform.traffic()
    traffic.start()
    wait_for(lambda: not doomed.alive(), timeout=60, what=f"{service} to die")
    died = time.monotonic()
    platform.system.restart(doomed)
    platform.system.wait_ready()
    back_after = platform.wait_for_flow(since=died)
    traffic.stop()
    report, drained = platform.reconcile(traffic)
    RECOVERIES[scenario] = {
        "flow_back_after_s": back_after,
        "drained_after_s": drained,
        "answers": dict(traffic.statuses),
    }
    return report


def test_a_consumer_killed_after_commit_before_ack_applies_the_event_once(healthy):
    ignored_before = len(healthy.log_lines("points", "duplicate ignored"))

    report = crash_and_recover(
        healthy,
        "points",
        "kill:after_commit@3",
        "points killed after commit, before ack",
    )

    assert healthy.log_lines("points", "SIGKILL at point=after_commit")
    # the event committed before the kill came back and met the inbox
    assert len(healthy.log_lines("points", "duplicate ignored")) > ignored_before
    assert_nothing_lost(report)


def test_a_consumer_killed_before_commit_applies_the_event_after_restart(healthy):
    report = crash_and_recover(
        healthy,
        "points",
        "kill:before_commit@3",
        "points killed before commit",
    )

    assert healthy.log_lines("points", "SIGKILL at point=before_commit")
    assert_nothing_lost(report)


def test_the_relay_killed_between_publish_and_marking_sent_publishes_again(healthy):
    tap = Tap(healthy.rabbit.amqp_uri, ["orders.events"])

    report = crash_and_recover(
        healthy,
        "orders",
        "kill:after_publish@4",
        "orders' relay killed between publish and marking sent",
    )
    republished = tap.duplicates()
    tap.delete()

    assert healthy.log_lines("orders", "SIGKILL at point=after_publish")
    # the killed batch went out twice; the consumers applied it once
    assert republished >= 1
    assert_nothing_lost(report)


def test_a_replica_killed_mid_run_leaves_nothing_applied_or_sent_twice(healthy):
    system = healthy.system
    for service in ("gateway", "teams", "orders", "points", "inventory"):
        system.spawn(service, replica=1)
    system.wait_ready()
    tap = Tap(healthy.rabbit.amqp_uri, ["orders.events", "points.events"])
    traffic = healthy.traffic(rate=8, workers=8)
    traffic.start()
    eventlet.sleep(8)
    sent_twice_by_two_relays = tap.duplicates()

    for service in ("orders", "points"):
        [replica] = [p for p in system.running(service) if p.replica == 1]
        system.kill(replica)
    killed = time.monotonic()
    back_after = healthy.wait_for_flow(since=killed)
    eventlet.sleep(3)
    traffic.stop()
    report, drained = healthy.reconcile(traffic)
    sent_twice_after_kill = tap.duplicates() - sent_twice_by_two_relays
    tap.delete()

    RECOVERIES["two replicas of each, one of orders and points killed"] = {
        "flow_back_after_s": back_after,
        "drained_after_s": drained,
        "events_seen": len(tap.ids),
        "sent_twice_while_both_ran": sent_twice_by_two_relays,
        "sent_twice_after_the_kill": sent_twice_after_kill,
        "answers": dict(traffic.statuses),
    }
    assert sent_twice_by_two_relays == 0
    assert_nothing_lost(report)
