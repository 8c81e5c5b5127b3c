"""Small filesystem reads done on the event loop itself, while they are fast.

Handing a call to the driver's thread pool costs a future, a thread wake-up, two GIL hand-offs
and a loop wake-up: 30–100 µs of CPU, ten times more than reading a 71-byte link file or
stat-ing a blob whose inode is cached (~5 µs). A manifest GET reads three links and a small blob,
so on the pool it spent most of its CPU on hops. Here, link-sized reads and stats run inline:

- the read uses ``preadv2(RWF_NOWAIT)``, which returns EAGAIN instead of waiting for the disk
  when the data is not in the page cache; such a read goes to the pool;
- ``open``/``stat`` may still wait on a cold inode, so every inline call is timed, and one
  that takes longer than :data:`STALL` (a disk wait, not a cache hit) sends all of them to the
  pool for :data:`COOLDOWN` seconds. A slow disk costs the loop at most one stall per cooldown.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

STALL = 0.002
COOLDOWN = 1.0
INLINE_MAX = 64 * 1024
"""Larger files are read on the pool (a manifest may be up to 4 MiB)."""

log = logging.getLogger(__name__)
_NOWAIT = getattr(os, "RWF_NOWAIT", 0)


class InlineGate:
    """Decides whether a small operation may run on the loop, and watches for stalls."""

    __slots__ = ("_closed_until",)

    def __init__(self) -> None:
        self._closed_until = 0.0

    @property
    def open(self) -> bool:
        return self._closed_until == 0.0 or time.monotonic() >= self._closed_until

    def call(self, fn: Callable[..., T], *args: object) -> T:
        started = time.perf_counter()
        try:
            return fn(*args)
        finally:
            took = time.perf_counter() - started
            if took > STALL:
                self._closed_until = time.monotonic() + COOLDOWN
                log.debug("inline filesystem call took %.1f ms: using the pool", took * 1000)


def read_small(full: str) -> bytes | None:
    """The whole file if it is small and cached; None when it must be read on the pool.

    Raises what ``open(full, "rb").read()`` would for a missing path or a directory.
    """
    global _NOWAIT
    fd = os.open(full, os.O_RDONLY | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), full)
        size = info.st_size
        if size > INLINE_MAX or not _NOWAIT:
            return None
        if size == 0:
            return b""
        buf = bytearray(size)
        try:
            got = os.preadv(fd, [buf], 0, _NOWAIT)
        except BlockingIOError:
            return None  # not in the page cache
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                raise
            _NOWAIT = 0  # this kernel or filesystem cannot promise not to wait
            return None
        return bytes(buf) if got == size else None
    finally:
        os.close(fd)
