import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventing.contracts import CATALOGUE
from services.orders import lifecycle
from services.orders.exceptions import OrderConflict
from services.orders.lifecycle import InvalidTransition, transition

COMMANDS = sorted(lifecycle.MOVES)


def run(commands, status=lifecycle.PLACED):
    for command in commands:
        status = transition(status, command).target
    return status


def test_the_happy_path_runs_from_placed_to_rated():
    status = lifecycle.PLACED
    events = []
    for command in ["dispatch", "accept", "start", "report", "confirm", "rate"]:
        move = transition(status, command)
        status = move.target
        events.append(move.event)

    assert status == lifecycle.RATED
    assert events == [
        "OrderDispatched",
        "OrderAccepted",
        "OrderStarted",
        "OrderServiceReported",
        "OrderCompleted",
        "OrderRated",
    ]


def test_a_team_may_report_straight_after_accepting():
    assert transition(lifecycle.ACCEPTED, "report").target == lifecycle.REPORTED


def test_a_declined_order_returns_to_be_dispatched_again():
    assert run(["dispatch", "decline"]) == lifecycle.PLACED
    assert run(["dispatch", "decline", "dispatch"]) == lifecycle.DISPATCHED


def test_a_dispute_ends_in_a_confirmation_or_a_new_report():
    assert run(["dispatch", "accept", "report", "dispute", "confirm"]) == "completed"
    assert run(["dispatch", "accept", "report", "dispute", "request_report"]) == (
        lifecycle.IN_SERVICE
    )


def test_only_an_undisputed_report_completes_by_itself():
    assert transition(lifecycle.REPORTED, "auto_complete").event == "OrderCompleted"

    with pytest.raises(InvalidTransition):
        transition(lifecycle.DISPUTED, "auto_complete")


@pytest.mark.parametrize("status", ["placed", "dispatched", "accepted"])
def test_an_order_may_be_cancelled_before_service_starts(status):
    assert transition(status, "cancel").target == lifecycle.CANCELLED


@pytest.mark.parametrize("status", ["in_service", "reported", "disputed", "completed"])
def test_an_order_in_or_after_service_cannot_be_cancelled(status):
    with pytest.raises(InvalidTransition):
        transition(status, "cancel")


def test_a_completed_order_is_rated_once():
    with pytest.raises(InvalidTransition):
        transition(transition(lifecycle.COMPLETED, "rate").target, "rate")


def test_a_timer_expires_a_waiting_order_or_completes_a_reported_one():
    assert lifecycle.timeout_command(lifecycle.PLACED) == "expire"
    assert lifecycle.timeout_command(lifecycle.DISPATCHED) == "expire"
    assert lifecycle.timeout_command(lifecycle.DISPATCHED, True) == "lapse"
    assert lifecycle.timeout_command(lifecycle.PLACED, True) == "expire"
    assert lifecycle.timeout_command(lifecycle.REPORTED) == "auto_complete"
    assert lifecycle.timeout_command(lifecycle.ACCEPTED) is None


def test_confirming_an_order_that_was_not_reported_is_refused():
    with pytest.raises(InvalidTransition) as refused:
        transition(lifecycle.DISPATCHED, "confirm")

    assert str(refused.value) == "cannot confirm an order that is dispatched"


def test_an_invalid_transition_is_a_conflict_for_callers():
    assert issubclass(InvalidTransition, OrderConflict)


def test_an_unknown_command_is_a_programming_error():
    with pytest.raises(ValueError):
        transition(lifecycle.PLACED, "teleport")


def test_every_move_emits_an_orders_event_of_the_catalogue():
    for move in lifecycle.MOVES.values():
        assert CATALOGUE[move.event].source == "orders"
        assert move.sources <= lifecycle.STATES
        assert move.target in lifecycle.STATES


def test_every_state_is_reachable_and_every_other_state_can_still_move():
    reachable, frontier = {lifecycle.PLACED}, [lifecycle.PLACED]
    while frontier:
        status = frontier.pop()
        for move in lifecycle.MOVES.values():
            if status in move.sources and move.target not in reachable:
                reachable.add(move.target)
                frontier.append(move.target)
    movable = set().union(*(m.sources for m in lifecycle.MOVES.values()))

    assert reachable == lifecycle.STATES
    assert movable == lifecycle.STATES - lifecycle.TERMINAL


@pytest.mark.parametrize("status", sorted(lifecycle.TERMINAL))
@pytest.mark.parametrize("command", COMMANDS)
def test_terminal_states_never_move(status, command):
    with pytest.raises(InvalidTransition):
        transition(status, command)


@given(st.lists(st.sampled_from(COMMANDS), max_size=30))
def test_any_sequence_of_commands_keeps_the_order_in_a_legal_state(commands):
    status = lifecycle.PLACED
    for command in commands:
        try:
            move = transition(status, command)
        except InvalidTransition:
            continue
        assert status in move.sources
        assert status not in lifecycle.TERMINAL
        status = move.target

    assert status in lifecycle.STATES


@given(
    st.sampled_from(sorted(lifecycle.STATES)),
    st.lists(st.sampled_from(COMMANDS), max_size=30),
)
def test_once_terminal_an_order_refuses_every_later_command(status, commands):
    ended = status in lifecycle.TERMINAL
    for command in commands:
        try:
            status = transition(status, command).target
        except InvalidTransition:
            continue
        assert not ended, f"{command} moved a terminal order"
        ended = status in lifecycle.TERMINAL
