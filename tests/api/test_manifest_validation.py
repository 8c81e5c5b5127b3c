"""Manifest validation on push (end-7): what is refused, with which code, and what is let in."""

from __future__ import annotations

import json

import httpx
import pytest

from support.api import assert_error, push_manifest
from support.images import sha256
from support.manifests import (
    DOCKER_FOREIGN,
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
    blob,
    encode,
    image_manifest,
    index,
)


def _put(
    client: httpx.Client,
    repo: str,
    body: bytes,
    media_type: str = OCI_MANIFEST,
    reference: str = "t",
) -> httpx.Response:
    return push_manifest(client, repo, reference, body, media_type)


@pytest.mark.parametrize(
    "body", [b"", b"{", b"not json", b"[]", b'"string"', b"null", b"\xff\xfe", b'{"a":1}{']
)
def test_malformed_json_is_manifest_invalid(client: httpx.Client, repo: str, body: bytes) -> None:
    assert_error(_put(client, repo, body), 400, "MANIFEST_INVALID")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"schemaVersion": 3}, "schemaVersion"),
        ({"schemaVersion": "2"}, "schemaVersion"),
        ({"schemaVersion": 2.0}, "schemaVersion"),
        ({"schemaVersion": None}, "schemaVersion"),
        ({"config": None}, "config"),
        ({"config": {"mediaType": "x/y", "size": 2}}, "digest"),
        ({"config": {"mediaType": "x/y", "digest": "sha256:1", "size": 2}}, "digest"),
        ({"config": {"mediaType": "not a type", "digest": sha256(b"{}"), "size": 2}}, "media type"),
        ({"config": {"mediaType": "x/y", "digest": sha256(b"{}"), "size": -1}}, "size"),
        ({"config": {"mediaType": "x/y", "digest": sha256(b"{}"), "size": True}}, "size"),
        ({"layers": {"not": "a list"}}, "layers"),
        ({"layers": [{"mediaType": "x/y", "digest": sha256(b""), "size": 0, "urls": "u"}]}, "urls"),
        ({"manifests": []}, "manifests"),
        ({"annotations": {"k": 1}}, "annotations"),
        ({"artifactType": "no slash"}, "media type"),
        ({"subject": "sha256:abc"}, "subject"),
        ({"mediaType": "application/vnd.example.unknown+json"}, "mediaType"),
    ],
)
def test_structural_errors_are_manifest_invalid(
    client: httpx.Client, repo: str, change: dict, reason: str
) -> None:
    manifest = image_manifest(client, repo, repo)
    doc = {**json.loads(manifest.content), **change}
    entry = assert_error(_put(client, repo, encode(doc)), 400, "MANIFEST_INVALID")
    assert reason.lower() in entry["message"].lower()


def test_index_with_config_is_manifest_invalid(client: httpx.Client, repo: str) -> None:
    child = image_manifest(client, repo, repo)
    child.push(client, repo)
    doc = json.loads(index([child]).content) | {"config": json.loads(child.content)["config"]}
    assert_error(_put(client, repo, encode(doc), OCI_INDEX), 400, "MANIFEST_INVALID")


@pytest.mark.parametrize(
    ("declared", "header"),
    [
        (OCI_MANIFEST, DOCKER_MANIFEST),
        (DOCKER_MANIFEST, OCI_MANIFEST),
        (OCI_INDEX, OCI_MANIFEST),
        (OCI_MANIFEST, OCI_INDEX),
        (OCI_MANIFEST, "text/plain"),
    ],
)
def test_media_type_must_match_content_type(
    client: httpx.Client, repo: str, declared: str, header: str
) -> None:
    manifest = image_manifest(client, repo, repo)
    doc = json.loads(manifest.content) | {"mediaType": declared}
    entry = assert_error(_put(client, repo, encode(doc), header), 400, "MANIFEST_INVALID")
    assert "match" in entry["message"] or "must not" in entry["message"]


def test_docker_manifest_must_declare_its_media_type(client: httpx.Client, repo: str) -> None:
    manifest = image_manifest(client, repo, repo, media_type=DOCKER_MANIFEST)
    doc = json.loads(manifest.content)
    del doc["mediaType"]
    entry = assert_error(_put(client, repo, encode(doc), DOCKER_MANIFEST), 400, "MANIFEST_INVALID")
    assert "mediaType" in entry["message"]


