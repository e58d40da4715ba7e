from datetime import UTC, datetime

import pytest
from marshmallow import ValidationError

from services.orders.schemas import (
    ListOrdersSchema,
    PlaceOrderSchema,
    RateOrderSchema,
    RejectOrderSchema,
    encode_cursor,
)

REQUEST = {
    "category": "助老",
    "title": "陪老人就医",
    "description": "周三上午",
    "community": "铁道家园",
    "address": "一马路3号",
}


def test_an_order_is_normal_priority_with_no_window_unless_it_says_so():
    loaded = PlaceOrderSchema().load(REQUEST)

    assert (loaded["priority"], loaded["wanted_from"], loaded["on_behalf_of"]) == (
        "normal",
        None,
        None,
    )


def test_a_wanted_window_must_end_after_it_starts():
    with pytest.raises(ValidationError) as refused:
        PlaceOrderSchema().load(
            {
                **REQUEST,
                "wanted_from": "2026-12-05T10:00:00+08:00",
                "wanted_until": "2026-12-05T09:00:00+08:00",
            }
        )

    assert set(refused.value.messages) == {"wanted_until"}


def test_a_time_without_an_offset_is_the_districts_and_one_with_stays_as_given():
    # the district keeps Asia/Shanghai time (DISTRICT_TIMEZONE): 09:00 is 01:00 UTC
    loaded = PlaceOrderSchema().load(
        {
            **REQUEST,
            "wanted_from": "2026-12-10T09:00:00",
            "wanted_until": "2026-12-10T09:00:00+00:00",
        }
    )
    query = ListOrdersSchema().load(
        {"placed_from": "2026-12-01T00:00:00", "placed_to": "2026-12-02T00:00:00Z"}
    )

    assert loaded["wanted_from"] == datetime(2026, 12, 10, 1, 0, tzinfo=UTC)
    assert loaded["wanted_until"] == datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    assert query["placed_from"] == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert query["placed_to"] == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("field", ["title", "address"])
@pytest.mark.parametrize("blank", ["", "   ", "\t\n", "\u3000"])
def test_a_blank_title_or_address_is_refused_naming_it(field, blank):
    with pytest.raises(ValidationError) as refused:
        PlaceOrderSchema().load({**REQUEST, field: blank})

    assert set(refused.value.messages) == {field}


def test_text_with_spaces_around_it_is_not_blank():
    loaded = PlaceOrderSchema().load({**REQUEST, "title": "  陪老人就医 "})

    assert loaded["title"] == "  陪老人就医 "


def test_a_priority_is_normal_or_urgent():
    with pytest.raises(ValidationError):
        PlaceOrderSchema().load({**REQUEST, "priority": "whenever"})


def test_a_rejection_names_a_code_from_the_fixed_list():
    assert RejectOrderSchema().load({"reason_code": "duplicate"})["note"] is None

    with pytest.raises(ValidationError):
        RejectOrderSchema().load({"reason_code": "bored"})


def test_a_rejection_for_another_reason_says_why():
    with pytest.raises(ValidationError) as refused:
        RejectOrderSchema().load({"reason_code": "other"})

    assert set(refused.value.messages) == {"note"}


@pytest.mark.parametrize("stars", [0, 6, "5", 4.5])
def test_a_rating_is_a_whole_number_of_stars_from_one_to_five(stars):
    with pytest.raises(ValidationError):
        RateOrderSchema().load({"stars": stars})


def test_a_list_query_takes_several_statuses_and_a_cursor_it_gave():
    placed_at = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)

    loaded = ListOrdersSchema().load(
        {"status": "placed,dispatched", "cursor": encode_cursor(placed_at, "o-1")}
    )

    assert loaded["status"] == ["placed", "dispatched"]
    assert loaded["cursor"] == (placed_at, "o-1")
    assert ListOrdersSchema().load(ListOrdersSchema().dump(loaded)) == loaded


@pytest.mark.parametrize(
    "query", [{"status": "placed,lost"}, {"cursor": "not-a-cursor"}, {"limit": "0"}]
)
def test_a_bad_list_query_names_the_parameter(query):
    with pytest.raises(ValidationError) as refused:
        ListOrdersSchema().load(query)

    assert set(refused.value.messages) == set(query)
