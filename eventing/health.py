"""A `/health` answer for each service: the process runs and its database answers."""

import json

from sqlalchemy import text
from werkzeug.wrappers import Response


def health_response(db):
    """200 if the database answers a trivial query, 503 with the reason if not."""
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means not healthy
        body, status = {"status": "unavailable", "reason": type(exc).__name__}, 503
    else:
        body, status = {"status": "ok"}, 200
    return Response(json.dumps(body), status=status, content_type="application/json")
