"""Dockyard writes the same files as CNCF Distribution 2.8 for the same pushes, byte for byte.

The same push history (:mod:`interop.scenario`, restricted to what both registries do) goes into
Distribution and into Dockyard, each with its own data directory; then every file under
``docker/registry/v2`` is compared: blob data, ``_layers`` and revision links, tag ``current``
links and tag index entries. The only files allowed to differ are Dockyard's own additions
(``_referrers``, which this history does not create), and upload sessions, which both remove
when an upload completes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from interop import scenario
from support.distribution import DistributionServer
from support.server import DockyardServer

pytestmark = pytest.mark.interop


def _files(root: Path) -> dict[str, bytes]:
    base = root / "docker" / "registry" / "v2"
    return {
        str(path.relative_to(base)): path.read_bytes()
        for path in sorted(base.rglob("*"))
        if path.is_file()
    }


def test_same_pushes_write_the_same_files(
    distribution: Callable[[Path], DistributionServer],
    dockyard: Callable[[Path], DockyardServer],
    tmp_path: Path,
) -> None:
    roots = {"distribution": tmp_path / "distribution-data", "dockyard": tmp_path / "dockyard-data"}
    for kind, root in roots.items():
        root.mkdir()
        server = distribution(root) if kind == "distribution" else dockyard(root)
        with server.client() as client:
            scenario.populate(client, server.host, tmp_path / f"inputs-{kind}", dockyard=False)
        server.stop()

    written = {kind: _files(root) for kind, root in roots.items()}
    only_distribution = sorted(set(written["distribution"]) - set(written["dockyard"]))
    only_dockyard = sorted(set(written["dockyard"]) - set(written["distribution"]))
    assert only_distribution == [] and only_dockyard == []
    differing = [
        path for path, data in written["distribution"].items() if written["dockyard"][path] != data
    ]
    assert differing == []
    # The comparison covered every kind of file the layout has.
    kinds = {"/_layers/", "/_manifests/revisions/", "/current/link", "/index/sha256/", "blobs/"}
    for kind in kinds:
        assert any(kind in path for path in written["dockyard"]), kind
