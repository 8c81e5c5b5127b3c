"""``skopeo copy`` of a multi-layer image into and out of a registry, timed end to end.

Layers are gzip streams of random bytes written with compression level 0 (stored blocks): a
valid ``tar+gzip`` layer that skopeo pushes as it is (it recompresses only uncompressed layers),
built in milliseconds. Every copy pushes new layers, so no run can be answered by blobs (or
mounts) left from an earlier one.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import tarfile
import time
from pathlib import Path

from bench.fixtures import OCI_CONFIG, OCI_LAYER, OCI_MANIFEST

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
TIMEOUT = 300


class SkopeoError(Exception):
    pass


def _layer(size: int) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo("data.bin")
        info.size = size
        tar.addfile(info, io.BytesIO(os.urandom(size)))
    return gzip.compress(raw.getvalue(), compresslevel=0, mtime=0)


def write_image(path: Path, layers: int, layer_size: int) -> None:
    """An OCI image layout at ``path`` with one image of ``layers`` fresh layers, tag latest."""
    blobs = path / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)

    def put(data: bytes, media_type: str) -> dict[str, object]:
        hex_ = hashlib.sha256(data).hexdigest()
        (blobs / hex_).write_bytes(data)
        return {"mediaType": media_type, "digest": f"sha256:{hex_}", "size": len(data)}

    layer_data = [_layer(layer_size) for _ in range(layers)]
    diff_ids = [f"sha256:{hashlib.sha256(gzip.decompress(d)).hexdigest()}" for d in layer_data]
    config = {
        "architecture": "amd64",
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": put(json.dumps(config).encode(), OCI_CONFIG),
        "layers": [put(d, OCI_LAYER) for d in layer_data],
    }
    top = put(json.dumps(manifest).encode(), OCI_MANIFEST)
    top["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [top]}
    (path / "index.json").write_text(json.dumps(index))
    (path / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))


def copy(source: str, dest: str) -> float:
    """Seconds one ``skopeo copy`` takes (plain HTTP on loopback)."""
    command = [
        "skopeo",
        "copy",
        "--quiet",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        source,
        dest,
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SkopeoError(f"skopeo copy {source} {dest}: {done.stderr.strip()[-500:]}")
    return elapsed
