"""Chunked uploads and cross-repository mounts over HTTP, as clients perform them.

Complements :mod:`support.api` (monolithic pushes). Works against any registry speaking the
API, Dockyard or Distribution: ``Location`` headers are followed as given (Distribution's carry a
``_state`` token in the query).
"""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from support.images import sha256


def start(client: httpx.Client, repo: str) -> str:
    response = client.post(f"/v2/{repo}/blobs/uploads/")
    assert response.status_code == 202, response.text
    return response.headers["location"]


def patch(client: httpx.Client, location: str, chunk: bytes, offset: int) -> str:
    """Append ``chunk`` at ``offset``; returns the next ``Location``."""
    response = client.patch(
        location,
        content=chunk,
        headers={
            "content-type": "application/octet-stream",
            "content-range": f"{offset}-{offset + len(chunk) - 1}",
        },
    )
    assert response.status_code == 202, response.text
    assert response.headers["range"] == f"0-{offset + len(chunk) - 1}"
    return response.headers["location"]


def with_digest(location: str, digest: str) -> str:
    """``location`` plus ``digest=``, keeping any query it has (httpx ``params`` replace it)."""
    return f"{location}{'&' if '?' in location else '?'}{urlencode({'digest': digest})}"


def finish(client: httpx.Client, location: str, digest: str, last: bytes = b"") -> None:
    response = client.put(
        with_digest(location, digest),
        content=last,
        headers={"content-type": "application/octet-stream"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["docker-content-digest"] == digest


def push_chunked(client: httpx.Client, repo: str, data: bytes, chunk_size: int) -> str:
    """POST, one PATCH per ``chunk_size`` bytes, then PUT with no body; returns the digest."""
    location = start(client, repo)
    for offset in range(0, len(data), chunk_size):
        location = patch(client, location, data[offset : offset + chunk_size], offset)
    digest = sha256(data)
    finish(client, location, digest)
    return digest


def push_monolithic(client: httpx.Client, repo: str, data: bytes) -> str:
    """POST, then PUT with the whole body; returns the digest."""
    digest = sha256(data)
    finish(client, start(client, repo), digest, data)
    return digest


def mount(client: httpx.Client, repo: str, source: str, digest: str) -> httpx.Response:
    """``POST ?mount=&from=``: 201 when the source repository has the blob."""
    return client.post(f"/v2/{repo}/blobs/uploads/", params={"mount": digest, "from": source})
