"""The CloudEvents 1.0 structured envelope every event travels in.

A foreign consumer needs nothing of ours: the body is plain JSON whose
attributes are the CloudEvents ones, and `data` is the event's payload as
its contract schema dumps it.
"""

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from marshmallow import RAISE, Schema, ValidationError, fields, validate

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"
DATA_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class Envelope:
    """One event as it crosses the broker."""

    type: str
    source: str
    data: dict
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    subject: str | None = None
    correlationid: str | None = None

    def to_dict(self):
        body = {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": self.time,
            "datacontenttype": DATA_CONTENT_TYPE,
            "data": self.data,
        }
        if self.subject is not None:
            body["subject"] = self.subject
        if self.correlationid is not None:
            body["correlationid"] = self.correlationid
        return body

    def to_json(self):
        # ensure_ascii=False keeps Chinese names readable on the wire and in
        # the management UI; the body is UTF-8 either way.
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))


class EnvelopeSchema(Schema):
    """Validates the envelope attributes of an incoming event."""

    class Meta:
        unknown = RAISE

    specversion = fields.String(required=True, validate=validate.Equal(SPEC_VERSION))
    id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    source = fields.String(required=True, validate=validate.Length(min=1))
    type = fields.String(required=True, validate=validate.Length(min=1))
    time = fields.String(required=True)
    datacontenttype = fields.String(
        load_default=DATA_CONTENT_TYPE, validate=validate.Equal(DATA_CONTENT_TYPE)
    )
    subject = fields.String(load_default=None, allow_none=True)
    correlationid = fields.String(load_default=None, allow_none=True)
    data = fields.Dict(required=True)


ENVELOPE_SCHEMA = EnvelopeSchema()


class MalformedEvent(Exception):
    """The message is not a CloudEvents envelope we can read."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def parse(body):
    """Read a message body (bytes, text or an already decoded dict) into an
    Envelope, or raise MalformedEvent saying why."""
    if isinstance(body, bytes | bytearray):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedEvent(f"body is not UTF-8: {exc}") from exc
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError as exc:
            raise MalformedEvent(f"body is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise MalformedEvent("body is not a JSON object")
    try:
        attrs = ENVELOPE_SCHEMA.load(body)
    except ValidationError as exc:
        raise MalformedEvent(f"not a CloudEvents 1.0 envelope: {exc.messages}") from exc
    attrs.pop("specversion")
    attrs.pop("datacontenttype")
    return Envelope(**attrs)
