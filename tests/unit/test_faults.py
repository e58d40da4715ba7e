"""The fault hooks do nothing unless the suite asks, and exactly what it asks."""

import signal

import pytest

from eventing.faults import Faults, InjectedFault


class Kills:
    """Stands in for os.kill: remembers who would have been killed."""

    def __init__(self):
        self.signals = []

    def __call__(self, pid, sig):
        self.signals.append(sig)


def test_no_rules_means_no_fault_anywhere():
    kills = Kills()
    faults = Faults("", kill=kills)

    for point in ("before_commit", "after_commit", "after_publish"):
        faults.reach(point)
    faults.check_event("any-event")

    assert kills.signals == []


def test_a_kill_happens_at_the_nth_hit_of_its_point_only():
    kills = Kills()
    faults = Faults("kill:after_commit@3", kill=kills)

    for _ in range(2):
        faults.reach("after_commit")
        faults.reach("before_commit")
    assert kills.signals == []
    faults.reach("after_commit")
    faults.reach("after_commit")

    assert kills.signals == [signal.SIGKILL]


def test_a_flaky_event_fails_its_first_deliveries_then_passes():
    faults = Faults("fail:flaky-@3")

    for _ in range(3):
        with pytest.raises(InjectedFault):
            faults.check_event("flaky-1")
    faults.check_event("flaky-1")
    faults.check_event("other-1")


def test_a_poison_event_always_fails():
    faults = Faults("fail:poison-@always, kill:after_publish@1", kill=Kills())

    for _ in range(10):
        with pytest.raises(InjectedFault):
            faults.check_event("poison-7")


@pytest.mark.parametrize(
    "rule", ["kill:nowhere@1", "kill:after_commit", "fail:@2", "explode:x@1"]
)
def test_a_rule_it_cannot_read_is_refused(rule):
    with pytest.raises(ValueError):
        Faults(rule)
