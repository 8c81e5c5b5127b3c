"""Checks for crash tests: a killed server's data directory, and what it serves after a restart."""

from __future__ import annotations

from pathlib import Path

import httpx

from support.api import assert_error
from support.server import DockyardServer

V2 = ("docker", "registry", "v2")


def upload_bytes(server: DockyardServer, repo: str) -> int:
    """Bytes the server has written into ``repo``'s upload sessions so far."""
    uploads = server.root.joinpath(*V2, "repositories", repo, "_uploads")
    return sum(path.stat().st_size for path in uploads.glob("*/data"))


def blob_file(server: DockyardServer, digest: str) -> Path:
    hex_digest = digest.split(":", 1)[1]
    return server.root.joinpath(*V2, "blobs", "sha256", hex_digest[:2], hex_digest, "data")


def assert_not_visible(
    client: httpx.Client, server: DockyardServer, repo: str, digest: str
) -> None:
    """An uncommitted blob: unknown to HEAD and GET, not in the blob store, not mountable."""
    head = client.head(f"/v2/{repo}/blobs/{digest}")
    assert head.status_code == 404, head.headers
    assert_error(client.get(f"/v2/{repo}/blobs/{digest}"), 404, "BLOB_UNKNOWN")
    assert not blob_file(server, digest).exists()
    mount = client.post(f"/v2/{repo}-other/blobs/uploads/", params={"mount": digest, "from": repo})
    assert mount.status_code == 202, mount.text  # not mountable: a fresh upload instead
    client.delete(mount.headers["location"])


def assert_complete(client: httpx.Client, repo: str, digest: str, data: bytes) -> None:
    head = client.head(f"/v2/{repo}/blobs/{digest}")
    assert head.status_code == 200
    assert int(head.headers["content-length"]) == len(data)
    response = client.get(f"/v2/{repo}/blobs/{digest}")
    assert response.status_code == 200
    assert response.headers["docker-content-digest"] == digest
    assert response.content == data
