"""Every request gets an id, or keeps the one its caller sent.

The id answers in the `X-Request-Id` header, is on every log line of the
request, travels with each RPC as the nameko context key `correlation_id` and
so becomes the `correlationid` of every event the request causes.
"""

import re
import uuid

HEADER = "X-Request-Id"
# a caller's id is kept if it is short and plain; anything else is replaced,
# so ids never smuggle text into logs or headers
ACCEPTED = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")


def request_id_for(request):
    sent = request.headers.get(HEADER, "")
    return sent if ACCEPTED.match(sent) else uuid.uuid4().hex
