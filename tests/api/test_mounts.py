"""Cross-repository mounts (end-11): 201 when the source has the blob, an upload otherwise."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

import httpx
import pytest

from support import layout
from support.api import assert_error, push_blob, start_upload
from support.images import sha256
from support.server import DockyardServer


def sha512(data: bytes) -> str:
    return "sha512:" + hashlib.sha512(data).hexdigest()


def test_mount_from_a_repository_that_has_the_blob(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    source = f"{repo}/source"
    digest = push_blob(client, source, b"shared layer")
    target = f"{repo}/target"
    response = client.post(f"/v2/{target}/blobs/uploads/", params={"mount": digest, "from": source})
    assert response.status_code == 201
    assert response.headers["docker-content-digest"] == digest
    assert urlsplit(response.headers["location"]).path == f"/v2/{target}/blobs/{digest}"
    assert client.get(f"/v2/{target}/blobs/{digest}").content == b"shared layer"
    assert layout.layer_link(registry.root, target, digest).read_bytes() == digest.encode()
    assert layout.uploads(registry.root, target) == []  # no session was started


@pytest.mark.parametrize(
    "params",
    [
        {"mount": sha256(b"nowhere"), "from": "{repo}/source"},  # source lacks the blob
        {"mount": "{digest}", "from": "{repo}/empty"},  # source has nothing at all
        {"mount": "{digest}", "from": "Bad/Name"},  # invalid source name
        {"mount": "{digest}", "from": "a/../b"},  # traversal as a source name
        {"mount": "{digest}", "from": ""},
        {"mount": "sha256:nothex", "from": "{repo}/source"},  # malformed digest
        {"mount": "{digest}"},  # no source given
    ],
)
def test_mount_that_cannot_happen_starts_an_upload(
    client: httpx.Client, repo: str, params: dict[str, str]
) -> None:
    digest = push_blob(client, f"{repo}/source", b"only in source")
    query = {k: v.format(repo=repo, digest=digest) for k, v in params.items()}
    target = f"{repo}/target"
    response = client.post(f"/v2/{target}/blobs/uploads/", params=query)
    assert response.status_code == 202, response.text
    assert response.headers["range"] == "0-0"
    assert response.headers["docker-upload-uuid"]
    assert_error(client.get(f"/v2/{target}/blobs/{digest}"), 404, "BLOB_UNKNOWN")
    location = response.headers["location"]  # and the upload it started works
    assert client.put(location, params={"digest": sha256(b"up")}, content=b"up").status_code == 201


def test_mount_of_a_sha512_alias(client: httpx.Client, repo: str) -> None:
    data = b"aliased blob"
    source = f"{repo}/source"
    location = start_upload(client, source)
    assert client.put(location, params={"digest": sha512(data)}, content=data).status_code == 201
    target = f"{repo}/target"
    response = client.post(
        f"/v2/{target}/blobs/uploads/", params={"mount": sha512(data), "from": source}
    )
    assert response.status_code == 201
    assert client.get(f"/v2/{target}/blobs/{sha512(data)}").content == data
    assert client.get(f"/v2/{target}/blobs/{sha256(data)}").content == data
