"""A storage-driver wrapper giving every operation a child span of the request's span.

Span names and attributes are Distribution v3's (its ``storage/driver/base`` spans:
``GetContent``, ``Stat``, … with ``io.cncf.distribution.storage.*`` attributes), so that trace
queries written against Distribution keep working. A missing path is an answer, not a failure:
only other errors mark a span as failed.

Storage spans exist only inside a request span that is being recorded: an unsampled request pays
one context lookup per operation instead of a span, and background work (health checks every few
seconds, the upload purger's walks) does not flood the collector with one-span traces.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry.trace import Status, StatusCode, Tracer, get_current_span

from dockyard.storage.driver.base import (
    FileInfo,
    FileWriter,
    PathNotFoundError,
    StorageDriver,
    WalkFn,
)

PREFIX = "io.cncf.distribution.storage."
DRIVER_NAME = PREFIX + "driver.name"
PATH = PREFIX + "path"


class TracedDriver:
    """Delegates to ``inner``; anything not in the driver protocol passes straight through."""

    def __init__(self, inner: StorageDriver, tracer: Tracer) -> None:
        self.inner = inner
        self.name = inner.name
        self._tracer = tracer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @contextmanager
    def _span(self, action: str, attributes: dict[str, Any]) -> Iterator[None]:
        if not get_current_span().is_recording():
            yield
            return
        attributes[DRIVER_NAME] = self.name
        span = self._tracer.start_span(action, attributes=attributes)
        try:
            yield
        except PathNotFoundError:
            raise
        except Exception as exc:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise
        finally:
            span.end()

    async def get_content(self, path: str) -> bytes:
        with self._span("GetContent", {PATH: path}):
            return await self.inner.get_content(path)

    async def put_content(self, path: str, content: bytes) -> None:
        with self._span("PutContent", {PATH: path, PREFIX + "content.length": len(content)}):
            await self.inner.put_content(path, content)

    async def put_contents(self, items: Sequence[tuple[str, bytes]]) -> None:
        paths = [path for path, _ in items]
        with self._span("PutContents", {PATH: paths[0] if paths else "", PREFIX + "paths": paths}):
            await self.inner.put_contents(items)

    async def reader(
        self, path: str, offset: int = 0, length: int | None = None
    ) -> AsyncIterator[bytes]:
        with self._span("Reader", {PATH: path, PREFIX + "offset": offset}):
            async for chunk in self.inner.reader(path, offset, length):
                yield chunk

    async def writer(self, path: str, append: bool = False) -> FileWriter:
        with self._span("Writer", {PATH: path, PREFIX + "append": append}):
            return await self.inner.writer(path, append)

    async def stat(self, path: str) -> FileInfo:
        with self._span("Stat", {PATH: path}):
            return await self.inner.stat(path)

    async def list(self, path: str) -> list[str]:
        with self._span("List", {PATH: path}):
            return await self.inner.list(path)

    async def move(self, source: str, dest: str) -> None:
        with self._span("Move", {PREFIX + "source.path": source, PREFIX + "dest.path": dest}):
            await self.inner.move(source, dest)

    async def delete(self, path: str) -> None:
        with self._span("Delete", {PATH: path}):
            await self.inner.delete(path)

    async def redirect_url(self, method: str, path: str) -> str | None:
        with self._span("RedirectURL", {PATH: path}):
            return await self.inner.redirect_url(method, path)

    async def walk(self, path: str, fn: WalkFn) -> None:
        with self._span("Walk", {PATH: path}):
            await self.inner.walk(path, fn)

    def local_path(self, path: str) -> str | None:
        return self.inner.local_path(path)

    async def close(self) -> None:
        await self.inner.close()