@pytest.mark.parametrize(
    ("media_type", "body"),
    [
        (
            "application/vnd.docker.distribution.manifest.v1+json",
            {"schemaVersion": 1, "name": "x", "tag": "t", "fsLayers": [], "history": []},
        ),
        (
            "application/vnd.docker.distribution.manifest.v1+prettyjws",
            {"schemaVersion": 1, "name": "x", "tag": "t", "fsLayers": [], "signatures": []},
        ),
        ("application/json", {"schemaVersion": 1, "name": "x", "tag": "t", "fsLayers": []}),
        (OCI_MANIFEST, {"schemaVersion": 1, "name": "x", "tag": "t", "fsLayers": []}),
    ],
)
def test_schema1_is_refused_clearly(
    client: httpx.Client, repo: str, media_type: str, body: dict
) -> None:
    entry = assert_error(_put(client, repo, encode(body), media_type), 400, "MANIFEST_INVALID")
    assert "schema 1" in entry["message"]
    assert "not supported" in entry["message"]


def test_missing_config_blob(client: httpx.Client, repo: str) -> None:
    manifest = image_manifest(None, repo, repo)  # nothing pushed
    config = json.loads(manifest.content)["config"]["digest"]
    entry = assert_error(manifest.push(client, repo, "t"), 400, "MANIFEST_BLOB_UNKNOWN")
    assert entry["detail"] == {"digest": config}
    assert_error(client.get(f"/v2/{repo}/manifests/t"), 404, "MANIFEST_UNKNOWN")
    assert_error(client.get(f"/v2/{repo}/manifests/{manifest.digest}"), 404, "MANIFEST_UNKNOWN")


def test_missing_layer_blob(client: httpx.Client, repo: str) -> None:
    manifest = image_manifest(client, repo, repo)
    doc = json.loads(manifest.content)
    missing = blob(repo + "/never").descriptor()
    doc["layers"].append(missing)
    entry = assert_error(_put(client, repo, encode(doc)), 400, "MANIFEST_BLOB_UNKNOWN")
    assert entry["detail"] == {"digest": missing["digest"]}


def test_blob_in_another_repository_does_not_count(client: httpx.Client, repo: str) -> None:
    manifest = image_manifest(client, repo + "/elsewhere", repo)
    assert_error(manifest.push(client, repo, "t"), 400, "MANIFEST_BLOB_UNKNOWN")


@pytest.mark.parametrize("media_type", [OCI_INDEX, DOCKER_LIST])
def test_missing_index_child(client: httpx.Client, repo: str, media_type: str) -> None:
    child_type = DOCKER_MANIFEST if media_type == DOCKER_LIST else OCI_MANIFEST
    present = image_manifest(client, repo, repo + "/present", media_type=child_type)
    present.push(client, repo)
    absent = image_manifest(client, repo, repo + "/absent", media_type=child_type)  # blobs only
    top = index([present, absent], media_type=media_type)
    entry = assert_error(top.push(client, repo, "t"), 400, "MANIFEST_BLOB_UNKNOWN")
    assert entry["detail"] == {"digest": absent.digest}


def test_foreign_layers_with_urls_are_accepted(client: httpx.Client, repo: str) -> None:
    manifest = image_manifest(client, repo, repo, media_type=DOCKER_MANIFEST, layers=1)
    doc = json.loads(manifest.content)
    doc["layers"].insert(
        0,
        blob(repo + "/windows", DOCKER_FOREIGN).descriptor(
            urls=["https://mcr.microsoft.com/v2/windows/blobs/sha256:0"]
        ),
    )
    oci = image_manifest(client, repo, repo + "/oci", layers=0)
    oci_doc = json.loads(oci.content)
    oci_doc["layers"] = [
        blob(
            repo + "/nd", "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
        ).descriptor(urls=["http://example.com/layer"])
    ]
    assert _put(client, repo, encode(doc), DOCKER_MANIFEST).status_code == 201
    assert _put(client, repo, encode(oci_doc), OCI_MANIFEST).status_code == 201


