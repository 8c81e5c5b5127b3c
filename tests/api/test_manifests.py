"""``/v2/<name>/manifests/<reference>``: push, pull and delete (end-3, 7, 9) over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import pytest

from support import layout
from support.api import assert_error, push_blob, push_manifest
from support.images import sha256
from support.manifests import (
    DOCKER_FOREIGN,
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
    Pushable,
    artifact,
    blob,
    encode,
    image_manifest,
    index,
    push_blobs,
)
from support.server import DockyardServer

Builder = Callable[[httpx.Client, str], Pushable]


def _docker(c: httpx.Client, repo: str) -> Pushable:
    return image_manifest(c, repo, repo + "/docker", media_type=DOCKER_MANIFEST)


def _docker_list(c: httpx.Client, repo: str) -> Pushable:
    children = [image_manifest(c, repo, f"{repo}/d{i}", media_type=DOCKER_MANIFEST) for i in (1, 2)]
    for child in children:
        assert child.push(c, repo).status_code == 201
    return index(children, media_type=DOCKER_LIST)


def _oci(c: httpx.Client, repo: str) -> Pushable:
    return image_manifest(c, repo, repo + "/oci", annotations={"org.example": "ünïcode ✓"})


def _oci_index(c: httpx.Client, repo: str) -> Pushable:
    children = [image_manifest(c, repo, f"{repo}/o{i}") for i in (1, 2, 3)]
    for child in children:
        assert child.push(c, repo).status_code == 201
    return index(children, annotations={"org.opencontainers.image.ref.name": "x"})


def _artifact(c: httpx.Client, repo: str) -> Pushable:
    return artifact(c, repo, repo + "/artifact", "application/vnd.example.sbom.v1")


def _custom_config(c: httpx.Client, repo: str) -> Pushable:
    return image_manifest(
        c, repo, repo + "/helm", config_type="application/vnd.cncf.helm.config.v1+json", layers=1
    )


KINDS: dict[str, Builder] = {
    "docker-schema2": _docker,
    "docker-manifest-list": _docker_list,
    "oci-manifest": _oci,
    "oci-index": _oci_index,
    "oci-artifact": _artifact,
    "oci-custom-config": _custom_config,
}


def assert_served(response: httpx.Response, manifest: Pushable) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == manifest.media_type
    assert response.headers["docker-content-digest"] == manifest.digest
    assert response.headers["etag"] == f'"{manifest.digest}"'
    assert response.headers["content-length"] == str(len(manifest.content))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_push_and_pull_by_tag_and_digest(
    client: httpx.Client, registry: DockyardServer, repo: str, kind: str
) -> None:
    manifest = KINDS[kind](client, repo)
    response = manifest.push(client, repo, "v1")
    assert response.status_code == 201, response.text
    assert response.headers["docker-content-digest"] == manifest.digest
    assert urlsplit(response.headers["location"]).path == f"/v2/{repo}/manifests/{manifest.digest}"
    assert response.content == b""

    for reference in ("v1", manifest.digest):
        got = client.get(f"/v2/{repo}/manifests/{reference}")
        assert_served(got, manifest)
        assert got.content == manifest.content  # the exact bytes pushed
        head = client.head(f"/v2/{repo}/manifests/{reference}")
        assert_served(head, manifest)
        assert head.content == b""

    # Distribution's layout: the bytes as a blob, a revision link, the tag's current and index.
    root = registry.root
    assert layout.blob_data(root, manifest.digest).read_bytes() == manifest.content
    digest = manifest.digest.encode()
    assert layout.revision_link(root, repo, manifest.digest).read_bytes() == digest
    assert layout.tag_current_link(root, repo, "v1").read_bytes() == digest
    assert layout.tag_index_link(root, repo, "v1", manifest.digest).read_bytes() == digest
    assert not layout.layer_link(root, repo, manifest.digest).exists()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_push_by_digest(
    client: httpx.Client, registry: DockyardServer, repo: str, kind: str
) -> None:
    manifest = KINDS[kind](client, repo)
    response = manifest.push(client, repo, manifest.digest)
    assert response.status_code == 201, response.text
    assert response.headers["docker-content-digest"] == manifest.digest
    assert client.get(f"/v2/{repo}/manifests/{manifest.digest}").content == manifest.content
    assert not (layout.repository(registry.root, repo) / "_manifests" / "tags").exists()


def test_oci_manifest_without_media_type_field(client: httpx.Client, repo: str) -> None:
    """mediaType is optional in OCI documents; the stored bytes still pull with the right type."""
    config, layer = blob(repo + "/c", "application/vnd.oci.image.config.v1+json"), blob(repo + "/l")
    push_blobs(client, repo, config, layer)
    doc = {"schemaVersion": 2, "config": config.descriptor(), "layers": [layer.descriptor()]}
    manifest = Pushable(encode(doc), OCI_MANIFEST)
    assert manifest.push(client, repo, "plain").status_code == 201
    assert_served(client.get(f"/v2/{repo}/manifests/plain"), manifest)
    top = Pushable(
        encode(
            {
                "schemaVersion": 2,
                "manifests": [
                    {
                        "mediaType": OCI_MANIFEST,
                        "digest": manifest.digest,
                        "size": len(manifest.content),
                    }
                ],
            }
        ),
        OCI_INDEX,
    )
    assert top.push(client, repo, "plain-index").status_code == 201
    assert_served(client.get(f"/v2/{repo}/manifests/plain-index"), top)


def test_content_type_parameters_are_ignored(client: httpx.Client, repo: str) -> None:
    manifest = image_manifest(client, repo, repo)
    response = push_manifest(client, repo, "p", manifest.content, OCI_MANIFEST + "; charset=utf-8")
    assert response.status_code == 201
    assert client.get(f"/v2/{repo}/manifests/p").headers["content-type"] == OCI_MANIFEST


def test_artifact_without_pushing_the_empty_config(client: httpx.Client, repo: str) -> None:
    """The empty descriptor's two bytes are well known: the registry supplies them."""
    manifest = artifact(client, repo, repo, push_empty=False)
    assert manifest.push(client, repo, "sbom").status_code == 201
    empty = client.get(f"/v2/{repo}/blobs/{sha256(b'{}')}")
    assert empty.status_code == 200
    assert empty.content == b"{}"


