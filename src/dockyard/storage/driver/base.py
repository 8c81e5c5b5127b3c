"""The storage-driver contract, modelled on Distribution's ``storagedriver.StorageDriver``.

A driver is a tiny filesystem-like key/value store. Paths are absolute, ``/``-separated and made
only of ``[A-Za-z0-9._-]`` components (never ``.`` or ``..``), so that no caller-controlled string
can ever reach outside the driver's root: every driver applies :func:`check_path` to every path
before it does any I/O, and the shared driver test suite holds each driver to it.

Everything above the driver (the layout, links, uploads, garbage collection) is written against
this protocol only, so that an object store can implement it: a writer is a multipart upload
(``close`` without ``commit`` leaves the parts resumable, ``commit`` completes it), ``move`` may be
a copy followed by a delete, and directories are only key prefixes (an empty "directory" need not
exist).

Errors (all :class:`StorageDriverError`, which never leaves the storage layer)::

    StorageDriverError            anything else the backend reports
    ├── PathNotFoundError         nothing at (or under) the path
    ├── InvalidPathError          the path breaks the grammar; raised before any I/O
    ├── InvalidOffsetError        a read offset outside the content
    ├── UnsupportedMethodError    an optional method the driver does not have
    └── StorageFullError          out of space or quota: the app answers 507
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

PATH_RE = re.compile(r"(/[A-Za-z0-9._-]+)+")
"""Distribution's ``PathRegexp``; matched with ``fullmatch`` (``$`` would admit a final ``\\n``)."""


class StorageDriverError(Exception):
    """Base class of every error a driver raises; never leaves the storage layer."""

    def __init__(self, path: str = "", driver: str = "", detail: str = "") -> None:
        self.path = path
        self.driver = driver
        self.detail = detail
        super().__init__(f"{driver}: {type(self).__name__}: {path!r} {detail}".strip())


class PathNotFoundError(StorageDriverError):
    """Nothing is stored at the path (and, for reads, nothing under it)."""


class InvalidPathError(StorageDriverError):
    """The path breaks the driver path grammar; raised before any I/O."""


class InvalidOffsetError(StorageDriverError):
    """A read asked for an offset before the start or past the end of the content."""


class UnsupportedMethodError(StorageDriverError):
    """The driver cannot do this (for example: it has no redirect URLs)."""


class StorageFullError(StorageDriverError):
    """The backing store refused a write for lack of space or quota."""


def check_path(path: str, driver: str = "", *, allow_root: bool = False) -> str:
    """Return ``path`` if it is a valid driver path, else raise :class:`InvalidPathError`.

    Components of ``.`` and ``..`` are refused explicitly: the character class admits dots so that
    tags such as ``v1.0`` work, which would otherwise let ``/..`` slip through. ``/`` itself is a
    valid path only where the method allows it (stat, list, walk).
    """
    if allow_root and path == "/":
        return path
    if not isinstance(path, str) or not PATH_RE.fullmatch(path):
        raise InvalidPathError(str(path)[:300], driver)
    for part in path.split("/")[1:]:
        if part == "." or part == "..":
            raise InvalidPathError(path, driver)
    return path


@dataclass(frozen=True, slots=True)
class FileInfo:
    """What :meth:`StorageDriver.stat` knows of a path. Directories have size 0."""

    path: str
    size: int
    mod_time: datetime
    is_dir: bool


class FileWriter(Protocol):
    """A streaming writer for one path, in the manner of Distribution's ``FileWriter``.

    Content is guaranteed readable at the path only after :meth:`commit`. Before that it is
    driver-specific: the filesystem driver appends in place (as Distribution does for
    ``_uploads/<id>/data``); an object store keeps parts of a multipart upload that only
    ``writer(path, append=True)`` sees. Callers therefore keep uncommitted data in private
    locations (upload directories) and publish it with :meth:`StorageDriver.move`.
    """

    @property
    def size(self) -> int:
        """Bytes held so far, including those of earlier sessions when resumed."""
        ...

    async def write(self, data: bytes | memoryview) -> int:
        """Append ``data``; returns the number of bytes accepted.

        A failure (for example :class:`StorageFullError`) may surface on this call or on the next
        ``write``/``commit``/``close``; after one, :attr:`size` is unreliable and the caller
        should re-open the writer with ``append=True`` to learn what was stored.
        """
        ...

    async def commit(self) -> None:
        """Make everything written durable and readable. No write may follow."""
        ...

    async def cancel(self) -> None:
        """Abandon and remove the content at the path (earlier sessions' included)."""
        ...

    async def close(self) -> None:
        """Release resources; uncommitted content stays resumable with ``append=True``."""
        ...


