"""Benchmark data: blob bodies with known digests, a small image, and layouts written directly.

Blob bodies are one random 16 MiB buffer repeated, followed by a 32-byte suffix unique to each
push, so every upload is a new blob while the digest of the shared prefix is computed only once
per size. Tag and catalog fixtures (10,000 tags, 5,000 repositories) would take minutes to push
through either server, so they are written straight into each server's data directory, in
Distribution's layout, before the servers start: byte-identical for both.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BASE_SIZE = 16 << 20
SUFFIX_SIZE = 32
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
REGISTRY = Path("docker/registry/v2")


@dataclass(frozen=True)
class Body:
    """A blob to push: ``length`` bytes yielded by :meth:`chunks`, and its digest."""

    payload: Payload
    length: int
    suffix: bytes
    digest: str

    def chunks(self, size: int = BASE_SIZE) -> Iterator[memoryview]:
        """The content as memoryviews of at most ``size`` bytes (no copies of the big part)."""
        remaining = self.length - SUFFIX_SIZE
        base = memoryview(self.payload.base)
        while remaining > 0:
            take = min(remaining, BASE_SIZE)
            view = base[:take]
            while view:
                yield view[:size]
                view = view[size:]
            remaining -= take
        yield memoryview(self.suffix)

    def range(self, start: int, length: int) -> bytes:
        """Bytes ``start`` … ``start + length`` of the content (for chunked uploads)."""
        out = bytearray()
        for chunk in self.chunks():
            if start >= len(chunk):
                start -= len(chunk)
                continue
            piece = chunk[start : start + length - len(out)]
            out += piece
            start = 0
            if len(out) == length:
                break
        return bytes(out)


class Payload:
    """Makes distinct blob bodies of any size from one random buffer."""

    def __init__(self, seed: int = 1) -> None:
        self.base = random.Random(seed).randbytes(BASE_SIZE)
        self._prefix_hashes: dict[int, hashlib._Hash] = {}
        self._counter = 0

    def _prefix_hash(self, length: int) -> hashlib._Hash:
        hasher = self._prefix_hashes.get(length)
        if hasher is None:
            hasher = hashlib.sha256()
            view = memoryview(self.base)
            remaining = length
            while remaining > 0:
                take = min(remaining, BASE_SIZE)
                hasher.update(view[:take])
                remaining -= take
            self._prefix_hashes[length] = hasher
        return hasher

    def body(self, length: int) -> Body:
        if length < SUFFIX_SIZE:
            raise ValueError("blob bodies are at least 32 bytes")
        self._counter += 1
        suffix = hashlib.sha256(f"{os.getpid()}/{self._counter}/{os.urandom(8).hex()}".encode())
        tail = suffix.digest()
        hasher = self._prefix_hash(length - SUFFIX_SIZE).copy()
        hasher.update(tail)
        return Body(self, length, tail, "sha256:" + hasher.hexdigest())


@dataclass(frozen=True)
class Image:
    """A small image (config + layers + manifest) whose blobs the manifest metrics need."""

    blobs: dict[str, bytes]
    manifest: bytes

    @property
    def manifest_digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.manifest).hexdigest()


def small_image(layers: int = 2, seed: int = 7) -> Image:
    rng = random.Random(seed)
    layer_data = [rng.randbytes(2048) for _ in range(layers)]
    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {}}).encode()
    blobs = {digest_of(b): b for b in (config, *layer_data)}

    def descriptor(media_type: str, data: bytes) -> dict[str, object]:
        return {"mediaType": media_type, "digest": digest_of(data), "size": len(data)}

    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, config),
        "layers": [descriptor(OCI_LAYER, data) for data in layer_data],
    }
    return Image(blobs, json.dumps(manifest, indent=3).encode())


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


# -- layouts written directly ---------------------------------------------------------------


def _write(path: Path, data: bytes) -> None:
    os.makedirs(path.parent, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _blob_path(root: Path, digest: str) -> Path:
    hex_ = digest.split(":", 1)[1]
    return root / REGISTRY / "blobs" / "sha256" / hex_[:2] / hex_ / "data"


def write_blobs(root: Path, image: Image) -> None:
    for digest, data in (*image.blobs.items(), (image.manifest_digest, image.manifest)):
        _write(_blob_path(root, digest), data)


def write_image(root: Path, repo: str, image: Image) -> None:
    """Link the image's blobs and manifest revision into ``repo`` (without a tag)."""
    repo_dir = root / REGISTRY / "repositories" / repo
    for digest in image.blobs:
        _write(repo_dir / "_layers" / "sha256" / digest[7:] / "link", digest.encode())
    digest = image.manifest_digest
    _write(repo_dir / "_manifests" / "revisions" / "sha256" / digest[7:] / "link", digest.encode())


def write_tags(root: Path, repo: str, image: Image, names: list[str]) -> None:
    """Tag the image's manifest as each of ``names`` (current link plus index entry)."""
    digest = image.manifest_digest
    tags_dir = root / REGISTRY / "repositories" / repo / "_manifests" / "tags"
    for name in names:
        _write(tags_dir / name / "current" / "link", digest.encode())
        _write(tags_dir / name / "index" / "sha256" / digest[7:] / "link", digest.encode())


def tag_names(count: int) -> list[str]:
    return [f"v{i:05d}" for i in range(count)]


def repository_names(count: int, per_namespace: int = 100) -> list[str]:
    return [f"catalog/ns{i // per_namespace:03d}/app{i:05d}" for i in range(count)]


def write_layout(root: Path, image: Image, tags: int, repositories: int) -> None:
    """The whole pre-built fixture: one repository with ``tags`` tags, ``repositories`` more.

    The catalog's repositories hold the image's layer links (Distribution 2.8 recognises a
    repository by its ``_layers`` directory, Dockyard by ``_manifests``), a revision and one
    tag without tag history: every file costs time to create, copy and (on a disk mounted with
    ``discard``) delete, and neither catalog walk looks inside these directories.
    """
    write_blobs(root, image)
    write_image(root, "bench/tags", image)
    write_tags(root, "bench/tags", image, tag_names(tags))
    digest = image.manifest_digest.encode()
    for name in repository_names(repositories):
        write_image(root, name, image)
        current = root / REGISTRY / "repositories" / name / "_manifests" / "tags" / "latest"
        _write(current / "current" / "link", digest)
