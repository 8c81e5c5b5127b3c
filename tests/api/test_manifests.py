"""``/v2/<name>/manifests/<reference>``: push, pull and delete (end-3, 7, 9) over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import pytest

from support import layout
from support.api import assert_error, push_blob, push_manifest
from support.images import sha256
from support.manifests import (
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
