"""``GET``/``HEAD``/``DELETE /v2/<name>/blobs/<digest>`` (end-2, end-10) over real HTTP."""

from __future__ import annotations

import hashlib
import os

import httpx
import pytest

from support import layout
from support.api import assert_error, push_blob
from support.images import sha256
from support.server import DockyardServer

DATA = bytes(range(256)) * 40  # 10240 bytes


@pytest.fixture
def pushed(client: httpx.Client, repo: str) -> str:
    return push_blob(client, repo, DATA)


def test_get_blob_headers_and_body(client: httpx.Client, repo: str, pushed: str) -> None:
    response = client.get(f"/v2/{repo}/blobs/{pushed}")
    assert response.status_code == 200
    assert response.content == DATA
    assert response.headers["content-length"] == str(len(DATA))
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["docker-content-digest"] == pushed
    assert response.headers["etag"] == f'"{pushed}"'
    assert response.headers["accept-ranges"] == "bytes"


def test_head_blob_has_headers_and_no_body(client: httpx.Client, repo: str, pushed: str) -> None:
    response = client.head(f"/v2/{repo}/blobs/{pushed}")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(DATA))
    assert response.headers["docker-content-digest"] == pushed
    assert response.headers["etag"] == f'"{pushed}"'
    assert response.headers["accept-ranges"] == "bytes"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=2-5", 2, 5),
        ("bytes=10000-", 10000, len(DATA) - 1),
        ("bytes=-3", len(DATA) - 3, len(DATA) - 1),
        ("bytes=-99999", 0, len(DATA) - 1),
        ("bytes=10200-99999", 10200, len(DATA) - 1),
        ("bytes= 7 - 9", 7, 9),
    ],
)
def test_single_range_is_partial_content(
    client: httpx.Client, repo: str, pushed: str, header: str, start: int, end: int
) -> None:
    response = client.get(f"/v2/{repo}/blobs/{pushed}", headers={"range": header})
    assert response.status_code == 206
    assert response.content == DATA[start : end + 1]
    assert response.headers["content-range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert response.headers["content-length"] == str(end - start + 1)
    assert response.headers["docker-content-digest"] == pushed


def test_head_with_range_describes_the_part(client: httpx.Client, repo: str, pushed: str) -> None:
    response = client.head(f"/v2/{repo}/blobs/{pushed}", headers={"range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.content == b""
    assert response.headers["content-range"] == f"bytes 100-199/{len(DATA)}"
    assert response.headers["content-length"] == "100"


@pytest.mark.parametrize("header", [f"bytes={len(DATA)}-", "bytes=99999-100000", "bytes=-0"])
def test_unsatisfiable_range_is_416(
    client: httpx.Client, repo: str, pushed: str, header: str
) -> None:
    response = client.get(f"/v2/{repo}/blobs/{pushed}", headers={"range": header})
    assert_error(response, 416, "RANGE_INVALID")
    assert response.headers["content-range"] == f"bytes */{len(DATA)}"


@pytest.mark.parametrize("header", ["bytes=0-", "bytes=-1", "bytes=0-0"])
def test_any_range_of_an_empty_blob_is_unsatisfiable(
    client: httpx.Client, repo: str, header: str
) -> None:
    digest = push_blob(client, repo, b"")
    response = client.get(f"/v2/{repo}/blobs/{digest}", headers={"range": header})
    assert_error(response, 416, "RANGE_INVALID")
    assert response.headers["content-range"] == "bytes */0"


@pytest.mark.parametrize("header", ["bytes=0-1,4-5", "items=0-5", "bytes=5-2x", "bytes=-", "0-5"])
def test_ignored_ranges_serve_the_whole_blob(
    client: httpx.Client, repo: str, pushed: str, header: str
) -> None:
    response = client.get(f"/v2/{repo}/blobs/{pushed}", headers={"range": header})
    assert response.status_code == 200
    assert response.content == DATA


@pytest.mark.parametrize("form", ['"{d}"', "{d}", '"sha256:0", "{d}"', "*", 'W/"{d}"'])
def test_if_none_match_gives_304(client: httpx.Client, repo: str, pushed: str, form: str) -> None:
    response = client.get(
        f"/v2/{repo}/blobs/{pushed}", headers={"if-none-match": form.format(d=pushed)}
    )
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == f'"{pushed}"'


def test_if_none_match_other_etag_serves_the_blob(
    client: httpx.Client, repo: str, pushed: str
) -> None:
    other = '"sha256:' + "0" * 64 + '"'
    response = client.get(f"/v2/{repo}/blobs/{pushed}", headers={"if-none-match": other})
    assert response.status_code == 200
    assert response.content == DATA


def test_empty_blob_round_trip(client: httpx.Client, repo: str) -> None:
    digest = push_blob(client, repo, b"")
    response = client.get(f"/v2/{repo}/blobs/{digest}")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == "0"


def test_large_blob_streams_whole_and_in_part(client: httpx.Client, repo: str) -> None:
    data = os.urandom(3 << 20)
    digest = push_blob(client, repo, data)
    whole = client.get(f"/v2/{repo}/blobs/{digest}")
    assert hashlib.sha256(whole.content).hexdigest() == digest.split(":")[1]
    start, end = (1 << 20) + 17, (2 << 20) + 5
    part = client.get(f"/v2/{repo}/blobs/{digest}", headers={"range": f"bytes={start}-{end}"})
    assert part.status_code == 206
    assert part.content == data[start : end + 1]


def test_unknown_blob_is_blob_unknown(client: httpx.Client, repo: str) -> None:
    digest = sha256(b"never pushed")
    entry = assert_error(client.get(f"/v2/{repo}/blobs/{digest}"), 404, "BLOB_UNKNOWN")
    assert entry["detail"] == {"digest": digest}
    head = client.head(f"/v2/{repo}/blobs/{digest}")
    assert head.status_code == 404
    assert head.content == b""


def test_blob_of_another_repository_is_not_visible(
    client: httpx.Client, repo: str, pushed: str
) -> None:
    assert_error(client.get(f"/v2/{repo}-other/blobs/{pushed}"), 404, "BLOB_UNKNOWN")


@pytest.mark.parametrize(
    "digest",
    [
        "sha256:" + "a" * 63,
        "sha256:" + "A" * 64,
        "sha256:" + "g" * 64,
        "md5:" + "a" * 32,
        "sha384:" + "a" * 96,
        "sha512:" + "a" * 64,
        "sha256",
        "notadigest",
    ],
)
def test_malformed_digest_is_digest_invalid(client: httpx.Client, repo: str, digest: str) -> None:
    assert_error(client.get(f"/v2/{repo}/blobs/{digest}"), 400, "DIGEST_INVALID")
    assert_error(client.delete(f"/v2/{repo}/blobs/{digest}"), 400, "DIGEST_INVALID")


def test_delete_unlinks_but_keeps_the_data(
    client: httpx.Client, registry: DockyardServer, repo: str, pushed: str
) -> None:
    other = f"{repo}/other"
    push_blob(client, other, DATA)
    link = layout.layer_link(registry.root, repo, pushed)
    assert link.read_bytes() == pushed.encode()

    response = client.delete(f"/v2/{repo}/blobs/{pushed}")
    assert response.status_code == 202
    assert response.headers["content-length"] == "0"

    assert not link.exists()
    assert layout.blob_data(registry.root, pushed).read_bytes() == DATA  # soft delete
    assert_error(client.get(f"/v2/{repo}/blobs/{pushed}"), 404, "BLOB_UNKNOWN")
    assert client.get(f"/v2/{other}/blobs/{pushed}").content == DATA
    assert_error(client.delete(f"/v2/{repo}/blobs/{pushed}"), 404, "BLOB_UNKNOWN")


def test_deleted_blob_can_be_pushed_again(client: httpx.Client, repo: str, pushed: str) -> None:
    assert client.delete(f"/v2/{repo}/blobs/{pushed}").status_code == 202
    assert push_blob(client, repo, DATA) == pushed
    assert client.get(f"/v2/{repo}/blobs/{pushed}").content == DATA
