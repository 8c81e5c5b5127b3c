"""Dockyard-only settings, under a top-level ``dockyard:`` key of ``config.yml``.

Distribution decodes its YAML non-strictly and ignores top-level keys it does not know, so a file
with a ``dockyard:`` section still starts Distribution unchanged: one file serves both. Everything
Dockyard adds beyond Distribution's own keys lives here, never inside Distribution's sections.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dockyard.config.access import AccessExtensions


class EventQueue(BaseModel):
    """Where notification events wait for delivery (Distribution keeps them in memory only)."""

    model_config = ConfigDict(extra="forbid")

    directory: str = ""
    """Queue directory; default ``<filesystem rootdirectory>/_dockyard/events``. Other drivers
    without a directory keep the queue in memory, as Distribution does (said at start-up)."""
    maxpending: int = Field(100_000, ge=1)
    """Events waiting per endpoint before new ones are refused (counted as ``Dropped``)."""
    mediatype: Literal[
        "application/vnd.docker.distribution.events.v2+json",
        "application/vnd.docker.distribution.events.v1+json",
    ] = "application/vnd.docker.distribution.events.v2+json"
    """``Content-Type`` of the envelope; the v1 type is for consumers that insist on it."""


class TracingExtensions(BaseModel):
    """What a traced request records; whether to trace at all is the ``OTEL_*`` environment's."""

    model_config = ConfigDict(extra="forbid")

    storagespans: bool = True
    """A child span per storage-driver operation of a recorded request, as Distribution has."""


class HTTPExtensions(BaseModel):
    """How granian serves HTTP, beyond Distribution's ``http`` section."""

    model_config = ConfigDict(extra="forbid")

    readbuffer: int = Field(0, ge=0, le=64 << 20)
    """Largest HTTP/1.1 read buffer per connection, in bytes; 0 keeps granian's (408 KiB). It
    bounds the body chunks an upload holds in memory: lower it to cap memory under many
    concurrent uploads, at a cost in upload throughput (measured in bench/README.md)."""

    @field_validator("readbuffer")
    @classmethod
    def _at_least_hypers_minimum(cls, value: int) -> int:
        if 0 < value < 8192:
            raise ValueError("must be 0 (granian's default) or at least 8192 bytes")
        return value


class Extensions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workers: int = Field(1, ge=1, le=64)
    """Worker processes serving the API (``inmemory`` storage always uses one)."""
    notifications: EventQueue = EventQueue()
    auth: AccessExtensions = AccessExtensions()
    """The built-in token issuer, the access policy and login rate limiting (config/access.py)."""
    tracing: TracingExtensions = TracingExtensions()
    http: HTTPExtensions = HTTPExtensions()
