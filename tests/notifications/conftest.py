"""A registry that notifies a real receiver, shared by the tests of one module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.server import DockyardServer
from support.webhook import Receiver, endpoint, notifying_server


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture(scope="module")
def notifying(
    receiver: Receiver, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DockyardServer]:
    server = notifying_server(
        tmp_path_factory.mktemp("notifying"),
        [endpoint(receiver, headers={"Authorization": ["Bearer s3cret"]})],
        notifications__events={"includereferences": True},
    )
    server.start()
    yield server
    server.stop()
