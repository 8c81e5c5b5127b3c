"""Fixtures: one shared Dockyard server per test process, and factories for dedicated ones."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.server import DockyardServer, base_config


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockyardServer]:
    """A shared registry (filesystem storage, deletes enabled); use unique repository names."""
    server = DockyardServer(tmp_path_factory.mktemp("registry"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(registry: DockyardServer) -> Iterator[httpx.Client]:
    with registry.client() as c:
        yield c


@pytest.fixture
def repo() -> str:
    """A repository name no other test uses."""
    return f"test/{uuid.uuid4().hex[:12]}"


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[Callable[..., DockyardServer]]:
    """Start dedicated servers: ``make_server(storage__delete__enabled=False)``.

    Keyword arguments override the base config (``__`` separates levels); ``config=`` replaces it.
    """
    servers: list[DockyardServer] = []

    def make(
        config: dict[str, Any] | None = None,
        start: bool = True,
        env: dict[str, str] | None = None,
        **overrides: Any,
    ) -> DockyardServer:
        workdir = tmp_path / f"server{len(servers)}"
        server = DockyardServer(workdir, env=env)
        server.config = config or base_config(server.root, server.port, **overrides)
        servers.append(server)
        if start:
            server.start()
        return server

    yield make
    for server in servers:
        server.stop()
    shutil.rmtree(tmp_path, ignore_errors=True)