WalkFn = Callable[[FileInfo], Awaitable[bool]]
"""Called for every entry found by :meth:`StorageDriver.walk`; False skips a directory."""


@runtime_checkable
class StorageDriver(Protocol):
    """The contract every storage backend fulfils. All I/O methods are coroutines."""

    name: str

    async def get_content(self, path: str) -> bytes:
        """The whole content of the file at ``path``; for small files (links, manifests).

        :class:`PathNotFoundError` when there is no file (a directory is not content).
        """
        ...

    async def put_content(self, path: str, content: bytes) -> None:
        """Store ``content`` at ``path`` atomically: a reader sees the old or the new bytes.

        Missing parent directories are created. A failed put leaves the old content in place.
        """
        ...

    async def put_contents(self, items: Sequence[tuple[str, bytes]]) -> None:
        """Store several small files as one step, each as :meth:`put_content` would.

        They become visible in the order given and are all durable when this returns. A driver
        that can share the cost of making them durable does (the filesystem driver overlaps
        their fsyncs in one pool call); the others put them one by one. A failure may leave a
        prefix in place. Durability is promised for the set, not in order: after a power cut
        some may be kept without the ones before them, so a file that names another belongs
        in a later call.
        """
        ...

    def reader(self, path: str, offset: int = 0, length: int | None = None) -> AsyncIterator[bytes]:
        """Stream the file at ``path`` from ``offset`` (``length`` bytes, or to the end).

        The path is checked when this is called; :class:`PathNotFoundError` and
        :class:`InvalidOffsetError` (offset < 0 or past the end; an offset equal to the size
        yields nothing) are raised on the first iteration. Chunks are bounded in size, so that
        memory stays flat whatever the file's size.
        """
        ...

    async def writer(self, path: str, append: bool = False) -> FileWriter:
        """Open a writer for ``path``; ``append`` resumes after what an earlier writer left.

        Without ``append`` any previous content at the path is discarded.
        """
        ...

    async def stat(self, path: str) -> FileInfo:
        """Describe the file or directory at ``path`` or raise :class:`PathNotFoundError`."""
        ...

    async def list(self, path: str) -> list[str]:
        """Full paths of the direct children of the directory ``path``, sorted.

        :class:`PathNotFoundError` when ``path`` is not an existing directory.
        """
        ...

    async def move(self, source: str, dest: str) -> None:
        """Move ``source`` to ``dest``, replacing a file there; parents are created.

        :class:`PathNotFoundError` (and ``dest`` untouched) when ``source`` does not exist. An
        object store may copy and then delete.
        """
        ...

    async def delete(self, path: str) -> None:
        """Remove ``path`` and everything under it; :class:`PathNotFoundError` if absent."""
        ...

    async def redirect_url(self, method: str, path: str) -> str | None:
        """A URL a client may be redirected to for ``path``, or None to serve it ourselves."""
        ...

    async def walk(self, path: str, fn: WalkFn) -> None:
        """Visit every entry under the directory ``path``, depth-first, calling ``fn``.

        Siblings are visited in byte order of their names and a directory's entries right after
        it (so ``/a``, ``/a/b``, ``/a-b``: the order of full paths with ``/`` sorting first).
        When ``fn`` returns False for a directory its contents are skipped. An entry removed
        during the walk may still be reported (listings are snapshots) but is never an error;
        :class:`PathNotFoundError` if ``path`` itself is not a directory.
        """
        ...

    def local_path(self, path: str) -> str | None:
        """The OS path holding ``path``'s bytes when the driver is a local filesystem.

        The seam for zero-copy sending (the ASGI ``pathsend`` extension); None elsewhere.
        """
        ...

    async def close(self) -> None:
        """Release connections and threads held by the driver."""
        ...
