"""``GET /v2/_catalog``: Distribution's component-wise order, ``n``/``last`` and ``Link``.

A dedicated server keeps the namespace known; ``catalog.maxentries: 5`` makes the default page
size 5 and refuses larger ``n``, as Distribution does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from support.api import assert_error, push_blob, start_upload
from support.manifests import image_manifest
from support.server import DockyardServer, base_config

REPOS = ["a-b", "a/b", "a", "a/b/c", "a.b", "a0", "b", "a/b-c", "a/b/c/d", "z__z/y"]
EXPECTED = sorted(REPOS, key=lambda name: name.split("/"))
LINK_RE = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


@pytest.fixture(scope="module")
def catalog_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockyardServer]:
    server = DockyardServer(tmp_path_factory.mktemp("catalog"))
    server.config = base_config(server.root, server.port, catalog={"maxentries": 5})
    server.start()
    try:
        with server.client() as c:
            for name in REPOS:
                manifest = image_manifest(c, name, "catalog", layers=1)
                assert manifest.push(c, name, "v1").status_code == 201
            push_blob(c, "only/blobs", b"no manifest here")
            start_upload(c, "only/uploads")
        yield server
    finally:
        server.stop()


@pytest.fixture
def cat(catalog_server: DockyardServer) -> Iterator[httpx.Client]:
    with catalog_server.client() as c:
        yield c


def test_expected_order_is_distributions() -> None:
    assert EXPECTED[:5] == ["a", "a/b", "a/b/c", "a/b/c/d", "a/b-c"]
    assert EXPECTED.index("a/b-c") < EXPECTED.index("a-b")


def test_all_repositories_in_component_order(cat: httpx.Client) -> None:
    names: list[str] = []
    url: str | None = "/v2/_catalog?n=5"
    for _ in range(10):
        if url is None:
            break
        response = cat.get(url)
        assert response.status_code == 200
        names.extend(response.json()["repositories"])
        link = response.headers.get("link")
        url = LINK_RE.match(link).group("url") if link else None  # type: ignore[union-attr]
    assert names == EXPECTED  # repositories with only blobs or uploads are not listed


def test_default_page_is_bounded_and_linked(cat: httpx.Client) -> None:
    response = cat.get("/v2/_catalog")
    assert response.json() == {"repositories": EXPECTED[:5]}
    found = LINK_RE.match(response.headers["link"])
    assert found
    split = urlsplit(found.group("url"))
    assert split.path == "/v2/_catalog"
    assert parse_qs(split.query) == {"n": ["5"], "last": [EXPECTED[4]]}


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        ("a/b", ["a/b/c", "a/b/c/d"]),
        ("a/b/c/d", ["a/b-c", "a-b"]),
        ("a/a", ["a/b", "a/b/c"]),  # not a repository: still a position in the order
        ("a/b-c", ["a-b", "a.b"]),
        ("z__z/y", []),
        ("0", ["a", "a/b"]),
    ],
)
def test_last_starts_strictly_after(cat: httpx.Client, last: str, expected: list[str]) -> None:
    response = cat.get("/v2/_catalog", params={"n": 2, "last": last})
    assert response.json()["repositories"] == expected


def test_last_page_has_no_link(cat: httpx.Client) -> None:
    response = cat.get("/v2/_catalog", params={"n": 5, "last": EXPECTED[-3]})
    assert response.json()["repositories"] == EXPECTED[-2:]
    assert "link" not in response.headers


def test_page_ending_exactly_at_the_end_has_no_link(cat: httpx.Client) -> None:
    response = cat.get("/v2/_catalog", params={"n": 2, "last": EXPECTED[-3]})
    assert response.json()["repositories"] == EXPECTED[-2:]
    assert "link" not in response.headers


def test_n_zero_is_empty_without_link(cat: httpx.Client) -> None:
    response = cat.get("/v2/_catalog", params={"n": 0})
    assert response.json() == {"repositories": []}
    assert "link" not in response.headers


@pytest.mark.parametrize("n", ["6", "abc", "-1", "²"])
def test_bad_or_excessive_n(cat: httpx.Client, n: str) -> None:
    assert_error(cat.get("/v2/_catalog", params={"n": n}), 400, "PAGINATION_NUMBER_INVALID")


def test_empty_registry_has_an_empty_catalog(make_server) -> None:  # type: ignore[no-untyped-def]
    server = make_server()
    with server.client() as c:
        response = c.get("/v2/_catalog")
        assert response.status_code == 200
        assert response.json() == {"repositories": []}
        assert "link" not in response.headers
