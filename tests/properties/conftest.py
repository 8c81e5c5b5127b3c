"""One HTTP client per module for property tests (hypothesis reruns a test body many times and
refuses function-scoped fixtures)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from support.server import DockyardServer


@pytest.fixture(scope="module")
def http(registry: DockyardServer) -> Iterator[httpx.Client]:
    with registry.client() as c:
        yield c
