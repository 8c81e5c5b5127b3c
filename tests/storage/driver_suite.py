"""The storage-driver contract as one test suite that every driver runs.

A driver's test module supplies a ``case`` fixture (a :class:`DriverCase`) and a class deriving
from :class:`DriverSuite`; nothing else. The tests call the driver API directly: the driver is the
unit under test. Behaviours follow Distribution's ``testsuites.go`` where it has an opinion, and
Dockyard's contract (``dockyard.storage.driver.base``) where it is stricter.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dockyard.storage.driver.base import (
    FileInfo,
    InvalidOffsetError,
    InvalidPathError,
    PathNotFoundError,
    StorageDriver,
    StorageDriverError,
)
from storage.aio import run_async

MiB = 1 << 20
MAX_CHUNK = 4 * MiB
"""The largest chunk a reader may yield: "bounded" in the contract, generous here."""


@dataclass
class DriverCase:
    """One driver under test, and what the suite needs to know about it."""

    driver: StorageDriver
    holds_content_in_memory: bool
    """True for drivers whose stored bytes live in this process (memory tests allow for it)."""
    snapshot: Callable[[], Awaitable[dict[str, bytes]]]
    """Everything the backend holds, inside and around the driver's root, as path → bytes."""


VALID_PATHS = [
    "/a",
    "/2",
    "/aa",
    "/a.a",
    "/0-9/abcdefg",
    "/abcdefg/z.75",
    "/abc/1.2.3.4.5-6_zyx/123.z/4",
    "/docker/docker-registry",
    "/123.abc",
    "/abc./abc",
    "/.abc",
    "/...",
    "/a--b",
    "/a-.b",
    "/_.abc",
    "/Docker/docker-registry",
    "/Abc/Cba",
]

INVALID_PATHS = [
    "",
    "a",
    "abc/def",
    "123.abc",
    "//bcd",
    "/abc_123/",
    "/a//b",
    "/a/",
    "/.",
    "/..",
    "/../escape",
    "/a/../../escape",
    "/a/./b",
    "/a/b/..",
    "/a/b/.",
    "/a\x00b",
    "/a\n",
    "/a\nb",
    "/é",
    "/a/\u0430",  # Cyrillic a
    "/a b",
    "/a\\b",
    "/a:b",
    "/a\tb",
    "\\a",
    "/a/b\r",
]


async def read_all(driver: StorageDriver, path: str, offset: int = 0, length: int | None = None):
    return b"".join([chunk async for chunk in driver.reader(path, offset, length)])


async def write_file(driver: StorageDriver, path: str, *chunks: bytes) -> None:
    writer = await driver.writer(path)
    for chunk in chunks:
        await writer.write(chunk)
    await writer.commit()
    await writer.close()


