"""The ``filesystem`` driver: driver paths map onto files under ``rootdirectory``.

Compatible with Distribution's driver of the same name: small files are written to a
``<target>.<uuid>.tmp`` sibling, fsynced and renamed into place (readers never see half a link);
large content is appended in place and fsynced on commit; moves are ``rename(2)``. Blocking calls
run on a bounded thread pool (``maxthreads``, as in Distribution) so the event loop never stalls
on a slow disk; only link-sized reads and stats whose data is cached run inline (see ``inline``).
"""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
import stat as stat_module
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

from dockyard.storage.driver.base import (
    FileInfo,
    InvalidOffsetError,
    PathNotFoundError,
    StorageDriverError,
    StorageFullError,
    WalkFn,
    check_path,
)
from dockyard.storage.driver.inline import InlineGate, read_small
from dockyard.storage.driver.writeback import start_writeback

T = TypeVar("T")

READ_CHUNK = 1 << 20
DEFAULT_ROOT = "/var/lib/registry"
MIN_THREADS = 25


class FilesystemDriver:
    """Stores everything as plain files below one root directory."""

    name = "filesystem"

    def __init__(self, rootdirectory: str = DEFAULT_ROOT, maxthreads: int = 100) -> None:
        self.root = os.path.abspath(rootdirectory)
        self._executor = ThreadPoolExecutor(
            max_workers=max(MIN_THREADS, maxthreads), thread_name_prefix="fs"
        )
        self._inline = InlineGate()

    # -- helpers ---------------------------------------------------------------------------

    def _full(self, path: str, *, allow_root: bool = False) -> str:
        check_path(path, self.name, allow_root=allow_root)
        return self.root if path == "/" else self.root + path

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, *args)

    def _translate(self, exc: OSError, path: str) -> StorageDriverError:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return PathNotFoundError(path, self.name)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return StorageFullError(path, self.name, exc.strerror or "no space")
        return StorageDriverError(path, self.name, str(exc))

    # -- contract --------------------------------------------------------------------------

    async def get_content(self, path: str) -> bytes:
        full = self._full(path)
        try:
            if self._inline.open:
                content = self._inline.call(read_small, full)
                if content is not None:
                    return content
            return await self._run(_read_file, full)
        except IsADirectoryError:
            raise PathNotFoundError(path, self.name) from None
        except OSError as exc:
            raise self._translate(exc, path) from exc

    async def put_content(self, path: str, content: bytes) -> None:
        full = self._full(path)
        try:
            await self._run(_atomic_write, full, content)
        except OSError as exc:
            raise self._translate(exc, path) from exc

    async def reader(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        full = self._full(path)
        try:
            fd = await self._run(os.open, full, os.O_RDONLY)
        except OSError as exc:
            raise self._translate(exc, path) from exc
        try:
            size = os.fstat(fd).st_size
            if offset > size or offset < 0:
                raise InvalidOffsetError(path, self.name, f"offset {offset}")
            remaining = size - offset if length is None else min(length, size - offset)
            while remaining > 0:
                chunk = await self._run(os.pread, fd, min(READ_CHUNK, remaining), offset)
                if not chunk:
                    break
                offset += len(chunk)
                remaining -= len(chunk)
                yield chunk
        finally:
            os.close(fd)

    async def writer(self, path: str, append: bool = False) -> FilesystemWriter:
        full = self._full(path)
        try:
            fd, size = await self._run(_open_for_write, full, append)
        except OSError as exc:
            raise self._translate(exc, path) from exc
        return FilesystemWriter(self, path, fd, size)

    async def stat(self, path: str) -> FileInfo:
        full = self._full(path, allow_root=True)
        try:
            if self._inline.open:
                st = self._inline.call(os.stat, full)
            else:
                st = await self._run(os.stat, full)
        except OSError as exc:
            raise self._translate(exc, path) from exc
        return _info(path, st)

    async def list(self, path: str) -> list[str]:
        full = self._full(path, allow_root=True)
        try:
            names = await self._run(_list_dir, full)
        except OSError as exc:
            raise self._translate(exc, path) from exc
        prefix = "" if path == "/" else path
        return [f"{prefix}/{name}" for name in names]

    async def move(self, source: str, dest: str) -> None:
        src, dst = self._full(source), self._full(dest)
        try:
            await self._run(_move, src, dst)
        except _SourceMissingError:
            raise PathNotFoundError(source, self.name) from None
        except OSError as exc:
            raise self._translate(exc, source) from exc

    async def delete(self, path: str) -> None:
        full = self._full(path)
        try:
            await self._run(_remove_all, full)
        except OSError as exc:
            raise self._translate(exc, path) from exc

    async def redirect_url(self, method: str, path: str) -> str | None:
        return None

    async def walk(self, path: str, fn: WalkFn) -> None:
        full = self._full(path, allow_root=True)
        try:
            entries = await self._run(_scan_sorted, full)
        except OSError as exc:
            raise self._translate(exc, path) from exc
        prefix = "" if path == "/" else path
        for name, st in entries:
            child = f"{prefix}/{name}"
            info = _info(child, st)
            descend = await fn(info)
            if info.is_dir and descend:
                try:
                    await self.walk(child, fn)
                except PathNotFoundError:
                    continue  # removed while walking: nothing left to visit

    def local_path(self, path: str) -> str | None:
        return self._full(path)

    async def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    # -- used by the writer and by fast paths above the driver ------------------------------

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self._executor.submit(fn, *args)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking callable on the driver's bounded pool."""
        return await self._run(fn, *args)


class FilesystemWriter:
    """Appends to one file. Writes are pipelined: one may be in flight while the next arrives."""

    def __init__(self, driver: FilesystemDriver, path: str, fd: int, size: int) -> None:
        self._driver = driver
        self._path = path
        self._fd: int | None = fd
        self._size = size
        self._pending: asyncio.Future[None] | None = None

    @property
    def size(self) -> int:
        return self._size

    async def _drain(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            try:
                await pending
            except OSError as exc:
                raise self._driver._translate(exc, self._path) from exc

    async def write(self, data: bytes | memoryview) -> int:
        if self._fd is None:
            raise StorageDriverError(self._path, self._driver.name, "writer is closed")
        await self._drain()
        loop = asyncio.get_running_loop()
        self._pending = loop.run_in_executor(
            self._driver._executor, _append, self._fd, data, self._size
        )
        self._size += len(data)
        return len(data)

    async def commit(self) -> None:
        await self._drain()
        if self._fd is not None:
            try:
                await self._driver.run(os.fsync, self._fd)
            except OSError as exc:
                raise self._driver._translate(exc, self._path) from exc

    async def cancel(self) -> None:
        try:
            await self._drain()
        except StorageDriverError:
            pass
        await self.close()
        try:
            await self._driver.delete(self._path)
        except PathNotFoundError:
            pass

    async def close(self) -> None:
        try:
            await self._drain()
        finally:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


# -- blocking helpers, run on the pool -------------------------------------------------------


def _info(path: str, st: os.stat_result) -> FileInfo:
    is_dir = stat_module.S_ISDIR(st.st_mode)
    return FileInfo(
        path=path,
        size=0 if is_dir else st.st_size,
        mod_time=datetime.fromtimestamp(st.st_mtime, UTC),
        is_dir=is_dir,
    )


def _read_file(full: str) -> bytes:
    with open(full, "rb") as f:
        return f.read()


def _atomic_write(full: str, content: bytes) -> None:
    parent = os.path.dirname(full)
    os.makedirs(parent, exist_ok=True)
    tmp = f"{full}.{uuid.uuid4()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        _write_all(fd, content)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    os.close(fd)
    try:
        os.rename(tmp, full)
    except BaseException:
        os.unlink(tmp)
        raise
    _sync_dir(parent)


def _sync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_for_write(full: str, append: bool) -> tuple[int, int]:
    os.makedirs(os.path.dirname(full), exist_ok=True)
    fd = os.open(full, os.O_WRONLY | os.O_CREAT, 0o666)
    if append:
        size = os.lseek(fd, 0, os.SEEK_END)
    else:
        os.ftruncate(fd, 0)
        size = 0
    return fd, size


def _append(fd: int, data: bytes | memoryview, offset: int) -> None:
    """Write ``data`` (which lands at ``offset``) and queue it for writeback right away."""
    _write_all(fd, data)
    start_writeback(fd, offset, len(data))


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _list_dir(full: str) -> list[str]:
    return sorted(os.listdir(full))


def _scan_sorted(full: str) -> list[tuple[str, os.stat_result]]:
    out = []
    with os.scandir(full) as it:
        for entry in it:
            try:
                out.append((entry.name, entry.stat(follow_symlinks=False)))
            except FileNotFoundError:
                continue
    out.sort(key=lambda pair: pair[0])
    return out


class _SourceMissingError(Exception):
    pass


def _move(src: str, dst: str) -> None:
    if not os.path.lexists(src):
        raise _SourceMissingError
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    os.rename(src, dst)


def _remove_all(full: str) -> None:
    st = os.lstat(full)
    if stat_module.S_ISDIR(st.st_mode):
        shutil.rmtree(full)
    else:
        os.unlink(full)
