"""log.formatter logstash with log.fields, and log.accesslog.disabled."""

from __future__ import annotations

import json
from collections.abc import Callable

from support.server import DockyardServer, wait_until


def _json_lines(server: DockyardServer) -> list[dict]:
    out = []
    for line in server.logs().splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def test_logstash_lines_carry_fields_and_access_entries(
    make_server: Callable[..., DockyardServer],
) -> None:
    server = make_server(log={"formatter": "logstash", "fields": {"service": "registry-test"}})
    with server.client() as client:
        assert client.get("/v2/", headers={"user-agent": "log-test"}).status_code == 200
        assert client.get("/v2/_catalog?n=5", headers={"user-agent": "log-test"}).status_code == 200

    def access() -> list[dict]:
        return [e for e in _json_lines(server) if e.get("http.request.useragent") == "log-test"]

    wait_until(access, 10, what="an access log entry")
    entry = access()[0]
    assert entry["@version"] == "1"
    assert entry["@timestamp"].endswith("+00:00")
    assert entry["service"] == "registry-test"
    assert entry["level"] == "info"
    assert entry["message"] == "GET /v2/ 200"
    assert entry["http.response.status"] == 200
    assert entry["http.request.id"]
    assert entry["http.request.uri"] == "/v2/"
    wait_until(lambda: len(access()) >= 2, 10, what="the catalog's access entry")
    assert access()[1]["http.request.uri"] == "/v2/_catalog?n=5"  # the query, as Distribution logs


def test_access_log_disabled(make_server: Callable[..., DockyardServer]) -> None:
    server = make_server(
        log={"formatter": "json", "accesslog": {"disabled": True}},
        notifications={"endpoints": []},
    )
    with server.client() as client:
        for _ in range(3):
            assert client.get("/v2/", headers={"user-agent": "silent"}).status_code == 200
        # The start-up lines show the log is being written; no request adds a line.
        assert client.get("/v2/_catalog").status_code == 200
    server.stop()
    entries = _json_lines(server)
    assert entries, "the server logged nothing at all"
    assert not [e for e in entries if "http.request.method" in e]
