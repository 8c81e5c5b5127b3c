"""Giving memory back after a burst of uploads.

Upload bodies pass through two allocators, and both keep what a burst freed:

- granian's Rust side (hyper's per-connection read buffers, up to ~400 KiB each) allocates with
  jemalloc, which returns freed pages to the system only after ``dirty_decay_ms`` (10 s by
  default) and then leaves them "muzzy" for another 10 s. :func:`tune_allocators` shortens that
  to a second through jemalloc's own environment variable, unless the operator set it.
- The body chunks handed to Python (up to ~400 KiB each) come from glibc's malloc. After the
  first such chunk is freed glibc raises its mmap threshold and serves the rest from its heaps,
  which it shrinks only from the top, so a burst's high-water mark stays resident.
  :class:`IdleTrim` calls ``malloc_trim(0)`` once no upload has moved data for
  :data:`SETTLE` seconds: never on a request path, at most once per quiet spell.

Measured with 32 concurrent 16 MiB pushes (bench/README.md): resident memory after the burst
went from ~105 to ~55 MiB (a fresh process: ~50), with the same throughput. The peak during the
burst is live data and is not changed by either.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
from collections.abc import Callable

log = logging.getLogger(__name__)

JEMALLOC_ENV = "_RJEM_MALLOC_CONF"
"""The variable granian's jemalloc (tikv-jemallocator, prefixed symbols) reads at start-up."""
JEMALLOC_SETTINGS = "dirty_decay_ms:1000,muzzy_decay_ms:0,background_thread:true"
SETTLE = 0.5
"""Seconds without upload traffic before the trim; a busy registry never trims mid-burst."""


def tune_allocators() -> None:
    """Ask granian's jemalloc to return freed pages within a second; call before importing granian.

    Worker processes inherit the environment. An operator's own setting wins.
    """
    os.environ.setdefault(JEMALLOC_ENV, JEMALLOC_SETTINGS)


def _load_malloc_trim() -> Callable[[int], int] | None:
    try:
        fn = ctypes.CDLL(None).malloc_trim  # glibc only; musl has no such call
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_size_t]
    fn.restype = ctypes.c_int
    return fn  # type: ignore[no-any-return]


class IdleTrim:
    """Counts uploads moving data; trims the heap once they have all been quiet for a while."""

    def __init__(self, trim: Callable[[int], int] | None = None, settle: float = SETTLE) -> None:
        self.active = 0
        self._trim = trim
        self._settle = settle
        self._pending: asyncio.TimerHandle | None = None
        self._running: asyncio.Future[int] | None = None

    @property
    def scheduled(self) -> bool:
        """Whether a trim is waiting for the quiet spell to last :data:`SETTLE` seconds."""
        return self._pending is not None

    def started(self) -> None:
        self.active += 1
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def finished(self) -> None:
        self.active -= 1
        if self.active == 0 and self._trim is not None:
            loop = asyncio.get_running_loop()
            if self._pending is not None:
                self._pending.cancel()
            self._pending = loop.call_later(self._settle, self._start, loop)

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._pending = None
        if self.active or self._trim is None or self._running is not None:
            return
        # malloc_trim walks every arena (a millisecond or two): off the event loop.
        self._running = loop.run_in_executor(None, self._trim, 0)
        self._running.add_done_callback(self._done)

    def _done(self, future: asyncio.Future[int]) -> None:
        self._running = None
        with contextlib.suppress(asyncio.CancelledError):
            if future.exception() is not None:
                log.debug("malloc_trim failed: %s", future.exception())


uploads = IdleTrim(_load_malloc_trim())
"""The process's upload counter (the event loop is its only user)."""
