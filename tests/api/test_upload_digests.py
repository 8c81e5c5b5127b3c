"""Completing uploads by digest: sha256 and sha512, and the same blob uploaded at once."""

from __future__ import annotations

import hashlib
import threading
from urllib.parse import urlsplit

import httpx

from support import layout
from support.api import assert_error, start_upload
from support.images import sha256
from support.server import DockyardServer


def sha512(data: bytes) -> str:
    return "sha512:" + hashlib.sha512(data).hexdigest()


def test_sha512_upload_is_served_by_sha512(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    data = b"content addressed by sha512"
    digest = sha512(data)
    location = start_upload(client, repo)
    response = client.put(location, params={"digest": digest}, content=data)
    assert response.status_code == 201
    assert response.headers["docker-content-digest"] == digest
    assert urlsplit(response.headers["location"]).path == f"/v2/{repo}/blobs/{digest}"

    got = client.get(f"/v2/{repo}/blobs/{digest}")
    assert got.status_code == 200
    assert got.content == data
    assert got.headers["docker-content-digest"] == digest
    assert got.headers["etag"] == f'"{digest}"'
    head = client.head(f"/v2/{repo}/blobs/{digest}")
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(data))
    assert head.headers["docker-content-digest"] == digest
    # Distribution's layout: data under the canonical sha256, both links naming it.
    canonical = sha256(data)
    assert layout.blob_data(registry.root, canonical).read_bytes() == data
    assert layout.layer_link(registry.root, repo, digest).read_bytes() == canonical.encode()
    assert layout.layer_link(registry.root, repo, canonical).read_bytes() == canonical.encode()


def test_sha512_monolithic_and_chunked(client: httpx.Client, repo: str) -> None:
    data = b"0123456789" * 100
    response = client.post(
        f"/v2/{repo}/blobs/uploads/", params={"digest": sha512(data)}, content=data
    )
    assert response.status_code == 201
    location = start_upload(client, repo)
    client.patch(location, content=data[:500], headers={"content-range": "0-499"})
    response = client.put(
        location, params={"digest": sha512(data + b"!")}, content=data[500:] + b"!"
    )
    assert response.status_code == 201
    assert client.get(f"/v2/{repo}/blobs/{sha512(data + b'!')}").content == data + b"!"


def test_sha512_mismatch_is_digest_invalid(client: httpx.Client, repo: str) -> None:
    location = start_upload(client, repo)
    response = client.put(location, params={"digest": sha512(b"other")}, content=b"mine")
    assert_error(response, 400, "DIGEST_INVALID")
    assert_error(client.get(f"/v2/{repo}/blobs/{sha512(b'mine')}"), 404, "BLOB_UNKNOWN")


def test_concurrent_uploads_of_the_same_blob(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB
    digest = sha256(data)
    results: list[int | BaseException] = []

    def upload(index: int) -> None:
        try:
            with registry.client() as c:
                location = start_upload(c, f"{repo}/r{index % 2}")
                results.append(c.put(location, params={"digest": digest}, content=data).status_code)
        except BaseException as exc:  # reported by the assertion below, not lost in the thread
            results.append(exc)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == [201] * 4
    for name in (f"{repo}/r0", f"{repo}/r1"):
        assert client.get(f"/v2/{name}/blobs/{digest}").content == data
