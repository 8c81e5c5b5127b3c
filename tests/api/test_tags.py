"""``GET /v2/<name>/tags/list`` (end-8a/8b): byte order, ``n``/``last`` and ``Link``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from support.api import assert_error, push_blob
from support.manifests import Pushable, image_manifest
from support.server import DockyardServer, base_config

TAGS = ["latest", "v1", "v1.0", "v10", "V2", "9", "_x", "v1-rc", "a.b", "Z"]
LINK_RE = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


def tag_all(client: httpx.Client, repo: str, tags: list[str]) -> Pushable:
    manifest = image_manifest(client, repo, repo, layers=1)
    for tag in tags:
        assert manifest.push(client, repo, tag).status_code == 201
    return manifest


def next_link(response: httpx.Response) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    found = LINK_RE.match(link)
    assert found, link
    return found.group("url")


def test_tags_sorted_by_byte_value(client: httpx.Client, repo: str) -> None:
    tag_all(client, repo, TAGS)
    response = client.get(f"/v2/{repo}/tags/list")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"name": repo, "tags": sorted(TAGS)}
    assert "link" not in response.headers


def test_pages_follow_the_link_header(client: httpx.Client, repo: str) -> None:
    tag_all(client, repo, TAGS)
    seen: list[str] = []
    url: str | None = f"/v2/{repo}/tags/list?n=3"
    pages = 0
    while url is not None and pages < 10:
        response = client.get(url)
        assert response.status_code == 200
        page = response.json()["tags"]
        seen.extend(page)
        pages += 1
        url = next_link(response)
        if url is not None:
            assert len(page) == 3
            split = urlsplit(url)
            assert split.path == f"/v2/{repo}/tags/list"
            assert parse_qs(split.query) == {"n": ["3"], "last": [page[-1]]}
    assert seen == sorted(TAGS)
    assert pages == 4


def test_exact_page_has_no_link(client: httpx.Client, repo: str) -> None:
    tag_all(client, repo, ["a", "b"])
    response = client.get(f"/v2/{repo}/tags/list", params={"n": 2})
    assert response.json()["tags"] == ["a", "b"]
    assert "link" not in response.headers


def test_last_starts_strictly_after(client: httpx.Client, repo: str) -> None:
    tag_all(client, repo, ["a", "b", "c", "d"])
    get = client.get
    assert get(f"/v2/{repo}/tags/list", params={"last": "b"}).json()["tags"] == ["c", "d"]
    assert get(f"/v2/{repo}/tags/list", params={"last": "bb", "n": 1}).json()["tags"] == ["c"]
    assert get(f"/v2/{repo}/tags/list", params={"last": "d"}).json()["tags"] == []
    assert get(f"/v2/{repo}/tags/list", params={"last": "0"}).json()["tags"] == ["a", "b", "c", "d"]


def test_n_zero_is_an_empty_list_without_link(client: httpx.Client, repo: str) -> None:
    tag_all(client, repo, ["a", "b"])
    response = client.get(f"/v2/{repo}/tags/list", params={"n": 0})
    assert response.json() == {"name": repo, "tags": []}
    assert "link" not in response.headers


@pytest.mark.parametrize("n", ["abc", "-1", "1.5", "²", "0x10", " 1"])
def test_bad_n_is_pagination_number_invalid(client: httpx.Client, repo: str, n: str) -> None:
    tag_all(client, repo, ["a"])
    response = client.get(f"/v2/{repo}/tags/list", params={"n": n})
    assert_error(response, 400, "PAGINATION_NUMBER_INVALID")


def test_unknown_repository_is_name_unknown(client: httpx.Client, repo: str) -> None:
    entry = assert_error(client.get(f"/v2/{repo}/tags/list"), 404, "NAME_UNKNOWN")
    assert entry["detail"] == {"name": repo}


def test_repository_with_only_blobs_is_name_unknown(client: httpx.Client, repo: str) -> None:
    push_blob(client, repo, b"just a blob")
    assert_error(client.get(f"/v2/{repo}/tags/list"), 404, "NAME_UNKNOWN")


def test_repository_pushed_by_digest_only_has_no_tags(client: httpx.Client, repo: str) -> None:
    manifest = image_manifest(client, repo, repo)
    assert manifest.push(client, repo, manifest.digest).status_code == 201
    assert client.get(f"/v2/{repo}/tags/list").json() == {"name": repo, "tags": []}


def test_deleted_tags_leave_the_list(client: httpx.Client, repo: str) -> None:
    tag_all(client, repo, ["a", "b", "c"])
    assert client.delete(f"/v2/{repo}/manifests/b").status_code == 202
    assert client.get(f"/v2/{repo}/tags/list").json()["tags"] == ["a", "c"]
    for tag in ("a", "c"):
        assert client.delete(f"/v2/{repo}/manifests/{tag}").status_code == 202
    assert client.get(f"/v2/{repo}/tags/list").json()["tags"] == []


def test_head_tags_list(client: httpx.Client, repo: str) -> None:
    tag_all(client, repo, ["a"])
    response = client.head(f"/v2/{repo}/tags/list")
    assert response.status_code == 200
    assert response.content == b""


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockyardServer]:
    """``tags.maxtags: 2`` behind ``http.prefix: /mirror/``."""
    server = DockyardServer(tmp_path_factory.mktemp("limited"))
    server.config = base_config(
        Path(server.root), server.port, tags={"maxtags": 2}, http__prefix="/mirror/"
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_n_above_maxtags_is_clamped_with_a_link(limited: DockyardServer) -> None:
    with httpx.Client(base_url=limited.url + "/mirror", timeout=30) as c:
        tag_all(c, "r", ["a", "b", "c"])
        response = c.get("/v2/r/tags/list", params={"n": 10})
        assert response.json()["tags"] == ["a", "b"]
        url = next_link(response)
        assert url is not None
        split = urlsplit(url)
        assert split.path == "/mirror/v2/r/tags/list"  # the prefix once, not twice
        assert parse_qs(split.query) == {"n": ["2"], "last": ["b"]}
        rest = c.get(url)
        assert rest.json()["tags"] == ["c"]
        assert "link" not in rest.headers
