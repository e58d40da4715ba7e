"""The request id every log line carries, across every service.

The gateway gives each HTTP request an id; it travels to the services as the
nameko context key `correlation_id` (RPC headers) and as the CloudEvents
`correlationid` attribute (events), so one id follows an order through every
service's logs. Whoever starts a unit of work binds the id to the current
green thread; `RequestIdFilter` writes it on each log record as `request_id`.
"""

import logging

from eventlet import corolocal

CONTEXT_KEY = "correlation_id"

_local = corolocal.local()


def bind(request_id):
    _local.request_id = request_id


def unbind():
    _local.request_id = None


def current():
    """The request id bound to this green thread, or None."""
    return getattr(_local, "request_id", None)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (None outside a request)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current()
        return True


class ExpectedErrorFilter(logging.Filter):
    """A refusal the caller caused (a 4xx, an event's business rule) is what
    the service is for, not a fault: nameko logs each one as a WARNING with
    its whole traceback. Here it is one INFO line, its reason in the message."""

    PREFIX = "(expected) error handling worker"

    def filter(self, record):
        if record.name == "nameko.containers" and str(record.msg).startswith(
            self.PREFIX
        ):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.exc_info = None
            record.exc_text = None
        return True
