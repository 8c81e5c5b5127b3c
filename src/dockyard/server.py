"""Running the app under granian: address parsing, workers, and handing the config to workers.

Workers are separate processes that import :func:`worker_app`; the parent validates the
configuration first (so errors are one line, once) and passes the file path through the
environment for each worker to load the same way.
"""

from __future__ import annotations

import logging
import os
import socket

from dockyard import logs, tls
from dockyard.config import loader
from dockyard.config.models import Configuration

CONFIG_FILE_ENV = "DOCKYARD_CONFIG_FILE"

log = logging.getLogger("dockyard.server")


class ServerConfigError(Exception):
    """A setting the server cannot honour; reported as one line at start-up."""


def parse_addr(addr: str) -> tuple[str, int]:
    """``host:port`` / ``:port`` / ``[v6]:port`` as Go's net.Listen reads them."""
    host, sep, port = addr.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ServerConfigError(f"http.addr: invalid listen address {addr!r} (expected host:port)")
    host = host.strip("[]") or "0.0.0.0"
    if host == "localhost":
        host = "127.0.0.1"
    return host, int(port)


def check_listen(addr: str) -> None:
    """Fail early, in one line, when ``addr`` cannot be bound (in use, no such address)."""
    host, port = parse_addr(addr)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, _, _, _, sockaddr = infos[0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(sockaddr)
    except OSError as exc:
        raise ServerConfigError(
            f"http.addr: cannot listen on {addr}: {exc.strerror or exc}"
        ) from None


def worker_count(config: Configuration, requested: int | None) -> int:
    if config.storage.driver_name == "inmemory":
        return 1  # an in-process tree cannot be shared between worker processes
    if requested is None:
        requested = config.dockyard.workers
    return max(1, requested)


def _sends_passwords(config: Configuration) -> bool:
    provider = config.auth.provider
    return (provider is not None and provider[0] == "htpasswd") or bool(
        config.dockyard.auth.tokenissuer
    )


def worker_app():  # type: ignore[no-untyped-def]
    """Granian's factory target, called in each worker process."""
    from dockyard.app import App

    config = loader.load(os.environ.get(CONFIG_FILE_ENV) or None)
    logs.setup(config.log.level, config.log.formatter, config.log.fields)
    return App(config)


def run(config: Configuration, config_path: str | None, workers: int | None = None) -> None:
    from granian import Granian
    from granian.constants import Interfaces, Loops

    if config.http.net == "unix":
        raise ServerConfigError("http.net: unix sockets are not supported yet")
    host, port = parse_addr(config.http.addr)
    try:
        transport = tls.prepare(config.http)
    except tls.TLSConfigError as exc:
        raise ServerConfigError(str(exc)) from None
    try:
        os.environ[CONFIG_FILE_ENV] = config_path or ""
        count = worker_count(config, workers)
        tls_note = ", TLS" if transport.scheme == "https" else ""
        log.info("listening on %s:%d with %d worker(s)%s", host, port, count, tls_note)
        if transport.scheme == "http" and _sends_passwords(config):
            log.warning("passwords are accepted over plain HTTP: configure http.tls (docs/tls.md)")
        server = Granian(
            "dockyard.server:worker_app",
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            workers=count,
            factory=True,
            loop=Loops.uvloop,
            log_enabled=True,
            log_level="warning",  # type: ignore[arg-type]
            log_access=False,
            websockets=False,
            **transport.options,
        )
        server.serve()
    finally:
        transport.cleanup()
