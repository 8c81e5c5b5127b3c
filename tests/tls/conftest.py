"""A CA, a server certificate for 127.0.0.1, client certificates, and HTTPS servers."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from support.pki import Issued, issue, make_ca
from support.server import DockyardServer, base_config


class PKI:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.ca = make_ca("Dockyard TLS test CA")
        self.other_ca = make_ca("Some other CA")
        self.server = issue(self.ca, "registry", server=True)
        self.client = issue(self.ca, "client", client=True)
        self.stranger = issue(self.other_ca, "stranger", client=True)
        self.ca_path = directory / "ca.crt"
        self.ca_path.write_bytes(self.ca.cert_pem())
        self.other_ca_path = directory / "other-ca.crt"
        self.other_ca_path.write_bytes(self.other_ca.cert_pem())
        self.server_cert, self.server_key = self.server.write(directory, "server")
        self.client_cert, self.client_key = self.client.write(directory, "client")
        self.stranger_cert, self.stranger_key = self.stranger.write(directory, "stranger")

    def context(self, client: Issued | None = None, **kwargs: Any) -> ssl.SSLContext:
        """A client-side context trusting the CA, optionally presenting a certificate."""
        ctx = ssl.create_default_context(cafile=str(self.ca_path))
        for name, value in kwargs.items():
            setattr(ctx, name, value)
        if client is self.client:
            ctx.load_cert_chain(self.client_cert, self.client_key)
        elif client is self.stranger:
            ctx.load_cert_chain(self.stranger_cert, self.stranger_key)
        return ctx


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    return PKI(tmp_path_factory.mktemp("pki"))


def tls_section(pki: PKI, **extra: Any) -> dict[str, Any]:
    return {"certificate": str(pki.server_cert), "key": str(pki.server_key), **extra}


@pytest.fixture(scope="module")
def https_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., DockyardServer]]:
    """Start servers for a module: ``factory(tls={...}, verify=ctx, http={...}, **overrides)``."""
    servers: list[DockyardServer] = []

    def start(
        tls: dict[str, Any] | None,
        verify: Any = False,
        scheme: str = "https",
        http: dict[str, Any] | None = None,
        **overrides: Any,
    ) -> DockyardServer:
        server = DockyardServer(tmp_path_factory.mktemp("https"), scheme=scheme, verify=verify)
        server.config = base_config(server.root, server.port, **overrides)
        server.config["http"].update(http or {})
        if tls is not None:
            server.config["http"]["tls"] = tls
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        with contextlib.suppress(Exception):
            server.stop()
