"""Deterministic, incompressible test data: blob bodies and images whose layers stay large.

:func:`support.images.image` makes layers of repeated bytes, which gzip shrinks to almost
nothing; these helpers make layers that stay as big on the wire as they are on disk, so that
clients stream real multi-megabyte bodies. Data is derived from a seed, so a test can rebuild
the same bytes to compare, and different tests never share blobs by accident.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import tarfile
from collections.abc import Iterator

from support.images import OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, Blob, sha256


def random_bytes(seed: str, size: int) -> bytes:
    """``size`` pseudo-random bytes determined by ``seed``."""
    return random.Random(seed).randbytes(size)


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), size):
        yield bytes(view[start : start + size])


def _layer(seed: str, index: int, size: int) -> Blob:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo(f"layer{index}/data.bin")
        info.size = size
        info.mtime = 0
        tar.addfile(info, io.BytesIO(random_bytes(f"{seed}/{index}", size)))
    return Blob(OCI_LAYER, gzip.compress(raw.getvalue(), compresslevel=1, mtime=0))


def bulky_image(seed: str, layer_sizes: tuple[int, ...], arch: str = "amd64") -> dict:
    """An OCI image shaped like :func:`support.images.image`, with incompressible layers."""
    layers = [_layer(f"{seed}/{arch}", i, size) for i, size in enumerate(layer_sizes)]
    config = {
        "architecture": arch,
        "os": "linux",
        "config": {"Labels": {"seed": seed}},
        "rootfs": {
            "type": "layers",
            "diff_ids": [sha256(gzip.decompress(b.data)) for b in layers],
        },
    }
    config_blob = Blob(OCI_CONFIG, json.dumps(config, sort_keys=True).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config_blob.descriptor(),
        "layers": [b.descriptor() for b in layers],
    }
    return {
        "config": config_blob,
        "layers": layers,
        "manifest": Blob(OCI_MANIFEST, json.dumps(manifest, indent=2).encode()),
        "arch": arch,
    }
