"""One worker, one process: granian's embedded server on Dockyard's own event loop.

With ``dockyard.workers: 1`` a granian supervisor would be a second Python process (~55 MiB)
that only forwards signals to its one worker. Here the registry runs in the process that
checked the configuration instead: granian's Rust HTTP server accepts on its own threads and
calls the app on this process's uvloop, exactly as in a worker process (same ASGI worker, same
``pathsend``, TLS and HTTP/2 options, same lifespan hooks).

What the supervisor did is done here:

- ``SIGTERM``/``SIGINT`` stop accepting at once and let requests in flight finish; the app's
  lifespan shutdown (background tasks, notification queue) runs when they have. After
  ``http.draintimeout`` (at least a second, as :func:`dockyard.server.kill_timeout` says) the
  requests still running are cut: the loop is abandoned and the process exits, as a killed
  worker would, after the caller's clean-up (:class:`RequestsCut`).
- ``SIGHUP`` does not respawn anything (there is no second process to take over the socket);
  it is logged and ignored.
- A worker that fails (its lifespan start-up raised) ends the process with status 1.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from typing import Any

log = logging.getLogger("dockyard.server")

EXPERIMENTAL_NOTICE = "Embedded server is experimental!"


class RequestsCut(Exception):
    """The drain timeout expired with requests still running; the process must exit now."""


class _QuietNotice(logging.Filter):
    """Granian warns that its embedded server is experimental on every start: say it once, in
    the docs (deployment.md), not in every log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != EXPERIMENTAL_NOTICE


def serve(app_factory: Callable[[], Any], options: dict[str, Any], drain: float) -> None:
    """Serve until a stop signal; raises :class:`RequestsCut` if the drain timed out."""
    import uvloop
    from granian.server.embed import Server

    logging.getLogger("_granian").addFilter(_QuietNotice())
    server = Server(app_factory, factory=True, **options)
    loop = uvloop.new_event_loop()
    asyncio.set_event_loop(loop)
    stopping = _Stopper(server, loop, drain)
    task = loop.create_task(_run(server, stopping))
    try:
        loop.run_until_complete(task)
    except RuntimeError:
        if not stopping.expired:
            raise
        # The loop was stopped under running requests: closing it would run them to a 500.
        raise RequestsCut from None
    try:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    if server.interrupt_children:
        sys.exit(1)


async def _run(server: Any, stopping: _Stopper) -> None:
    stopping.install()
    await server.serve()


class _Stopper:
    """The signal handlers and the drain deadline."""

    def __init__(self, server: Any, loop: asyncio.AbstractEventLoop, drain: float) -> None:
        self.server = server
        self.loop = loop
        self.drain = drain
        self.stopping = False
        self.expired = False

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            self.loop.add_signal_handler(sig, self.stop, sig)
        self.loop.add_signal_handler(signal.SIGHUP, self.hangup)

    def stop(self, sig: signal.Signals) -> None:
        if self.stopping:
            return
        self.stopping = True
        log.info("%s: stopping; requests in flight get %gs", sig.name, self.drain)
        self.loop.call_later(self.drain, self.expire)
        self.server.stop()

    def hangup(self) -> None:
        log.warning("SIGHUP ignored: one process serves (dockyard.workers: 1); restart instead")

    def expire(self) -> None:
        self.expired = True
        log.warning("http.draintimeout expired: cutting the requests still running")
        self.loop.stop()
