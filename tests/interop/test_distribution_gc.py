"""Each registry's garbage collector keeps everything referenced in a directory the other wrote.

An operator may run Distribution's offline garbage collector on a Dockyard data directory (or
go back to Distribution after trying Dockyard). Mark-and-sweep must see Dockyard's manifests,
tags and links exactly as its own: everything a remaining manifest references — images, index
children, an artifact with a ``subject`` and its blobs — survives, and Dockyard serves it all
afterwards; what nothing references any more (a deleted manifest's blobs, an orphan upload) is
swept, which shows the collector really ran.

With ``--delete-untagged`` Distribution 2.8 deletes every untagged manifest, including the
children of multi-platform indexes and referrer artifacts (it does so on its own data too); the
test pins that down, and that Dockyard then lists no referrer whose manifest is gone.

The other way round, ``dockyard garbage-collect`` over a directory Distribution wrote sweeps
exactly the blobs Distribution's own collector sweeps on a copy of it, and keeps everything.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from interop import scenario
from support import snapshot, uploads
from support.distribution import DistributionServer
from support.payload import random_bytes
from support.programs import run
from support.server import DockyardServer, base_config

pytestmark = pytest.mark.interop


def _blob_file(root: Path, digest: str) -> Path:
    hex_digest = digest.split(":", 1)[1]
    return root / "docker/registry/v2/blobs/sha256" / hex_digest[:2] / hex_digest / "data"


def test_distribution_gc_keeps_what_dockyard_references(
    dockyard: Callable[[Path], DockyardServer],
    data_root: Path,
    tmp_path: Path,
) -> None:
    server = dockyard(data_root)
    with server.client() as client:
        history = scenario.populate(client, server.host, tmp_path / "inputs", dockyard=True)
        orphan = uploads.push_monolithic(client, "interop/orphan", random_bytes("orphan", 5000))
        expected = snapshot.registry(client, history.untagged)
    server.stop()
    swept = [orphan, *history.unreferenced]
    assert all(_blob_file(data_root, digest).is_file() for digest in swept)

    collector = DistributionServer(tmp_path / "gc", data_root)
    collector.garbage_collect()

    assert not [d for d in swept if _blob_file(data_root, d).exists()]
    again = dockyard(data_root)
    with again.client() as client:
        assert not snapshot.differences(snapshot.registry(client, history.untagged), expected)
        scenario.check_history(client, history)
        listing = client.get(f"/v2/{scenario.HTTP_REPO}/referrers/{history.subject}")
        assert [m["digest"] for m in listing.json()["manifests"]] == [history.referrer]
        # A link whose blob was swept reads as unknown, never as an error or partial data.
        response = client.head(f"/v2/interop/orphan/blobs/{orphan}")
        assert response.status_code == 404
    again.stop()

    collector.garbage_collect("--delete-untagged")

    last = dockyard(data_root)
    with last.client() as client:
        index = snapshot.manifest(client, "interop/oci-index", "v1")
        for child in json.loads(index.content)["manifests"]:
            response = client.get(
                f"/v2/interop/oci-index/manifests/{child['digest']}",
                headers={"accept": child["mediaType"]},
            )
            assert response.status_code == 404  # Distribution's doing, documented
        listing = client.get(f"/v2/{scenario.HTTP_REPO}/referrers/{history.subject}")
        assert listing.status_code == 200 and listing.json()["manifests"] == []
        assert snapshot.manifest(client, scenario.HTTP_REPO, "chunked").status_code == 200


def _blob_files(root: Path) -> set[str]:
    blobs = root / "docker/registry/v2/blobs"
    return {str(path.relative_to(blobs)) for path in blobs.rglob("data")}


def test_dockyard_gc_sweeps_what_distribution_gc_sweeps(
    distribution: Callable[[Path], DistributionServer],
    dockyard: Callable[[Path], DockyardServer],
    data_root: Path,
    tmp_path: Path,
) -> None:
    source = distribution(data_root)
    with source.client() as client:
        history = scenario.populate(client, source.host, tmp_path / "inputs", dockyard=False)
        expected = snapshot.registry(client, history.untagged)
        # Pushed after the snapshot: Distribution 2.8 catalogs a repository holding only blobs
        # (it looks for ``_layers``), Dockyard only one with manifests (``_manifests``, as v3).
        orphan = uploads.push_monolithic(client, "interop/orphan", random_bytes("orphan2", 5000))
    source.stop()
    reference = tmp_path / "reference-data"
    shutil.copytree(data_root, reference)

    DistributionServer(tmp_path / "distribution-gc", reference).garbage_collect()
    config = DockyardServer(tmp_path / "dockyard-gc")
    config.config = base_config(data_root, config.port)
    config.write_config()
    run(sys.executable, "-m", "dockyard", "garbage-collect", "--quiet", str(config.config_path))

    kept = _blob_files(data_root)
    assert kept == _blob_files(reference)
    assert not [d for d in [orphan, *history.unreferenced] if _blob_file(data_root, d).exists()]
    server = dockyard(data_root)
    with server.client() as client:
        assert not snapshot.differences(snapshot.registry(client, history.untagged), expected)
        scenario.check_history(client, history)
