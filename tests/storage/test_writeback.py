"""Write-behind of appended data: queued for the disk as written, content unchanged."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

from dockyard.storage.driver import writeback
from dockyard.storage.driver.filesystem import FilesystemDriver


def test_start_writeback_is_harmless_on_any_descriptor(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 10_000)
    fd = os.open(path, os.O_RDWR)
    try:
        writeback.start_writeback(fd, 0, 10_000)
        writeback.start_writeback(fd, 5_000, 0)
    finally:
        os.close(fd)
    assert path.read_bytes() == b"x" * 10_000


def test_appends_land_intact(tmp_path: Path) -> None:
    async def check() -> None:
        driver = FilesystemDriver(str(tmp_path))
        parts = [os.urandom(1 << 20) for _ in range(5)]
        writer = await driver.writer("/up/data", append=True)
        for part in parts[:3]:
            await writer.write(part)
        await writer.close()
        writer = await driver.writer("/up/data", append=True)  # resumed, as a second PATCH
        assert writer.size == 3 << 20
        for part in parts[3:]:
            await writer.write(memoryview(part))
        await writer.commit()
        await writer.close()
        data = (tmp_path / "up" / "data").read_bytes()
        assert hashlib.sha256(data).digest() == hashlib.sha256(b"".join(parts)).digest()
        await driver.close()

    asyncio.run(check())
