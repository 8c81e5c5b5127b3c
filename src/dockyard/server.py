"""Running the app under granian: address parsing, workers, and handing the config to workers.

The process that validated the configuration (so errors are one line, once) serves. With one
worker (the default) it runs the app itself on granian's embedded server (:mod:`dockyard.embedded`):
one Python process. With more, granian supervises worker processes that import
:func:`worker_app`, which loads the configuration from the file path passed in the environment.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import socket
import subprocess
import sys
from typing import Any

from dockyard import logs, tls
from dockyard.config import loader
from dockyard.config.models import Configuration
from dockyard.embedded import RequestsCut
from dockyard.metrics import snapshot
from dockyard.metrics.snapshot import STATE_DIR_ENV

CONFIG_FILE_ENV = "DOCKYARD_CONFIG_FILE"
BACKLOG = 1024
"""granian's own default for its process mode; its embedded server's is 128, and the backlog
also bounds the requests a worker runs at once (``backpressure``), so both modes set it."""

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
    """Granian's factory target, called in each worker process (several workers)."""
    config = loader.load(os.environ.get(CONFIG_FILE_ENV) or None)
    logs.setup(config.log.level, config.log.formatter, config.log.fields)
    return app_for(config)


def _log_tracing() -> None:
    """One line saying where traces go, when the ``OTEL_*`` environment turns tracing on."""
    from dockyard import tracing

    found = tracing.settings()
    if found is not None:
        log.info("tracing on (%s): exporting spans %s", found.trigger, found.describe())


def kill_timeout(config: Configuration) -> int:
    """Granian's ``workers_kill_timeout`` for ``http.draintimeout``.

    On SIGTERM granian stops accepting and lets each worker finish its requests; after this many
    seconds a worker still busy is killed. Distribution's zero means "do not wait": one second
    is left for the workers' shutdown (the event queue is already on disk).
    """
    return max(1, math.ceil(config.http.draintimeout))


@contextlib.contextmanager
def _debug_server(config: Configuration):  # type: ignore[no-untyped-def]
    """The debug listener's process (see :mod:`dockyard.debugserver`), if ``http.debug.addr``."""
    if not config.http.debug.addr:
        yield
        return
    from dockyard.debugserver import listen

    sock = listen(config.http.debug.addr)
    fd = sock.fileno()
    process = subprocess.Popen(
        [sys.executable, "-m", "dockyard.debugserver", str(os.getpid()), str(fd)],
        pass_fds=(fd,),
    )
    sock.close()
    log.info("debug server on %s", config.http.debug.addr)
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()


def run(config: Configuration, config_path: str | None, workers: int | None = None) -> None:
    if config.http.net == "unix":
        raise ServerConfigError("http.net: unix sockets are not supported yet")
    host, port = parse_addr(config.http.addr)
    try:
        transport = tls.prepare(config.http)
    except tls.TLSConfigError as exc:
        raise ServerConfigError(str(exc)) from None
    os.environ[CONFIG_FILE_ENV] = config_path or ""
    count = worker_count(config, workers)
    state_dir = snapshot.make_state_dir()
    os.environ[STATE_DIR_ENV] = state_dir
    cut = False
    try:
        with _debug_server(config):
            tls_note = ", TLS" if transport.scheme == "https" else ""
            log.info("listening on %s:%d with %d worker(s)%s", host, port, count, tls_note)
            _log_tracing()
            if transport.scheme == "http" and _sends_passwords(config):
                log.warning(
                    "passwords are accepted over plain HTTP: configure http.tls (docs/tls.md)"
                )
            try:
                _serve(config, host, port, count, transport.options)
            except RequestsCut:
                cut = True
    finally:
        transport.cleanup()
        shutil.rmtree(state_dir, ignore_errors=True)
    if cut:
        # Requests are still running on granian's threads: leave without waiting for them
        # (and without interpreter shutdown under them), as a worker killed by granian would.
        logging.shutdown()
        os._exit(0)


def app_for(config: Configuration):  # type: ignore[no-untyped-def]
    """The App for ``config`` in this process (the one-process mode's factory)."""
    from dockyard import loghooks
    from dockyard.app import App

    loghooks.install(config.log.hooks)
    return App(config)


def granian_options(
    config: Configuration, host: str, port: int, options: dict[str, Any]
) -> dict[str, Any]:
    """What both serving modes tell granian (TLS/HTTP options come from :mod:`dockyard.tls`)."""
    from granian.constants import Interfaces

    extra: dict[str, Any] = {}
    if config.dockyard.http.readbuffer:
        from granian.http import HTTP1Settings

        extra["http1_settings"] = HTTP1Settings(max_buffer_size=config.dockyard.http.readbuffer)
    return {
        "address": host,
        "port": port,
        "interface": Interfaces.ASGI,
        "backlog": BACKLOG,
        "log_enabled": True,
        "log_level": "warning",
        "log_access": False,
        "websockets": False,
        **extra,
        **options,
    }


def _serve(
    config: Configuration, host: str, port: int, count: int, options: dict[str, Any]
) -> None:
    granian_kwargs = granian_options(config, host, port, options)
    if count == 1:
        from dockyard import embedded

        embedded.serve(lambda: app_for(config), granian_kwargs, kill_timeout(config))
        return
    from granian import Granian
    from granian.constants import Loops

    server = Granian(
        "dockyard.server:worker_app",
        workers=count,
        factory=True,
        loop=Loops.uvloop,
        workers_kill_timeout=kill_timeout(config),
        **granian_kwargs,
    )
    server.serve()
