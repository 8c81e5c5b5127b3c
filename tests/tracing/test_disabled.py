"""Without an ``OTEL_*`` setting that asks for traces, nothing is exported and nothing is loaded.

The evidence is the interpreter's own import log (``PYTHONPROFILEIMPORTTIME``, written to the
server's log by every process it starts, workers included): the worker imports ``dockyard.app``
after the parent's "listening" line, and no process imports anything of OpenTelemetry or the
protobuf runtime the exporter needs, although both are installed in the test environment.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from support.otlp import OTLPReceiver
from support.server import DockyardServer

CASES = {
    "no OTEL variables": {},
    "exporter none": {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "{endpoint}"},
    "sdk disabled": {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "{endpoint}"},
    "settings but no exporter": {
        "OTEL_SERVICE_NAME": "registry",
        "OTEL_TRACES_SAMPLER": "always_on",
    },
}


def imported_modules(log: str) -> list[str]:
    """Module names from ``import time: self | cumulative | name`` lines, in import order."""
    prefix = "import time:"
    return [
        line.rsplit("|", 1)[1].strip()
        for line in log.splitlines()
        if line.startswith(prefix) and line.count("|") == 2
    ]


@pytest.mark.parametrize("env", CASES.values(), ids=CASES.keys())
def test_nothing_is_exported_or_imported(
    make_server: Callable[..., DockyardServer],
    receiver: OTLPReceiver,
    env: dict[str, str],
    repo: str,
) -> None:
    env = {key: value.format(endpoint=receiver.endpoint) for key, value in env.items()}
    server = make_server(env={**env, "PYTHONPROFILEIMPORTTIME": "1"}, http__draintimeout="5s")
    traceparent = f"00-{'ab' * 16}-{'cd' * 8}-01"
    with server.client() as client:
        assert client.get("/v2/", headers={"traceparent": traceparent}).status_code == 200
        assert client.get(f"/v2/{repo}/manifests/latest").status_code == 404
    # A stopped server has flushed whatever it had: had anything been traced, it is here now.
    assert server.stop() == 0
    assert receiver.requests == 0

    log = server.logs()
    lines = log.splitlines()
    listening = next(i for i, line in enumerate(lines) if "listening on" in line)
    worker_app = [i for i, line in enumerate(lines) if line.endswith("| dockyard.app")]
    assert worker_app and worker_app[0] > listening, "the worker's imports are not in the log"
    modules = imported_modules(log)
    assert "dockyard.tracing" in modules  # the rule was consulted …
    loaded = [m for m in modules if m.startswith(("opentelemetry", "google.protobuf"))]
    assert loaded == []  # … and nothing behind it was loaded
    assert "tracing on" not in log
