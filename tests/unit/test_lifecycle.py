import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.orders import lifecycle
from services.orders.exceptions import OrderConflict
from services.orders.lifecycle import InvalidTransition, transition


def test_the_happy_path_runs_from_placed_to_completed():
    status = lifecycle.PLACED
    events = []
    for command in ["dispatch", "accept", "report", "confirm"]:
        move = transition(status, command)
        status = move.target
        events.append(move.event)

    assert status == lifecycle.COMPLETED
    assert events == [
        "OrderDispatched",
        "OrderAccepted",
        "OrderServiceReported",
        "OrderCompleted",
    ]


def test_a_team_may_report_straight_after_accepting():
    assert transition(lifecycle.ACCEPTED, "report").target == lifecycle.REPORTED


def test_confirming_an_order_that_was_not_reported_is_refused():
    with pytest.raises(InvalidTransition) as refused:
        transition(lifecycle.DISPATCHED, "confirm")

    assert str(refused.value) == "cannot confirm an order that is dispatched"


def test_an_invalid_transition_is_a_conflict_for_callers():
    assert issubclass(InvalidTransition, OrderConflict)


def test_an_unknown_command_is_a_programming_error():
    with pytest.raises(ValueError):
        transition(lifecycle.PLACED, "teleport")


@pytest.mark.parametrize("status", sorted(lifecycle.TERMINAL))
@pytest.mark.parametrize("command", sorted(lifecycle.MOVES))
def test_terminal_states_never_move(status, command):
    with pytest.raises(InvalidTransition):
        transition(status, command)


@given(st.lists(st.sampled_from(sorted(lifecycle.MOVES)), max_size=20))
def test_any_sequence_of_commands_keeps_the_order_in_a_legal_state(commands):
    status = lifecycle.PLACED
    for command in commands:
        try:
            move = transition(status, command)
        except InvalidTransition:
            continue
        assert status in move.sources
        status = move.target

    assert status in lifecycle.STATES
