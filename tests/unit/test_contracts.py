import re

import pytest
from marshmallow import ValidationError

from eventing import contracts


def completed(**changes):
    data = {
        "order_id": "o-1",
        "category": "演出",
        "community": "铁道家园",
        "team_id": "t-1",
        "minutes": {"v-1": 90},
        "completed_at": "2026-12-03T08:00:00+00:00",
        "confirmed_by": "u-1",
    }
    return {**data, **changes}


def test_every_event_is_a_pascal_case_name_with_a_producing_service():
    for name, event_type in contracts.CATALOGUE.items():
        assert re.fullmatch(r"(?:[A-Z][a-z]+)+", name)
        assert event_type.source in {"orders", "teams", "points", "inventory"}


def test_valid_data_dumps_to_plain_json_types():
    assert contracts.dump("OrderCompleted", completed()) == completed()


@pytest.mark.parametrize(
    "minutes", [{"v-1": 0}, {"v-1": 24 * 60 + 1}, {}, {"v-1": "90"}]
)
def test_minutes_outside_one_minute_to_a_day_break_the_contract(minutes):
    with pytest.raises(ValidationError):
        contracts.dump("OrderCompleted", completed(minutes=minutes))


def test_a_producer_may_not_send_a_field_the_contract_does_not_name():
    with pytest.raises(ValidationError):
        contracts.dump("OrderCompleted", completed(surprise=True))


def test_a_consumer_ignores_a_field_it_does_not_know_yet():
    assert contracts.load("OrderCompleted", completed(surprise=True)) == completed()


@pytest.mark.parametrize("moment", ["yesterday", "2026-12-03T08:00:00"])
def test_a_timestamp_must_be_iso_8601_with_a_time_zone(moment):
    with pytest.raises(ValidationError):
        contracts.dump("OrderCompleted", completed(completed_at=moment))


def test_an_unknown_event_type_has_no_contract():
    with pytest.raises(contracts.UnknownEventType):
        contracts.contract_for("OrderTeleported")


def test_a_rejection_carries_one_of_the_fixed_reason_codes():
    rejected = {
        "order_id": "o-1",
        "category": "助老",
        "community": "铁道家园",
        "reason_code": "no_capacity",
        "note": None,
        "rejected_by": "u-1",
    }

    assert contracts.dump("OrderRejected", rejected) == rejected
    with pytest.raises(ValidationError):
        contracts.dump("OrderRejected", {**rejected, "reason_code": "tired"})


def test_an_expiry_says_whether_the_order_ended_or_returned_for_dispatch():
    expired = {
        "order_id": "o-1",
        "category": "助老",
        "community": "铁道家园",
        "priority": "urgent",
        "stage": "dispatched",
        "team_id": "t-1",
        "outcome": "returned",
    }

    assert contracts.load("OrderExpired", expired) == expired
    with pytest.raises(ValidationError):
        contracts.load("OrderExpired", {**expired, "outcome": "vanished"})


def test_a_team_may_name_its_street_or_not():
    team = {"team_id": "t-1", "name": "俏玫瑰", "categories": [], "community": "万达"}

    assert contracts.load("TeamRegistered", team)["street"] is None
    assert contracts.load("TeamRegistered", {**team, "street": "长江路"})["street"] == (
        "长江路"
    )
