"""The worker's tracer provider, built entirely from the standard ``OTEL_*`` variables.

Imported only when :func:`dockyard.tracing.settings` says tracing is on. Each worker process
builds its own provider (granian workers are separate processes, and the SDK's batch processor
owns a thread that a fork would not carry over) and flushes it in the ASGI lifespan shutdown.

What the SDK reads by itself: the sampler (``OTEL_TRACES_SAMPLER``, ``…_ARG``), the exporter's
endpoint, headers, timeout, compression and certificates (``OTEL_EXPORTER_OTLP_*``), the batch
processor (``OTEL_BSP_*``), span limits (``OTEL_SPAN_*``), the resource
(``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_SERVICE_NAME``) and the propagators (``OTEL_PROPAGATORS``).
"""

from __future__ import annotations

import asyncio
import logging

from opentelemetry import trace
from opentelemetry.sdk.resources import (
    SERVICE_NAME,
    SERVICE_VERSION,
    OTELResourceDetector,
    Resource,
)
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

from dockyard import __version__
from dockyard.api.http import Request
from dockyard.storage.driver.base import StorageDriver
from dockyard.tracing import Settings
from dockyard.tracing.driver import TracedDriver
from dockyard.tracing.spans import RequestSpan

log = logging.getLogger(__name__)

SCOPE = "dockyard"
DEFAULT_SERVICE_NAME = "dockyard"


def _exporter(name: str) -> SpanExporter:
    if name == "console":
        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def _resource() -> Resource:
    """``service.name`` defaults to "dockyard"; the environment's resource settings win."""
    ours = Resource.create({SERVICE_NAME: DEFAULT_SERVICE_NAME, SERVICE_VERSION: __version__})
    return ours.merge(OTELResourceDetector().detect())


class Tracing:
    """One worker's tracing: request spans, the storage-driver wrapper, and the final flush."""

    def __init__(self, provider: TracerProvider, prefix: str) -> None:
        self.provider = provider
        self.tracer = provider.get_tracer(SCOPE, __version__)
        self.prefix = prefix

    def start(self, request: Request, request_id: str) -> RequestSpan:
        return RequestSpan(self.tracer, request, request_id, self.prefix)

    def wrap_driver(self, driver: StorageDriver) -> StorageDriver:
        return TracedDriver(driver, self.tracer)

    async def shutdown(self) -> None:
        """Export what is still queued; blocking I/O, so off the event loop."""
        await asyncio.to_thread(self.provider.shutdown)


def start(settings: Settings, prefix: str) -> Tracing:
    provider = TracerProvider(resource=_resource())
    for name in settings.exporters:
        provider.add_span_processor(BatchSpanProcessor(_exporter(name)))
    trace.set_tracer_provider(provider)  # for middleware that traces through the API
    log.debug("tracing: exporting spans to %s", settings.describe())
    return Tracing(provider, prefix)
