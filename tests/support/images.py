"""Builds small, real container images (OCI image layouts) for clients such as skopeo to push.

Layers are genuine gzipped tars so that every client accepts them; content is derived from a seed
so each test can make distinct images.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def layer_tar(seed: str, index: int, size: int = 1024) -> bytes:
    """A gzipped tar holding one file of pseudo-random bytes."""
    payload = hashlib.sha256(f"{seed}/{index}".encode()).digest() * (size // 32 + 1)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo(f"layer{index}/data.bin")
        info.size = size
        info.mtime = 0
        tar.addfile(info, io.BytesIO(payload[:size]))
    return gzip.compress(raw.getvalue(), mtime=0)


@dataclass
class Blob:
    media_type: str
    data: bytes

    @property
    def digest(self) -> str:
        return sha256(self.data)

    def descriptor(self, **extra: object) -> dict:
        size = len(self.data)
        return {"mediaType": self.media_type, "digest": self.digest, "size": size, **extra}


def image(seed: str, layers: int = 2, arch: str = "amd64", layer_size: int = 1024) -> dict:
    """An OCI image: {'config': Blob, 'layers': [Blob], 'manifest': Blob}."""
    layer_blobs = [Blob(OCI_LAYER, layer_tar(seed, i, layer_size)) for i in range(layers)]
    diff_ids = [sha256(gzip.decompress(b.data)) for b in layer_blobs]
    config = {
        "architecture": arch,
        "os": "linux",
        "config": {"Labels": {"seed": seed}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }
    config_blob = Blob(OCI_CONFIG, json.dumps(config, sort_keys=True).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config_blob.descriptor(),
        "layers": [b.descriptor() for b in layer_blobs],
    }
    return {
        "config": config_blob,
        "layers": layer_blobs,
        "manifest": Blob(OCI_MANIFEST, json.dumps(manifest, indent=2).encode()),
        "arch": arch,
    }


def write_layout(path: Path, images: list[dict], tag: str = "latest", index: bool = False) -> str:
    """Write an OCI image layout holding ``images``; returns the digest of what ``tag`` names.

    With ``index`` the tag names a multi-platform image index over all the images.
    """
    blobs_dir = path / "blobs" / "sha256"
    blobs_dir.mkdir(parents=True, exist_ok=True)

    def put(blob: Blob) -> None:
        (blobs_dir / blob.digest.split(":", 1)[1]).write_bytes(blob.data)

    for img in images:
        for blob in (img["config"], *img["layers"], img["manifest"]):
            put(blob)
    if index:
        entries = [
            img["manifest"].descriptor(platform={"architecture": img["arch"], "os": "linux"})
            for img in images
        ]
        top = Blob(
            OCI_INDEX,
            json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}).encode(),
        )
        put(top)
    else:
        top = images[0]["manifest"]
    ref = top.descriptor(annotations={"org.opencontainers.image.ref.name": tag})
    (path / "index.json").write_text(
        json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [ref]})
    )
    (path / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
    os.sync()
    return top.digest
