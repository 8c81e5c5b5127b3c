"""The ``inmemory`` driver: a tree of dicts in this process; everything is lost on exit.

For tests and experiments, as in Distribution. It only serves one worker process. Every method
completes without awaiting anything, so each is atomic with respect to the event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
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

    def _lookup_parent(self, path: str) -> tuple[_Dir, str]:
        """The existing parent directory of ``path`` and its last component."""
        parts = self._parts(path)
        node: _File | _Dir = self._root
        for part in parts[:-1]:
            if not isinstance(node, _Dir) or part not in node.children:
                raise PathNotFoundError(path, self.name)
            node = node.children[part]
        if not isinstance(node, _Dir):
            raise PathNotFoundError(path, self.name)
        return node, parts[-1]

    def _make_parent(self, path: str) -> tuple[_Dir, str]:
        """The parent directory of ``path``, created as needed, and its last component."""
        parts = self._parts(path)
        node = self._root
        for part in parts[:-1]:
            child = node.children.get(part)
            if child is None:
                child = node.children[part] = _Dir()
            if not isinstance(child, _Dir):
                raise StorageDriverError(path, self.name, f"{part!r} is a file, not a directory")
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
        parent, leaf = self._make_parent(path)
        if isinstance(parent.children.get(leaf), _Dir):
            raise StorageDriverError(path, self.name, "is a directory")
        parent.children[leaf] = _File(bytearray(content))

    async def put_contents(self, items: Sequence[tuple[str, bytes]]) -> None:
        for path, _ in items:
            check_path(path, self.name)
        for path, content in items:
            await self.put_content(path, content)

    def reader(self, path: str, offset: int = 0, length: int | None = None) -> AsyncIterator[bytes]:
        check_path(path, self.name)
        return self._read(path, offset, length)

    async def _read(self, path: str, offset: int, length: int | None) -> AsyncIterator[bytes]:
        node = self._file(path)  # a later put replaces the node: this read keeps its snapshot
        size = len(node.data)
        if offset < 0 or offset > size:
            raise InvalidOffsetError(path, self.name, f"offset {offset} of {size} bytes")
        end = size if length is None else min(size, offset + max(length, 0))
        while offset < end:
            step = min(READ_CHUNK, end - offset)
            # No buffer export may outlive a yield: a writer appending would fail to resize.
            with memoryview(node.data) as view:
                chunk = bytes(view[offset : offset + step])
            offset += step
            yield chunk

    async def writer(self, path: str, append: bool = False) -> InMemoryWriter:
        parent, leaf = self._make_parent(path)
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
        check_path(dest, self.name)
        src_parent, src_leaf = self._lookup_parent(source)
        node = src_parent.children.get(src_leaf)
        if node is None:
            raise PathNotFoundError(source, self.name)
        if dest == source:
            return
        if dest.startswith(source + "/"):
            raise StorageDriverError(source, self.name, f"cannot move into itself ({dest})")
        dst_parent, dst_leaf = self._make_parent(dest)
        if isinstance(dst_parent.children.get(dst_leaf), _Dir):
            raise StorageDriverError(dest, self.name, "destination is a directory")
        del src_parent.children[src_leaf]
        dst_parent.children[dst_leaf] = node

    async def delete(self, path: str) -> None:
        parent, leaf = self._lookup_parent(path)
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
                continue  # removed by ``fn`` while walking
            child_path = f"{prefix}/{name}"
            if isinstance(child, _Dir):
                if await fn(FileInfo(child_path, 0, child.mod_time, True)):
                    try:
                        await self.walk(child_path, fn)
                    except PathNotFoundError:
                        continue
            else:
                await fn(FileInfo(child_path, len(child.data), child.mod_time, False))

    def local_path(self, path: str) -> str | None:
        check_path(path, self.name)
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
        self._committed = False

    @property
    def size(self) -> int:
        return len(self._node.data)

    def _refuse(self, what: str) -> StorageDriverError:
        state = "committed" if self._committed else "closed"
        return StorageDriverError(self._path, self._driver.name, f"{what}: writer is {state}")

    async def write(self, data: bytes | memoryview) -> int:
        if self._closed or self._committed:
            raise self._refuse("write")
        self._node.data += data
        self._node.mod_time = _now()
        return len(data)

    async def commit(self) -> None:
        if self._closed or self._committed:
            raise self._refuse("commit")
        self._committed = True

    async def cancel(self) -> None:
        self._closed = True
        try:
            parent, leaf = self._driver._lookup_parent(self._path)
        except PathNotFoundError:
            return
        if parent.children.get(leaf) is self._node:  # not replaced by a newer writer or put
            del parent.children[leaf]

    async def close(self) -> None:
        self._closed = True
