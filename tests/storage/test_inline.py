"""Inline small reads of the filesystem driver: same answers as the pool, never a disk wait."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from dockyard.storage.driver import inline
from dockyard.storage.driver.base import PathNotFoundError
from dockyard.storage.driver.filesystem import FilesystemDriver
from support.server import wait_until


def _evict(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def test_read_small_reads_cached_small_files(tmp_path: Path) -> None:
    path = tmp_path / "link"
    path.write_bytes(b"sha256:" + b"a" * 64)
    assert inline.read_small(str(path)) == b"sha256:" + b"a" * 64
    (tmp_path / "empty").write_bytes(b"")
    assert inline.read_small(str(tmp_path / "empty")) == b""


def test_read_small_leaves_large_and_uncached_files_to_the_pool(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * (inline.INLINE_MAX + 1))
    assert inline.read_small(str(big)) is None
    cold = tmp_path / "cold"
    cold.write_bytes(os.urandom(4096))

    def evicted() -> bool:  # the kernel may skip a page that is busy at that instant: retry
        _evict(cold)
        return inline.read_small(str(cold)) is None

    wait_until(evicted, timeout=10, what="the file's pages dropped from the page cache")


def test_read_small_errors_match_open(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        inline.read_small(str(tmp_path / "missing"))
    with pytest.raises(IsADirectoryError):
        inline.read_small(str(tmp_path))


def test_gate_closes_after_a_stall_and_reopens() -> None:
    gate = inline.InlineGate()
    assert gate.call(lambda: 1) == 1
    assert gate.open
    gate.call(time.sleep, inline.STALL * 2)  # stands in for a read that waited on the disk
    assert not gate.open
    gate._closed_until = time.monotonic() - 0.001  # the cooldown has passed
    assert gate.open


def test_driver_answers_the_same_inline_and_on_the_pool(tmp_path: Path) -> None:
    async def check() -> None:
        driver = FilesystemDriver(str(tmp_path))
        small, large = b"sha256:" + b"b" * 64, os.urandom(inline.INLINE_MAX * 3)
        await driver.put_content("/a/link", small)
        await driver.put_content("/a/blob", large)
        for closed in (False, True):
            if closed:
                driver._inline._closed_until = time.monotonic() + 60
            assert await driver.get_content("/a/link") == small
            assert await driver.get_content("/a/blob") == large
            assert (await driver.stat("/a/blob")).size == len(large)
            for missing in ("/a", "/a/nothing", "/a/link/below"):
                with pytest.raises(PathNotFoundError):
                    await driver.get_content(missing)
            with pytest.raises(PathNotFoundError):
                await driver.stat("/a/nothing")
        _evict(tmp_path / "a" / "link")
        driver._inline._closed_until = 0.0
        assert await driver.get_content("/a/link") == small  # uncached: read on the pool
        await driver.close()

    asyncio.run(check())
