"""The worker's background work, started and stopped by the ASGI lifespan: notification
delivery, health polling, upload purging, and publishing snapshots for the debug server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import TYPE_CHECKING, Any

from dockyard.metrics import snapshot
from dockyard.storage.purge import UploadPurger

if TYPE_CHECKING:
    from dockyard.app import App

log = logging.getLogger(__name__)

NOTIFY_GRACE = 2.0
"""Seconds an in-memory queue gets at shutdown to deliver what it holds (a durable queue needs
none: its events wait on disk for the next start), never more than the drain timeout allows."""


class Background:
    def __init__(self, app: App) -> None:
        self.app = app
        self._tasks: list[asyncio.Task[None]] = []
        self._purger: UploadPurger | None = None
        self._state_dir = snapshot.state_dir()
        purging = app.config.storage.maintenance.uploadpurging
        if purging.enabled and not app.options.read_only:
            lock = os.path.join(self._state_dir, "purger.lock") if self._state_dir else None
            self._purger = UploadPurger(
                app.driver, purging.age, purging.interval, purging.dryrun, lock
            )

    async def start(self) -> None:
        app = self.app
        loop = asyncio.get_running_loop()
        if app.notifier is not None:
            app.notifier.start()
        if app.health is not None:
            app.health.start()
        if self._purger is not None:
            self._tasks.append(loop.create_task(self._purger.run()))
        if self._state_dir is not None and app.config.http.debug.addr:
            self._tasks.append(loop.create_task(self._publish()))

    def snapshot(self) -> dict[str, Any]:
        app = self.app
        cache = app.cache
        return {
            "pid": os.getpid(),
            "metrics": app.metrics.snapshot() if app.metrics is not None else None,
            "cache": cache.stats.snapshot() if cache is not None else None,
            "cache_vars": cache.vars() if cache is not None else None,
            "notifications": app.notifier.vars() if app.notifier is not None else [],
        }

    async def _publish(self) -> None:
        assert self._state_dir is not None
        while True:
            try:
                snapshot.write(self._state_dir, self.snapshot())
            except OSError as exc:
                log.warning("cannot publish metrics snapshot: %s", exc)
            await asyncio.sleep(snapshot.INTERVAL)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._purger is not None:
            self._purger.close()
        app = self.app
        if app.health is not None:
            await app.health.stop()
        if app.notifier is not None:
            drain = max(app.config.http.draintimeout - 0.5, 0.0)
            grace = 0.0 if app.notifier.durable else min(NOTIFY_GRACE, drain)
            await asyncio.to_thread(app.notifier.stop, grace)
        if self._state_dir is not None and app.config.http.debug.addr:
            with contextlib.suppress(OSError):
                snapshot.write(self._state_dir, self.snapshot())
