"""The server span of one request: W3C ``traceparent`` in, HTTP semantic conventions out.

Attributes follow OpenTelemetry's HTTP server conventions (``http.request.method``,
``http.route``, ``http.response.status_code``, ``url.*``, ``server.*``, ``client.address``,
``user_agent.original``); two are Dockyard's own: ``dockyard.repository.name`` and
``dockyard.request.id`` (the access log's ``http.request.id``, to go from a trace to its logs).
The span is current while the request runs, so storage-driver spans become its children.
"""

from __future__ import annotations

from opentelemetry import context, propagate
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer, set_span_in_context

from dockyard.api import routes
from dockyard.api.context import Context
from dockyard.api.http import Request

REPOSITORY = "dockyard.repository.name"
REQUEST_ID = "dockyard.request.id"

ROUTE_TEMPLATES = {
    routes.BASE: "/v2/",
    routes.CATALOG: "/v2/_catalog",
    routes.TAGS: "/v2/{name}/tags/list",
    routes.MANIFEST: "/v2/{name}/manifests/{reference}",
    routes.BLOB_UPLOAD: "/v2/{name}/blobs/uploads/",
    routes.BLOB_UPLOAD_CHUNK: "/v2/{name}/blobs/uploads/{uuid}",
    routes.BLOB: "/v2/{name}/blobs/{digest}",
    routes.REFERRERS: "/v2/{name}/referrers/{digest}",
}
"""``http.route`` (and the span name) per route: low-cardinality templates, never raw paths."""

KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)


class RequestSpan:
    """The live server span of one request, and the context token to restore when it ends."""

    __slots__ = ("_method", "_prefix", "_request", "_span", "_token")

    def __init__(self, tracer: Tracer, request: Request, request_id: str, prefix: str) -> None:
        method = request.method if request.method in KNOWN_METHODS else "_OTHER"
        parent = propagate.extract(request.headers)
        span = tracer.start_span(
            method, parent, kind=SpanKind.SERVER, attributes=_request_attributes(request, method)
        )
        if span.is_recording():
            span.set_attribute(REQUEST_ID, request_id)
            if method == "_OTHER":
                span.set_attribute("http.request.method_original", request.method)
        self._span = span
        self._method = method
        self._prefix = prefix
        self._request = request
        self._token = context.attach(set_span_in_context(span, parent))

    def finish(self, status: int, ctx: Context | None, sent: int) -> None:
        """Record the outcome and end the span; called once, from the request's own task."""
        span = self._span
        try:
            if span.is_recording():
                if ctx is not None:
                    template = self._prefix + ROUTE_TEMPLATES.get(ctx.route.name, ctx.route.name)
                    span.update_name(f"{self._method} {template}")
                    span.set_attribute("http.route", template)
                    if ctx.name:
                        span.set_attribute(REPOSITORY, ctx.name)
                span.set_attribute("http.response.status_code", status)
                span.set_attribute("http.request.body.size", self._request.consumed)
                span.set_attribute("http.response.body.size", sent)
                if status >= 500:
                    span.set_attribute("error.type", str(status))
                    span.set_status(Status(StatusCode.ERROR))
            span.end()
        finally:
            context.detach(self._token)


def _request_attributes(request: Request, method: str) -> dict[str, str | int]:
    """What is known before the handler runs (and so what a sampler may look at)."""
    attributes: dict[str, str | int] = {
        "http.request.method": method,
        "url.path": request.path,
        "url.scheme": request.scheme,
    }
    host, port = _server(request.host)
    if host:
        attributes["server.address"] = host
    if port is not None:
        attributes["server.port"] = port
    client = request.scope.get("client")
    if client:
        attributes["client.address"] = client[0]
    agent = request.header("user-agent")
    if agent:
        attributes["user_agent.original"] = agent
    version = request.scope.get("http_version")
    if version:
        attributes["network.protocol.version"] = version
    return attributes


def _server(host: str) -> tuple[str, int | None]:
    """``Host`` header → (address, port): ``name``, ``name:5000``, ``[::1]:5000``."""
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit() and (name.endswith("]") or ":" not in name):
        return name.strip("[]"), int(port)
    return host.strip("[]"), None
