"""Blob upload sessions: ``_uploads/<uuid>/{startedat,data}`` in Distribution's layout.

An upload's state lives in storage only (its data file's length is its offset), so a session
survives a restart and any worker can continue it. The running sha256 is kept in memory between
chunks as an optimisation; when it is missing or stale (another process, a restart, a failed
write) it is rebuilt by re-reading the data, exactly as Distribution does without hash states.

Data becomes a blob only after the digest is verified, by a rename (or an object-store copy) into
the blob store: a reader can never see a partial blob.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import uuid
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from dockyard.registry.descriptor import Descriptor
from dockyard.registry.errors import (
    BlobUploadInvalidError,
    BlobUploadUnknownError,
    DigestInvalidError,
    RangeInvalidError,
)
from dockyard.registry.reference import CANONICAL_ALGORITHM, EMPTY_SHA256, Digest
from dockyard.storage import paths
from dockyard.storage.blobs import BlobStore, LinkedBlobStore
from dockyard.storage.driver.base import (
    PathNotFoundError,
    StorageDriver,
    StorageDriverError,
    StorageFullError,
)
from dockyard.storage.pump import pump

log = logging.getLogger(__name__)

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HASH_STATES_KEPT = 1024
CLOSED_KEPT = 4096
"""Recently committed or cancelled sessions remembered, to turn away requests that raced them."""


@dataclass(slots=True)
class UploadSession:
    repository: str
    id: str
    started_at: datetime
    size: int


class _HashStates:
    """Running hashes of recent uploads, keyed by (repository, id), valid at a given size."""

    def __init__(self, limit: int = HASH_STATES_KEPT) -> None:
        self._states: OrderedDict[tuple[str, str], tuple[int, hashlib._Hash]] = OrderedDict()
        self._limit = limit

    def take(self, key: tuple[str, str], size: int) -> hashlib._Hash | None:
        state = self._states.pop(key, None)
        if state is None or state[0] != size:
            return None
        return state[1]

    def put(self, key: tuple[str, str], size: int, hasher: hashlib._Hash) -> None:
        self._states[key] = (size, hasher)
        self._states.move_to_end(key)
        while len(self._states) > self._limit:
            self._states.popitem(last=False)

    def drop(self, key: tuple[str, str]) -> None:
        self._states.pop(key, None)


class UploadStore:
    """Starts, appends to, commits and cancels upload sessions on one driver."""

    def __init__(self, driver: StorageDriver, blobs: BlobStore) -> None:
        self.driver = driver
        self.blobs = blobs
        self._hashes = _HashStates()
        self._closed: OrderedDict[tuple[str, str], None] = OrderedDict()
        # Serialises requests on one session within this process; a lock lives while used.
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def _lock(self, session: UploadSession) -> asyncio.Lock:
        key = (session.repository, session.id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def start(self, repository: str) -> UploadSession:
        upload_id = str(uuid.uuid4())
        now = datetime.now(UTC).replace(microsecond=0)
        stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        await self.driver.put_content(paths.upload_started_at(repository, upload_id), stamp)
        return UploadSession(repository, upload_id, now, 0)

    async def get(self, repository: str, upload_id: str) -> UploadSession:
        if not UUID_RE.fullmatch(upload_id):
            raise BlobUploadUnknownError(upload_id[:64])
        try:
            stamp = await self.driver.get_content(paths.upload_started_at(repository, upload_id))
        except PathNotFoundError:
            raise BlobUploadUnknownError(upload_id) from None
        try:
            started = datetime.strptime(stamp.decode(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except (UnicodeDecodeError, ValueError):
            started = datetime.now(UTC)
        return UploadSession(
            repository, upload_id, started, await self._size(repository, upload_id)
        )

    async def _size(self, repository: str, upload_id: str) -> int:
        try:
            return (await self.driver.stat(paths.upload_data(repository, upload_id))).size
        except PathNotFoundError:
            return 0

    async def append(
        self, session: UploadSession, chunks: AsyncIterator[bytes], offset: int | None = None
    ) -> int:
        """Append a request body to the upload; returns the new size.

        ``offset`` is where the client's ``Content-Range`` says the chunk starts; it is checked
        again under the session lock, so two chunks racing for the same offset cannot both land.
        Whatever arrived before a failure (client gone, disk full) stays appended, so the client
        can ask for the offset and resume.
        """
        async with self._lock(session):
            key = (session.repository, session.id)
            self._check_open(key)
            with _upload_io(key):
                writer = await self.driver.writer(paths.upload_data(*key), append=True)
            if offset is not None and offset != writer.size:
                await writer.close()
                session.size = writer.size
                raise RangeInvalidError(writer.size, "Content-Range does not continue the upload")
            try:
                with _upload_io(key):
                    hasher = self._hashes.take(key, writer.size)
                    if hasher is None:
                        hasher = await self._rehash(key, writer.size)
                    await pump(chunks, writer, hasher)
                    await writer.close()
            except BaseException:
                with contextlib.suppress(StorageDriverError):
                    await writer.close()
                session.size = await self._size(*key)
                raise
            session.size = writer.size
            self._hashes.put(key, writer.size, hasher)
            return writer.size

    def _check_open(self, key: tuple[str, str]) -> None:
        """Refuse a request that waited for the lock while the session was committed or
        cancelled: writing now would recreate an upload directory without ``startedat``."""
        if key in self._closed:
            raise BlobUploadUnknownError(key[1])

    async def _rehash(self, key: tuple[str, str], size: int) -> hashlib._Hash:
        hasher = hashlib.new(CANONICAL_ALGORITHM)
        if size:
            await _hash_stored(self.driver, paths.upload_data(*key), hasher)
        return hasher

    async def commit(
        self, session: UploadSession, digest: Digest, linked: LinkedBlobStore
    ) -> Descriptor:
        """Verify ``digest`` against the data, move it into the blob store and link it.

        A mismatch cancels the session (as Distribution does) and raises DIGEST_INVALID.
        """
        async with self._lock(session):
            key = (session.repository, session.id)
            self._check_open(key)
            data = paths.upload_data(*key)
            size = await self._size(*key)
            with _upload_io(key):
                hasher = self._hashes.take(key, size) or await self._rehash(key, size)
                canonical = Digest(CANONICAL_ALGORITHM, hasher.hexdigest())
                if digest.algorithm == CANONICAL_ALGORITHM:
                    verified = canonical == digest
                else:
                    other = hashlib.new(digest.algorithm)
                    if size:
                        await _hash_stored(self.driver, data, other)
                    verified = other.hexdigest() == digest.hex
            if not verified:
                await self._remove(session)
                raise DigestInvalidError(str(digest))
            if not await self.blobs.exists(canonical):
                if size == 0 and canonical == EMPTY_SHA256:
                    await self.driver.put_content(paths.blob_data(canonical), b"")
                else:
                    writer = await self.driver.writer(data, append=True)
                    try:
                        await writer.commit()
                    finally:
                        await writer.close()
                    await self.driver.move(data, paths.blob_data(canonical))
            await linked.link(canonical)
            if digest != canonical:
                await linked.link(digest, canonical)
            await self._remove(session)
            return Descriptor(digest, size)

    async def cancel(self, session: UploadSession) -> None:
        async with self._lock(session):
            await self._remove(session)

    async def _remove(self, session: UploadSession) -> None:
        key = (session.repository, session.id)
        self._hashes.drop(key)
        self._closed[key] = None
        while len(self._closed) > CLOSED_KEPT:
            self._closed.popitem(last=False)
        try:
            await self.driver.delete(paths.upload_dir(*key))
        except PathNotFoundError:
            pass


async def _hash_stored(driver: StorageDriver, path: str, hasher: hashlib._Hash) -> None:
    async for chunk in driver.reader(path):
        await asyncio.to_thread(hasher.update, chunk)


@contextlib.contextmanager
def _upload_io(key: tuple[str, str]) -> Iterator[None]:
    """Storage that cannot hold or give back an upload's data ends the upload.

    The client gets BLOB_UPLOAD_INVALID ("can no longer proceed", so it starts over) instead of
    a 500; a full disk stays a storage-full error, which the app renders on its own.
    """
    try:
        yield
    except StorageFullError:
        raise
    except StorageDriverError as exc:
        log.warning("upload %s/%s can no longer proceed: %s", key[0], key[1], exc)
        raise BlobUploadInvalidError("the upload's stored data is unusable; restart it") from exc
