"""``Location`` URLs: ``http.host`` (resolved as Distribution resolves it), ``relativeurls``,
``Forwarded`` / ``X-Forwarded-*`` headers, and the listener's own scheme."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dockyard.api.http import Request
from dockyard.api.urls import URLBuilder
from support.server import DockyardServer


def _request(headers: dict[str, str], scheme: str = "http") -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in {"host": "req:5000", **headers}.items()]
    scope = {"type": "http", "method": "POST", "path": "/v2/a/blobs/uploads/", "headers": raw}
    scope["scheme"] = scheme

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    return Request(scope, receive)


@pytest.mark.parametrize(
    ("host", "prefix", "relative", "headers", "expected"),
    [
        ("", "", False, {}, "http://req:5000/v2/a/blobs/sha256:x"),
        ("", "/reg/", False, {}, "http://req:5000/reg/v2/a/blobs/sha256:x"),
        ("", "", True, {}, "/v2/a/blobs/sha256:x"),
        ("", "/reg/", True, {}, "/reg/v2/a/blobs/sha256:x"),
        ("https://r.example.com", "", False, {}, "https://r.example.com/v2/a/blobs/sha256:x"),
        (
            "https://r.example.com:5443/",
            "",
            True,
            {},
            "https://r.example.com:5443/v2/a/blobs/sha256:x",
        ),
        (
            "https://r.example.com/sub/",
            "/x/",
            False,
            {},
            "https://r.example.com/sub/v2/a/blobs/sha256:x",
        ),
        ("https://r.example.com/sub", "", False, {}, "https://r.example.com/v2/a/blobs/sha256:x"),
        ("r.example.com", "", False, {}, "http://req:5000/v2/a/blobs/sha256:x"),
        (
            "",
            "",
            False,
            {"x-forwarded-proto": "https", "x-forwarded-host": "pub.example, inner"},
            "https://pub.example/v2/a/blobs/sha256:x",
        ),
        (
            "",
            "",
            False,
            {
                "forwarded": 'for=1.2.3.4;proto=https;host="fw.example", for=5.6.7.8',
                "x-forwarded-host": "ignored.example",
            },
            "https://fw.example/v2/a/blobs/sha256:x",
        ),
        (
            "https://configured.example",
            "",
            False,
            {"x-forwarded-host": "ignored.example"},
            "https://configured.example/v2/a/blobs/sha256:x",
        ),
    ],
)
def test_blob_location(
    host: str, prefix: str, relative: bool, headers: dict[str, str], expected: str
) -> None:
    urls = URLBuilder(host, prefix, relative)
    assert urls.blob(_request(headers), "a", "sha256:x") == expected


def test_tls_listener_scheme() -> None:
    assert URLBuilder().upload(_request({}, "https"), "a", "u").startswith("https://req:5000/")


@pytest.mark.parametrize(
    ("http", "prefix"),
    [
        ({"host": "https://registry.example.com:8443/"}, "https://registry.example.com:8443/v2/"),
        ({"relativeurls": True}, "/v2/"),
    ],
)
def test_server_locations(
    make_server: Callable[..., DockyardServer], http: dict, prefix: str
) -> None:
    server = make_server(start=False)
    server.config["http"].update(http)
    server.start()
    with server.client() as client:
        response = client.post("/v2/urls/test/blobs/uploads/")
    assert response.status_code == 202
    assert response.headers["location"].startswith(f"{prefix}urls/test/blobs/uploads/")
