"""The ``inmemory`` driver: a tree of dicts in this process; everything is lost on exit.

For tests and experiments, as in Distribution. It only serves one worker process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dockyard.storage.driver.base import (
    FileInfo,
    InvalidOffsetError,
    PathNotFoundError,
    StorageDriverError,
    WalkFn,
    check_path,
)

READ_CHUNK = 1 << 20


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class _File:
    data: bytearray = field(default_factory=bytearray)
    mod_time: datetime = field(default_factory=_now)


@dataclass(slots=True)
class _Dir:
    children: dict[str, _File | _Dir] = field(default_factory=dict)
    mod_time: datetime = field(default_factory=_now)


class InMemoryDriver:
    """A filesystem-shaped tree held in memory."""

    name = "inmemory"

    def __init__(self) -> None:
        self._root = _Dir()
        self._lock = asyncio.Lock()

    def _parts(self, path: str, *, allow_root: bool = False) -> list[str]:
        check_path(path, self.name, allow_root=allow_root)
        return [] if path == "/" else path.split("/")[1:]

    def _find(self, path: str, *, allow_root: bool = False) -> _File | _Dir:
        node: _File | _Dir = self._root
        for part in self._parts(path, allow_root=allow_root):
            if not isinstance(node, _Dir) or part not in node.children:
                raise PathNotFoundError(path, self.name)
            node = node.children[part]
        return node

    def _parent(self, path: str, *, create: bool) -> tuple[_Dir, str]:
        parts = self._parts(path)
        node = self._root
        for part in parts[:-1]:
            child = node.children.get(part)
            if child is None:
                if not create:
                    raise PathNotFoundError(path, self.name)
                child = node.children[part] = _Dir()
            if not isinstance(child, _Dir):
                raise StorageDriverError(path, self.name, f"{part} is not a directory")
            node = child
        return node, parts[-1]

    def _file(self, path: str) -> _File:
        node = self._find(path)
        if not isinstance(node, _File):
            raise PathNotFoundError(path, self.name)
        return node

    async def get_content(self, path: str) -> bytes:
        return bytes(self._file(path).data)

    async def put_content(self, path: str, content: bytes) -> None:
        parent, leaf = self._parent(path, create=True)
        if isinstance(parent.children.get(leaf), _Dir):
            raise StorageDriverError(path, self.name, "is a directory")
        parent.children[leaf] = _File(bytearray(content))

    async def reader(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        node = self._file(path)
        size = len(node.data)
        if offset < 0 or offset > size:
            raise InvalidOffsetError(path, self.name, f"offset {offset}")
        end = size if length is None else min(size, offset + length)
        view = memoryview(node.data)
        try:
            while offset < end:
                step = min(READ_CHUNK, end - offset)
                yield bytes(view[offset : offset + step])
                offset += step
        finally:
            view.release()

    async def writer(self, path: str, append: bool = False) -> InMemoryWriter:
        parent, leaf = self._parent(path, create=True)
        node = parent.children.get(leaf)
        if isinstance(node, _Dir):
            raise StorageDriverError(path, self.name, "is a directory")
        if node is None or not append:
            node = parent.children[leaf] = _File()
        return InMemoryWriter(self, path, node)

    async def stat(self, path: str) -> FileInfo:
        node = self._find(path, allow_root=True)
        if isinstance(node, _Dir):
            return FileInfo(path, 0, node.mod_time, True)
        return FileInfo(path, len(node.data), node.mod_time, False)

    async def list(self, path: str) -> list[str]:
        node = self._find(path, allow_root=True)
        if not isinstance(node, _Dir):
            raise PathNotFoundError(path, self.name)
        prefix = "" if path == "/" else path
        return [f"{prefix}/{name}" for name in sorted(node.children)]

    async def move(self, source: str, dest: str) -> None:
        src_parent, src_leaf = self._parent(source, create=False)
        node = src_parent.children.get(src_leaf)
        if node is None:
            raise PathNotFoundError(source, self.name)
        dst_parent, dst_leaf = self._parent(dest, create=True)
        del src_parent.children[src_leaf]
        dst_parent.children[dst_leaf] = node

    async def delete(self, path: str) -> None:
        parent, leaf = self._parent(path, create=False)
        if leaf not in parent.children:
            raise PathNotFoundError(path, self.name)
        del parent.children[leaf]

    async def redirect_url(self, method: str, path: str) -> str | None:
        return None

    async def walk(self, path: str, fn: WalkFn) -> None:
        node = self._find(path, allow_root=True)
        if not isinstance(node, _Dir):
            raise PathNotFoundError(path, self.name)
        prefix = "" if path == "/" else path
        for name in sorted(node.children):
            child = node.children.get(name)
            if child is None:
                continue
            child_path = f"{prefix}/{name}"
            if isinstance(child, _Dir):
                if await fn(FileInfo(child_path, 0, child.mod_time, True)):
                    await self.walk(child_path, fn)
            else:
                await fn(FileInfo(child_path, len(child.data), child.mod_time, False))

    def local_path(self, path: str) -> str | None:
        return None

    async def close(self) -> None:
        return None


class InMemoryWriter:
    """Appends to a :class:`_File`; content is visible as it is written, as in Distribution."""

    def __init__(self, driver: InMemoryDriver, path: str, node: _File) -> None:
        self._driver = driver
        self._path = path
        self._node = node
        self._closed = False

    @property
    def size(self) -> int:
        return len(self._node.data)

    async def write(self, data: bytes | memoryview) -> int:
        if self._closed:
            raise StorageDriverError(self._path, self._driver.name, "writer is closed")
        self._node.data += data
        self._node.mod_time = _now()
        return len(data)

    async def commit(self) -> None:
        return None

    async def cancel(self) -> None:
        self._closed = True
        try:
            await self._driver.delete(self._path)
        except PathNotFoundError:
            pass

    async def close(self) -> None:
        self._closed = True