@pytest.mark.parametrize(
    ("layer", "code"),
    [
        ({"mediaType": DOCKER_FOREIGN}, "MANIFEST_INVALID"),  # foreign without urls
        ({"mediaType": DOCKER_FOREIGN, "urls": ["ftp://example.com/x"]}, "MANIFEST_INVALID"),
        ({"mediaType": DOCKER_FOREIGN, "urls": ["https://e.com/x#frag"]}, "MANIFEST_INVALID"),
        # an ordinary layer is not excused by having urls: the registry must hold it
        (
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "urls": ["https://example.com/x"],
            },
            "MANIFEST_BLOB_UNKNOWN",
        ),
    ],
)
def test_layers_the_registry_cannot_vouch_for(
    client: httpx.Client, repo: str, layer: dict, code: str
) -> None:
    manifest = image_manifest(client, repo, repo, media_type=DOCKER_MANIFEST, layers=0)
    doc = json.loads(manifest.content)
    doc["layers"] = [{"digest": sha256(b"remote"), "size": 6, **layer}]
    assert_error(_put(client, repo, encode(doc), DOCKER_MANIFEST), 400, code)


def test_digest_in_url_must_match_body(client: httpx.Client, repo: str) -> None:
    manifest = image_manifest(client, repo, repo)
    wrong = sha256(manifest.content + b" ")
    assert_error(manifest.push(client, repo, wrong), 400, "DIGEST_INVALID")
    assert_error(client.get(f"/v2/{repo}/manifests/{wrong}"), 404, "MANIFEST_UNKNOWN")


@pytest.mark.parametrize("reference", ["sha256:abc", "md5:" + "0" * 32, "sha256:" + "Z" * 64])
def test_malformed_digest_reference(client: httpx.Client, repo: str, reference: str) -> None:
    manifest = image_manifest(client, repo, repo)
    assert_error(manifest.push(client, repo, reference), 400, "DIGEST_INVALID")
    assert_error(client.get(f"/v2/{repo}/manifests/{reference}"), 400, "DIGEST_INVALID")


@pytest.mark.parametrize("tag", ["-leading-dash", ".dot", "a" * 129, "tag+plus", "%2e%2e"])
def test_invalid_tag_reference(client: httpx.Client, repo: str, tag: str) -> None:
    manifest = image_manifest(client, repo, repo)
    assert_error(manifest.push(client, repo, tag), 400, "MANIFEST_INVALID")
    assert_error(client.get(f"/v2/{repo}/manifests/{tag}"), 400, "MANIFEST_INVALID")


def test_longest_tag_is_fine(client: httpx.Client, repo: str) -> None:
    manifest = image_manifest(client, repo, repo)
    tag = "_" + "A9._-" * 25 + "xx"
    assert len(tag) == 128
    assert manifest.push(client, repo, tag).status_code == 201
    assert client.get(f"/v2/{repo}/manifests/{tag}").content == manifest.content


def _padded(client: httpx.Client, repo: str, size: int) -> bytes:
    manifest = image_manifest(client, repo, repo, layers=1)
    doc = json.loads(manifest.content) | {"annotations": {"pad": ""}}
    padding = size - len(encode(doc))
    doc["annotations"]["pad"] = "p" * padding
    body = encode(doc)
    assert len(body) == size
    return body


def test_manifest_of_exactly_4_mib_is_accepted(client: httpx.Client, repo: str) -> None:
    body = _padded(client, repo, 4 << 20)
    assert _put(client, repo, body).status_code == 201
    assert client.get(f"/v2/{repo}/manifests/t").content == body


def test_manifest_over_4_mib_is_413(client: httpx.Client, repo: str) -> None:
    body = _padded(client, repo, (4 << 20) + 1)
    response = _put(client, repo, body)
    assert response.status_code == 413
    assert_error(response, 413, "MANIFEST_INVALID")

    def streamed():  # no Content-Length: the limit is enforced while reading
        yield body[: 1 << 20]
        yield body[1 << 20 :]

    response = client.put(
        f"/v2/{repo}/manifests/t", content=streamed(), headers={"content-type": OCI_MANIFEST}
    )
    assert_error(response, 413, "MANIFEST_INVALID")
    assert_error(client.get(f"/v2/{repo}/manifests/t"), 404, "MANIFEST_UNKNOWN")
    assert client.get("/v2/").status_code == 200
