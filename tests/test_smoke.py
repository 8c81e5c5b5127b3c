"""The thinnest slice: the server answers, a blob and a manifest go in and come back out."""

from __future__ import annotations

import httpx

from support.api import push_image


def test_base_endpoint(client: httpx.Client) -> None:
    response = client.get("/v2/")
    assert response.status_code == 200
    assert response.json() == {}
    assert response.headers["docker-distribution-api-version"] == "registry/2.0"


def test_push_and_pull_image(client: httpx.Client, repo: str) -> None:
    img = push_image(client, repo, "v1", "smoke")
    response = client.get(f"/v2/{repo}/manifests/v1")
    assert response.status_code == 200
    assert response.content == img["manifest"].data
    assert response.headers["docker-content-digest"] == img["digest"]
    for layer in img["layers"]:
        blob = client.get(f"/v2/{repo}/blobs/{layer.digest}")
        assert blob.status_code == 200
        assert blob.content == layer.data
