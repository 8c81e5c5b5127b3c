"""One push history, applied to either registry, that interop tests then read back elsewhere.

It holds what a data directory meets in real life: skopeo pushes of OCI and Docker images and
multi-platform indexes; over HTTP, a chunked upload, a monolithic upload, a tag moved to a new
digest, a manifest deleted by digest, blobs mounted from another repository and, when Dockyard
takes the pushes, what Distribution 2.8 cannot do: a single-request monolithic upload, a deleted
tag, and an artifact whose ``subject`` is an image (Dockyard indexes it for the referrers API;
Distribution must ignore that index).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from support import skopeo, snapshot, uploads
from support.api import push_manifest
from support.images import OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, Blob, sha256, write_layout
from support.payload import bulky_image, random_bytes

HTTP_REPO = "interop/http"
MOUNT_REPO = "interop/mounted"
ARTIFACT_TYPE = "application/vnd.example.signature.v1+json"
EMPTY_CONFIG = Blob("application/vnd.oci.empty.v1+json", b"{}")


@dataclass
class History:
    """What was pushed, for the checks a snapshot comparison cannot make by itself."""

    untagged: dict[str, tuple[str, ...]] = field(default_factory=dict)
    absent_tags: dict[str, list[str]] = field(default_factory=dict)
    absent_manifests: dict[str, list[str]] = field(default_factory=dict)
    moved: dict[str, str] = field(default_factory=dict)  # tag in HTTP_REPO -> its last digest
    layouts: dict[str, tuple[Path, str]] = field(default_factory=dict)  # repo -> (layout, digest)
    subject: str = ""
    referrer: str = ""
    unreferenced: list[str] = field(default_factory=list)  # blobs no manifest left refers to


def _image(tag: str, layers: list[bytes]) -> tuple[Blob, list[Blob], Blob]:
    """Config, layer and manifest blobs of a small OCI image over raw layer bytes."""
    layer_blobs = [Blob(OCI_LAYER, data) for data in layers]
    config = Blob(
        OCI_CONFIG, json.dumps({"architecture": "amd64", "os": "linux", "x": tag}).encode()
    )
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config.descriptor(),
        "layers": [b.descriptor() for b in layer_blobs],
    }
    return config, layer_blobs, Blob(OCI_MANIFEST, json.dumps(manifest).encode())


def _put(client: httpx.Client, repo: str, reference: str, manifest: Blob) -> str:
    response = push_manifest(client, repo, reference, manifest.data, manifest.media_type)
    assert response.status_code == 201, response.text
    assert response.headers["docker-content-digest"] == manifest.digest
    return manifest.digest


def _delete(client: httpx.Client, repo: str, reference: str) -> None:
    response = client.delete(f"/v2/{repo}/manifests/{reference}")
    assert response.status_code == 202, response.text


def push_with_skopeo(host: str, base: Path, history: History) -> None:
    """OCI image and index, and their Docker-format conversions, one repository each."""
    single = base / "oci-image"
    write_layout(single, [bulky_image("interop", (2 << 20, 3000, 100))])
    multi = base / "oci-index"
    write_layout(
        multi, [bulky_image("interop", (5000,), arch) for arch in ("amd64", "arm64")], index=True
    )
    docker_image, docker_list = base / "docker-image", base / "docker-list"
    skopeo.copy(f"oci:{single}:latest", f"dir:{docker_image}", "--format", "v2s2")
    skopeo.copy(f"oci:{multi}:latest", f"dir:{docker_list}", "--format", "v2s2", all_images=True)
    for repo, source, everything in (
        ("interop/oci-image", f"oci:{single}:latest", False),
        ("interop/oci-index", f"oci:{multi}:latest", True),
        ("interop/docker-image", f"dir:{docker_image}", False),
        ("interop/docker-list", f"dir:{docker_list}", True),
    ):
        skopeo.copy(source, skopeo.docker_ref(host, repo, "v1"), all_images=everything)
    history.layouts["interop/oci-image"] = (single, skopeo.layout_digest(single))
    history.layouts["interop/oci-index"] = (multi, skopeo.layout_digest(multi))


def push_over_http(client: httpx.Client, history: History, *, dockyard: bool) -> None:
    """HTTP pushes; with ``dockyard``, also what only Dockyard does (tag delete, referrers)."""
    big = random_bytes("interop/big", (3 << 20) + 7)
    config_a, layers_a, manifest_a = _image("a", [big])
    uploads.push_chunked(client, HTTP_REPO, big, 1 << 20)
    if dockyard:  # a single-request monolithic POST, which Distribution 2.8 lacks
        response = client.post(
            f"/v2/{HTTP_REPO}/blobs/uploads/",
            params={"digest": config_a.digest},
            content=config_a.data,
            headers={"content-type": "application/octet-stream"},
        )
        assert response.status_code == 201, response.text
    else:
        uploads.push_monolithic(
            client, HTTP_REPO, config_a.data
        )  # POST, then PUT with the whole body
    _put(client, HTTP_REPO, "chunked", manifest_a)
    _put(client, HTTP_REPO, "moving", manifest_a)

    config_b, layers_b, manifest_b = _image("b", [random_bytes("interop/b", 1000)])
    for blob in (config_b, *layers_b):
        uploads.push_chunked(client, HTTP_REPO, blob.data, 600)
    history.moved["moving"] = _put(client, HTTP_REPO, "moving", manifest_b)

    if dockyard:
        _put(client, HTTP_REPO, "gone", manifest_a)
        _delete(client, HTTP_REPO, "gone")
        history.absent_tags[HTTP_REPO] = ["gone"]

    config_c, layers_c, manifest_c = _image("c", [random_bytes("interop/c", 700)])
    for blob in (config_c, *layers_c):
        uploads.push_chunked(client, HTTP_REPO, blob.data, 1 << 20)
    _put(client, HTTP_REPO, "doomed", manifest_c)
    _delete(client, HTTP_REPO, manifest_c.digest)
    history.absent_tags.setdefault(HTTP_REPO, []).append("doomed")
    history.absent_manifests[HTTP_REPO] = [manifest_c.digest]
    history.unreferenced = [manifest_c.digest, config_c.digest, *(b.digest for b in layers_c)]

    for blob in (config_a, *layers_a):
        response = uploads.mount(client, MOUNT_REPO, HTTP_REPO, blob.digest)
        assert response.status_code == 201, response.text
    _put(client, MOUNT_REPO, "v1", manifest_a)

    if dockyard:
        history.subject = manifest_a.digest
        history.referrer = _push_referrer(client, manifest_a)
        history.untagged[HTTP_REPO] = (history.referrer,)


def _push_referrer(client: httpx.Client, subject: Blob) -> str:
    signature = Blob("application/octet-stream", b"signed:" + subject.digest.encode())
    uploads.push_chunked(client, HTTP_REPO, signature.data, 1 << 20)
    uploads.push_chunked(client, HTTP_REPO, EMPTY_CONFIG.data, 1 << 20)
    artifact = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": ARTIFACT_TYPE,
        "config": EMPTY_CONFIG.descriptor(),
        "layers": [signature.descriptor()],
        "subject": {"mediaType": OCI_MANIFEST, "digest": subject.digest, "size": len(subject.data)},
    }
    manifest = Blob(OCI_MANIFEST, json.dumps(artifact).encode())
    return _put(client, HTTP_REPO, manifest.digest, manifest)


def populate(client: httpx.Client, host: str, base: Path, *, dockyard: bool) -> History:
    """The whole history; ``dockyard`` says whether the registry taking it is Dockyard."""
    history = History()
    push_with_skopeo(host, base, history)
    push_over_http(client, history, dockyard=dockyard)
    return history


def check_history(client: httpx.Client, history: History) -> None:
    """What the snapshot cannot show: deletions stayed deleted, the moved tag moved."""
    for repo, gone in history.absent_tags.items():
        listed = snapshot.tags(client, repo)
        for tag in gone:
            assert tag not in listed
            response = client.get(f"/v2/{repo}/manifests/{tag}", headers={"accept": OCI_MANIFEST})
            assert response.status_code == 404, (repo, tag, response.text)
            assert response.json()["errors"][0]["code"] == "MANIFEST_UNKNOWN"
    for repo, digests in history.absent_manifests.items():
        for digest in digests:
            response = client.get(
                f"/v2/{repo}/manifests/{digest}", headers={"accept": OCI_MANIFEST}
            )
            assert response.status_code == 404, (repo, digest, response.text)
    for tag, digest in history.moved.items():
        response = snapshot.manifest(client, HTTP_REPO, tag)
        assert response.headers["docker-content-digest"] == digest == sha256(response.content)


def pull_layouts(host: str, history: History, out: Path) -> None:
    """skopeo copies every pushed layout back out; digests and blobs must be identical."""
    out.mkdir(parents=True, exist_ok=True)
    for repo, (layout, digest) in history.layouts.items():
        dest = out / repo.replace("/", "_")
        skopeo.copy(skopeo.docker_ref(host, repo, "v1"), f"oci:{dest}:v1", all_images=True)
        assert skopeo.layout_digest(dest, "v1") == digest
        assert skopeo.blob_files(dest) == skopeo.blob_files(layout)