def test_retag_keeps_history(client: httpx.Client, registry: DockyardServer, repo: str) -> None:
    first = image_manifest(client, repo, repo + "/1")
    second = image_manifest(client, repo, repo + "/2")
    first.push(client, repo, "latest")
    second.push(client, repo, "latest")
    assert client.get(f"/v2/{repo}/manifests/latest").content == second.content
    root = registry.root
    assert layout.tag_current_link(root, repo, "latest").read_bytes() == second.digest.encode()
    for manifest in (first, second):
        link = layout.tag_index_link(root, repo, "latest", manifest.digest)
        assert link.read_bytes() == manifest.digest.encode()


def test_push_with_several_tag_parameters(client: httpx.Client, repo: str) -> None:
    manifest = image_manifest(client, repo, repo)
    response = client.put(
        f"/v2/{repo}/manifests/{manifest.digest}",
        params=[("tag", "a"), ("tag", "b")],
        content=manifest.content,
        headers={"content-type": OCI_MANIFEST},
    )
    assert response.status_code == 201
    for tag in ("a", "b"):
        assert client.get(f"/v2/{repo}/manifests/{tag}").content == manifest.content


def test_if_none_match_gives_304(client: httpx.Client, repo: str) -> None:
    manifest = image_manifest(client, repo, repo)
    manifest.push(client, repo, "v1")
    for etag in (f'"{manifest.digest}"', manifest.digest):
        response = client.get(f"/v2/{repo}/manifests/v1", headers={"if-none-match": etag})
        assert response.status_code == 304
        assert response.content == b""
    other = client.get(f"/v2/{repo}/manifests/v1", headers={"if-none-match": '"sha256:0"'})
    assert other.status_code == 200


def test_unknown_manifest(client: httpx.Client, repo: str) -> None:
    digest = sha256(b"no such manifest")
    for reference in ("missing", digest):
        assert_error(client.get(f"/v2/{repo}/manifests/{reference}"), 404, "MANIFEST_UNKNOWN")
        head = client.head(f"/v2/{repo}/manifests/{reference}")
        assert head.status_code == 404
        assert head.content == b""


def test_a_blob_is_not_a_manifest(client: httpx.Client, repo: str) -> None:
    digest = push_blob(client, repo, b'{"schemaVersion": 2}')
    assert_error(client.get(f"/v2/{repo}/manifests/{digest}"), 404, "MANIFEST_UNKNOWN")


# -- validation --------------------------------------------------------------------------------


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


def test_sha512_digest_reference(client: httpx.Client, repo: str) -> None:
    import hashlib

    manifest = image_manifest(client, repo, repo)
    digest = "sha512:" + hashlib.sha512(manifest.content).hexdigest()
    response = manifest.push(client, repo, digest)
    assert response.status_code == 201
    assert response.headers["docker-content-digest"] == digest
    got = client.get(f"/v2/{repo}/manifests/{digest}")
    assert got.content == manifest.content
    assert got.headers["docker-content-digest"] == digest


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


# -- delete ------------------------------------------------------------------------------------


