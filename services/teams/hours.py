"""Weekly hours, for a volunteer's availability and a station's opening hours.

Written by people as `1-5 08:30-17:00; 6 09:00-12:00` (ISO weekdays, Monday
is 1), kept as `[{"weekdays": [1, 2, 3, 4, 5], "from": "08:30", "to":
"17:00"}, ...]`.
"""

import re

SLOT = re.compile(r"^([1-7](?:[-,][1-7])*)\s+(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$")
SEPARATORS = re.compile(r"[;；]")


class InvalidHours(ValueError):
    """Not weekly hours as `1-5 08:30-17:00; 6 09:00-12:00`."""


def _weekdays(text):
    days = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        first, last = int(first), int(last or first)
        if last < first:
            raise InvalidHours(f"weekdays {part} run backwards")
        days.update(range(first, last + 1))
    return sorted(days)


def _time(text):
    if not re.match(r"^\d{1,2}:\d{2}$", str(text)):
        raise InvalidHours(f"{text} is not a time like 08:30")
    hours, minutes = (int(part) for part in text.split(":"))
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise InvalidHours(f"{text} is not a time of day")
    return f"{hours:02d}:{minutes:02d}"


def make_slot(weekdays, start, end):
    """One slot, checked and written the one way the directory keeps it."""
    days = sorted(set(weekdays))
    if not days or not all(1 <= day <= 7 for day in days):
        raise InvalidHours("weekdays run from 1 (Monday) to 7 (Sunday)")
    slot = {"weekdays": days, "from": _time(start), "to": _time(end)}
    if slot["from"] >= slot["to"]:
        raise InvalidHours(f"{start}-{end} ends before it starts")
    return slot


def parse_slot(text):
    match = SLOT.match(text.strip())
    if not match:
        raise InvalidHours(f"{text.strip()!r} is not like '1-5 08:30-17:00'")
    days, start, end = match.groups()
    return make_slot(_weekdays(days), start, end)


def parse(text):
    """The slots written in `text`; an empty text is no slots."""
    return [parse_slot(part) for part in SEPARATORS.split(text or "") if part.strip()]


def _days_text(days):
    runs, start = [], None
    for day, following in zip(days, [*days[1:], None], strict=True):
        start = day if start is None else start
        if following != day + 1:
            runs.append(f"{start}-{day}" if day != start else str(day))
            start = None
    return ",".join(runs)


def to_text(slots):
    """The slots written back the way `parse` reads them."""
    return "; ".join(
        f"{_days_text(slot['weekdays'])} {slot['from']}-{slot['to']}" for slot in slots
    )
