"""The gateway's own public routes: liveness, readiness and its documentation."""

from werkzeug.wrappers import Response

from services.gateway import docs, openapi, readiness
from services.gateway.api import api
from services.gateway.errors import Unavailable
from services.gateway.responses import ReadySchema, StatusSchema

JSON_DOCUMENT = {"application/json": {"schema": {"type": "object"}}}
HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}


class SystemRoutes:
    """Routes every deployment probes; the service class mixes them in."""

    @api("GET", "/health", public=True, response=StatusSchema)
    def health(self, request):
        """The gateway process answers (liveness)."""
        return {"status": "ok"}

    @api("GET", "/ready", public=True, response=ReadySchema, errors=(503,))
    def ready(self, request):
        """The broker and every domain service answer (readiness)."""
        checks = readiness.check_all(self.config)
        if any(result != "ok" for result in checks.values()):
            unready = ", ".join(name for name, r in checks.items() if r != "ok")
            error = Unavailable(f"not ready: {unready}")
            return 503, {**error.body(), "checks": checks}
        return {"status": "ok", "checks": checks}

    @api("GET", "/api/openapi.json", public=True, response=JSON_DOCUMENT)
    def openapi_document(self, request):
        """This API as an OpenAPI 3.1 document."""
        return openapi.build_document(type(self))

    @api("GET", "/api/docs", public=True, response=HTML_PAGE)
    def api_docs(self, request):
        """This API as a page to read, made from the same document."""
        page = docs.render(openapi.build_document(type(self)))
        return Response(page, content_type="text/html; charset=utf-8")
