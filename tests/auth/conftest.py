"""Fixtures for access-control tests: htpasswd files, signing keys, servers per module."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from support.htpasswd import write_htpasswd
from support.pki import Issued, self_signed
from support.server import DockyardServer, base_config

ISSUER = "test-issuer"
SERVICE = "test-registry"
PASSWORDS = {"alice": "alice-secret-1", "bob": "bob-secret-2", "admin": "admin-secret-3"}


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("auth")


@pytest.fixture(scope="module")
def htpasswd(module_dir: Path) -> Path:
    return write_htpasswd(module_dir / "htpasswd", PASSWORDS)


@pytest.fixture(scope="module")
def signer(module_dir: Path) -> tuple[Issued, Path, Path]:
    """A self-signed token-signing certificate: (issued, cert path, key path)."""
    issued = self_signed("token signer")
    cert, key = issued.write(module_dir / "signer", "signer")
    return issued, cert, key


@pytest.fixture(scope="module")
def server_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., DockyardServer]]:
    """Start servers that live for the whole module: ``factory(auth={...}, dockyard={...})``."""
    servers: list[DockyardServer] = []

    def start(config: dict[str, Any] | None = None, **overrides: Any) -> DockyardServer:
        server = DockyardServer(tmp_path_factory.mktemp("server"))
        server.config = config or base_config(server.root, server.port, **overrides)
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        with contextlib.suppress(Exception):
            server.stop()


def token_auth(bundle: Path, realm: str = "https://auth.example.com/token") -> dict[str, Any]:
    return {
        "token": {
            "realm": realm,
            "service": SERVICE,
            "issuer": ISSUER,
            "rootcertbundle": str(bundle),
        }
    }
