"""Property: any manifest reference or blob digest in a URL is a 404 (valid, unknown) or the
spec's 400 (invalid), never a 500; and what a valid reference addresses is exactly what was
pushed."""

from __future__ import annotations

import hashlib
import re
import uuid
from urllib.parse import quote

import httpx
from hypothesis import example, given
from hypothesis import strategies as st

from support.hypo import against_server
from support.manifests import image_manifest
from support.rawhttp import raw_request
from support.server import DockyardServer

TAG = re.compile(r"[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}")
HEX = {"sha256": re.compile(r"[a-f0-9]{64}"), "sha512": re.compile(r"[a-f0-9]{128}")}

tag_chars = st.sampled_from(list("aZ09._-") + [":", "/", "%", "\x00", "\n", " ", "é", "+"])
tags = st.one_of(
    st.text(tag_chars, min_size=1, max_size=12),
    st.text("aZ09._-", min_size=1, max_size=130),
)
hex_chars = st.sampled_from(list("0123456789abcdef") + ["A", "g", ":", "\n", "%"])
digests = st.one_of(
    st.tuples(
        st.sampled_from(["sha256", "sha512", "sha384", "md5", "SHA256", "sha256+b64", ""]),
        st.text(hex_chars, min_size=0, max_size=130),
    ).map(":".join),
    st.binary(min_size=0, max_size=64).map(lambda b: "sha256:" + hashlib.sha256(b).hexdigest()),
    st.binary(min_size=0, max_size=64).map(lambda b: "sha512:" + hashlib.sha512(b).hexdigest()),
)


def valid_digest(text: str) -> bool:
    algorithm, _, encoded = text.partition(":")
    pattern = HEX.get(algorithm)
    return pattern is not None and pattern.fullmatch(encoded) is not None


def code_of(body: bytes) -> str:
    import json

    return json.loads(body)["errors"][0]["code"]


@given(tag=tags)
@example(tag="..")
@example(tag="a" * 128)
@example(tag="a" * 129)
@example(tag="v1\n")
@against_server(max_examples=100)
def test_any_tag(registry: DockyardServer, tag: str) -> None:
    repo = f"prop/tags/{uuid.uuid4().hex[:8]}"
    path = f"/v2/{repo}/manifests/{quote(tag, safe='')}"
    for method in ("GET", "HEAD", "DELETE"):
        response = raw_request(registry.host, method, path)
        assert response.status < 500, (tag, method)
        assert response.headers["docker-distribution-api-version"] == "registry/2.0"
        if method == "HEAD":
            continue
        if response.body == b"404 page not found\n":
            assert "/" in tag  # an encoded slash changes the path's shape: no such route
            continue
        if ":" in tag:
            expected = "MANIFEST_UNKNOWN" if valid_digest(tag) else "DIGEST_INVALID"
        elif TAG.fullmatch(tag):
            expected = "MANIFEST_UNKNOWN"
        else:
            expected = "MANIFEST_INVALID"
        assert code_of(response.body) == expected, (tag, method)


@given(digest=digests)
@example(digest="sha256:" + "a" * 64 + "\n")
@against_server(max_examples=100)
def test_any_digest(registry: DockyardServer, digest: str) -> None:
    repo = f"prop/digests/{uuid.uuid4().hex[:8]}"
    encoded = quote(digest, safe=":")
    expected = "DIGEST_INVALID"
    for method, path, unknown in (
        ("GET", f"/v2/{repo}/blobs/{encoded}", "BLOB_UNKNOWN"),
        ("DELETE", f"/v2/{repo}/blobs/{encoded}", "BLOB_UNKNOWN"),
        ("GET", f"/v2/{repo}/manifests/{encoded}", "MANIFEST_UNKNOWN"),
        ("POST", f"/v2/{repo}/blobs/uploads/?digest={quote(encoded)}", "DIGEST_INVALID"),
    ):
        response = raw_request(registry.host, method, path, body=b"data")
        assert response.status < 500, (digest, method, path)
        assert response.headers["docker-distribution-api-version"] == "registry/2.0"
        expected = unknown if valid_digest(digest) else "DIGEST_INVALID"
        assert code_of(response.body) == expected, (digest, method, path)
    referrers = raw_request(registry.host, "GET", f"/v2/{repo}/referrers/{encoded}")
    assert referrers.status == (200 if valid_digest(digest) else 400)


@given(data=st.binary(max_size=300), algorithm=st.sampled_from(["sha256", "sha512"]))
@against_server(max_examples=40)
def test_pushed_blobs_come_back_by_their_digest(
    http: httpx.Client, data: bytes, algorithm: str
) -> None:
    repo = f"prop/roundtrip/{uuid.uuid4().hex[:8]}"
    digest = f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"
    response = http.post(f"/v2/{repo}/blobs/uploads/", params={"digest": digest}, content=data)
    assert response.status_code == 201
    got = http.get(f"/v2/{repo}/blobs/{digest}")
    assert got.content == data
    assert got.headers["docker-content-digest"] == digest


@given(tag=st.text("aZ09._-", min_size=1, max_size=128).filter(TAG.fullmatch))
@against_server(max_examples=25)
def test_valid_tags_round_trip(http: httpx.Client, tag: str) -> None:
    repo = f"prop/tagged/{uuid.uuid4().hex[:8]}"
    manifest = image_manifest(http, repo, "tagged", layers=1)
    assert manifest.push(http, repo, tag).status_code == 201
    assert http.get(f"/v2/{repo}/manifests/{tag}").content == manifest.content
    assert http.get(f"/v2/{repo}/tags/list").json()["tags"] == [tag]
