"""/api/docs: the OpenAPI document as one plain HTML page, made on the server.

No script and no file from elsewhere: the page reads the same in a browser
with no network, and in a terminal browser. It is rendered from the document
itself, so it says exactly what /api/openapi.json says.
"""

import re
from html import escape

MAX_DEPTH = 5
ERROR_REF = "#/components/schemas/Error"
CONSTRAINTS = (
    "format",
    "enum",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "pattern",
    "default",
)
STYLE = """
body{font:15px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;max-width:64rem;
margin:2rem auto;padding:0 1rem;color:#222}
code,.path{font-family:ui-monospace,monospace}
section.op{border-top:1px solid #ccc;padding:.5rem 0 1rem}
.method{display:inline-block;min-width:4.5rem;font-weight:bold}
table{border-collapse:collapse;margin:.3rem 0 .6rem}
td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}
.nested{margin-left:1.5rem}
"""


def render(document):
    """The whole page for an OpenAPI document."""
    info = document["info"]
    operations = list(_operations(document))
    tags = sorted({op["tags"][0] for _, _, op in operations})
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{escape(info['title'])}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(info['title'])} <small>{escape(info['version'])}</small></h1>",
        _prose(info.get("description", "")),
        "<p>The machine-readable document: <a href=/api/openapi.json>"
        "/api/openapi.json</a> (OpenAPI 3.1).</p><h2>Contents</h2><ul>",
    ]
    for tag in tags:
        links = ", ".join(
            f"<a href=#{op['operationId']}>{method.upper()} {escape(path)}</a>"
            for path, method, op in operations
            if op["tags"][0] == tag
        )
        parts.append(f"<li><b>{escape(tag)}</b>: {links}</li>")
    parts.append("</ul>")
    for tag in tags:
        parts.append(f"<h2>{escape(tag)}</h2>")
        for path, method, op in operations:
            if op["tags"][0] == tag:
                parts.append(_operation(document, path, method, op))
    parts.append("</body></html>")
    return "".join(parts)


def _operations(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            yield path, method, op


def _operation(document, path, method, op):
    parts = [
        f"<section class=op id={op['operationId']}>",
        f"<h3><span class=method>{method.upper()}</span>",
        f"<span class=path>{escape(path)}</span></h3>",
        f"<p><b>{escape(op.get('summary', ''))}</b></p>",
        _prose(op.get("description", "")),
    ]
    if op.get("parameters"):
        parts.append("<h4>Parameters</h4>" + _parameters(document, op["parameters"]))
    body = op.get("requestBody")
    if body:
        schema = body["content"]["application/json"]["schema"]
        parts.append("<h4>Body (JSON)</h4>" + _schema(document, schema, 0))
    parts.append("<h4>Answers</h4>" + _responses(document, op["responses"]))
    parts.append("</section>")
    return "".join(parts)


def _parameters(document, parameters):
    parameters = [_resolve(document, p, "parameters") for p in parameters]
    rows = "".join(
        f"<tr><td><code>{escape(p['name'])}</code></td><td>{p['in']}</td>"
        f"<td>{'yes' if p.get('required') else 'no'}</td>"
        f"<td>{_type(document, p.get('schema', {}))}"
        f"{_notes(p.get('schema', {}), p.get('description'))}</td></tr>"
        for p in parameters
    )
    return (
        "<table><tr><th>name</th><th>in</th><th>required</th><th>value</th></tr>"
        f"{rows}</table>"
    )


def _responses(document, responses):
    parts = []
    for status, answer in responses.items():
        parts.append(f"<p><b>{escape(status)}</b> {_inline(answer['description'])}</p>")
        for media, content in (answer.get("content") or {}).items():
            schema = content.get("schema", {})
            if schema.get("$ref") == ERROR_REF:
                shown = "in the error shape: <code>{error, message, fields?}</code>"
            elif "$ref" in schema or "properties" in schema:
                shown = _schema(document, schema, 0)
            else:
                shown = f"<code>{escape(media)}</code>"
            parts.append(f"<div class=nested>{shown}</div>")
    return "".join(parts)


def _schema(document, schema, depth):
    schema = _resolve(document, schema)
    properties = schema.get("properties")
    if not properties or depth > MAX_DEPTH:
        return f"<p>{_type(document, schema)}{_notes(schema)}</p>"
    required = set(schema.get("required", ()))
    rows = []
    for name, prop in properties.items():
        inner = _inner_object(document, prop)
        nested = (
            f"<div class=nested>{_schema(document, inner, depth + 1)}</div>"
            if inner
            else ""
        )
        rows.append(
            f"<tr><td><code>{escape(name)}</code></td>"
            f"<td>{'yes' if name in required else 'no'}</td>"
            f"<td>{_type(document, prop)}{_notes(prop)}{nested}</td></tr>"
        )
    return (
        "<table><tr><th>field</th><th>required</th><th>value</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _inner_object(document, prop):
    """The object a property holds, directly or as a list's items."""
    prop = _resolve(document, prop)
    candidate = _resolve(document, prop.get("items", {})) if "items" in prop else prop
    return candidate if candidate.get("properties") else None


def _resolve(document, schema, kind="schemas"):
    ref = schema.get("$ref")
    if not ref:
        return schema
    name = ref.rsplit("/", 1)[-1]
    return document["components"][kind][name]


def _type(document, schema):
    if "$ref" in schema:
        return f"object <i>{escape(schema['$ref'].rsplit('/', 1)[-1])}</i>"
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array" and "items" in schema:
        return f"list of {_type(document, schema['items'])}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"object of {_type(document, schema['additionalProperties'])}"
    return escape(str(kind))


def _notes(schema, description=None):
    notes = [_inline(description or schema.get("description", ""))]
    for key in CONSTRAINTS:
        if key in schema:
            notes.append(f"{key} <code>{escape(str(schema[key]))}</code>")
    text = "; ".join(n for n in notes if n)
    return f"<br><small>{text}</small>" if text else ""


def _prose(text):
    """Paragraphs of text with the marks `_inline` knows."""
    paragraphs = [_inline(block) for block in re.split(r"\n\s*\n", text.strip())]
    return "".join(f"<p>{p}</p>" for p in paragraphs if p)


def _inline(text):
    """The few marks the descriptions use: **bold** and `code`."""
    html = escape(" ".join(text.split()))
    html = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", html)
