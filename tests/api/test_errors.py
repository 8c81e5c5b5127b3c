"""The error envelope, every error code the core produces, and the URL grammar as a wall.

UNAUTHORIZED, DENIED and TOOMANYREQUESTS come from access control and are tested with it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from support import layout
from support.api import assert_error, push_blob, start_upload
from support.images import sha256
from support.manifests import image_manifest
from support.rawhttp import raw_bytes, raw_request
from support.server import DockyardServer

Scenario = Callable[[httpx.Client, str], httpx.Response]


def _unknown_blob(c: httpx.Client, repo: str) -> httpx.Response:
    return c.get(f"/v2/{repo}/blobs/{sha256(b'absent')}")


def _unknown_upload(c: httpx.Client, repo: str) -> httpx.Response:
    return c.get(f"/v2/{repo}/blobs/uploads/00000000-0000-4000-8000-000000000000")


def _wrong_digest(c: httpx.Client, repo: str) -> httpx.Response:
    return c.put(start_upload(c, repo), params={"digest": sha256(b"b")}, content=b"a")


def _missing_layer(c: httpx.Client, repo: str) -> httpx.Response:
    return image_manifest(None, repo, repo).push(c, repo, "t")


def _bad_manifest(c: httpx.Client, repo: str) -> httpx.Response:
    return c.put(f"/v2/{repo}/manifests/t", content=b"{", headers={"content-type": "x/y"})


def _unknown_manifest(c: httpx.Client, repo: str) -> httpx.Response:
    return c.get(f"/v2/{repo}/manifests/absent")


def _bad_name(c: httpx.Client, repo: str) -> httpx.Response:
    return c.get("/v2/Upper/Case/tags/list")


def _unknown_name(c: httpx.Client, repo: str) -> httpx.Response:
    return c.get(f"/v2/{repo}/tags/list")


def _size_mismatch(c: httpx.Client, repo: str) -> httpx.Response:
    return c.patch(start_upload(c, repo), content=b"abc", headers={"content-range": "0-9"})


def _method(c: httpx.Client, repo: str) -> httpx.Response:
    return c.put(f"/v2/{repo}/blobs/{sha256(b'x')}")


def _out_of_order(c: httpx.Client, repo: str) -> httpx.Response:
    return c.patch(start_upload(c, repo), content=b"abc", headers={"content-range": "5-7"})


def _bad_n(c: httpx.Client, repo: str) -> httpx.Response:
    return c.get("/v2/_catalog", params={"n": "many"})


SCENARIOS: dict[str, tuple[Scenario, int]] = {
    "BLOB_UNKNOWN": (_unknown_blob, 404),
    "BLOB_UPLOAD_UNKNOWN": (_unknown_upload, 404),
    "DIGEST_INVALID": (_wrong_digest, 400),
    "MANIFEST_BLOB_UNKNOWN": (_missing_layer, 400),
    "MANIFEST_INVALID": (_bad_manifest, 400),
    "MANIFEST_UNKNOWN": (_unknown_manifest, 404),
    "NAME_INVALID": (_bad_name, 400),
    "NAME_UNKNOWN": (_unknown_name, 404),
    "SIZE_INVALID": (_size_mismatch, 400),
    "UNSUPPORTED": (_method, 405),
    "RANGE_INVALID": (_out_of_order, 416),
    "PAGINATION_NUMBER_INVALID": (_bad_n, 400),
}


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_error_envelope(client: httpx.Client, repo: str, code: str) -> None:
    scenario, status = SCENARIOS[code]
    response = scenario(client, repo)
    entry = assert_error(response, status, code)
    assert response.headers["content-type"].startswith("application/json")
    assert set(entry) <= {"code", "message", "detail"}
    assert entry["message"]
    assert len(response.json()["errors"]) == 1


def test_blob_upload_invalid_envelope(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    location = start_upload(client, repo)
    upload = location.rsplit("/", 1)[1]
    (layout.upload_dir(registry.root, repo, upload) / "data").mkdir()
    entry = assert_error(client.patch(location, content=b"x"), 404, "BLOB_UPLOAD_INVALID")
    assert entry["message"] == "blob upload invalid"


# -- names and the storage root ----------------------------------------------------------------

BAD_NAMES = [
    "a" * 256,
    "/".join(["abcdefg"] * 31) + "/" + "a" * 8,  # 256 characters in components
    "UPPER",
    "..",
    "%2e%2e",
    "%2E%2E/x",
    "a/../b",
    "a/%2e%2e/b",
    "a%2F..%2F..%2Fescape",
    "%2F..%2Fescape",
    "..%2F..%2F..%2Fescape",
    "a%00b",
    "a%0A",
    "a%0Ab",
    "a%2500",
    "a//b",
    "a/",
    "_a",
    "a_",
    "a..b",
    "a%20b",
    "a%ffb",
    ".hidden",
    "-dash",
]
ENDPOINTS = [
    ("GET", "/v2/{name}/tags/list"),
    ("GET", "/v2/{name}/manifests/latest"),
    ("PUT", "/v2/{name}/manifests/latest"),
    ("DELETE", "/v2/{name}/manifests/latest"),
    ("HEAD", "/v2/{name}/blobs/" + sha256(b"x")),
    ("DELETE", "/v2/{name}/blobs/" + sha256(b"x")),
    ("POST", "/v2/{name}/blobs/uploads/"),
    ("PATCH", "/v2/{name}/blobs/uploads/00000000-0000-4000-8000-000000000000"),
    ("GET", "/v2/{name}/referrers/" + sha256(b"x")),
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names_are_name_invalid_everywhere(registry: DockyardServer, name: str) -> None:
    for method, template in ENDPOINTS:
        path = template.format(name=name)
        response = raw_request(registry.host, method, path, body=b"{}")
        assert response.headers["docker-distribution-api-version"] == "registry/2.0"
        if response.status == 404 and response.body == b"404 page not found\n":
            continue  # the path does not even have the shape of a route (e.g. "a/" + "/tags")
        assert response.status == 400, (method, path, response.status, response.body)
        if method != "HEAD":
            assert response.json()["errors"][0]["code"] == "NAME_INVALID", (method, path)
    assert not any("escape" in p.name for p in registry.workdir.rglob("*"))
    assert not (registry.workdir.parent / "escape").exists()


def test_longest_name_is_valid(client: httpx.Client) -> None:
    name = "/".join(["abcdefg"] * 31) + "/" + "a" * 7
    assert len(name) == 255
    assert push_blob(client, name, b"deep") == sha256(b"deep")
    assert_error(client.get(f"/v2/{name}/tags/list"), 404, "NAME_UNKNOWN")


@pytest.mark.parametrize(
    "path",
    [
        "/v2/x/manifests/..",
        "/v2/x/manifests/%2e%2e",
        "/v2/x/manifests/a%00",
        "/v2/x/manifests/..%2F..%2Fescape",
        "/v2/x/blobs/sha256:..%2F..",
        "/v2/x/blobs/..",
        "/v2/x/blobs/uploads/..%2F..%2Fescape",
        "/v2/x/blobs/uploads/%2e%2e",
        "/v2/x/referrers/..",
        "/v2/x/referrers/sha256:%00",
        "/v2/x/manifests/v1%0A",
        "/v2/x/blobs/sha256:" + "a" * 64 + "%0A",
        "/v2/x/referrers/sha256:" + "a" * 64 + "%0A",
    ],
)
def test_references_cannot_leave_the_repository(registry: DockyardServer, path: str) -> None:
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        response = raw_request(registry.host, method, path, body=b"{}")
        assert 400 <= response.status < 500, (method, path, response.status)
        assert response.headers["docker-distribution-api-version"] == "registry/2.0"
    assert not any("escape" in p.name for p in registry.workdir.rglob("*"))


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /v2/\xff\xfe/tags/list HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /v2/x/manifests/\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /v2/_catalog?n=\xb2 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"PATCH /v2/x/blobs/uploads/u HTTP/1.1\r\nHost: x\r\nContent-Range: \xb2-\xb2\r\n"
        b"Content-Length: 0\r\n\r\n",
        b"GET /v2/x/blobs/sha256:"
        + b"a" * 64
        + b" HTTP/1.1\r\nHost: x\r\nRange: bytes=\xb2-\r\n\r\n",
    ],
)
def test_non_ascii_bytes_are_client_errors(registry: DockyardServer, request_bytes: bytes) -> None:
    status = raw_bytes(registry.host, request_bytes)
    assert 400 <= status < 500, status


def test_non_ascii_content_length_on_an_upload(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    path = start_upload(client, repo).split(registry.url, 1)[1]
    request = (
        f"PATCH {path} HTTP/1.1\r\nHost: x\r\nContent-Range: 0-0\r\n".encode()
        + b"Content-Length: \xb2\r\n\r\n"
    )
    status = raw_bytes(registry.host, request)
    assert 400 <= status < 500, status


def test_trailing_newlines_do_not_slip_through(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    """``$`` matches before a final newline: every grammar check must be a full match."""
    manifest = image_manifest(client, repo, repo)
    manifest.push(client, repo, "v1")
    location = start_upload(client, repo).split(registry.url, 1)[1]
    cases = [
        ("GET", f"/v2/{repo}/manifests/v1%0A", 400, "MANIFEST_INVALID"),
        ("GET", f"/v2/{repo}/manifests/{manifest.digest}%0A", 400, "DIGEST_INVALID"),
        ("GET", f"/v2/{repo}%0A/tags/list", 400, "NAME_INVALID"),
        ("GET", f"{location}%0A", 404, "BLOB_UPLOAD_UNKNOWN"),
        ("DELETE", f"{location}%0A", 404, "BLOB_UPLOAD_UNKNOWN"),
    ]
    for method, path, status, code in cases:
        response = raw_request(registry.host, method, path)
        assert response.status == status, (path, response.body)
        assert response.json()["errors"][0]["code"] == code
    assert client.get(location).status_code == 204  # the real upload is untouched


# -- deletes disabled ----------------------------------------------------------------------------


def test_deletes_disabled_are_unsupported(make_server: Callable[..., DockyardServer]) -> None:
    server = make_server(storage__delete__enabled=False)
    repo = "no/delete"
    with server.client() as c:
        manifest = image_manifest(c, repo, repo)
        assert manifest.push(c, repo, "v1").status_code == 201
        layer = sha256(image_manifest(None, repo, repo).content)  # any digest: refused first
        for path in (
            f"/v2/{repo}/blobs/{layer}",
            f"/v2/{repo}/manifests/v1",
            f"/v2/{repo}/manifests/{manifest.digest}",
        ):
            assert_error(c.delete(path), 405, "UNSUPPORTED")
        assert c.get(f"/v2/{repo}/manifests/v1").content == manifest.content
        # cancelling one's own upload is not a delete of registry content: still allowed
        location = start_upload(c, repo)
        assert c.delete(location).status_code == 204
        assert layout.uploads(Path(server.root), repo) == []
