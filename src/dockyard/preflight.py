"""Start-up checks of the operational settings: every problem is one line, before any worker.

Workers build the same objects again; checking here first means a bad middleware name, Redis
setting, log hook or queue directory stops ``dockyard serve`` with a clear message instead of a
traceback in each worker.
"""

from __future__ import annotations

import os

from dockyard import loghooks, middleware, tracing
from dockyard.cache import factory as cache_factory
from dockyard.cache.redis import RedisUnsupportedError
from dockyard.config.models import Configuration
from dockyard.notifications.notifier import queue_directory
from dockyard.server import parse_addr
from dockyard.storage.driver.inmemory import InMemoryDriver
from dockyard.storage.registry import Registry


class StartupError(Exception):
    """An operational setting that cannot work; the message is the start-up line."""


def check(config: Configuration) -> None:
    try:
        driver = middleware.apply("storage", InMemoryDriver(), config.middleware.storage)
        registry = middleware.apply("registry", Registry(driver), config.middleware.registry)
        repository = registry.repository("preflight")
        middleware.apply("repository", repository, config.middleware.repository)
        cache_factory.check(config)
        loghooks.check(config.log.hooks)
    except (middleware.MiddlewareError, RedisUnsupportedError, loghooks.HookConfigError) as exc:
        raise StartupError(str(exc)) from None
    _check_notifications(config)
    try:
        tracing.check()
    except tracing.TracingConfigError as exc:
        raise StartupError(str(exc)) from None
    if config.http.debug.addr:
        try:
            parse_addr(config.http.debug.addr)
        except Exception as exc:
            raise StartupError(str(exc).replace("http.addr", "http.debug.addr")) from None


def _check_notifications(config: Configuration) -> None:
    names = [e.name for e in config.notifications.endpoints]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise StartupError(f"notifications.endpoints: duplicate endpoint names {duplicates}")
    if not any(not e.disabled for e in config.notifications.endpoints):
        return
    directory = queue_directory(config)
    if directory is None:
        return
    try:
        os.makedirs(directory, exist_ok=True)
        probe = os.path.join(directory, ".probe")
        with open(probe, "wb"):
            pass
        os.unlink(probe)
    except OSError as exc:
        raise StartupError(
            f"dockyard.notifications.directory: cannot use {directory!r} for the event queue: "
            f"{exc.strerror or exc}"
        ) from None