def pattern(seed: str, size: int) -> bytes:
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (size // len(block) + 1))[:size]


class DriverSuite:
    """Derive a ``Test...`` class from this and provide a ``case`` fixture."""

    # -- content -------------------------------------------------------------------------------

    @run_async
    async def test_valid_paths_round_trip(self, case: DriverCase) -> None:
        for i, path in enumerate(VALID_PATHS):
            content = pattern(path, 64 + i)
            await case.driver.put_content(path, content)
            assert await case.driver.get_content(path) == content

    @pytest.mark.parametrize("size", [0, 1, 4096, 3 * MiB + 7])
    @run_async
    async def test_put_get_content(self, case: DriverCase, size: int) -> None:
        content = os.urandom(size)
        await case.driver.put_content("/content/file", content)
        assert await case.driver.get_content("/content/file") == content
        info = await case.driver.stat("/content/file")
        assert (info.size, info.is_dir) == (size, False)

    @run_async
    async def test_put_replaces_whole_content(self, case: DriverCase) -> None:
        await case.driver.put_content("/replace/file", pattern("long", 4096))
        await case.driver.put_content("/replace/file", b"short")
        assert await case.driver.get_content("/replace/file") == b"short"
        # No temporary file is left beside the target.
        assert await case.driver.list("/replace") == ["/replace/file"]

    @run_async
    async def test_put_is_atomic_for_concurrent_readers(self, case: DriverCase) -> None:
        versions = [pattern("old", MiB), pattern("new", 2 * MiB)]
        await case.driver.put_content("/atomic/link", versions[0])
        seen: set[bytes] = set()

        async def put_many() -> None:
            for i in range(40):
                await case.driver.put_content("/atomic/link", versions[i % 2])

        async def read_many() -> None:
            for _ in range(80):
                content = await case.driver.get_content("/atomic/link")
                assert content in versions, f"torn read of {len(content)} bytes"
                seen.add(content)

        await asyncio.gather(put_many(), read_many(), read_many())
        assert seen
        assert await case.driver.list("/atomic") == ["/atomic/link"]

    @run_async
    async def test_get_content_missing(self, case: DriverCase) -> None:
        with pytest.raises(PathNotFoundError) as info:
            await case.driver.get_content("/missing/file")
        assert case.driver.name in str(info.value)
        await case.driver.put_content("/dir/file", b"x")
        with pytest.raises(PathNotFoundError):
            await case.driver.get_content("/dir")  # a directory is not content
        with pytest.raises(PathNotFoundError):
            await case.driver.get_content("/dir/file/below")

    @run_async
    async def test_put_content_onto_directory_fails_cleanly(self, case: DriverCase) -> None:
        await case.driver.put_content("/dir/child", b"kept")
        with pytest.raises(StorageDriverError):
            await case.driver.put_content("/dir", b"not a directory")
        assert await case.driver.get_content("/dir/child") == b"kept"

    @run_async
    async def test_put_contents_stores_each_in_order(self, case: DriverCase) -> None:
        driver = case.driver
        await driver.put_content("/batch/old", b"old")
        await driver.put_contents(
            [
                ("/batch/new/deep/a", b"first"),
                ("/batch/old", b"replaced"),
                ("/batch/empty", b""),
                ("/batch/new/deep/a", b"second"),  # the later write of a path wins
            ]
        )
        assert await driver.get_content("/batch/new/deep/a") == b"second"
        assert await driver.get_content("/batch/old") == b"replaced"
        assert await driver.get_content("/batch/empty") == b""
        # No temporary file is left beside any target.
        assert sorted(await driver.list("/batch")) == ["/batch/empty", "/batch/new", "/batch/old"]
        assert await driver.list("/batch/new/deep") == ["/batch/new/deep/a"]
        before = await case.snapshot()
        await driver.put_contents([])
        assert await case.snapshot() == before

    @run_async
    async def test_put_contents_refuses_a_bad_path_before_writing(self, case: DriverCase) -> None:
        before = await case.snapshot()
        for path in INVALID_PATHS:
            with pytest.raises(InvalidPathError):
                await case.driver.put_contents([("/fine/file", b"x"), (path, b"y")])
        assert await case.snapshot() == before

    @run_async
    async def test_put_contents_failure_keeps_a_prefix(self, case: DriverCase) -> None:
        driver = case.driver
        await driver.put_content("/fail/dir/child", b"kept")
        await driver.put_content("/fail/file", b"old")
        with pytest.raises(StorageDriverError):
            await driver.put_contents(
                [("/fail/file", b"new"), ("/fail/dir", b"onto a directory"), ("/fail/c", b"c")]
            )
        assert await driver.get_content("/fail/dir/child") == b"kept"
        assert await driver.get_content("/fail/file") in (b"old", b"new")
        assert sorted(await driver.list("/fail")) == ["/fail/dir", "/fail/file"]

    # -- reader --------------------------------------------------------------------------------

    @run_async
    async def test_reader_from_offsets(self, case: DriverCase) -> None:
        chunk = 32
        content = pattern("offsets", 3 * chunk)
        await case.driver.put_content("/reader/file", content)
        for offset in (0, chunk, 2 * chunk, 3 * chunk - 1):
            assert await read_all(case.driver, "/reader/file", offset) == content[offset:]
        assert await read_all(case.driver, "/reader/file", 3 * chunk) == b""
        assert await read_all(case.driver, "/reader/file", 10, 5) == content[10:15]
        assert await read_all(case.driver, "/reader/file", 90, 500) == content[90:]
        assert await read_all(case.driver, "/reader/file", 5, 0) == b""

    @pytest.mark.parametrize("offset", [-1, 97, 1 << 40])
    @run_async
    async def test_reader_outside_content(self, case: DriverCase, offset: int) -> None:
        await case.driver.put_content("/reader/file", pattern("past", 96))
        with pytest.raises(InvalidOffsetError) as info:
            await read_all(case.driver, "/reader/file", offset)
        assert info.value.path == "/reader/file"
        assert case.driver.name in str(info.value)

    @run_async
    async def test_reader_missing(self, case: DriverCase) -> None:
        with pytest.raises(PathNotFoundError):
            await read_all(case.driver, "/reader/missing")
        await case.driver.put_content("/reader/dir/file", b"x")
        with pytest.raises(PathNotFoundError):
            await read_all(case.driver, "/reader/dir")

    @run_async
    async def test_concurrent_readers(self, case: DriverCase) -> None:
        content = os.urandom(3 * MiB + 11)
        await case.driver.put_content("/reader/shared", content)
        offsets = [0, 1, MiB - 1, MiB, 2 * MiB + 5, len(content) - 1, len(content)]
        results = await asyncio.gather(
            *(read_all(case.driver, "/reader/shared", offset) for offset in offsets)
        )
        for offset, result in zip(offsets, results, strict=True):
            assert result == content[offset:]

    @run_async
    async def test_reader_keeps_its_snapshot_across_a_put(self, case: DriverCase) -> None:
        old = pattern("old", 3 * MiB)
        await case.driver.put_content("/reader/replaced", old)
        stream = case.driver.reader("/reader/replaced")
        first = await anext(stream)
        await case.driver.put_content("/reader/replaced", b"new")
        rest = b"".join([chunk async for chunk in stream])
        assert first + rest == old

    @run_async
    async def test_reader_while_a_writer_appends(self, case: DriverCase) -> None:
        """An upload being re-hashed while a chunk is appended (resumed uploads do this)."""
        first = pattern("first", 3 * MiB)
        writer = await case.driver.writer("/reader/growing")
        await writer.write(first)
        await writer.close()
        stream = case.driver.reader("/reader/growing")
        head = await anext(stream)
        writer = await case.driver.writer("/reader/growing", append=True)
        await writer.write(pattern("appended", 2 * MiB))
        await writer.close()
        rest = b"".join([chunk async for chunk in stream])
        assert head + rest == first  # the length was fixed when reading began

    # -- writer --------------------------------------------------------------------------------

    @run_async
    async def test_writer_append_resume_commit(self, case: DriverCase) -> None:
        path = "/uploads/session/data"
        parts = [pattern(f"part{i}", size) for i, size in enumerate((MiB, 7, 3 * MiB + 1))]
        writer = await case.driver.writer(path)
        assert writer.size == 0
        assert await writer.write(parts[0]) == len(parts[0])
        await writer.close()

        writer = await case.driver.writer(path, append=True)
        assert writer.size == len(parts[0])
        await writer.write(parts[1])
        assert writer.size == len(parts[0]) + len(parts[1])
        await writer.close()

        writer = await case.driver.writer(path, append=True)
        assert writer.size == len(parts[0]) + len(parts[1])
        await writer.write(memoryview(parts[2]))
        await writer.commit()
        assert writer.size == sum(map(len, parts))
        with pytest.raises(StorageDriverError):
            await writer.write(b"after commit")
        await writer.close()

        assert await case.driver.get_content(path) == b"".join(parts)
        assert (await case.driver.stat(path)).size == sum(map(len, parts))

    @run_async
    async def test_writer_without_append_starts_over(self, case: DriverCase) -> None:
        await write_file(case.driver, "/writer/file", b"previous content")
        writer = await case.driver.writer("/writer/file")
        assert writer.size == 0
        await writer.write(b"new")
        await writer.commit()
        await writer.close()
        assert await case.driver.get_content("/writer/file") == b"new"

    @run_async
    async def test_writer_zero_bytes_then_append(self, case: DriverCase) -> None:
        writer = await case.driver.writer("/writer/empty")
        await writer.commit()
        await writer.close()
        assert await case.driver.get_content("/writer/empty") == b""
        writer = await case.driver.writer("/writer/empty", append=True)
        assert writer.size == 0
        await writer.write(b"appended")
        await writer.commit()
        await writer.close()
        assert await case.driver.get_content("/writer/empty") == b"appended"

    @run_async
    async def test_writer_append_to_put_content(self, case: DriverCase) -> None:
        await case.driver.put_content("/writer/put", b"")
        writer = await case.driver.writer("/writer/put", append=True)
        await writer.write(b"chunk")
        await writer.commit()
        await writer.close()
        assert await case.driver.get_content("/writer/put") == b"chunk"

    @run_async
    async def test_writer_cancel_removes_content(self, case: DriverCase) -> None:
        writer = await case.driver.writer("/writer/cancelled/data")
        await writer.write(pattern("first session", 1000))
        await writer.close()
        writer = await case.driver.writer("/writer/cancelled/data", append=True)
        await writer.write(b"second session")
        await writer.cancel()
        with pytest.raises(PathNotFoundError):
            await case.driver.stat("/writer/cancelled/data")
        with pytest.raises(StorageDriverError):
            await writer.write(b"after cancel")

    @run_async
    async def test_writer_refuses_use_after_close(self, case: DriverCase) -> None:
        writer = await case.driver.writer("/writer/closed")
        await writer.write(b"x")
        await writer.close()
        with pytest.raises(StorageDriverError):
            await writer.write(b"y")
        with pytest.raises(StorageDriverError):
            await writer.commit()
        assert await case.driver.get_content("/writer/closed") == b"x"

    @run_async
    async def test_writer_onto_directory_fails(self, case: DriverCase) -> None:
        await case.driver.put_content("/writer/dir/child", b"kept")
        with pytest.raises(StorageDriverError):
            await case.driver.writer("/writer/dir")
        assert await case.driver.get_content("/writer/dir/child") == b"kept"

    @run_async
    async def test_concurrent_writers_to_different_files(self, case: DriverCase) -> None:
        count, chunks, size = 12, 16, 64 * 1024

        async def write(i: int) -> None:
            writer = await case.driver.writer(f"/concurrent/{i:02d}/data")
            for j in range(chunks):
                await writer.write(pattern(f"{i}/{j}", size))
                await asyncio.sleep(0)  # interleave with the other writers
            await writer.commit()
            await writer.close()

        await asyncio.gather(*(write(i) for i in range(count)))
        for i in range(count):
            expected = b"".join(pattern(f"{i}/{j}", size) for j in range(chunks))
            assert await case.driver.get_content(f"/concurrent/{i:02d}/data") == expected

    @run_async
    async def test_large_content_streams_with_flat_memory(self, case: DriverCase) -> None:
        """128 MiB in and out in 1 MiB pieces: traced memory stays near one chunk's worth."""
        total, piece = 128 * MiB, MiB
        pieces = [os.urandom(piece) for _ in range(4)]  # allocated before tracing starts
        written = hashlib.sha256()
        tracemalloc.start()
        try:
            writer = await case.driver.writer("/large/data")
            for i in range(total // piece):
                await writer.write(pieces[i % 4])
                written.update(pieces[i % 4])
            await writer.commit()
            await writer.close()
            read, largest, count = hashlib.sha256(), 0, 0
            async for chunk in case.driver.reader("/large/data"):
                read.update(chunk)
                largest = max(largest, len(chunk))
                count += len(chunk)
                del chunk
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert count == total
        assert read.digest() == written.digest()
        assert largest <= MAX_CHUNK
        resident = total * 1.25 if case.holds_content_in_memory else 0
        assert peak < resident + 24 * MiB, f"peak {peak / MiB:.1f} MiB"

    # -- stat, list ------------------------------------------------------------------------------

    @run_async
    async def test_stat(self, case: DriverCase) -> None:
        with pytest.raises(PathNotFoundError) as info:
            await case.driver.stat("/stat/dir")
        assert case.driver.name in str(info.value)
        before = datetime.now(UTC) - timedelta(seconds=5)
        await case.driver.put_content("/stat/dir/file", pattern("stat", 4096))
        file_info = await case.driver.stat("/stat/dir/file")
        assert isinstance(file_info, FileInfo)
        assert (file_info.path, file_info.size, file_info.is_dir) == ("/stat/dir/file", 4096, False)
        assert file_info.mod_time.tzinfo is not None
        assert before <= file_info.mod_time <= datetime.now(UTC) + timedelta(seconds=5)
        dir_info = await case.driver.stat("/stat/dir")
        assert (dir_info.path, dir_info.size, dir_info.is_dir) == ("/stat/dir", 0, True)
        root = await case.driver.stat("/")
        assert root.is_dir

    @run_async
    async def test_list(self, case: DriverCase) -> None:
        with pytest.raises(PathNotFoundError):
            await case.driver.list("/list/nonexistent")
        children = [f"/list/parent/{name}" for name in ("b", "a", "a-b", "A", "0", "a.b")]
        for child in children:
            await case.driver.put_content(child, b"x")
        await case.driver.put_content("/list/parent/dir/grandchild", b"x")
        assert await case.driver.list("/") == ["/list"]
        assert await case.driver.list("/list") == ["/list/parent"]
        listed = await case.driver.list("/list/parent")
        assert listed == sorted([*children, "/list/parent/dir"])  # direct children only
        with pytest.raises(PathNotFoundError):
            await case.driver.list("/list/parent/a")  # a file is not a directory

    # -- move, delete ------------------------------------------------------------------------------

    @run_async
    async def test_move(self, case: DriverCase) -> None:
        content = pattern("move", 3 * MiB)
        await case.driver.put_content("/move/uploads/id/data", content)
        await case.driver.move("/move/uploads/id/data", "/move/blobs/ab/abcd/data")
        assert await case.driver.get_content("/move/blobs/ab/abcd/data") == content
        with pytest.raises(PathNotFoundError):
            await case.driver.get_content("/move/uploads/id/data")

    @run_async
    async def test_move_overwrites(self, case: DriverCase) -> None:
        await case.driver.put_content("/move/src", b"source")
        await case.driver.put_content("/move/dst", pattern("longer destination", 500))
        await case.driver.move("/move/src", "/move/dst")
        assert await case.driver.get_content("/move/dst") == b"source"
        with pytest.raises(PathNotFoundError):
            await case.driver.stat("/move/src")

    @run_async
    async def test_move_missing_source(self, case: DriverCase) -> None:
        await case.driver.put_content("/move/dst", b"untouched")
        with pytest.raises(PathNotFoundError) as info:
            await case.driver.move("/move/missing", "/move/dst")
        assert case.driver.name in str(info.value)
        assert await case.driver.get_content("/move/dst") == b"untouched"
        await case.driver.put_content("/move/notadir", b"file")
        with pytest.raises(PathNotFoundError):
            await case.driver.move("/move/notadir/foo", "/move/notadir/bar")
        assert await case.driver.get_content("/move/notadir") == b"file"

    @run_async
    async def test_delete_file(self, case: DriverCase) -> None:
        await case.driver.put_content("/delete/file", b"x")
        await case.driver.delete("/delete/file")
        with pytest.raises(PathNotFoundError):
            await case.driver.get_content("/delete/file")

    @run_async
    async def test_delete_recursive(self, case: DriverCase) -> None:
        for path in ("/delete/dir/a", "/delete/dir/b/c", "/delete/dir/b/d/e", "/delete/dirx"):
            await case.driver.put_content(path, b"x")
        await case.driver.delete("/delete/dir")
        for path in ("/delete/dir", "/delete/dir/a", "/delete/dir/b/d/e"):
            with pytest.raises(PathNotFoundError):
                await case.driver.stat(path)
        # Only subpaths go: a sibling sharing the name as a prefix stays.
        assert await case.driver.get_content("/delete/dirx") == b"x"

    @run_async
    async def test_delete_missing(self, case: DriverCase) -> None:
        with pytest.raises(PathNotFoundError) as info:
            await case.driver.delete("/delete/missing")
        assert case.driver.name in str(info.value)
        await case.driver.put_content("/delete/file", b"x")
        with pytest.raises(PathNotFoundError):
            await case.driver.delete("/delete/file/below")

    # -- walk ------------------------------------------------------------------------------------

    async def _tree(self, case: DriverCase) -> None:
        for path in ("/w/a/x", "/w/a/y/z", "/w/a-b", "/w/b/c", "/w/a.b/q", "/w/A", "/w/b/_d/e"):
            await case.driver.put_content(path, path.encode())

    @run_async
    async def test_walk_order(self, case: DriverCase) -> None:
        await self._tree(case)
        seen: list[tuple[str, bool]] = []

        async def visit(info: FileInfo) -> bool:
            seen.append((info.path, info.is_dir))
            return True

        await case.driver.walk("/w", visit)
        assert seen == [
            ("/w/A", False),
            ("/w/a", True),
            ("/w/a/x", False),
            ("/w/a/y", True),
            ("/w/a/y/z", False),
            ("/w/a-b", False),
            ("/w/a.b", True),
            ("/w/a.b/q", False),
            ("/w/b", True),
            ("/w/b/_d", True),
            ("/w/b/_d/e", False),
            ("/w/b/c", False),
        ]
        from_root: list[str] = []

        async def collect(info: FileInfo) -> bool:
            from_root.append(info.path)
            return True

        await case.driver.walk("/", collect)
        assert from_root == ["/w", *(path for path, _ in seen)]

    @run_async
    async def test_walk_skips_directories(self, case: DriverCase) -> None:
        await self._tree(case)
        seen: list[str] = []

        async def visit(info: FileInfo) -> bool:
            seen.append(info.path)
            return not info.path.rsplit("/", 1)[1].startswith(("a", "_"))

        await case.driver.walk("/w", visit)
        assert seen == ["/w/A", "/w/a", "/w/a-b", "/w/a.b", "/w/b", "/w/b/_d", "/w/b/c"]

    @run_async
    async def test_walk_tolerates_deletes_while_walking(self, case: DriverCase) -> None:
        await self._tree(case)
        seen: list[str] = []

        async def visit(info: FileInfo) -> bool:
            seen.append(info.path)
            if info.path == "/w/a/x":
                await case.driver.delete("/w/a/y")
                await case.driver.delete("/w/b")
            return True

        await case.driver.walk("/w", visit)  # no error for what vanished
        assert "/w/a/y/z" not in seen and "/w/b/c" not in seen
        assert "/w/a.b/q" in seen

    @run_async
    async def test_walk_missing(self, case: DriverCase) -> None:
        async def visit(info: FileInfo) -> bool:
            raise AssertionError("nothing to visit")

        with pytest.raises(PathNotFoundError):
            await case.driver.walk("/walk/missing", visit)
        await case.driver.put_content("/walk/file", b"x")
        with pytest.raises(PathNotFoundError):
            await case.driver.walk("/walk/file", visit)

    # -- path validation ---------------------------------------------------------------------------

    @run_async
    async def test_invalid_paths_refused_before_io(self, case: DriverCase) -> None:
        driver = case.driver
        # Real content where a lax driver would resolve the bad paths to.
        for path in ("/a/b", "/a/b/c", "/escape", "/abc_123", "/bcd", "/a"):
            try:
                await driver.put_content(path, b"sentinel")
            except StorageDriverError:
                pass  # "/a" is already a directory
        before = await case.snapshot()

        async def visit(info: FileInfo) -> bool:
            raise AssertionError(f"walked {info.path}")

        for path in INVALID_PATHS:
            calls: list[tuple[str, Callable[[], Awaitable[object]]]] = [
                ("get_content", lambda p=path: driver.get_content(p)),
                ("put_content", lambda p=path: driver.put_content(p, b"written")),
                ("writer", lambda p=path: driver.writer(p)),
                ("writer-append", lambda p=path: driver.writer(p, append=True)),
                ("stat", lambda p=path: driver.stat(p)),
                ("list", lambda p=path: driver.list(p)),
                ("move-from", lambda p=path: driver.move(p, "/moved")),
                ("move-to", lambda p=path: driver.move("/escape", p)),
                ("delete", lambda p=path: driver.delete(p)),
                ("walk", lambda p=path: driver.walk(p, visit)),
            ]
            for what, call in calls:
                with pytest.raises(InvalidPathError):
                    await call()
                    pytest.fail(f"{what}({path!r}) was accepted")
            with pytest.raises(InvalidPathError):
                driver.reader(path)  # refused at the call, before any iteration
            with pytest.raises(InvalidPathError):
                driver.local_path(path)
        for what in ("get_content", "put_content", "delete", "writer", "move"):
            with pytest.raises(InvalidPathError):
                if what == "move":
                    await driver.move("/", "/moved")
                elif what == "writer":
                    await driver.writer("/")
                elif what == "put_content":
                    await driver.put_content("/", b"x")
                else:
                    await getattr(driver, what)("/")
        assert await case.snapshot() == before

    # -- the rest of the contract ----------------------------------------------------------------

    @run_async
    async def test_redirect_url_and_local_path(self, case: DriverCase) -> None:
        await case.driver.put_content("/blob/data", b"bytes")
        assert await case.driver.redirect_url("GET", "/blob/data") is None
        local = case.driver.local_path("/blob/data")
        if local is not None:
            assert await asyncio.to_thread(Path(local).read_bytes) == b"bytes"
