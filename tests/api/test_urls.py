"""``Location`` and ``Link`` URLs: from the request (``Forwarded``, ``X-Forwarded-*``, ``Host``),
from ``http.host``, or relative with ``http.relativeurls``, as Distribution builds them."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from support.images import sha256
from support.server import DockyardServer


def upload_location(client: httpx.Client, repo: str, headers: dict[str, str]) -> str:
    response = client.post(f"/v2/{repo}/blobs/uploads/", headers=headers)
    assert response.status_code == 202
    return response.headers["location"]


def test_location_from_the_host_header(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    location = upload_location(client, repo, {})
    assert location.startswith(f"http://127.0.0.1:{registry.port}/v2/{repo}/blobs/uploads/")


@pytest.mark.parametrize(
    ("headers", "base"),
    [
        (
            {"x-forwarded-proto": "https", "x-forwarded-host": "reg.example.com"},
            "https://reg.example.com",
        ),
        ({"x-forwarded-host": "a.example.com, b.example.com"}, "http://a.example.com"),
        (
            {
                "forwarded": 'for=10.0.0.1; proto=https; host="fw.example.com:8443", for=10.0.0.2',
                "x-forwarded-host": "ignored.example.com",
            },
            "https://fw.example.com:8443",
        ),
        ({"forwarded": "for=10.0.0.1"}, "http://127.0.0.1:{port}"),  # no proto/host in it
        ({"forwarded": "garbage;;="}, "http://127.0.0.1:{port}"),
    ],
)
def test_location_behind_a_proxy(
    client: httpx.Client, registry: DockyardServer, repo: str, headers: dict[str, str], base: str
) -> None:
    location = upload_location(client, repo, headers)
    assert location.startswith(base.format(port=registry.port) + f"/v2/{repo}/blobs/uploads/")


def test_relative_urls(make_server: Callable[..., DockyardServer]) -> None:
    server = make_server(http__relativeurls=True)
    with server.client() as c:
        location = upload_location(c, "rel", {"x-forwarded-host": "ignored.example.com"})
        assert location.startswith("/v2/rel/blobs/uploads/")
        assert c.put(location, params={"digest": sha256(b"")}).status_code == 201  # it works


def test_configured_host(make_server: Callable[..., DockyardServer]) -> None:
    server = make_server(http__host="https://public.example.com")
    with server.client() as c:
        location = upload_location(c, "pub", {"forwarded": "host=ignored.example.com"})
        assert location.startswith("https://public.example.com/v2/pub/blobs/uploads/")
