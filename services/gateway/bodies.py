"""Reading what callers send: JSON bodies and query strings, loaded by a
schema, with text no database can store refused up front (400, not 500)."""

import json

from marshmallow import ValidationError

from services.gateway.errors import BadRequest

# no body of this API nests objects and lists more than a few levels deep;
# refusing deeper ones keeps every recursive walk over a body (ours,
# marshmallow's, json's) far from Python's recursion limit
MAX_NESTING = 32
NESTED_TOO_DEEPLY = f"the body nests objects and lists over {MAX_NESTING} levels deep"


def load_body(request, schema):
    """The request's JSON body loaded by `schema`, or BadRequest naming the fields."""
    try:
        body = json.loads(request.get_data().decode("utf-8") or "{}")
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8") from None
    except ValueError:
        raise BadRequest("the body is not JSON") from None
    except RecursionError:
        raise BadRequest(NESTED_TOO_DEEPLY) from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    if nesting(body) > MAX_NESTING:
        raise BadRequest(NESTED_TOO_DEEPLY)
    refuse_unstorable_text(body, "some fields are not valid text")
    try:
        return schema.load(body)
    except ValidationError as exc:
        raise BadRequest("some fields are not valid", fields=exc.messages) from None


def load_query(request, schema):
    """The query string loaded by `schema`, or BadRequest naming the fields."""
    query = request.args.to_dict()
    refuse_unstorable_text(query, "some query parameters are not valid text")
    try:
        return schema.load(query)
    except ValidationError as exc:
        raise BadRequest(
            "some query parameters are not valid", fields=exc.messages
        ) from None


def nesting(value):
    """How many objects and lists deep `value` goes (0 for a plain value),
    found level by level rather than by recursion."""
    depth, level = 0, [value]
    while level:
        level = [v for v in level if isinstance(v, (dict, list))]
        if level:
            depth += 1
            level = [
                child
                for v in level
                for child in (v.values() if isinstance(v, dict) else v)
            ]
    return depth


def unstorable_text(value, path=""):
    """The fields (as dotted paths) holding text no database can store: the
    NUL character, or half of a UTF-16 surrogate pair."""
    if isinstance(value, str):
        return [] if _storable(value) else [path or "_value"]
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    found = []
    for key, item in items:
        name = f"{path}.{key}" if path else str(key)
        if not _storable(str(key)):
            found.append(path or "_key")
        found += unstorable_text(item, name)
    return found


def refuse_unstorable_text(value, message):
    found = unstorable_text(value)
    if found:
        reason = ["contains a NUL character or a lone surrogate"]
        raise BadRequest(message, fields=dict.fromkeys(found, reason))


def _storable(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text
