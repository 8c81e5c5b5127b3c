"""The ``filesystem`` driver: driver paths map onto files under ``rootdirectory``.

Compatible with Distribution's driver of the same name: small files are written to a
``<target>.<uuid>.tmp`` sibling, fsynced and renamed into place (readers never see half a link);
large content is appended in place and fsynced on commit; moves are ``rename(2)``. Blocking
calls run on a bounded thread pool (``maxthreads``, as in Distribution) so the event loop never
stalls on a slow disk; only link-sized reads and stats whose data is cached run inline (see
``inline``). ``ENOSPC``/``EDQUOT`` become :class:`StorageFullError`.
"""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
import stat as stat_module
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
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
from dockyard.storage.driver.writeback import write_behind

T = TypeVar("T")

READ_CHUNK = 1 << 20
DEFAULT_ROOT = "/var/lib/registry"
MIN_THREADS = 25
_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


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

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking callable on the driver's bounded pool."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def translate(self, exc: OSError, path: str) -> StorageDriverError:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return PathNotFoundError(path, self.name)
        if exc.errno in _FULL_ERRNOS:
            return StorageFullError(path, self.name, exc.strerror or "no space left")
        return StorageDriverError(path, self.name, str(exc))

    # -- contract --------------------------------------------------------------------------

    async def get_content(self, path: str) -> bytes:
        full = self._full(path)
        try:
            if self._inline.open:
                content = self._inline.call(read_small, full)
                if content is not None:
                    return content
            return await self.run(_read_file, full)
        except IsADirectoryError:
            raise PathNotFoundError(path, self.name) from None
        except OSError as exc:
            raise self.translate(exc, path) from exc

    async def put_content(self, path: str, content: bytes) -> None:
        await self.put_contents([(path, content)])

    async def put_contents(self, items: Sequence[tuple[str, bytes]]) -> None:
        if not items:
            return
        fulls = [(self._full(path), content) for path, content in items]
        try:
            await self.run(_atomic_write_all, fulls)
        except OSError as exc:
            where = str(exc.filename or "")
            path = next((p for p, _ in items if where.startswith(self._full(p))), items[0][0])
            raise self.translate(exc, path) from exc

    def reader(self, path: str, offset: int = 0, length: int | None = None) -> AsyncIterator[bytes]:
        return self._read(path, self._full(path), offset, length)

    async def _read(
        self, path: str, full: str, offset: int, length: int | None
    ) -> AsyncIterator[bytes]:
        try:
            fd, size = await self.run(_open_for_read, full)
        except IsADirectoryError:
            raise PathNotFoundError(path, self.name) from None
        except OSError as exc:
            raise self.translate(exc, path) from exc
        try:
            if offset < 0 or offset > size:
                raise InvalidOffsetError(path, self.name, f"offset {offset} of {size} bytes")
            remaining = size - offset if length is None else min(max(length, 0), size - offset)
            while remaining > 0:
                try:
                    chunk = await self.run(os.pread, fd, min(READ_CHUNK, remaining), offset)
                except OSError as exc:
                    raise self.translate(exc, path) from exc
                if not chunk:
                    break  # truncated under us: end here rather than spin
                offset += len(chunk)
                remaining -= len(chunk)
                yield chunk
        finally:
            # Inline, not on the pool: closing a read-only descriptor never waits on the disk,
            # and this also runs while a cancelled request unwinds or after the pool shut down.
            os.close(fd)

    async def writer(self, path: str, append: bool = False) -> FilesystemWriter:
        full = self._full(path)
        try:
            fd, size = await self.run(_open_for_write, full, append)
        except IsADirectoryError:
            raise StorageDriverError(path, self.name, "is a directory") from None
        except OSError as exc:
            raise self.translate(exc, path) from exc
        return FilesystemWriter(self, path, fd, size)

    async def stat(self, path: str) -> FileInfo:
        full = self._full(path, allow_root=True)
        try:
            if self._inline.open:
                st = self._inline.call(os.stat, full)
            else:
                st = await self.run(os.stat, full)
        except OSError as exc:
            raise self.translate(exc, path) from exc
        return _info(path, st)

    async def list(self, path: str) -> list[str]:
        full = self._full(path, allow_root=True)
        try:
            names = await self.run(_list_dir, full)
        except OSError as exc:
            raise self.translate(exc, path) from exc
        prefix = "" if path == "/" else path
        return [f"{prefix}/{name}" for name in names]

    async def move(self, source: str, dest: str) -> None:
        src, dst = self._full(source), self._full(dest)
        try:
            await self.run(_move, src, dst)
        except _SourceMissingError:
            raise PathNotFoundError(source, self.name) from None
        except OSError as exc:
            raise self.translate(exc, source) from exc

    async def delete(self, path: str) -> None:
        full = self._full(path)
        try:
            await self.run(_remove_all, full)
        except OSError as exc:
            raise self.translate(exc, path) from exc

    async def redirect_url(self, method: str, path: str) -> str | None:
        return None

    async def walk(self, path: str, fn: WalkFn) -> None:
        full = self._full(path, allow_root=True)
        try:
            entries = await self.run(_scan_sorted, full)
        except OSError as exc:
            raise self.translate(exc, path) from exc
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


