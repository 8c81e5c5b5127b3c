"""``OTEL_*`` settings Dockyard cannot honour stop ``dockyard serve`` with one line; the console
exporter writes spans to the server's output."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from support.server import DockyardServer, base_config, free_port, wait_until
from support.startup import refused

COLLECTOR = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"}  # never reached: refused first

CASES = {
    "grpc": (
        {**COLLECTOR, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
        "OTEL_EXPORTER_OTLP_PROTOCOL: unsupported protocol 'grpc' (Dockyard exports http/protobuf)",
    ),
    "traces protocol wins": (
        {
            **COLLECTOR,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json",
        },
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: unsupported protocol 'http/json' "
        "(Dockyard exports http/protobuf)",
    ),
    "zipkin": (
        {"OTEL_TRACES_EXPORTER": "otlp,zipkin"},
        "OTEL_TRACES_EXPORTER: unsupported exporter 'zipkin' (Dockyard has otlp, console and none)",
    ),
    "sampler": (
        {**COLLECTOR, "OTEL_TRACES_SAMPLER": "jaeger_remote"},
        "OTEL_TRACES_SAMPLER: unknown sampler 'jaeger_remote' (one of always_on, always_off, "
        "traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio)",
    ),
    "ratio": (
        {**COLLECTOR, "OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "5%"},
        "OTEL_TRACES_SAMPLER_ARG: '5%' is not a ratio between 0 and 1",
    ),
    "propagator": (
        {**COLLECTOR, "OTEL_PROPAGATORS": "tracecontext,b3"},
        "OTEL_PROPAGATORS: unsupported propagator 'b3' (one of tracecontext, baggage, none)",
    ),
}


@pytest.mark.parametrize(("env", "line"), CASES.values(), ids=CASES.keys())
def test_unusable_settings_stop_start_up(tmp_path: Path, env: dict[str, str], line: str) -> None:
    config = base_config(tmp_path / "data", free_port())
    assert refused(tmp_path, config, env=env) == f"dockyard: {line}"


def test_missing_packages_stop_start_up(tmp_path: Path) -> None:
    """An install without the ``tracing`` extra, made by hiding ``opentelemetry.sdk``.

    A package earlier on ``PYTHONPATH`` shadows the installed one and fails to import, as an
    absent one does; everything else comes from the test environment.
    """
    hidden = tmp_path / "hide" / "opentelemetry" / "sdk"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'opentelemetry.sdk'\", "
        "name='opentelemetry.sdk')\n"
    )
    config = base_config(tmp_path / "data", free_port())
    env = {
        "PYTHONPATH": str(tmp_path / "hide"),
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9",
    }
    assert refused(tmp_path, config, env=env) == (
        "dockyard: tracing: OTEL_EXPORTER_OTLP_ENDPOINT asks for traces but the OpenTelemetry "
        "packages are not installed (No module named 'opentelemetry.sdk'): "
        "install 'dockyard[tracing]', or unset OTEL_EXPORTER_OTLP_ENDPOINT"
    )


def test_console_exporter_writes_spans_to_the_output(
    make_server: Callable[..., DockyardServer],
) -> None:
    """(With ``http.prefix``, which starts the route templates too.)"""
    server = make_server(
        env={"OTEL_TRACES_EXPORTER": "console", "OTEL_BSP_SCHEDULE_DELAY": "100"},
        http__prefix="/mirror/",
    )
    trace_id = secrets.token_hex(16)
    with server.client() as client:
        headers = {"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"}
        assert client.get("/mirror/v2/_catalog", headers=headers).status_code == 200
    wait_until(lambda: f'"trace_id": "0x{trace_id}"' in server.logs(), what="the span on stdout")
    assert '"name": "GET /mirror/v2/_catalog"' in server.logs()
    assert '"http.route": "/mirror/v2/_catalog"' in server.logs()
    assert "tracing on (OTEL_TRACES_EXPORTER): exporting spans to stdout" in server.logs()
