"""Start writing appended data to disk as it arrives, so the commit's fsync has little left.

An upload is appended into the page cache and fsynced once, at commit. Left alone, the kernel
holds the dirty pages (background writeback begins only at ``dirty_background_ratio`` of RAM,
gigabytes), so the whole blob goes to disk during that final fsync, after the last byte was
received: receiving and writing happen one after the other. ``sync_file_range(WRITE)`` queues
each written batch for writeback at once, without waiting for it, so the disk writes while the
network delivers and the fsync finds most pages clean. Durability is unchanged: nothing is
promised before the fsync. On systems without the call this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

SYNC_FILE_RANGE_WRITE = 2


def _load() -> object | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_sync_file_range = _load()


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Queue ``length`` bytes at ``offset`` of ``fd`` for writeback; never waits for the disk."""
    global _sync_file_range
    if _sync_file_range is None or length <= 0:
        return
    if _sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE) != 0:  # type: ignore[operator]
        err = ctypes.get_errno()
        log.debug("sync_file_range failed (%s): writeback left to the kernel", os.strerror(err))
        _sync_file_range = None


def write_behind(fd: int, data: bytes | memoryview, offset: int) -> None:
    """Write all of ``data`` (which lands at ``offset``), then queue it for writeback."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    start_writeback(fd, offset, len(data))
