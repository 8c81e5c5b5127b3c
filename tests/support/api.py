"""Registry operations over HTTP, as a client performs them, for tests to compose."""

from __future__ import annotations

import json
from typing import Any

import httpx

from support.images import OCI_MANIFEST, Blob, image, sha256


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Check the spec's error envelope; returns the first error entry."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert isinstance(body.get("errors"), list) and body["errors"], body
    entry = body["errors"][0]
    assert entry["code"] == code, body
    assert isinstance(entry["message"], str)
    assert response.headers["docker-distribution-api-version"] == "registry/2.0"
    return entry


def start_upload(client: httpx.Client, repo: str) -> str:
    response = client.post(f"/v2/{repo}/blobs/uploads/")
    assert response.status_code == 202, response.text
    return response.headers["location"]


def push_blob(client: httpx.Client, repo: str, data: bytes) -> str:
    """POST then PUT with the whole body; returns the digest."""
    digest = sha256(data)
    location = start_upload(client, repo)
    response = client.put(
        location,
        params={"digest": digest},
        content=data,
        headers={"content-type": "application/octet-stream"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["docker-content-digest"] == digest
    return digest


def push_manifest(
    client: httpx.Client,
    repo: str,
    reference: str,
    manifest: dict[str, Any] | bytes,
    media_type: str = OCI_MANIFEST,
) -> httpx.Response:
    body = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
    return client.put(
        f"/v2/{repo}/manifests/{reference}", content=body, headers={"content-type": media_type}
    )


def push_image(client: httpx.Client, repo: str, tag: str, seed: str, layers: int = 2) -> dict:
    """Push an OCI image's blobs and manifest; returns the image dict plus its digest."""
    img = image(seed, layers)
    for blob in (img["config"], *img["layers"]):
        push_blob(client, repo, blob.data)
    response = push_manifest(client, repo, tag, img["manifest"].data)
    assert response.status_code == 201, response.text
    img["digest"] = img["manifest"].digest
    return img


__all__ = ["Blob", "assert_error", "push_blob", "push_image", "push_manifest", "start_upload"]
