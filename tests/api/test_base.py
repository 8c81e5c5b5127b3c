"""``GET /v2/`` (end-1) and what every response carries, whatever the route."""

from __future__ import annotations

import httpx
import pytest

from support.api import assert_error

API_VERSION = "registry/2.0"


def test_base_answers_empty_json(client: httpx.Client) -> None:
    response = client.get("/v2/")
    assert response.status_code == 200
    assert response.json() == {}
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["docker-distribution-api-version"] == API_VERSION


def test_base_without_trailing_slash(client: httpx.Client) -> None:
    assert client.get("/v2").status_code == 200


def test_head_base_has_no_body(client: httpx.Client) -> None:
    response = client.head("/v2/")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["docker-distribution-api-version"] == API_VERSION


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 404),
        ("GET", "/v1/", 404),
        ("GET", "/v2/x/unknown/thing", 404),
        ("GET", "/v2/x/blobs/uploads/", 405),
        ("POST", "/v2/", 405),
        ("POST", "/v2/x/manifests/latest", 405),
        ("PATCH", "/v2/x/blobs/sha256:" + "a" * 64, 405),
        ("OPTIONS", "/v2/x/tags/list", 405),
    ],
)
def test_every_answer_carries_the_api_version(
    client: httpx.Client, method: str, path: str, status: int
) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["docker-distribution-api-version"] == API_VERSION


def test_method_not_allowed_is_unsupported(client: httpx.Client) -> None:
    assert_error(client.post("/v2/x/manifests/latest"), 405, "UNSUPPORTED")


def test_method_not_allowed_names_the_allowed_methods(client: httpx.Client) -> None:
    response = client.post("/v2/x/manifests/latest")
    assert response.headers["allow"] == "DELETE, GET, HEAD, PUT"
    response = client.delete("/v2/")
    assert response.headers["allow"] == "GET, HEAD"
