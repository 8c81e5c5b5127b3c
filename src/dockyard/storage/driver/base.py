"""The storage-driver contract, modelled on Distribution's ``storagedriver.StorageDriver``.

A driver is a tiny filesystem-like key/value store. Paths are absolute, ``/``-separated and made
only of ``[A-Za-z0-9._-]`` components, so that no caller-controlled string can ever reach outside
the driver's root: :func:`check_path` is applied by every driver before it touches anything.

Everything above the driver (the layout, links, uploads) is written against this protocol only, so
an object store (S3) can implement it with multipart uploads for writers and copy+delete for moves.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

_PATH_RE = re.compile(r"^(/[A-Za-z0-9._-]+)+$")


class StorageDriverError(Exception):
    """Base class of every error a driver raises; never leaves the storage layer."""

    def __init__(self, path: str = "", driver: str = "", detail: str = "") -> None:
        self.path = path
        self.driver = driver
        self.detail = detail
        super().__init__(f"{driver}: {type(self).__name__}: {path} {detail}".strip())


class PathNotFoundError(StorageDriverError):
    """Nothing is stored at the path (and, for reads, nothing under it)."""


class InvalidPathError(StorageDriverError):
    """The path breaks the driver path grammar; raised before any I/O."""


class InvalidOffsetError(StorageDriverError):
    """A read or resumed write asked for an offset past the end of the content."""


class UnsupportedMethodError(StorageDriverError):
    """The driver cannot do this (for example: it has no redirect URLs)."""


class StorageFullError(StorageDriverError):
    """The backing store refused a write for lack of space or quota."""


def check_path(path: str, driver: str = "", *, allow_root: bool = False) -> str:
    """Return ``path`` if it is a valid driver path, else raise :class:`InvalidPathError`.

    Components of ``.`` and ``..`` are refused explicitly: the character class admits dots so that
    tags such as ``v1.0`` work, which would otherwise let ``/..`` slip through.
    """
    if allow_root and path == "/":
        return path
    if not _PATH_RE.match(path):
        raise InvalidPathError(path, driver)
    for part in path.split("/")[1:]:
        if part in (".", ".."):
            raise InvalidPathError(path, driver)
    return path


@dataclass(frozen=True, slots=True)
class FileInfo:
    """What :meth:`StorageDriver.stat` knows of a path."""

    path: str
    size: int
    mod_time: datetime
    is_dir: bool


class FileWriter(Protocol):
    """A streaming writer for one path; content is invisible at the path until :meth:`commit`.

    On the filesystem driver the bytes land in the path itself (Distribution appends in place
    inside ``_uploads/<id>/data``); on an object store they are parts of a multipart upload.
    """

    @property
    def size(self) -> int:
        """Bytes held so far, including those of earlier sessions when resumed."""
        ...

    async def write(self, data: bytes | memoryview) -> int:
        """Append ``data``; returns the number of bytes written."""
        ...

    async def commit(self) -> None:
        """Make everything written durable and visible; no writes may follow."""
        ...

    async def cancel(self) -> None:
        """Abandon the content written by this writer and remove it."""
        ...

    async def close(self) -> None:
        """Release resources; content written so far stays resumable (append mode)."""
        ...


WalkFn = Callable[[FileInfo], Awaitable[bool]]
"""Called for every entry found by :meth:`StorageDriver.walk`; return False to skip a directory."""


@runtime_checkable
class StorageDriver(Protocol):
    """The contract every storage backend fulfils. All methods are coroutines."""

    name: str

    async def get_content(self, path: str) -> bytes:
        """Return the whole content at ``path``. Meant for small files (links, manifests)."""
        ...

    async def put_content(self, path: str, content: bytes) -> None:
        """Store ``content`` at ``path`` atomically: readers see the old or the new bytes."""
        ...

    def reader(self, path: str, offset: int = 0, length: int | None = None) -> AsyncIterator[bytes]:
        """Stream the content at ``path`` from ``offset`` (``length`` bytes, or to the end).

        Raises :class:`PathNotFoundError` or :class:`InvalidOffsetError` on first iteration.
        """
        ...

    async def writer(self, path: str, append: bool = False) -> FileWriter:
        """Open a writer for ``path``; with ``append`` resume after what is already there."""
        ...

    async def stat(self, path: str) -> FileInfo:
        """Describe ``path`` or raise :class:`PathNotFoundError`."""
        ...

    async def list(self, path: str) -> list[str]:
        """Return the full paths of the direct children of the directory ``path``."""
        ...

    async def move(self, source: str, dest: str) -> None:
        """Move ``source`` to ``dest``, replacing it. An object store may copy then delete."""
        ...

    async def delete(self, path: str) -> None:
        """Remove ``path`` and everything under it; :class:`PathNotFoundError` if absent."""
        ...

    async def redirect_url(self, method: str, path: str) -> str | None:
        """A URL a client may be redirected to for ``path``, or None to serve it ourselves."""
        ...

    async def walk(self, path: str, fn: WalkFn) -> None:
        """Visit every entry under ``path`` depth-first in lexical order, calling ``fn``."""
        ...

    def local_path(self, path: str) -> str | None:
        """The OS path holding ``path``'s bytes when the driver is a local filesystem.

        The seam for zero-copy sending (the ASGI ``pathsend`` extension); None elsewhere.
        """
        ...

    async def close(self) -> None:
        """Release connections and threads held by the driver."""
        ...
