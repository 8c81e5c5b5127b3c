"""Copying a request body into an upload's writer while hashing it, in bounded memory.

What an upload holds in memory is what it has received but not yet written: the batch being
gathered from the request and the batch being hashed and written (the writer keeps one write in
flight). Two regimes, chosen again before every batch from the number of uploads moving data in
this process:

- **A few uploads** (up to :data:`BATCHING_UPLOADS`): request chunks are gathered into
  :data:`WRITE_BATCH` batches; each is hashed on a worker thread while the driver writes it and
  the next one arrives. Large batches amortise the two thread hand-offs, and the overlap keeps a
  single stream moving while the disk and the hash work.
- **Many uploads**: the CPU and the disk are kept busy by the others, so holding more than the
  chunk in hand gains nothing and multiplies. Each received chunk (granian delivers up to
  ~400 KiB) is hashed inline — no thread hand-off, which is most of the cost of a small batch —
  and passed to the writer as it came. Measured with 32 concurrent 16 MiB pushes on 2 cores
  (bench/README.md): the same throughput, and peak memory per upload from ~3 MiB to ~0.8 MiB.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from typing import Any

from dockyard.memory import uploads

WRITE_BATCH = 1 << 20
"""Bytes gathered before one write while few uploads run: big enough to amortise the two thread
hops (hash, write) of a batch, small enough that the ~3 batches an upload holds at once
(gathering, joined, in flight) stay a few MiB."""
BATCHING_UPLOADS = 4
"""Up to this many concurrent uploads gather batches; beyond it each moves chunk by chunk."""


async def pump(chunks: AsyncIterator[bytes], writer: Any, hasher: hashlib._Hash) -> None:
    """Copy ``chunks`` into ``writer`` (a driver ``FileWriter``) while updating ``hasher``."""
    uploads.started()
    pending_hash: asyncio.Future[None] | None = None
    batch: list[bytes] = []
    batched = 0
    try:
        async for chunk in chunks:
            if uploads.active > BATCHING_UPLOADS and not batch:
                if pending_hash is not None:
                    await pending_hash
                    pending_hash = None
                hasher.update(chunk)
                await writer.write(chunk)
                continue
            batch.append(chunk)
            batched += len(chunk)
            if batched < WRITE_BATCH:
                continue
            data = batch[0] if len(batch) == 1 else b"".join(batch)
            batch, batched = [], 0
            pending_hash = await _hash_and_write(data, writer, hasher, pending_hash)
        if batch:
            data = batch[0] if len(batch) == 1 else b"".join(batch)
            batch = []
            pending_hash = await _hash_and_write(data, writer, hasher, pending_hash)
    finally:
        uploads.finished()
        if pending_hash is not None:
            await pending_hash


async def _hash_and_write(
    data: bytes, writer: Any, hasher: hashlib._Hash, pending: asyncio.Future[None] | None
) -> asyncio.Future[None]:
    """Hash ``data`` on a thread while the writer takes it; returns the hash still running."""
    if pending is not None:
        await pending  # updates must reach the hasher in order
    hashing = asyncio.ensure_future(asyncio.to_thread(hasher.update, data))
    try:
        await writer.write(data)
    except BaseException:
        await hashing
        raise
    return hashing
