"""A directory written by CNCF Distribution 2.8 is served by Dockyard, unchanged.

Distribution (Debian's ``docker-registry``) takes pushes from skopeo and over HTTP, is stopped,
and Dockyard serves the same directory: the catalog, tag lists, manifests (by tag and digest,
exact bytes), indexes and blobs must read back identically, deletions must stay deleted, and
skopeo must pull every image back with the digests it pushed. An upload Distribution left
unfinished is resumed by Dockyard.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from interop import scenario
from support import snapshot, uploads
from support.distribution import DistributionServer
from support.images import sha256
from support.payload import random_bytes
from support.server import DockyardServer

pytestmark = pytest.mark.interop


def test_dockyard_serves_what_distribution_wrote(
    distribution: Callable[[Path], DistributionServer],
    dockyard: Callable[[Path], DockyardServer],
    data_root: Path,
    tmp_path: Path,
) -> None:
    source = distribution(data_root)
    with source.client() as client:
        history = scenario.populate(client, source.host, tmp_path / "inputs", dockyard=False)
        expected = snapshot.registry(client, history.untagged)
        scenario.check_history(client, history)
        # An upload left half done: Dockyard must be able to finish it.
        pending = random_bytes("interop/pending", 300_000)
        location = uploads.patch(
            client, uploads.start(client, "interop/pending"), pending[:100_000], 0
        )
    upload_id = location.split("?")[0].rsplit("/", 1)[1]
    source.stop()

    server = dockyard(data_root)
    with server.client() as client:
        assert not snapshot.differences(snapshot.registry(client, history.untagged), expected)
        scenario.check_history(client, history)
        scenario.pull_layouts(server.host, history, tmp_path / "pulled")
        for repo in expected["catalog"]:  # Distribution listed them in directory order
            assert snapshot.tags(client, repo) == sorted(snapshot.tags(client, repo))

        resumed = f"/v2/interop/pending/blobs/uploads/{upload_id}"
        status = client.get(resumed)
        assert status.status_code == 204, status.text
        assert status.headers["range"] == "0-99999"
        location = uploads.patch(client, resumed, pending[100_000:], 100_000)
        uploads.finish(client, location, sha256(pending))
        assert client.get(f"/v2/interop/pending/blobs/{sha256(pending)}").content == pending
