"""Spans a traced Dockyard exports over OTLP/HTTP, as a collector receives them.

A real server runs with ``OTEL_EXPORTER_OTLP_ENDPOINT`` pointing at a real receiver in the test
(tests/support/otlp.py decodes the protobuf with opentelemetry-proto).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import dockyard
from support.api import push_image
from support.images import OCI_MANIFEST
from support.otlp import SERVER_KIND, OTLPReceiver, ReceivedSpan
from support.server import DockyardServer, free_port, wait_until

MANIFEST_ROUTE = "/v2/{name}/manifests/{reference}"
DRIVER_SPANS = {"GetContent", "PutContent", "Reader", "Writer", "Stat", "List", "Move", "Delete"}
DRIVER_NAME = "io.cncf.distribution.storage.driver.name"
STORAGE_PATH = "io.cncf.distribution.storage.path"


def new_trace() -> tuple[str, str]:
    """A caller's trace id and span id (W3C trace-context, lower-case hex)."""
    return secrets.token_hex(16), secrets.token_hex(8)


def traceparent(trace_id: str, parent_id: str, sampled: bool = True) -> str:
    return f"00-{trace_id}-{parent_id}-{'01' if sampled else '00'}"


def one_server_span(receiver: OTLPReceiver, match: Callable[[ReceivedSpan], bool]) -> ReceivedSpan:
    found: list[ReceivedSpan] = []

    def arrived() -> bool:
        found[:] = [span for span in receiver.server_spans() if match(span)]
        return bool(found)

    wait_until(arrived, timeout=20, what="the request's server span at the receiver")
    assert len(found) == 1, found
    return found[0]


def test_a_request_continues_the_callers_trace(
    traced_server: Callable[..., DockyardServer], receiver: OTLPReceiver, repo: str
) -> None:
    server = traced_server()
    trace_id, parent_id = new_trace()
    with server.client() as client:
        push_image(client, repo, "v1", seed=repo)
        response = client.get(
            f"/v2/{repo}/manifests/v1",
            headers={"traceparent": traceparent(trace_id, parent_id), "accept": OCI_MANIFEST},
        )
        assert response.status_code == 200, response.text

    span = one_server_span(receiver, lambda s: s.trace_id == trace_id)
    assert span.name == f"GET {MANIFEST_ROUTE}"
    assert span.parent_span_id == parent_id
    assert span.status_code == 0  # unset: the request succeeded
    attributes = span.attributes
    assert attributes["http.request.method"] == "GET"
    assert attributes["http.route"] == MANIFEST_ROUTE
    assert attributes["http.response.status_code"] == 200
    assert attributes["http.response.body.size"] == len(response.content)
    assert attributes["url.path"] == f"/v2/{repo}/manifests/v1"
    assert attributes["url.scheme"] == "http"
    assert attributes["server.address"] == "127.0.0.1"
    assert attributes["server.port"] == server.port
    assert attributes["client.address"] == "127.0.0.1"
    assert attributes["user_agent.original"].startswith("python-httpx/")
    assert attributes["dockyard.repository.name"] == repo
    # The request id is the access log's: a trace leads to the request's log lines.
    request_id = attributes["dockyard.request.id"]
    assert re.search(
        rf'msg="GET /v2/{re.escape(repo)}/manifests/v1 200" http\.request\.id={request_id}\b',
        server.logs(),
    ), server.logs()[-2000:]
    assert span.resource["service.name"] == "dockyard"
    assert span.resource["service.version"] == dockyard.__version__
    assert span.scope == "dockyard"

    # The storage reads behind the response are its children, named as Distribution names them.
    children: list[ReceivedSpan] = []

    def storage_spans() -> bool:
        children[:] = [s for s in receiver.in_trace(trace_id) if s.parent_span_id == span.span_id]
        return any(s.name == "GetContent" for s in children)

    wait_until(storage_spans, timeout=20, what="storage-driver spans")
    for child in children:
        assert child.name in DRIVER_SPANS, child
        assert child.kind != SERVER_KIND
        assert child.attributes[DRIVER_NAME] == "filesystem"
        assert child.attributes[STORAGE_PATH].startswith("/docker/registry/v2/"), child
    assert any(
        f"/repositories/{repo}/_manifests/tags/v1/" in c.attributes[STORAGE_PATH] for c in children
    ), children

    assert (
        "tracing on (OTEL_EXPORTER_OTLP_ENDPOINT): exporting spans over OTLP/HTTP to "
        in server.logs()
    )
    assert receiver.content_types == {"application/x-protobuf"}


