"""Ids derived from a command's Idempotency-Key: the same on a second run,
apart for different purposes, random without a key."""

from eventing.database import UnitOfWork


def unit(key=None):
    return UnitOfWork(None, "points", None, None, command_key=key)


def test_a_command_run_again_under_its_key_derives_the_same_ids():
    first, again = unit("k-1"), unit("k-1")

    assert [first.new_id(), first.new_id()] == [again.new_id(), again.new_id()]


def test_ids_for_another_purpose_or_key_differ():
    assert unit("k-1").new_id() != unit("k-1").new_id("reversal")
    assert unit("k-1").new_id("reversal") == unit("k-1").new_id("reversal")
    assert unit("k-1").new_id() != unit("k-2").new_id()


def test_without_a_key_every_id_is_new():
    assert unit().new_id() != unit().new_id()
