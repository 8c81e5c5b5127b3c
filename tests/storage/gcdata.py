"""A registry data directory worth collecting, built through a real server's API.

Repository ``gc/app``:

* ``a``: image A (config, two layers; the second shared with B) — tagged, stays.
* ``b``: image B — pushed, then the tag deleted: an untagged manifest.
* ``c``: image C — pushed, then the manifest deleted by digest: its blobs are garbage.
* ``multi``: an index over M1 and M2, themselves pushed by digest only (untagged).
* S: a signature whose ``subject`` is A, pushed by digest (untagged), as referrers are.
* T: a signature whose ``subject`` is B (untagged).
* X: a blob uploaded and never referenced; Y: a blob uploaded, then deleted through the API.

Repository ``gc/other``: image O sharing A's first layer, its manifest deleted by digest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from support.api import push_blob, push_image, push_manifest
from support.images import OCI_INDEX, OCI_MANIFEST, Blob, image

APP, OTHER = "gc/app", "gc/other"
EMPTY = Blob("application/vnd.oci.empty.v1+json", b"{}")
SIGNATURE = "application/vnd.example.signature.v1"


@dataclass
class Scenario:
    images: dict[str, dict] = field(default_factory=dict)
    manifests: dict[str, Blob] = field(default_factory=dict)
    blobs: dict[str, Blob] = field(default_factory=dict)

    def digest(self, key: str) -> str:
        if key in self.manifests:
            return self.manifests[key].digest
        return self.blobs[key].digest


def _push_manifest(client: httpx.Client, repo: str, ref: str, blob: Blob) -> None:
    response = push_manifest(client, repo, ref, blob.data, blob.media_type)
    assert response.status_code == 201, response.text


def _signature(client: httpx.Client, repo: str, subject: Blob, payload: bytes) -> Blob:
    layer = Blob("application/octet-stream", payload)
    push_blob(client, repo, layer.data)
    push_blob(client, repo, EMPTY.data)
    document = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": SIGNATURE,
        "config": EMPTY.descriptor(),
        "layers": [layer.descriptor()],
        "subject": subject.descriptor(),
    }
    manifest = Blob(OCI_MANIFEST, json.dumps(document).encode())
    _push_manifest(client, repo, manifest.digest, manifest)
    return manifest


def build(client: httpx.Client) -> Scenario:
    s = Scenario()
    a = s.images["A"] = push_image(client, APP, "a", "gc image A")
    s.manifests["A"] = a["manifest"]

    b = image("gc image B")
    b["layers"][1] = a["layers"][1]  # shared with A
    document = json.loads(b["manifest"].data)
    document["layers"][1] = a["layers"][1].descriptor()
    b["manifest"] = Blob(OCI_MANIFEST, json.dumps(document).encode())
    for blob in (b["config"], *b["layers"]):
        push_blob(client, APP, blob.data)
    _push_manifest(client, APP, "b", b["manifest"])
    assert client.delete(f"/v2/{APP}/manifests/b").status_code == 202
    s.images["B"], s.manifests["B"] = b, b["manifest"]

    c = s.images["C"] = push_image(client, APP, "c", "gc image C")
    s.manifests["C"] = c["manifest"]
    assert client.delete(f"/v2/{APP}/manifests/{c['digest']}").status_code == 202

    children = []
    for key, arch in (("M1", "amd64"), ("M2", "arm64")):
        img = s.images[key] = image(f"gc platform {arch}", arch=arch)
        for blob in (img["config"], *img["layers"]):
            push_blob(client, APP, blob.data)
        _push_manifest(client, APP, img["manifest"].digest, img["manifest"])
        s.manifests[key] = img["manifest"]
        children.append(img["manifest"].descriptor(platform={"os": "linux", "architecture": arch}))
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children}
    s.manifests["I"] = Blob(OCI_INDEX, json.dumps(index).encode())
    _push_manifest(client, APP, "multi", s.manifests["I"])

    s.manifests["S"] = _signature(client, APP, s.manifests["A"], b"signature of A")
    s.manifests["T"] = _signature(client, APP, s.manifests["B"], b"signature of B")

    for key, data in (("X", b"uploaded, never referenced"), ("Y", b"uploaded, then deleted")):
        s.blobs[key] = Blob("application/octet-stream", data)
        push_blob(client, APP, data)
    assert client.delete(f"/v2/{APP}/blobs/{s.blobs['Y'].digest}").status_code == 202

    o = image("gc image O")
    o["layers"][0] = a["layers"][0]
    document = json.loads(o["manifest"].data)
    document["layers"][0] = a["layers"][0].descriptor()
    o["manifest"] = Blob(OCI_MANIFEST, json.dumps(document).encode())
    for blob in (o["config"], *o["layers"]):
        push_blob(client, OTHER, blob.data)
    _push_manifest(client, OTHER, "x", o["manifest"])
    assert client.delete(f"/v2/{OTHER}/manifests/{o['manifest'].digest}").status_code == 202
    s.images["O"], s.manifests["O"] = o, o["manifest"]
    return s


class Layout:
    """Paths of the data directory, to check what the sweep removed on disk."""

    def __init__(self, root: Path) -> None:
        self.v2 = root / "docker" / "registry" / "v2"

    def blob(self, digest: str) -> Path:
        hex_ = digest.split(":", 1)[1]
        return self.v2 / "blobs" / "sha256" / hex_[:2] / hex_ / "data"

    def layer_link(self, repo: str, digest: str) -> Path:
        return self.v2 / "repositories" / repo / "_layers" / "sha256" / digest[7:] / "link"

    def revision(self, repo: str, digest: str) -> Path:
        return self.v2 / "repositories" / repo / "_manifests" / "revisions" / "sha256" / digest[7:]

    def referrer_entry(self, repo: str, subject: str, referrer: str) -> Path:
        return (
            self.v2
            / "repositories"
            / repo
            / "_referrers"
            / "sha256"
            / subject[7:]
            / f"sha256-{referrer[7:]}.json"
        )

    def snapshot(self) -> dict[str, bytes]:
        return {
            str(p.relative_to(self.v2)): b"<dir>" if p.is_dir() else p.read_bytes()
            for p in sorted(self.v2.rglob("*"))
        }
