"""Builds the endpoints from ``notifications`` and fans each event out to them.

An event is encoded once (orjson) and appended to every endpoint's queue; that append is the
only notification work done while a request is being served.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import uuid
from typing import Any

import orjson

from dockyard.config.models import Configuration
from dockyard.notifications.endpoint import Endpoint, EndpointConfig
from dockyard.notifications.events import Source
from dockyard.notifications.queue import DurableQueue, EventQueue, MemoryQueue

log = logging.getLogger(__name__)

EVENTS_SUBDIR = "_dockyard/events"


class Notifier:
    """The configured endpoints of this process, with the ``source`` record of its events."""

    def __init__(
        self,
        endpoints: list[Endpoint],
        source: Source,
        include_references: bool,
        durable: bool = False,
    ) -> None:
        self.endpoints = endpoints
        self.durable = durable
        self.source = source
        self.source_record = source.record()
        self.include_references = include_references

    def write(self, event: dict[str, Any]) -> None:
        record = orjson.dumps(event)
        for endpoint in self.endpoints:
            endpoint.write(event, record)

    def start(self) -> None:
        for endpoint in self.endpoints:
            endpoint.start()

    def stop(self, grace: float = 0.0) -> None:
        for endpoint in self.endpoints:
            endpoint.stop(grace)

    @property
    def pending(self) -> int:
        return sum(endpoint.queue.pending for endpoint in self.endpoints)

    def vars(self) -> list[dict[str, Any]]:
        return [endpoint.vars() for endpoint in self.endpoints]


def queue_directory(config: Configuration) -> str | None:
    """Where durable queues live, or None to keep them in memory."""
    configured = config.dockyard.notifications.directory
    if configured:
        return configured
    if config.storage.driver_name == "filesystem" and config.storage.filesystem is not None:
        return os.path.join(config.storage.filesystem.rootdirectory, EVENTS_SUBDIR)
    return None


def _dir_name(name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:64]
    return f"{safe}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def source_addr(http_addr: str) -> str:
    """``hostname:port`` of this node, as Distribution derives it from ``http.addr``."""
    _, sep, port = http_addr.rpartition(":")
    host = socket.gethostname()
    return f"{host}:{port}" if sep and port else host


def configure(config: Configuration) -> Notifier | None:
    """The process's notifier, or None when no endpoint is enabled (then requests pay nothing)."""
    enabled = [e for e in config.notifications.endpoints if not e.disabled]
    for endpoint in config.notifications.endpoints:
        if endpoint.disabled:
            log.info("endpoint %s disabled, skipping", endpoint.name)
    if not enabled:
        return None
    directory = queue_directory(config)
    bound = config.dockyard.notifications.maxpending
    media_type = config.dockyard.notifications.mediatype
    endpoints = []
    for cfg in enabled:
        queue: EventQueue
        if directory is None:
            queue = MemoryQueue(bound)
        else:
            queue = DurableQueue(os.path.join(directory, _dir_name(cfg.name)), bound)
        log.info(
            "configuring endpoint %s (%s), timeout=%gs, headers=%s, queue=%s",
            cfg.name,
            cfg.url,
            cfg.timeout,
            sorted(cfg.headers),
            directory or "memory",
        )
        endpoints.append(
            Endpoint(
                EndpointConfig(
                    name=cfg.name,
                    url=cfg.url,
                    headers=cfg.headers,
                    timeout=cfg.timeout if cfg.timeout > 0 else 1.0,
                    threshold=cfg.threshold if cfg.threshold > 0 else 10,
                    backoff=cfg.backoff if cfg.backoff > 0 else 1.0,
                    ignored_media_types=frozenset(cfg.ignore.mediatypes + cfg.ignoredmediatypes),
                    ignored_actions=frozenset(cfg.ignore.actions),
                    media_type=media_type,
                ),
                queue,
            )
        )
    source = Source(source_addr(config.http.addr), str(uuid.uuid4()))
    includereferences = config.notifications.events.includereferences
    return Notifier(endpoints, source, includereferences, durable=directory is not None)
