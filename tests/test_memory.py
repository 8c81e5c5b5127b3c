"""Memory freed by a burst of uploads is handed back once uploads go quiet (dockyard.memory)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from collections.abc import AsyncIterator

import pytest

from dockyard import memory
from dockyard.storage import pump as pump_module


class Recorder:
    """Stands in for ``malloc_trim``: records each call (made on an executor thread)."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.called = threading.Event()

    def __call__(self, pad: int) -> int:
        self.calls.append(pad)
        self.called.set()
        return 1

    async def wait(self) -> None:
        """Until the first call, at most five seconds."""
        assert await asyncio.to_thread(self.called.wait, 5.0), "malloc_trim was not called"


def test_trims_once_after_the_last_upload_settles() -> None:
    async def scenario() -> None:
        trim = Recorder()
        idle = memory.IdleTrim(trim, settle=0.05)
        idle.started()
        idle.started()
        idle.finished()
        assert not idle.scheduled  # one upload still moves data
        idle.finished()
        assert idle.scheduled
        await trim.wait()
        assert trim.calls == [0]
        assert not idle.scheduled

    asyncio.run(scenario())


def test_a_new_upload_cancels_the_pending_trim() -> None:
    async def scenario() -> None:
        trim = Recorder()
        idle = memory.IdleTrim(trim, settle=0.05)
        idle.started()
        idle.finished()
        assert idle.scheduled
        idle.started()  # the burst goes on: no trim mid-burst
        assert not idle.scheduled
        idle.finished()
        await trim.wait()
        assert trim.calls == [0]

    asyncio.run(scenario())


def test_without_malloc_trim_nothing_is_scheduled() -> None:
    async def scenario() -> None:
        idle = memory.IdleTrim(None)
        idle.started()
        idle.finished()
        assert not idle.scheduled
        assert idle.active == 0

    asyncio.run(scenario())


def test_pump_counts_uploads_and_trims_after_them(monkeypatch: pytest.MonkeyPatch) -> None:
    trim = Recorder()
    idle = memory.IdleTrim(trim, settle=0.05)
    monkeypatch.setattr(pump_module, "uploads", idle)

    class Sink:
        def __init__(self) -> None:
            self.data = bytearray()

        async def write(self, data: bytes) -> int:
            self.data += data
            return len(data)

    async def body(parts: int) -> AsyncIterator[bytes]:
        for i in range(parts):
            assert idle.active >= 1
            yield bytes([i]) * 300_000
            await asyncio.sleep(0)

    async def scenario() -> None:
        sinks = [Sink() for _ in range(6)]  # more than BATCHING_UPLOADS: chunk by chunk
        hashers = [hashlib.sha256() for _ in sinks]
        await asyncio.gather(
            *(pump_module.pump(body(5), s, h) for s, h in zip(sinks, hashers, strict=True))
        )
        expected = b"".join(bytes([i]) * 300_000 for i in range(5))
        for sink, hasher in zip(sinks, hashers, strict=True):
            assert bytes(sink.data) == expected
            assert hasher.digest() == hashlib.sha256(expected).digest()
        assert idle.active == 0
        await trim.wait()
        assert trim.calls == [0]  # one trim for the whole burst

    asyncio.run(scenario())


def test_malloc_trim_is_found_and_callable_on_glibc() -> None:
    trim = memory._load_malloc_trim()
    if trim is None:
        pytest.fail("malloc_trim not found: this test machine runs glibc")
    assert trim(0) in (0, 1)


def test_jemalloc_settings_leave_an_operators_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(memory.JEMALLOC_ENV, raising=False)
    memory.tune_allocators()
    assert os.environ[memory.JEMALLOC_ENV] == memory.JEMALLOC_SETTINGS
    monkeypatch.setenv(memory.JEMALLOC_ENV, "dirty_decay_ms:5000")
    memory.tune_allocators()
    assert os.environ[memory.JEMALLOC_ENV] == "dirty_decay_ms:5000"