def test_delete_tag_removes_only_the_tag(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    manifest = image_manifest(client, repo, repo)
    manifest.push(client, repo, "gone")
    manifest.push(client, repo, "kept")
    response = client.delete(f"/v2/{repo}/manifests/gone")
    assert response.status_code == 202
    assert_error(client.get(f"/v2/{repo}/manifests/gone"), 404, "MANIFEST_UNKNOWN")
    assert client.get(f"/v2/{repo}/manifests/kept").content == manifest.content
    assert client.get(f"/v2/{repo}/manifests/{manifest.digest}").content == manifest.content
    assert not layout.tag_dir(registry.root, repo, "gone").exists()
    assert layout.revision_link(registry.root, repo, manifest.digest).exists()
    assert_error(client.delete(f"/v2/{repo}/manifests/gone"), 404, "MANIFEST_UNKNOWN")


def test_delete_digest_removes_revision_and_its_tags(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    doomed = image_manifest(client, repo, repo + "/doomed")
    other = image_manifest(client, repo, repo + "/other")
    for tag in ("a", "b"):
        doomed.push(client, repo, tag)
    other.push(client, repo, "c")
    response = client.delete(f"/v2/{repo}/manifests/{doomed.digest}")
    assert response.status_code == 202
    assert response.headers["content-length"] == "0"
    for reference in ("a", "b", doomed.digest):
        assert_error(client.get(f"/v2/{repo}/manifests/{reference}"), 404, "MANIFEST_UNKNOWN")
    assert client.get(f"/v2/{repo}/manifests/c").content == other.content
    assert client.get(f"/v2/{repo}/tags/list").json()["tags"] == ["c"]
    root = registry.root
    assert not layout.revision_link(root, repo, doomed.digest).exists()
    assert not layout.tag_dir(root, repo, "a").exists()
    assert layout.blob_data(root, doomed.digest).read_bytes() == doomed.content  # until GC
    assert_error(client.delete(f"/v2/{repo}/manifests/{doomed.digest}"), 404, "MANIFEST_UNKNOWN")
    # and it can come back
    assert doomed.push(client, repo, "a").status_code == 201
    assert client.get(f"/v2/{repo}/manifests/a").content == doomed.content


def test_delete_digest_leaves_other_tags_history(
    client: httpx.Client, registry: DockyardServer, repo: str
) -> None:
    """A tag that moved on keeps its index entry for the deleted digest, as in Distribution."""
    old = image_manifest(client, repo, repo + "/old")
    new = image_manifest(client, repo, repo + "/new")
    old.push(client, repo, "latest")
    new.push(client, repo, "latest")
    assert client.delete(f"/v2/{repo}/manifests/{old.digest}").status_code == 202
    assert client.get(f"/v2/{repo}/manifests/latest").content == new.content
    assert layout.tag_index_link(registry.root, repo, "latest", old.digest).exists()


def test_delete_unknown(client: httpx.Client, repo: str) -> None:
    assert_error(client.delete(f"/v2/{repo}/manifests/nope"), 404, "MANIFEST_UNKNOWN")
    digest = sha256(b"nope")
    assert_error(client.delete(f"/v2/{repo}/manifests/{digest}"), 404, "MANIFEST_UNKNOWN")


# -- content negotiation (docs/api-differences.md) ------------------------------------------


def test_stored_manifest_is_served_whatever_accept_says(client: httpx.Client, repo: str) -> None:
    """Distribution 404s an OCI manifest the client did not list in Accept and rewrites manifest
    lists for old clients; Dockyard always serves the bytes stored under the reference."""
    oci = image_manifest(client, repo, repo + "/oci")
    oci.push(client, repo, "oci")
    children = [
        image_manifest(client, repo, f"{repo}/d{i}", media_type=DOCKER_MANIFEST) for i in (1, 2)
    ]
    for child in children:
        child.push(client, repo)
    docker_list = index(children, media_type=DOCKER_LIST)
    docker_list.push(client, repo, "list")
    only_schema2 = {"accept": DOCKER_MANIFEST}
    for tag, manifest in (("oci", oci), ("list", docker_list)):
        response = client.get(f"/v2/{repo}/manifests/{tag}", headers=only_schema2)
        assert_served(response, manifest)
        assert response.content == manifest.content


def test_push_without_content_type_uses_the_media_type_field(
    client: httpx.Client, repo: str
) -> None:
    manifest = image_manifest(client, repo, repo)
    response = client.put(f"/v2/{repo}/manifests/bare", content=manifest.content)
    assert response.status_code == 201, response.text
    assert_served(client.get(f"/v2/{repo}/manifests/bare"), manifest)
    response = push_manifest(client, repo, "json", manifest.content, "application/json")
    assert response.status_code == 201
