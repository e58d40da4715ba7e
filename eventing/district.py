"""The district's clock: its time zone, and which day it is there.

A time a caller sends without a UTC offset is the district's local time, and
"today" is the district's day, whatever zone the servers run in. The zone is
the `DISTRICT_TIMEZONE` setting (default Asia/Shanghai), read from the
environment as the services' configs read it (`${DISTRICT_TIMEZONE:...}`), so
the schemas the gateway and the services share agree on it.
"""

import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from marshmallow import ValidationError

TIMEZONE_KEY = "DISTRICT_TIMEZONE"
DEFAULT_TIMEZONE = "Asia/Shanghai"


def zone():
    return ZoneInfo(os.environ.get(TIMEZONE_KEY) or DEFAULT_TIMEZONE)


def now():
    return datetime.now(UTC)


def today():
    """The date in the district at this moment."""
    return now().astimezone(zone()).date()


def not_after_today(day):
    """A field's check: a day that has not yet come in the district (a
    donation, a team's founding or a volunteer's joining) is refused."""
    now_there = today()
    if day is not None and day > now_there:
        raise ValidationError(f"must not be after today ({now_there.isoformat()})")
