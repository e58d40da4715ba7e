"""Cursor pagination: a page ends with an opaque cursor naming its last row.

The cursor holds the sort key of the last row shown (name and id), so the next
page starts right after it however many rows were added meanwhile, and no
page costs more than the rows it returns.
"""

import base64
import binascii
import json

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class InvalidCursor(ValueError):
    """The cursor was not made by this service."""


def encode(name, row_id):
    raw = json.dumps([name, row_id], ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(cursor):
    """The (name, id) a cursor holds; raises InvalidCursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, row_id = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise InvalidCursor("not a cursor this service gave out") from None
    if not (isinstance(name, str) and isinstance(row_id, str)):
        raise InvalidCursor("not a cursor this service gave out")
    return name, row_id


def page(rows, limit, key):
    """The first `limit` rows and the cursor for the next page (None at the end)."""
    shown = rows[:limit]
    more = len(rows) > limit
    return shown, (encode(*key(shown[-1])) if more else None)
