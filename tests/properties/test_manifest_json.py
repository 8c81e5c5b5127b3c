"""Property: whatever JSON (or not-JSON) is pushed as a manifest, the registry answers 201 and
serves the exact bytes, or refuses with a 4xx spec code and stores nothing — never a 500."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from support.hypo import against_server
from support.manifests import DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, image_manifest

REPO = "prop/manifests"
REFUSALS = {"MANIFEST_INVALID", "MANIFEST_BLOB_UNKNOWN", "DIGEST_INVALID"}
CONTENT_TYPES = [
    OCI_MANIFEST,
    OCI_INDEX,
    DOCKER_MANIFEST,
    DOCKER_LIST,
    "application/json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "text/plain",
    "",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(CONTENT_TYPES + ["sha256:" + "0" * 64, "sha512:" + "0" * 128, 2, 1]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
FIELDS = [
    "schemaVersion",
    "mediaType",
    "config",
    "layers",
    "manifests",
    "subject",
    "artifactType",
    "annotations",
    "digest",
    "size",
    "urls",
    "mediaType",
]


@pytest.fixture(scope="module")
def valid(http: httpx.Client) -> dict[str, Any]:
    """A valid manifest whose blobs exist in REPO, to mutate one path at a time."""
    return json.loads(image_manifest(http, REPO, "prop-json", layers=2).content)


def _mutate(doc: Any, path: list[str | int], value: Any) -> Any:
    """Replace (or add) the value at ``path`` inside a copy of ``doc``."""
    if not path or not isinstance(doc, dict | list):
        return value
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    key = path[0]
    if isinstance(copy, list):
        if not copy:
            return copy
        index = int(key) % len(copy) if isinstance(key, int) else 0
        copy[index] = _mutate(copy[index], path[1:], value)
    else:
        name = str(key)
        copy[name] = _mutate(copy.get(name), path[1:], value)
    return copy


def _push_and_check(http: httpx.Client, body: bytes, content_type: str, by_digest: bool) -> None:
    """Push ``body``: accepted means served byte for byte; refused means nothing changed."""
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    reference = digest if by_digest else "t"
    before = http.get(f"/v2/{REPO}/manifests/{digest}").status_code
    headers = {"content-type": content_type} if content_type else {}
    response = http.put(f"/v2/{REPO}/manifests/{reference}", content=body, headers=headers)
    assert response.status_code < 500, response.text
    assert response.headers["docker-distribution-api-version"] == "registry/2.0"
    if response.status_code == 201:
        assert response.headers["docker-content-digest"] == digest
        got = http.get(f"/v2/{REPO}/manifests/{digest}")
        assert got.content == body
        return
    assert response.status_code in (400, 413), response.text
    assert response.json()["errors"][0]["code"] in REFUSALS
    assert http.get(f"/v2/{REPO}/manifests/{digest}").status_code == before


@given(value=json_values, content_type=st.sampled_from(CONTENT_TYPES))
@against_server(max_examples=60)
def test_random_json(http: httpx.Client, value: Any, content_type: str) -> None:
    body = json.dumps(value).encode()
    _push_and_check(http, body, content_type, by_digest=False)


@given(
    path=st.lists(st.one_of(st.sampled_from(FIELDS), st.integers(0, 3)), min_size=1, max_size=3),
    value=json_values,
    content_type=st.sampled_from(CONTENT_TYPES[:5]),
    indent=st.sampled_from([None, 0, 2]),
)
@against_server(max_examples=80)
def test_mutated_manifests(
    http: httpx.Client,
    valid: dict[str, Any],
    path: list,
    value: Any,
    content_type: str,
    indent: int | None,
) -> None:
    doc = _mutate(valid, path, value)
    body = json.dumps(doc, indent=indent).encode()
    _push_and_check(http, body, content_type, by_digest=True)


@given(body=st.binary(max_size=200))
@against_server(max_examples=40)
def test_random_bytes(http: httpx.Client, body: bytes) -> None:
    _push_and_check(http, body, OCI_MANIFEST, by_digest=True)
