"""Requests whose bodies stop half-way on purpose, for killing a server mid-request.

A :class:`GatedBody` streams its data until ``pause_at`` bytes have gone out, signals, and
holds the rest back until released; :class:`Background` runs the request on a thread. A crash
test starts the request, waits (with a deadline) until the body paused and the server has
written part of it, kills the server, then releases the body. No step depends on timing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from support.server import wait_until

T = TypeVar("T")
CHUNK = 256 << 10
RELEASE_TIMEOUT = 60.0


class GatedBody:
    """An iterable request body that pauses once ``pause_at`` bytes were handed to the client."""

    def __init__(self, data: bytes, pause_at: int, chunk: int = CHUNK) -> None:
        self.data = data
        self.pause_at = pause_at
        self.chunk = chunk
        self.sent = 0
        self.paused = threading.Event()
        self.released = threading.Event()

    def __iter__(self) -> Iterator[bytes]:
        view = memoryview(self.data)
        while self.sent < len(self.data):
            if self.sent >= self.pause_at and not self.paused.is_set():
                self.paused.set()
                if not self.released.wait(RELEASE_TIMEOUT):
                    raise TimeoutError("gated body was never released")
            piece = bytes(view[self.sent : self.sent + self.chunk])
            self.sent += len(piece)
            yield piece

    def release(self) -> None:
        self.released.set()


class Background(Generic[T]):
    """Run ``fn`` on a daemon thread; :meth:`wait` returns its result or its exception."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self._fn = fn
        self._result: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._fn()
        except BaseException as exc:  # handed to the test through wait()
            self._error = exc

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self, timeout: float = 30.0) -> T | BaseException:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"background request still running after {timeout}s")
        if self._error is not None:
            return self._error
        return self._result  # type: ignore[return-value]


def wait_paused(body: GatedBody, request: Background, timeout: float = 30.0) -> None:
    """Wait until ``body`` paused; fail at once, with the outcome, if ``request`` ended first."""

    def paused() -> bool:
        if request.done and not body.paused.is_set():
            raise AssertionError(f"request ended before its pause point: {request.wait()!r}")
        return body.paused.is_set()

    wait_until(paused, timeout, what="the request body to reach its pause point")
