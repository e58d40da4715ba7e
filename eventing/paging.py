"""A page of a list: every list answers `{items, total}`, a page at a time.

Callers choose `limit` (at most MAX_PAGE) and `offset`; nobody can ask a
service for its whole table in one call.
"""

from marshmallow import Schema, fields, validate

MAX_PAGE = 100
DEFAULT_PAGE = 50


class PageQuerySchema(Schema):
    limit = fields.Integer(
        load_default=DEFAULT_PAGE,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": f"items per page, at most {MAX_PAGE}"},
    )
    offset = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=1_000_000),
        metadata={"description": "items to skip"},
    )
