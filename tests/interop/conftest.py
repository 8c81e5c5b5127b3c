"""Fixtures: CNCF Distribution 2.8 servers, and Dockyard servers, over a data directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support.distribution import DistributionServer
from support.server import DockyardServer


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    """The storage directory the registries of one test take turns serving."""
    root = tmp_path / "shared-data"
    root.mkdir()
    return root


@pytest.fixture
def distribution(tmp_path: Path) -> Iterator[Callable[[Path], DistributionServer]]:
    """Start ``docker-registry serve`` over a root: ``distribution(root)``; stopped at the end."""
    servers: list[DistributionServer] = []

    def make(root: Path) -> DistributionServer:
        server = DistributionServer(tmp_path / f"distribution{len(servers)}", root)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def dockyard(make_server: Callable[..., DockyardServer]) -> Callable[[Path], DockyardServer]:
    """Start Dockyard over a root: ``dockyard(root)``; stopped at the end."""

    def make(root: Path) -> DockyardServer:
        return make_server(storage__filesystem__rootdirectory=str(root))

    return make
