"""A storage-driver wrapper timing every operation (``registry_storage_action_seconds``)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from dockyard.metrics.collector import Metrics
from dockyard.storage.driver.base import FileInfo, FileWriter, StorageDriver, WalkFn


class InstrumentedDriver:
    """Delegates to ``inner``; anything not in the driver protocol passes straight through."""

    def __init__(self, inner: StorageDriver, metrics: Metrics) -> None:
        self.inner = inner
        self.name = inner.name
        self._metrics = metrics

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _done(self, action: str, started: float) -> None:
        self._metrics.storage_action(self.name, action, time.perf_counter() - started)

    async def get_content(self, path: str) -> bytes:
        started = time.perf_counter()
        try:
            return await self.inner.get_content(path)
        finally:
            self._done("GetContent", started)

    async def put_content(self, path: str, content: bytes) -> None:
        started = time.perf_counter()
        try:
            await self.inner.put_content(path, content)
        finally:
            self._done("PutContent", started)

    async def put_contents(self, items: Sequence[tuple[str, bytes]]) -> None:
        started = time.perf_counter()
        try:
            await self.inner.put_contents(items)
        finally:
            self._done("PutContents", started)

    async def reader(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        started = time.perf_counter()
        try:
            async for chunk in self.inner.reader(path, offset, length):
                yield chunk
        finally:
            self._done("Reader", started)

    async def writer(self, path: str, append: bool = False) -> FileWriter:
        started = time.perf_counter()
        try:
            return await self.inner.writer(path, append)
        finally:
            self._done("Writer", started)

    async def stat(self, path: str) -> FileInfo:
        started = time.perf_counter()
        try:
            return await self.inner.stat(path)
        finally:
            self._done("Stat", started)

    async def list(self, path: str) -> list[str]:
        started = time.perf_counter()
        try:
            return await self.inner.list(path)
        finally:
            self._done("List", started)

    async def move(self, source: str, dest: str) -> None:
        started = time.perf_counter()
        try:
            await self.inner.move(source, dest)
        finally:
            self._done("Move", started)

    async def delete(self, path: str) -> None:
        started = time.perf_counter()
        try:
            await self.inner.delete(path)
        finally:
            self._done("Delete", started)

    async def redirect_url(self, method: str, path: str) -> str | None:
        return await self.inner.redirect_url(method, path)

    async def walk(self, path: str, fn: WalkFn) -> None:
        started = time.perf_counter()
        try:
            await self.inner.walk(path, fn)
        finally:
            self._done("Walk", started)

    def local_path(self, path: str) -> str | None:
        return self.inner.local_path(path)

    async def close(self) -> None:
        await self.inner.close()
