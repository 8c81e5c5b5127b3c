"""A directory written by Dockyard is served by CNCF Distribution 2.8, unchanged.

Dockyard takes pushes from skopeo and over HTTP (chunked uploads, a multi-platform index, a
moved tag, a deleted tag, a deleted manifest, mounted blobs, an artifact with a ``subject``), is
stopped, and Distribution (Debian's ``docker-registry``) serves the same directory: everything
must read back identically, deletions must stay deleted, and skopeo must pull every image back
with the digests it pushed. Dockyard's referrers index (``_referrers``) must not disturb
Distribution, and must still be there when Dockyard serves the directory again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from interop import scenario
from support import snapshot
from support.distribution import DistributionServer
from support.server import DockyardServer

pytestmark = pytest.mark.interop


def test_distribution_serves_what_dockyard_wrote(
    distribution: Callable[[Path], DistributionServer],
    dockyard: Callable[[Path], DockyardServer],
    data_root: Path,
    tmp_path: Path,
) -> None:
    source = dockyard(data_root)
    with source.client() as client:
        history = scenario.populate(client, source.host, tmp_path / "inputs", dockyard=True)
        expected = snapshot.registry(client, history.untagged)
        scenario.check_history(client, history)
    source.stop()

    target = distribution(data_root)
    with target.client() as client:
        assert not snapshot.differences(snapshot.registry(client, history.untagged), expected)
        scenario.check_history(client, history)
        scenario.pull_layouts(target.host, history, tmp_path / "pulled")
    target.stop()

    # Back to Dockyard: what Distribution served is intact, referrers included.
    again = dockyard(data_root)
    with again.client() as client:
        assert not snapshot.differences(snapshot.registry(client, history.untagged), expected)
        listing = client.get(f"/v2/{scenario.HTTP_REPO}/referrers/{history.subject}")
        assert [m["digest"] for m in listing.json()["manifests"]] == [history.referrer]
