"""Manifests of every kind the registry accepts, built over blobs pushed for the test.

Each builder pushes what the manifest references (unless told not to) and returns the exact
bytes and media type to ``PUT``; tests compare what comes back byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import httpx

from support.api import push_blob, push_manifest
from support.images import OCI_CONFIG, OCI_INDEX, OCI_LAYER, OCI_MANIFEST, Blob, sha256

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_FOREIGN = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
EMPTY_DESCRIPTOR = {"mediaType": OCI_EMPTY, "digest": sha256(b"{}"), "size": 2}


@dataclass
class Pushable:
    """A manifest ready to ``PUT``: its bytes, media type and digest."""

    content: bytes
    media_type: str

    @property
    def digest(self) -> str:
        return sha256(self.content)

    def push(self, client: httpx.Client, repo: str, reference: str | None = None) -> httpx.Response:
        return push_manifest(client, repo, reference or self.digest, self.content, self.media_type)


def encode(doc: dict[str, Any], *, pretty: bool = False) -> bytes:
    """JSON bytes; ``pretty`` gives the non-canonical spacing clients really send."""
    return json.dumps(doc, indent=3 if pretty else None).encode()


def blob(seed: str, media_type: str = OCI_LAYER, size: int = 64) -> Blob:
    data = hashlib.sha256(seed.encode()).digest() * (size // 32 + 1)
    return Blob(media_type, data[:size])


def push_blobs(client: httpx.Client, repo: str, *blobs: Blob) -> None:
    for item in blobs:
        push_blob(client, repo, item.data)


def image_manifest(
    client: httpx.Client | None,
    repo: str,
    seed: str,
    *,
    media_type: str = OCI_MANIFEST,
    config_type: str | None = None,
    layers: int = 2,
    **extra: Any,
) -> Pushable:
    """An OCI or Docker image manifest over freshly pushed config and layers (no push if no
    client). ``extra`` fields are merged into the document (``subject``, ``artifactType``...)."""
    docker = media_type == DOCKER_MANIFEST
    config = blob(f"{seed}/config", config_type or (DOCKER_CONFIG if docker else OCI_CONFIG))
    layer_type = DOCKER_LAYER if docker else OCI_LAYER
    layer_blobs = [blob(f"{seed}/layer{i}", layer_type, 100 + i) for i in range(layers)]
    if client is not None:
        push_blobs(client, repo, config, *layer_blobs)
    doc = {
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": config.descriptor(),
        "layers": [b.descriptor() for b in layer_blobs],
        **extra,
    }
    return Pushable(encode(doc, pretty=True), media_type)


def index(children: list[Pushable], *, media_type: str = OCI_INDEX, **extra: Any) -> Pushable:
    """An OCI index or Docker manifest list over ``children`` (which must be pushed first)."""
    archs = ["amd64", "arm64", "s390x", "ppc64le", "riscv64"]
    entries = [
        {
            "mediaType": child.media_type,
            "digest": child.digest,
            "size": len(child.content),
            "platform": {"architecture": archs[i % len(archs)], "os": "linux"},
        }
        for i, child in enumerate(children)
    ]
    doc = {"schemaVersion": 2, "mediaType": media_type, "manifests": entries, **extra}
    return Pushable(encode(doc, pretty=True), media_type)


def artifact(
    client: httpx.Client | None,
    repo: str,
    seed: str,
    artifact_type: str = "application/vnd.example.sbom.v1",
    *,
    subject: Pushable | None = None,
    annotations: dict[str, str] | None = None,
    push_empty: bool = True,
) -> Pushable:
    """An OCI artifact: ``artifactType``, the empty descriptor as config, one custom layer."""
    layer = blob(f"{seed}/payload", "application/vnd.example.payload.v1")
    if client is not None:
        push_blobs(client, repo, layer)
        if push_empty:
            push_blob(client, repo, b"{}")
    doc: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": artifact_type,
        "config": EMPTY_DESCRIPTOR,
        "layers": [layer.descriptor()],
    }
    if subject is not None:
        doc["subject"] = {
            "mediaType": subject.media_type,
            "digest": subject.digest,
            "size": len(subject.content),
        }
    if annotations:
        doc["annotations"] = annotations
    return Pushable(encode(doc), OCI_MANIFEST)


__all__ = [
    "DOCKER_CONFIG",
    "DOCKER_FOREIGN",
    "DOCKER_LAYER",
    "DOCKER_LIST",
    "DOCKER_MANIFEST",
    "EMPTY_DESCRIPTOR",
    "OCI_EMPTY",
    "OCI_INDEX",
    "OCI_MANIFEST",
    "Pushable",
    "artifact",
    "blob",
    "encode",
    "image_manifest",
    "index",
    "push_blobs",
]
