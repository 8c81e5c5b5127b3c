"""Fixtures: a real OTLP/HTTP receiver, and Dockyard servers whose OTEL_* point at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from support.otlp import OTLPReceiver, otlp_receiver
from support.server import DockyardServer

FAST_EXPORT = {"OTEL_BSP_SCHEDULE_DELAY": "100"}
"""Export batches every 100 ms (the SDK's default is 5 s) so tests wait less."""


@pytest.fixture
def receiver() -> Iterator[OTLPReceiver]:
    with otlp_receiver() as running:
        yield running


@pytest.fixture
def traced_server(
    make_server: Callable[..., DockyardServer], receiver: OTLPReceiver
) -> Callable[..., DockyardServer]:
    """``traced_server(env={...}, **overrides)``: a server exporting to ``receiver``."""

    def make(env: dict[str, str] | None = None, **overrides: Any) -> DockyardServer:
        return make_server(
            env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, **FAST_EXPORT, **(env or {})},
            **overrides,
        )

    return make
