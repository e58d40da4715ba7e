from datetime import UTC, date, datetime

import pytest
from marshmallow import ValidationError

from eventing import district
from services.inventory.schemas import RecordDonationSchema

DONATION = {"donor_id": "d-1", "lines": [{"item_id": "i-1", "quantity": 2}]}


@pytest.fixture
def just_after_midnight_in_the_district(monkeypatch):
    # 04:00 of 10 December in Shanghai, still 9 December in UTC
    monkeypatch.setattr(district, "now", lambda: datetime(2026, 12, 9, 20, tzinfo=UTC))


def test_a_donation_is_dated_today_or_earlier_by_the_districts_calendar(
    just_after_midnight_in_the_district,
):
    today = RecordDonationSchema().load({**DONATION, "donated_on": "2026-12-10"})
    earlier = RecordDonationSchema().load({**DONATION, "donated_on": "2026-11-30"})

    assert today["donated_on"] == date(2026, 12, 10)
    assert earlier["donated_on"] == date(2026, 11, 30)
    assert RecordDonationSchema().load(DONATION)["donated_on"] is None


@pytest.mark.parametrize("day", ["2026-12-11", "2099-01-01"])
def test_a_donation_dated_after_today_is_refused_naming_the_field(
    just_after_midnight_in_the_district, day
):
    with pytest.raises(ValidationError) as refused:
        RecordDonationSchema().load({**DONATION, "donated_on": day})

    assert refused.value.messages == {
        "donated_on": ["must not be after today (2026-12-10)"]
    }
