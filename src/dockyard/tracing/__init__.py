"""OpenTelemetry tracing, switched on only by the standard ``OTEL_*`` environment variables.

The rule (documented in docs/operations.md#tracing): tracing is on when ``OTEL_SDK_DISABLED`` is
not ``true`` and either ``OTEL_TRACES_EXPORTER`` names an exporter other than ``none``, or it is
unset and ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set.
Distribution v3 exports to ``localhost:4318`` unless told not to; Dockyard sends nothing anywhere
unless told to.

This module only decides, and must stay import-light: a registry without tracing never imports
the OpenTelemetry packages (their import time and memory would land in every worker). The SDK is
imported by :mod:`dockyard.tracing.provider`, and only when the environment asks for traces.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dockyard.tracing.provider import Tracing

EXPORTERS = ("otlp", "console")
PROTOCOL = "http/protobuf"
SAMPLERS = (
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
)
PROPAGATORS = ("tracecontext", "baggage", "none")
DEFAULT_ENDPOINT = "http://localhost:4318"
SDK_MODULE = "opentelemetry.sdk.trace"
OTLP_MODULE = "opentelemetry.exporter.otlp.proto.http.trace_exporter"


class TracingConfigError(Exception):
    """An ``OTEL_*`` setting Dockyard cannot honour; the message is the start-up line."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What the environment asks for: which exporters, and which variable asked."""

    exporters: tuple[str, ...]
    trigger: str
    endpoint: str

    def describe(self) -> str:
        """For the start-up log line: where spans go."""
        targets = [
            f"over OTLP/HTTP to {self.endpoint}" if name == "otlp" else "to stdout"
            for name in self.exporters
        ]
        return " and ".join(targets)


def _get(environ: Mapping[str, str], name: str) -> str:
    return environ.get(name, "").strip()


def settings(environ: Mapping[str, str] = os.environ) -> Settings | None:
    """None when tracing is off; raises :class:`TracingConfigError` for settings we cannot use."""
    if _get(environ, "OTEL_SDK_DISABLED").lower() == "true":
        return None
    named = _get(environ, "OTEL_TRACES_EXPORTER").lower()
    if named:
        exporters = tuple(dict.fromkeys(n.strip() for n in named.split(",") if n.strip()))
        if "none" in exporters:
            return None
        unknown = [n for n in exporters if n not in EXPORTERS]
        if unknown:
            raise TracingConfigError(
                f"OTEL_TRACES_EXPORTER: unsupported exporter {unknown[0]!r} "
                f"(Dockyard has {', '.join(EXPORTERS)} and none)"
            )
        trigger = "OTEL_TRACES_EXPORTER"
    else:
        trigger = next(
            (
                name
                for name in ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
                if _get(environ, name)
            ),
            "",
        )
        if not trigger:
            return None
        exporters = ("otlp",)
    if "otlp" in exporters:
        _check_protocol(environ)
    _check_sampler(environ)
    _check_propagators(environ)
    return Settings(exporters, trigger, traces_endpoint(environ))


def traces_endpoint(environ: Mapping[str, str] = os.environ) -> str:
    """The URL the OTLP exporter posts to, resolved as the exporter resolves it."""
    specific = _get(environ, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    if specific:
        return specific
    base = _get(environ, "OTEL_EXPORTER_OTLP_ENDPOINT") or DEFAULT_ENDPOINT
    return base.rstrip("/") + "/v1/traces"


def _check_protocol(environ: Mapping[str, str]) -> None:
    for name in ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"):
        value = _get(environ, name)
        if value:
            if value != PROTOCOL:
                raise TracingConfigError(
                    f"{name}: unsupported protocol {value!r} (Dockyard exports {PROTOCOL})"
                )
            return


def _check_sampler(environ: Mapping[str, str]) -> None:
    sampler = _get(environ, "OTEL_TRACES_SAMPLER").lower()
    if sampler and sampler not in SAMPLERS:
        raise TracingConfigError(
            f"OTEL_TRACES_SAMPLER: unknown sampler {sampler!r} (one of {', '.join(SAMPLERS)})"
        )
    arg = _get(environ, "OTEL_TRACES_SAMPLER_ARG")
    if sampler.endswith("traceidratio") and arg:
        try:
            ratio = float(arg)
        except ValueError:
            ratio = -1.0
        if not 0.0 <= ratio <= 1.0:
            raise TracingConfigError(
                f"OTEL_TRACES_SAMPLER_ARG: {arg!r} is not a ratio between 0 and 1"
            )


def _check_propagators(environ: Mapping[str, str]) -> None:
    for name in _get(environ, "OTEL_PROPAGATORS").lower().split(","):
        if name.strip() and name.strip() not in PROPAGATORS:
            raise TracingConfigError(
                f"OTEL_PROPAGATORS: unsupported propagator {name.strip()!r} "
                f"(one of {', '.join(PROPAGATORS)})"
            )


def check(environ: Mapping[str, str] = os.environ) -> Settings | None:
    """Start-up check in the parent: the settings, and the packages they need are installed.

    Looks the packages up without running them, so the parent stays lean; a worker imports them.
    """
    found = settings(environ)
    if found is None:
        return None
    needed = [SDK_MODULE] + ([OTLP_MODULE] if "otlp" in found.exporters else [])
    for module in needed:
        try:
            missing = importlib.util.find_spec(module) is None
            problem = f"No module named {module!r}"
        except ImportError as exc:
            missing, problem = True, str(exc)
        if missing:
            raise TracingConfigError(
                f"tracing: {found.trigger} asks for traces but the OpenTelemetry packages are "
                f"not installed ({problem}): install 'dockyard[tracing]', or unset {found.trigger}"
            )
    return found


def configure(prefix: str = "") -> Tracing | None:
    """Called once per worker process: a tracer provider of its own, or None.

    ``prefix`` is ``http.prefix``, which starts every route template (``http.route``).
    """
    found = settings()
    if found is None:
        return None
    from dockyard.tracing.provider import start

    return start(found, "/" + prefix.strip("/") if prefix.strip("/") else "")
