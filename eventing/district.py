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

TIMEZONE_KEY = "DISTRICT_TIMEZONE"
DEFAULT_TIMEZONE = "Asia/Shanghai"


def zone():
    return ZoneInfo(os.environ.get(TIMEZONE_KEY) or DEFAULT_TIMEZONE)


def now():
    return datetime.now(UTC)


def today():
    """The date in the district at this moment."""
    return now().astimezone(zone()).date()
