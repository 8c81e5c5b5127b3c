"""Concurrent uploads of the same blob, to the same and to different repositories, are safe.

Async clients upload identical content in parallel sessions, chunk by chunk, then commit all
at once, so that the commits race to move their data into the one blob path, on a server with
two worker processes (the race spans processes, not only tasks). Every upload must succeed with
the right digest, every repository must serve the complete content, the blob store must hold
exactly the right bytes, and no upload session may be left behind.
"""

from __future__ import annotations

import asyncio

import httpx

from crash.checks import assert_complete, blob_file, upload_bytes
from support.images import sha256
from support.payload import random_bytes
from support.server import DockyardServer

MiB = 1 << 20
SIZE = 6 * MiB + 17
CHUNK = 2 * MiB


async def _upload_then_commit(
    client: httpx.AsyncClient, repo: str, data: bytes, ready: asyncio.Barrier
) -> httpx.Response:
    """POST and PATCH every chunk, wait for every other upload to get this far, then PUT."""
    started = await client.post(f"/v2/{repo}/blobs/uploads/")
    assert started.status_code == 202, started.text
    location = started.headers["location"]
    for offset in range(0, len(data), CHUNK):
        chunk = data[offset : offset + CHUNK]
        response = await client.patch(
            location,
            content=chunk,
            headers={"content-range": f"{offset}-{offset + len(chunk) - 1}"},
        )
        assert response.status_code == 202, response.text
        location = response.headers["location"]
    await ready.wait()
    separator = "&" if "?" in location else "?"
    return await client.put(f"{location}{separator}digest={sha256(data)}")


async def _race(server: DockyardServer, repos: list[str], data: bytes) -> list[httpx.Response]:
    ready = asyncio.Barrier(len(repos))
    limits = httpx.Limits(max_connections=len(repos))
    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as client:
        return await asyncio.gather(
            *(_upload_then_commit(client, repo, data, ready) for repo in repos)
        )


def test_same_blob_raced_into_same_and_different_repositories(make_server, repo: str) -> None:
    server: DockyardServer = make_server(dockyard__workers=2)
    data = random_bytes(repo, SIZE)
    digest = sha256(data)
    repos = [f"{repo}/same"] * 4 + [f"{repo}/other{i}" for i in range(4)]

    responses = asyncio.run(_race(server, repos, data))

    for response in responses:
        assert response.status_code == 201, response.text
        assert response.headers["docker-content-digest"] == digest
    assert blob_file(server, digest).read_bytes() == data
    with server.client() as client:
        for name in sorted(set(repos)):
            assert_complete(client, name, digest, data)
            assert upload_bytes(server, name) == 0  # every session was committed and removed
            uploads_dir = server.root / "docker/registry/v2/repositories" / name / "_uploads"
            assert not uploads_dir.exists() or not any(uploads_dir.iterdir())
