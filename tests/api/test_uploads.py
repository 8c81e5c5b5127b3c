"""Blob upload sessions (end-4a/4b, 5, 6, 13, cancel) over real HTTP, and the storage they leave."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from support import layout
from support.api import assert_error, start_upload
from support.images import sha256
from support.server import DockyardServer

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


def upload_id(location: str) -> str:
    return urlsplit(location).path.rsplit("/", 1)[1]


def test_post_starts_an_upload(client: httpx.Client, registry: DockyardServer, repo: str) -> None:
    response = client.post(f"/v2/{repo}/blobs/uploads/", headers={"content-length": "0"})
    assert response.status_code == 202
    uuid = response.headers["docker-upload-uuid"]
    assert __import__("re").match(UUID_RE, uuid)
    assert urlsplit(response.headers["location"]).path == f"/v2/{repo}/blobs/uploads/{uuid}"
    assert response.headers["range"] == "0-0"
    assert response.headers["content-length"] == "0"
    started = layout.upload_dir(registry.root, repo, uuid) / "startedat"
    assert __import__("re").match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", started.read_text())


def test_post_without_trailing_slash(client: httpx.Client, repo: str) -> None:
    assert client.post(f"/v2/{repo}/blobs/uploads").status_code == 202


def test_monolithic_post(client: httpx.Client, registry: DockyardServer, repo: str) -> None:
    data = b"monolithic post body"
    digest = sha256(data)
    response = client.post(
        f"/v2/{repo}/blobs/uploads/",
        params={"digest": digest},
        content=data,
        headers={"content-type": "application/octet-stream"},
    )
    assert response.status_code == 201
    assert response.headers["docker-content-digest"] == digest
    assert urlsplit(response.headers["location"]).path == f"/v2/{repo}/blobs/{digest}"
    assert client.get(f"/v2/{repo}/blobs/{digest}").content == data
    assert layout.uploads(registry.root, repo) == []


def test_monolithic_post_with_wrong_digest_stores_nothing(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    wrong = sha256(b"something else")
    response = client.post(f"/v2/{repo}/blobs/uploads/", params={"digest": wrong}, content=b"x")
    assert_error(response, 400, "DIGEST_INVALID")
    assert_error(client.get(f"/v2/{repo}/blobs/{sha256(b'x')}"), 404, "BLOB_UNKNOWN")
    assert layout.uploads(registry.root, repo) == []


def test_monolithic_post_with_malformed_digest(client: httpx.Client, repo: str) -> None:
    response = client.post(f"/v2/{repo}/blobs/uploads/", params={"digest": "sha256:zz"})
    assert_error(response, 400, "DIGEST_INVALID")


def test_post_then_put(client: httpx.Client, registry: DockyardServer, repo: str) -> None:
    data = b"post then put"
    location = start_upload(client, repo)
    response = client.put(location, params={"digest": sha256(data)}, content=data)
    assert response.status_code == 201
    assert response.headers["docker-content-digest"] == sha256(data)
    assert response.headers["content-length"] == "0"
    assert client.get(f"/v2/{repo}/blobs/{sha256(data)}").content == data
    assert not layout.upload_dir(registry.root, repo, upload_id(location)).exists()


def test_chunked_with_content_range(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    chunks = [b"a" * 1000, b"b" * 10, b"c"]
    data = b"".join(chunks)
    location = start_upload(client, repo)
    offset = 0
    for chunk in chunks:
        end = offset + len(chunk) - 1
        response = client.patch(
            location,
            content=chunk,
            headers={
                "content-range": f"{offset}-{end}",
                "content-type": "application/octet-stream",
            },
        )
        assert response.status_code == 202, response.text
        assert response.headers["range"] == f"0-{end}"
        assert response.headers["docker-upload-uuid"] == upload_id(location)
        assert response.headers["content-length"] == "0"
        location = response.headers["location"]
        offset = end + 1
    data_file = layout.upload_dir(registry.root, repo, upload_id(location)) / "data"
    assert data_file.read_bytes() == data  # appended in place, as Distribution does
    response = client.put(location, params={"digest": sha256(data)})
    assert response.status_code == 201
    assert client.get(f"/v2/{repo}/blobs/{sha256(data)}").content == data


def test_chunked_without_content_range(client: httpx.Client, repo: str) -> None:
    location = start_upload(client, repo)
    for chunk in (b"first|", b"second|"):
        response = client.patch(location, content=chunk)
        assert response.status_code == 202
        location = response.headers["location"]
    assert response.headers["range"] == "0-12"

    def stream():  # a chunk with no Content-Length at all (chunked transfer encoding)
        yield b"third"

    response = client.patch(location, content=stream())
    assert response.status_code == 202
    assert response.headers["range"] == "0-17"
    data = b"first|second|third"
    assert client.put(location, params={"digest": sha256(data)}).status_code == 201
    assert client.get(f"/v2/{repo}/blobs/{sha256(data)}").content == data


def test_patch_content_type_is_not_policed(client: httpx.Client, repo: str) -> None:
    location = start_upload(client, repo)
    response = client.patch(location, content=b"abc", headers={"content-type": "text/plain"})
    assert response.status_code == 202
    assert response.headers["range"] == "0-2"


def test_distribution_state_parameter_is_ignored(client: httpx.Client, repo: str) -> None:
    """An upload URL issued by Distribution carries ``_state``; Dockyard keeps state in storage."""
    location = start_upload(client, repo)
    assert "?" not in location
    with_state = location + "?_state=c2lnbmVkLWJ5LWRpc3RyaWJ1dGlvbg%3D%3D"
    assert client.patch(with_state, content=b"abc").status_code == 202
    assert client.get(with_state).headers["range"] == "0-2"
    response = client.put(with_state + "&digest=" + sha256(b"abc"))
    assert response.status_code == 201


def test_put_with_final_chunk(client: httpx.Client, repo: str) -> None:
    location = start_upload(client, repo)
    location = client.patch(location, content=b"head-", headers={"content-range": "0-4"}).headers[
        "location"
    ]
    response = client.put(
        location,
        params={"digest": sha256(b"head-tail")},
        content=b"tail",
        headers={"content-range": "5-8"},
    )
    assert response.status_code == 201
    assert client.get(f"/v2/{repo}/blobs/{sha256(b'head-tail')}").content == b"head-tail"


@pytest.mark.parametrize("content_range", ["0-2", "4-6", "3-2"])
def test_out_of_order_chunk_is_416_with_current_range(
    client: httpx.Client, repo: str, content_range: str
) -> None:
    location = start_upload(client, repo)
    client.patch(location, content=b"abc", headers={"content-range": "0-2"})
    response = client.patch(location, content=b"xyz", headers={"content-range": content_range})
    assert_error(response, 416, "RANGE_INVALID")
    assert response.headers["range"] == "0-2"
    assert response.headers["docker-upload-uuid"] == upload_id(location)
    assert urlsplit(response.headers["location"]).path == urlsplit(location).path
    status = client.get(location)  # the refused chunk left the upload as it was
    assert status.headers["range"] == "0-2"
    assert client.put(location, params={"digest": sha256(b"abc")}).status_code == 201


def test_first_chunk_must_start_at_zero(client: httpx.Client, repo: str) -> None:
    location = start_upload(client, repo)
    response = client.patch(location, content=b"abc", headers={"content-range": "1-3"})
    assert_error(response, 416, "RANGE_INVALID")
    assert response.headers["range"] == "0-0"


def test_final_put_with_wrong_range_is_416(client: httpx.Client, repo: str) -> None:
    location = start_upload(client, repo)
    client.patch(location, content=b"abc")
    response = client.put(
        location,
        params={"digest": sha256(b"abcdef")},
        content=b"def",
        headers={"content-range": "2-4"},
    )
    assert_error(response, 416, "RANGE_INVALID")
    assert response.headers["range"] == "0-2"


@pytest.mark.parametrize("content_range", ["bytes=0-2", "bytes 0-2/3", "0-2/*"])
def test_content_range_spellings_clients_use(
    client: httpx.Client, repo: str, content_range: str
) -> None:
    location = start_upload(client, repo)
    response = client.patch(location, content=b"abc", headers={"content-range": content_range})
    assert response.status_code == 202
    assert response.headers["range"] == "0-2"


@pytest.mark.parametrize("content_range", ["abc", "0-", "-2", "0-2-4", "zero-two"])
def test_malformed_content_range_is_416(
    client: httpx.Client, repo: str, content_range: str
) -> None:
    location = start_upload(client, repo)
    response = client.patch(location, content=b"abc", headers={"content-range": content_range})
    assert_error(response, 416, "RANGE_INVALID")
    assert response.headers["range"] == "0-0"


def test_content_length_disagreeing_with_range_is_size_invalid(
    client: httpx.Client, repo: str
) -> None:
    location = start_upload(client, repo)
    response = client.patch(location, content=b"abcde", headers={"content-range": "0-2"})
    assert_error(response, 400, "SIZE_INVALID")
    assert client.get(location).headers["range"] == "0-0"  # nothing was appended


def test_racing_chunks_for_the_same_offset_land_once(client: httpx.Client, repo: str) -> None:
    """Four chunks claiming offset 0 are all in flight at once: exactly one may land."""
    location = start_upload(client, repo)
    half = b"z" * (1 << 19)
    barrier = threading.Barrier(4, timeout=30)
    statuses: list[int] = []

    def body() -> Iterator[bytes]:
        yield half
        barrier.wait()  # every request has started before any can finish
        yield half

    def send() -> None:
        try:
            with httpx.Client(timeout=30) as c:
                headers = {"content-range": f"0-{2 * len(half) - 1}"}
                statuses.append(c.patch(location, content=body(), headers=headers).status_code)
        except (httpx.HTTPError, threading.BrokenBarrierError):
            statuses.append(-1)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [202, 416, 416, 416]
    assert client.get(location).headers["range"] == f"0-{2 * len(half) - 1}"
    assert client.put(location, params={"digest": sha256(half * 2)}).status_code == 201


def test_status_reports_progress(client: httpx.Client, repo: str) -> None:
    location = start_upload(client, repo)
    response = client.get(location)
    assert response.status_code == 204
    assert response.headers["range"] == "0-0"
    assert response.headers["docker-upload-uuid"] == upload_id(location)
    assert urlsplit(response.headers["location"]).path == urlsplit(location).path
    assert response.content == b""
    client.patch(location, content=b"0123456789")
    assert client.get(location).headers["range"] == "0-9"
    head = client.head(location)
    assert head.status_code == 204
    assert head.headers["range"] == "0-9"


def test_cancel_removes_the_session(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    location = start_upload(client, repo)
    client.patch(location, content=b"to be thrown away")
    uuid = upload_id(location)
    assert layout.upload_dir(registry.root, repo, uuid).is_dir()
    response = client.delete(location)
    assert response.status_code == 204
    assert response.headers["docker-upload-uuid"] == uuid
    assert not layout.upload_dir(registry.root, repo, uuid).exists()
    for request in (client.get, client.delete):
        assert_error(request(location), 404, "BLOB_UPLOAD_UNKNOWN")
    assert_error(client.patch(location, content=b"x"), 404, "BLOB_UPLOAD_UNKNOWN")
    assert_error(
        client.put(location, params={"digest": sha256(b"to be thrown away")}),
        404,
        "BLOB_UPLOAD_UNKNOWN",
    )


def test_completed_upload_is_gone(client: httpx.Client, repo: str) -> None:
    location = start_upload(client, repo)
    assert client.put(location, params={"digest": sha256(b"q")}, content=b"q").status_code == 201
    assert_error(client.get(location), 404, "BLOB_UPLOAD_UNKNOWN")
    assert_error(client.patch(location, content=b"more"), 404, "BLOB_UPLOAD_UNKNOWN")


def test_put_with_wrong_digest_fails_and_ends_the_upload(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    location = start_upload(client, repo)
    client.patch(location, content=b"actual bytes")
    wrong = sha256(b"other bytes")
    entry = assert_error(client.put(location, params={"digest": wrong}), 400, "DIGEST_INVALID")
    assert entry["detail"] == {"digest": wrong}
    for digest in (wrong, sha256(b"actual bytes")):
        assert_error(client.get(f"/v2/{repo}/blobs/{digest}"), 404, "BLOB_UNKNOWN")
        assert not layout.blob_data(registry.root, digest).exists()
    assert layout.uploads(registry.root, repo) == []


@pytest.mark.parametrize("params", [{}, {"digest": ""}, {"digest": "sha256:short"}])
def test_put_without_a_usable_digest_keeps_the_upload(
    client: httpx.Client, repo: str, params: dict[str, str]
) -> None:
    location = start_upload(client, repo)
    client.patch(location, content=b"keep me")
    assert_error(client.put(location, params=params), 400, "DIGEST_INVALID")
    assert client.get(location).headers["range"] == "0-6"  # the client may retry the PUT
    assert client.put(location, params={"digest": sha256(b"keep me")}).status_code == 201


@pytest.mark.parametrize(
    "upload",
    ["not-a-uuid", "%2e%2e", "00000000-0000-0000-0000-00000000000G", "A" * 300],
)
def test_upload_ids_that_are_not_uuids_are_unknown(
    client: httpx.Client, repo: str, upload: str
) -> None:
    path = f"/v2/{repo}/blobs/uploads/{upload}"
    assert_error(client.get(path), 404, "BLOB_UPLOAD_UNKNOWN")
    assert_error(client.patch(path, content=b"x"), 404, "BLOB_UPLOAD_UNKNOWN")
    assert_error(client.put(path, params={"digest": sha256(b"x")}), 404, "BLOB_UPLOAD_UNKNOWN")
    assert_error(client.delete(path), 404, "BLOB_UPLOAD_UNKNOWN")


def test_upload_of_another_repository_is_unknown(client: httpx.Client, repo: str) -> None:
    location = start_upload(client, repo)
    other = urlsplit(location).path.replace(f"/v2/{repo}/", f"/v2/{repo}x/")
    assert_error(client.get(other), 404, "BLOB_UPLOAD_UNKNOWN")
    assert_error(client.patch(other, content=b"x"), 404, "BLOB_UPLOAD_UNKNOWN")


def test_unusable_upload_data_is_blob_upload_invalid(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    """Storage that can no longer hold the upload ends it with BLOB_UPLOAD_INVALID, never 500."""
    location = start_upload(client, repo)
    (layout.upload_dir(registry.root, repo, upload_id(location)) / "data").mkdir()
    assert_error(client.patch(location, content=b"chunk"), 404, "BLOB_UPLOAD_INVALID")
    response = client.put(location, params={"digest": sha256(b"chunk")}, content=b"chunk")
    assert_error(response, 404, "BLOB_UPLOAD_INVALID")
    assert client.delete(location).status_code == 204
