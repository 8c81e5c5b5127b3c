"""Checkers, their polling, and the registry of their current state.

A check is healthy until it fails ``threshold`` times in a row (a ``file`` check: once), and
healthy again after one success. The first poll runs at start-up so a bad state is known at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from dockyard.config.sections.health import Health
from dockyard.storage.driver.base import PathNotFoundError, StorageDriver

log = logging.getLogger(__name__)

CheckFn = Callable[[], Awaitable[None]]
DEFAULT_INTERVAL = 10.0


class CheckFailedError(Exception):
    """A check's failure, with the message ``/debug/health`` shows."""


@dataclass(slots=True)
class Check:
    name: str
    fn: CheckFn
    interval: float
    threshold: int = 1
    failures: int = 0
    error: str | None = None
    _task: asyncio.Task[None] | None = field(default=None, repr=False)

    async def poll_once(self) -> None:
        try:
            await self.fn()
        except Exception as exc:
            self.failures += 1
            if self.failures >= max(self.threshold, 1):
                if self.error is None:
                    log.error("health check %s failing: %s", self.name, exc)
                self.error = str(exc) or type(exc).__name__
            return
        if self.error is not None:
            log.info("health check %s passing again", self.name)
        self.failures = 0
        self.error = None

    async def run(self) -> None:
        while True:
            await self.poll_once()
            await asyncio.sleep(self.interval or DEFAULT_INTERVAL)


class HealthRegistry:
    def __init__(self, checks: list[Check]) -> None:
        self.checks = checks

    def failing(self) -> dict[str, str]:
        return {c.name: c.error for c in self.checks if c.error is not None}

    @property
    def healthy(self) -> bool:
        return all(c.error is None for c in self.checks)

    def start(self) -> None:
        for check in self.checks:
            if check._task is None:
                check._task = asyncio.get_running_loop().create_task(check.run())

    async def stop(self) -> None:
        for check in self.checks:
            if check._task is not None:
                check._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await check._task
                check._task = None


def storage_check(driver: StorageDriver) -> CheckFn:
    async def check() -> None:
        try:
            await driver.stat("/")
        except PathNotFoundError:
            return  # the backend answers; an empty registry has no root yet
        except Exception as exc:
            raise CheckFailedError(f"storage driver: {exc}") from exc

    return check


def file_check(path: str) -> CheckFn:
    absolute = os.path.abspath(path)

    async def check() -> None:
        if await asyncio.to_thread(os.path.lexists, absolute):
            raise CheckFailedError("file exists")

    return check


def http_check(uri: str, status: int, timeout: float, headers: dict[str, list[str]]) -> CheckFn:
    flat = [(k, v) for k, values in headers.items() for v in values]

    async def check() -> None:
        import httpx  # only when an http check is configured

        try:
            async with httpx.AsyncClient(timeout=timeout or 1.0, trust_env=False) as client:
                response = await client.head(uri, headers=flat)
        except httpx.HTTPError as exc:
            raise CheckFailedError(f"{uri}: error while checking: {exc}") from exc
        if response.status_code != status:
            raise CheckFailedError(
                f"{uri}: downstream service returned unexpected status: {response.status_code}"
            )

    return check


def tcp_check(addr: str, timeout: float) -> CheckFn:
    host, _, port = addr.rpartition(":")

    async def check() -> None:
        try:
            async with asyncio.timeout(timeout or 1.0):
                _, writer = await asyncio.open_connection(host.strip("[]"), int(port))
        except (OSError, TimeoutError, ValueError) as exc:
            raise CheckFailedError(f"{addr}: connection failed: {exc or 'timeout'}") from exc
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()

    return check


def configured(health: Health) -> bool:
    return bool(health.storagedriver.enabled or health.file or health.http or health.tcp)


def build(health: Health, driver: StorageDriver, driver_name: str) -> HealthRegistry | None:
    """The checks the ``health`` section asks for, or None when it asks for none."""
    if not configured(health):
        return None
    checks = []
    sd = health.storagedriver
    if sd.enabled:
        checks.append(
            Check(f"storagedriver_{driver_name}", storage_check(driver), sd.interval, sd.threshold)
        )
    for f in health.file:
        checks.append(Check(f.file, file_check(f.file), f.interval, 1))
    for h in health.http:
        fn = http_check(h.uri, h.statuscode or 200, h.timeout, h.headers)
        checks.append(Check(h.uri, fn, h.interval, h.threshold))
    for t in health.tcp:
        checks.append(Check(t.addr, tcp_check(t.addr, t.timeout), t.interval, t.threshold))
    return HealthRegistry(checks)
