"""skopeo against Dockyard: images and indexes in OCI and Docker formats, in and back out.

Digests must survive the round trip exactly: what skopeo pushes is what the registry stores and
serves, byte for byte, and what comes back out is identical to what went in. The Docker (v2s2)
inputs are produced by skopeo itself from OCI layouts (``--format v2s2`` into a ``dir:`` copy),
so they are what a real Docker-format push looks like.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import httpx
import pytest

from support import skopeo
from support.api import push_manifest
from support.images import OCI_INDEX, OCI_MANIFEST, sha256, write_layout
from support.payload import bulky_image
from support.programs import ClientError
from support.server import DockyardServer

pytestmark = pytest.mark.clients

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
ACCEPT = ", ".join([OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST])


class Inputs:
    """Images to push, built on first use with content no other test shares.

    Unique content matters: skopeo remembers where it saw each blob and mounts it from there
    instead of uploading, which would turn an upload test into a mount test.
    """

    def __init__(self, base: Path, seed: str) -> None:
        self.base = base
        self.seed = seed

    @cached_property
    def oci_image(self) -> Path:
        # Three layers, one large enough to take several reads and writes on either side.
        write_layout(self.base / "oci-image", [bulky_image(self.seed, (3 << 20, 4096, 512))])
        return self.base / "oci-image"

    @cached_property
    def oci_index(self) -> Path:
        platforms = [bulky_image(self.seed, (8192, 1024), arch) for arch in ("amd64", "arm64")]
        write_layout(self.base / "oci-index", platforms, index=True)
        return self.base / "oci-index"

    @cached_property
    def docker_image(self) -> Path:
        dest = self.base / "docker-image"
        skopeo.copy(f"oci:{self.oci_image}:latest", f"dir:{dest}", "--format", "v2s2")
        return dest

    @cached_property
    def docker_list(self) -> Path:
        dest = self.base / "docker-list"
        skopeo.copy(
            f"oci:{self.oci_index}:latest", f"dir:{dest}", "--format", "v2s2", all_images=True
        )
        return dest


@pytest.fixture
def inputs(tmp_path: Path, repo: str) -> Inputs:
    return Inputs(tmp_path / "inputs", repo)


def _manifest(client: httpx.Client, repo: str, reference: str) -> httpx.Response:
    response = client.get(f"/v2/{repo}/manifests/{reference}", headers={"accept": ACCEPT})
    assert response.status_code == 200, response.text
    return response


def _dir_files(path: Path) -> dict[str, bytes]:
    """Everything in a skopeo ``dir:`` copy except its format marker."""
    return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.name != "version"}


@pytest.mark.parametrize("kind", ["image", "index"])
def test_oci_round_trip_keeps_digests(
    kind: str,
    inputs: Inputs,
    registry: DockyardServer,
    client: httpx.Client,
    repo: str,
    tmp_path: Path,
) -> None:
    layout = inputs.oci_image if kind == "image" else inputs.oci_index
    digest = skopeo.layout_digest(layout)
    pushed = skopeo.blob_files(layout)
    dest = skopeo.docker_ref(registry.host, repo, "v1")

    skopeo.copy(f"oci:{layout}:latest", dest, all_images=kind == "index")

    response = _manifest(client, repo, "v1")
    assert response.headers["docker-content-digest"] == digest
    assert response.headers["content-type"] == (OCI_MANIFEST if kind == "image" else OCI_INDEX)
    assert response.content == pushed[f"sha256/{digest.split(':')[1]}"]
    assert skopeo.inspect_raw(dest) == response.content

    out = tmp_path / "out"
    skopeo.copy(dest, f"oci:{out}:v1", all_images=kind == "index")
    assert skopeo.layout_digest(out, "v1") == digest
    assert skopeo.blob_files(out) == pushed


@pytest.mark.parametrize("kind", ["image", "list"])
def test_docker_round_trip_keeps_digests(
    kind: str,
    inputs: Inputs,
    registry: DockyardServer,
    client: httpx.Client,
    repo: str,
    tmp_path: Path,
) -> None:
    source = inputs.docker_image if kind == "image" else inputs.docker_list
    pushed = _dir_files(source)
    top = pushed["manifest.json"]
    dest = skopeo.docker_ref(registry.host, repo, "v1")

    skopeo.copy(f"dir:{source}", dest, all_images=kind == "list")

    response = _manifest(client, repo, "v1")
    assert response.content == top
    assert response.headers["docker-content-digest"] == sha256(top)
    assert response.headers["content-type"] == (DOCKER_MANIFEST if kind == "image" else DOCKER_LIST)
    if kind == "list":
        children = json.loads(top)["manifests"]
        assert {c["platform"]["architecture"] for c in children} == {"amd64", "arm64"}
        for child in children:
            got = _manifest(client, repo, child["digest"])
            assert got.headers["content-type"] == DOCKER_MANIFEST
            assert sha256(got.content) == child["digest"]

    out = tmp_path / "out"
    skopeo.copy(dest, f"dir:{out}", all_images=kind == "list")
    assert _dir_files(out) == pushed


def test_inspect_reports_what_was_pushed(
    inputs: Inputs, registry: DockyardServer, client: httpx.Client, repo: str
) -> None:
    layout = inputs.oci_image
    digest = skopeo.layout_digest(layout)
    blobs = skopeo.blob_files(layout)
    manifest = json.loads(blobs[f"sha256/{digest.split(':')[1]}"])
    for tag in ("v1", "stable"):
        skopeo.copy(f"oci:{layout}:latest", skopeo.docker_ref(registry.host, repo, tag))

    info = skopeo.inspect(skopeo.docker_ref(registry.host, repo, "v1"))
    assert info["Digest"] == digest
    assert info["Architecture"] == "amd64" and info["Os"] == "linux"
    assert info["Layers"] == [layer["digest"] for layer in manifest["layers"]]
    assert info["Labels"] == {"seed": repo}
    assert sorted(info["RepoTags"]) == ["stable", "v1"]

    by_digest = skopeo.docker_ref(registry.host, repo, digest)
    config = skopeo.skopeo("inspect", "--config", "--raw", "--tls-verify=false", by_digest)
    assert config.encode() == blobs[f"sha256/{manifest['config']['digest'].split(':')[1]}"]


def test_list_tags(
    inputs: Inputs, registry: DockyardServer, client: httpx.Client, repo: str
) -> None:
    ref = skopeo.docker_ref(registry.host, repo)
    with pytest.raises(ClientError):  # no such repository yet
        skopeo.list_tags(ref)
    skopeo.copy(f"oci:{inputs.oci_image}:latest", f"{ref}:v1")
    manifest = _manifest(client, repo, "v1").content
    # More tags, set over HTTP (skopeo copies are slow to repeat), in no particular order.
    extra = [f"t{(i * 7) % 30:03d}" for i in range(30)]
    for tag in extra:
        assert push_manifest(client, repo, tag, manifest).status_code == 201
    assert skopeo.list_tags(ref) == sorted(["v1", *extra])


def test_delete_by_tag_removes_the_manifest_and_its_tags(
    inputs: Inputs, registry: DockyardServer, client: httpx.Client, repo: str
) -> None:
    ref = skopeo.docker_ref(registry.host, repo)
    for tag in ("a", "b"):
        skopeo.copy(f"oci:{inputs.oci_image}:latest", f"{ref}:{tag}")
    skopeo.copy(f"oci:{inputs.oci_index}:latest", f"{ref}:other", all_images=True)
    image_digest = skopeo.layout_digest(inputs.oci_image)

    # skopeo resolves the tag and deletes the manifest by digest: both tags go with it.
    skopeo.delete(f"{ref}:a")
    assert skopeo.list_tags(ref) == ["other"]
    response = client.get(f"/v2/{repo}/manifests/{image_digest}", headers={"accept": ACCEPT})
    assert response.status_code == 404
    with pytest.raises(ClientError, match="manifest unknown"):
        skopeo.inspect(f"{ref}:b")

    index_digest = skopeo.layout_digest(inputs.oci_index)
    skopeo.delete(skopeo.docker_ref(registry.host, repo, index_digest))
    assert client.get(f"/v2/{repo}/tags/list").json()["tags"] in (None, [])


def test_delete_refused_when_deletes_are_disabled(inputs: Inputs, make_server, repo: str) -> None:
    server: DockyardServer = make_server(storage__delete__enabled=False)
    ref = skopeo.docker_ref(server.host, repo, "v1")
    skopeo.copy(f"oci:{inputs.oci_image}:latest", ref)
    with pytest.raises(ClientError, match=r"UNSUPPORTED.*\(405"):
        skopeo.delete(ref)
    assert skopeo.list_tags(skopeo.docker_ref(server.host, repo)) == ["v1"]


@pytest.mark.parametrize("kind", ["image", "index"])
def test_copy_between_repositories_mounts_blobs(
    kind: str, inputs: Inputs, registry: DockyardServer, client: httpx.Client, repo: str
) -> None:
    layout = inputs.oci_image if kind == "image" else inputs.oci_index
    digest = skopeo.layout_digest(layout)
    first, second = f"{repo}/first", f"{repo}/second"
    skopeo.copy(
        f"oci:{layout}:latest",
        skopeo.docker_ref(registry.host, first, "v1"),
        all_images=kind == "index",
    )

    log = skopeo.copy_debug(
        skopeo.docker_ref(registry.host, first, "v1"),
        skopeo.docker_ref(registry.host, second, "v1"),
        all_images=kind == "index",
    )

    assert _manifest(client, second, "v1").headers["docker-content-digest"] == digest
    layers, configs = _layers_and_configs(layout)
    for blob in (*layers, *configs):
        response = client.get(f"/v2/{second}/blobs/{blob}")
        assert response.status_code == 200
        assert sha256(response.content) == blob
    # skopeo mounts a layer when its blob-info cache knows the first repository has it (that
    # cache, shared machine-wide, occasionally misses one; skopeo then uploads it). Every mount
    # it tries must succeed: 201 to the POST, no data sent.
    attempted = log.count("Trying to mount ")
    succeeded = log.count("... mount OK")
    assert attempted >= 1 and succeeded == attempted, log
    requests = [
        line.split('"')[1]
        for line in registry.logs().splitlines()
        if f" /v2/{second}/blobs/uploads/" in line and "msg=" in line
    ]
    mounts = [r for r in requests if r.startswith("POST") and r.endswith(" 201")]
    uploads = [r for r in requests if r.startswith("PUT") and r.endswith(" 201")]
    assert len(mounts) == succeeded, requests
    assert len(mounts) + len(uploads) == len(layers | configs), requests


def _layers_and_configs(layout: Path) -> tuple[set[str], set[str]]:
    """The layer and config digests of every image an OCI layout's ``latest`` names."""
    blobs = skopeo.blob_files(layout)

    def load(digest: str) -> dict:
        return json.loads(blobs[f"sha256/{digest.split(':')[1]}"])

    top = load(skopeo.layout_digest(layout))
    images = [load(child["digest"]) for child in top["manifests"]] if "manifests" in top else [top]
    layers = {layer["digest"] for img in images for layer in img["layers"]}
    return layers, {img["config"]["digest"] for img in images}
