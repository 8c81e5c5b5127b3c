"""Kill the server (SIGKILL to its process group) in the middle of blob uploads, then restart.

Each test streams a body that pauses once a known amount was sent, waits until the server has
written part of it to its upload session, kills the server, and restarts it on the same data
directory. Nothing partial may ever be readable: the blob is unknown (HEAD/GET 404, not in the
blob store, not mountable) until a client commits it. An interrupted upload resumes: its status
reports the offset the server really has on disk (which may be less than the client sent), a
``PATCH`` from that offset continues it, and ``PUT`` commits it with the right digest. A client
that guesses the offset wrongly gets 416 and the real ``Range``; one that gives up can cancel,
after which the session is cleanly ``BLOB_UPLOAD_UNKNOWN``.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from crash.checks import assert_complete, assert_not_visible, upload_bytes
from support import uploads
from support.api import assert_error
from support.images import sha256
from support.payload import random_bytes
from support.server import DockyardServer, wait_until
from support.streaming import Background, GatedBody, wait_paused

MiB = 1 << 20
SIZE = 40 * MiB
PAUSE = 28 * MiB
"""Where bodies pause: far enough in that, whatever the socket buffers hold (up to ~10 MiB on
loopback), the server has received well over ``WRITTEN`` bytes and written them out."""
WRITTEN = 4 * MiB
"""How much the server must have on disk before the kill: proof the kill lands mid-write."""


def _kill_mid_request(
    server: DockyardServer,
    repo: str,
    body: GatedBody,
    send: Callable[[], httpx.Response],
    on_disk: int,
) -> None:
    """Start ``send``; once ``body`` paused and ``on_disk`` bytes were written, kill the server."""
    request = Background(send)
    wait_paused(body, request)
    wait_until(
        lambda: upload_bytes(server, repo) >= on_disk,
        timeout=30,
        what=f"{on_disk} bytes of the upload on disk",
    )
    server.kill()
    body.release()
    outcome = request.wait()
    assert isinstance(outcome, httpx.TransportError), outcome  # no answer: the server died


def _stream(method: str, url: str, body: GatedBody, length: int | None) -> httpx.Response:
    headers = {"content-type": "application/octet-stream"}
    if length is not None:
        headers["content-length"] = str(length)
    return httpx.request(method, url, content=body, headers=headers, timeout=60)


def _absolute(server: DockyardServer, location: str) -> str:
    return location if location.startswith("http") else server.url + location


def _resume(
    server: DockyardServer, client: httpx.Client, location: str, data: bytes, low: int, high: int
) -> None:
    """Ask where the upload stands, check it is in [low, high], send the rest and commit."""
    status = client.get(location)
    assert status.status_code == 204, status.text
    offset = int(status.headers["range"].split("-")[1]) + 1
    assert low <= offset <= high, (low, offset, high)
    # A client that assumes everything it sent arrived is told where the upload really is.
    if offset < high:
        with httpx.Client(timeout=30) as once:  # refused early: its body is left unread
            wrong = once.patch(
                _absolute(server, location),
                content=data[high:],
                headers={"content-range": f"{high}-{len(data) - 1}"},
            )
        assert_error(wrong, 416, "RANGE_INVALID")
        assert wrong.headers["range"] == f"0-{offset - 1}"
    location = uploads.patch(client, location, data[offset:], offset)
    uploads.finish(client, location, sha256(data))


@pytest.mark.parametrize("how", ["post-digest", "put-digest"])
def test_kill_during_monolithic_upload(make_server, repo: str, how: str) -> None:
    server: DockyardServer = make_server()
    data = random_bytes(repo, SIZE)
    digest = sha256(data)
    body = GatedBody(data, PAUSE)
    with server.client() as client:
        if how == "post-digest":
            method, url = "POST", f"{server.url}/v2/{repo}/blobs/uploads/?digest={digest}"
        else:
            location = uploads.start(client, repo)
            method, url = "PUT", _absolute(server, uploads.with_digest(location, digest))

    _kill_mid_request(server, repo, body, lambda: _stream(method, url, body, SIZE), WRITTEN)
    server.start()

    with server.client() as client:
        assert_not_visible(client, server, repo, digest)
        if how == "put-digest":
            _resume(server, client, location, data, WRITTEN, body.sent)
        else:  # the client never learnt the session: it starts over
            uploads.push_monolithic(client, repo, data)
        assert_complete(client, repo, digest, data)


def test_kill_between_patches(make_server, repo: str) -> None:
    server: DockyardServer = make_server()
    data = random_bytes(repo, 9 * MiB + 123)
    digest = sha256(data)
    first = 5 * MiB
    with server.client() as client:
        location = uploads.patch(client, uploads.start(client, repo), data[:first], 0)
    server.kill()
    server.start()

    with server.client() as client:
        assert_not_visible(client, server, repo, digest)
        _resume(server, client, location, data, first, first)
        assert_complete(client, repo, digest, data)


def test_kill_during_patch(make_server, repo: str) -> None:
    server: DockyardServer = make_server()
    data = random_bytes(repo, SIZE)
    digest = sha256(data)
    first = 3 * MiB + 5
    with server.client() as client:
        location = uploads.patch(client, uploads.start(client, repo), data[:first], 0)
    rest = GatedBody(data[first:], PAUSE - first)
    url = _absolute(server, location)

    # The second PATCH streams without a length (chunked transfer encoding), as skopeo's do.
    _kill_mid_request(
        server, repo, rest, lambda: _stream("PATCH", url, rest, None), first + WRITTEN
    )
    server.start()

    with server.client() as client:
        assert_not_visible(client, server, repo, digest)
        # At most what the client handed over: the gate pauses at a chunk boundary at or past
        # PAUSE, and chunks count from ``first``, which is not chunk-aligned.
        _resume(server, client, location, data, first + WRITTEN, first + rest.sent)
        assert_complete(client, repo, digest, data)


def test_interrupted_upload_can_be_cancelled(make_server, repo: str) -> None:
    server: DockyardServer = make_server()
    data = random_bytes(repo, 2 * MiB)
    with server.client() as client:
        location = uploads.patch(client, uploads.start(client, repo), data[:MiB], 0)
    server.kill()
    server.start()

    with server.client() as client:
        assert client.delete(location).status_code == 204
        assert_error(client.get(location), 404, "BLOB_UPLOAD_UNKNOWN")
        assert_not_visible(client, server, repo, sha256(data))
    with server.client() as once:  # refused early: its body is left unread
        response = once.patch(
            location, content=data[MiB:], headers={"content-range": f"{MiB}-{2 * MiB - 1}"}
        )
        assert_error(response, 404, "BLOB_UPLOAD_UNKNOWN")
