"""Property: chunked uploads under arbitrary ``Content-Range`` headers.

A model decides, independently of the server, which chunks a correct registry accepts (202),
refuses as out of range (416) or as mis-sized (400 SIZE_INVALID). The server must agree on every
chunk, report the model's offset, and in the end commit exactly the accepted bytes — or, with
a wrong digest, expose nothing at all.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass

import httpx
from hypothesis import given
from hypothesis import strategies as st

from support.hypo import against_server

RANGE = re.compile(r"(?:bytes[ =])?([0-9]+)-([0-9]+)(?:/(?:[0-9]+|\*))?")


@dataclass
class Chunk:
    data: bytes
    header: str | None  # None: no Content-Range at all
    correct: bool  # build a correct header from the offset at send time


printable = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20)
structured = st.builds(
    lambda prefix, start, end, total: f"{prefix}{start}-{end}{total}",
    st.sampled_from(["", "bytes=", "bytes ", "Bytes=", "items="]),
    st.integers(0, 40),
    st.integers(0, 40),
    st.sampled_from(["", "/*", "/99", "/", "/x"]),
)
chunks = st.builds(
    Chunk,
    st.binary(min_size=0, max_size=16),
    st.one_of(st.none(), printable, structured),
    st.booleans(),
)


def expected_status(header: str | None, offset: int, length: int) -> int:
    if header is None:
        return 202
    found = RANGE.fullmatch(header)
    if not found:
        return 416
    start, end = int(found.group(1)), int(found.group(2))
    if start != offset or end < start:
        return 416
    if end - start + 1 != length:
        return 400
    return 202


@given(plan=st.lists(chunks, min_size=1, max_size=8), wrong_digest=st.booleans())
@against_server(max_examples=50)
def test_chunks_follow_the_model(http: httpx.Client, plan: list[Chunk], wrong_digest: bool) -> None:
    repo = f"prop/ranges/{uuid.uuid4().hex[:8]}"
    location = http.post(f"/v2/{repo}/blobs/uploads/").headers["location"]
    accepted = b""
    for chunk in plan:
        header = chunk.header
        if chunk.correct and chunk.data:
            header = f"{len(accepted)}-{len(accepted) + len(chunk.data) - 1}"
        headers = {} if header is None else {"content-range": header}
        response = http.patch(location, content=chunk.data, headers=headers)
        assert response.status_code < 500
        assert response.headers["docker-distribution-api-version"] == "registry/2.0"
        want = expected_status(header, len(accepted), len(chunk.data))
        assert response.status_code == want, (header, len(accepted), response.text)
        if want == 202:
            accepted += chunk.data
            location = response.headers["location"]
        if want == 416:
            assert response.headers["range"] == f"0-{max(len(accepted) - 1, 0)}"
        status = http.get(location)
        assert status.headers["range"] == f"0-{max(len(accepted) - 1, 0)}"

    digest = "sha256:" + hashlib.sha256(accepted + (b"!" if wrong_digest else b"")).hexdigest()
    response = http.put(location, params={"digest": digest})
    real = "sha256:" + hashlib.sha256(accepted).hexdigest()
    if wrong_digest:
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "DIGEST_INVALID"
        for candidate in (digest, real):
            if http.head(f"/v2/{repo}/blobs/{candidate}").status_code != 404:
                raise AssertionError(f"{candidate} became visible after a failed upload")
    else:
        assert response.status_code == 201, response.text
        assert http.get(f"/v2/{repo}/blobs/{digest}").content == accepted
    assert http.get(location).status_code == 404  # the session is over either way