class FilesystemWriter:
    """Appends to one open file. Writes are pipelined: one may be in flight as the next arrives.

    States: open → committed/closed/cancelled; only an open writer accepts data.
    """

    def __init__(self, driver: FilesystemDriver, path: str, fd: int, size: int) -> None:
        self._driver = driver
        self._path = path
        self._fd: int | None = fd
        self._size = size
        self._pending: asyncio.Future[None] | None = None
        self._committed = False

    @property
    def size(self) -> int:
        return self._size

    def _refuse(self, what: str) -> StorageDriverError:
        state = "committed" if self._committed else "closed"
        return StorageDriverError(self._path, self._driver.name, f"{what}: writer is {state}")

    async def _drain(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            try:
                await pending
            except OSError as exc:
                raise self._driver.translate(exc, self._path) from exc

    async def write(self, data: bytes | memoryview) -> int:
        if self._fd is None or self._committed:
            raise self._refuse("write")
        await self._drain()
        loop = asyncio.get_running_loop()
        self._pending = loop.run_in_executor(
            self._driver._executor, write_behind, self._fd, data, self._size
        )
        self._size += len(data)
        return len(data)

    async def commit(self) -> None:
        if self._fd is None or self._committed:
            raise self._refuse("commit")
        await self._drain()
        try:
            await self._driver.run(os.fsync, self._fd)
        except OSError as exc:
            raise self._driver.translate(exc, self._path) from exc
        self._committed = True

    async def cancel(self) -> None:
        try:
            await self._drain()
        except StorageDriverError:
            pass  # the content is being thrown away
        await self._release()
        try:
            await self._driver.delete(self._path)
        except PathNotFoundError:
            pass

    async def close(self) -> None:
        try:
            await self._drain()
        finally:
            await self._release()

    async def _release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError as exc:  # NFS and friends report late write errors here
                raise self._driver.translate(exc, self._path) from exc


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


def _open_for_read(full: str) -> tuple[int, int]:
    fd = os.open(full, os.O_RDONLY)
    try:
        st = os.fstat(fd)
        if stat_module.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", full)
    except BaseException:
        os.close(fd)
        raise
    return fd, st.st_size


def _atomic_write_all(items: list[tuple[str, bytes]]) -> None:
    """Write each file to a temp sibling, fsync it, rename it into place, fsync its directory.

    Readers never see half a file, and a rename never reaches the disk before its data. For
    several files the work overlaps: every temp file is written and queued for writeback before
    the first fsync, so the disk writes them all at once and each fsync finds its data on the
    way (on a journaling filesystem one commit carries them all); the renames follow in the
    given order, then the directory fsyncs; and the whole set is one pool call, not one each.
    """
    staged: list[tuple[str, str]] = []
    try:
        descriptors: list[int] = []
        try:
            for full, content in items:
                os.makedirs(os.path.dirname(full), exist_ok=True)
                tmp = f"{full}.{uuid.uuid4()}.tmp"
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                descriptors.append(fd)
                staged.append((tmp, full))
                write_behind(fd, content, 0)
            for fd in descriptors:
                os.fsync(fd)
        finally:
            for fd in descriptors:
                os.close(fd)
        while staged:
            tmp, full = staged[0]
            os.rename(tmp, full)
            staged.pop(0)
    except BaseException:
        for tmp, _ in staged:
            _unlink_quietly(tmp)
        raise
    for parent in dict.fromkeys(os.path.dirname(full) for full, _ in items):
        _sync_dir(parent)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _sync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_for_write(full: str, append: bool) -> tuple[int, int]:
    os.makedirs(os.path.dirname(full), exist_ok=True)
    fd = os.open(full, os.O_WRONLY | os.O_CREAT, 0o666)
    try:
        if append:
            size = os.lseek(fd, 0, os.SEEK_END)
        else:
            os.ftruncate(fd, 0)
            size = 0
    except BaseException:
        os.close(fd)
        raise
    return fd, size


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
    parent = os.path.dirname(dst)
    os.makedirs(parent, exist_ok=True)
    os.rename(src, dst)
    _sync_dir(parent)


def _remove_all(full: str) -> None:
    st = os.lstat(full)
    if stat_module.S_ISDIR(st.st_mode):
        shutil.rmtree(full)
    else:
        os.unlink(full)