def test_requests_without_traceparent_start_their_own_traces(
    traced_server: Callable[..., DockyardServer], receiver: OTLPReceiver, repo: str
) -> None:
    """Also: ``dockyard.tracing.storagespans: false`` leaves only the server spans."""
    server = traced_server(dockyard__tracing__storagespans=False, http__draintimeout="10s")
    with server.client() as client:
        assert client.get(f"/v2/{repo}/manifests/absent").status_code == 404
        assert client.head(f"/v2/{repo}/blobs/sha256:{'0' * 64}").status_code == 404
        assert client.get("/not-the-api").status_code == 404
        assert client.get("/v2/Bad_Name/tags/list").status_code == 400

    missing = one_server_span(receiver, lambda s: s.attributes["url.path"].endswith("/absent"))
    assert missing.parent_span_id == ""
    assert missing.name == f"GET {MANIFEST_ROUTE}"
    assert missing.attributes["http.response.status_code"] == 404
    assert missing.attributes["dockyard.repository.name"] == repo
    assert missing.status_code == 0  # a 4xx is the client's problem, not a failed server span

    head = one_server_span(receiver, lambda s: s.attributes["http.request.method"] == "HEAD")
    assert head.name == "HEAD /v2/{name}/blobs/{digest}"
    assert head.attributes["http.response.status_code"] == 404
    assert head.trace_id != missing.trace_id

    stray = one_server_span(receiver, lambda s: s.attributes["url.path"] == "/not-the-api")
    assert stray.name == "GET"  # no route matched: no http.route, and no raw path as a name
    assert "http.route" not in stray.attributes

    invalid = one_server_span(receiver, lambda s: "Bad_Name" in s.attributes["url.path"])
    assert invalid.name == "GET /v2/{name}/tags/list"
    assert invalid.attributes["http.response.status_code"] == 400
    assert "dockyard.repository.name" not in invalid.attributes  # never validated

    assert server.stop() == 0  # flushes: every span the server made is at the receiver now
    assert {span.kind for span in receiver.spans} == {SERVER_KIND}
    ours = [span for span in receiver.spans if span.attributes["url.path"] != "/v2/"]
    assert len(ours) == 4  # (the rest are the readiness probes' GET /v2/)


def test_queued_spans_are_flushed_when_the_server_stops(
    traced_server: Callable[..., DockyardServer], receiver: OTLPReceiver
) -> None:
    """Every worker has its own provider and exports what it still holds on SIGTERM.

    The batch delay is ten minutes, so only the shutdown flush can deliver these spans.
    """
    server = traced_server(
        env={
            "OTEL_BSP_SCHEDULE_DELAY": "600000",
            "OTEL_SERVICE_NAME": "registry-eu",
            "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment.name=test",
            "PYTHONPROFILEIMPORTTIME": "1",
        },
        dockyard__workers=2,
        http__draintimeout="10s",
    )
    sampled = [new_trace() for _ in range(6)]
    unsampled = new_trace()
    for trace_id, parent_id in [*sampled, unsampled]:
        with server.client() as client:  # a connection each, to reach both workers
            headers = {
                "traceparent": traceparent(trace_id, parent_id, (trace_id, parent_id) != unsampled)
            }
            assert client.get("/v2/", headers=headers).status_code == 200
    assert receiver.requests == 0

    assert server.stop() == 0
    for trace_id, parent_id in sampled:
        [span] = [s for s in receiver.in_trace(trace_id) if s.kind == SERVER_KIND]
        assert span.name == "GET /v2/"
        assert span.parent_span_id == parent_id
        assert span.resource["service.name"] == "registry-eu"
        assert span.resource["deployment.environment.name"] == "test"
    assert receiver.in_trace(unsampled[0]) == []  # the caller's "not sampled" is honoured

    # The SDK is imported by the workers (after the parent's "listening" line), not the parent.
    lines = server.logs().splitlines()
    listening = next(i for i, line in enumerate(lines) if "listening on" in line)
    sdk = [i for i, line in enumerate(lines) if line.endswith(" opentelemetry.sdk.trace")]
    assert sdk and min(sdk) > listening, sdk


def test_an_absent_collector_does_not_fail_requests(
    make_server: Callable[..., DockyardServer],
) -> None:
    """A collector that is down costs the registry nothing but the lost spans."""
    port = free_port()  # nobody listens there
    server = make_server(
        env={
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"http://127.0.0.1:{port}/v1/traces",
            "OTEL_BSP_SCHEDULE_DELAY": "50",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "1",
        },
        http__draintimeout="5s",
    )
    with server.client() as client:
        for _ in range(20):
            assert client.get("/v2/").status_code == 200
    assert server.stop() == 0
    assert f"exporting spans over OTLP/HTTP to http://127.0.0.1:{port}/v1/traces" in server.logs()
