"""Upload purging (``storage.maintenance.uploadpurging``): remove abandoned upload sessions.

Every ``_uploads/<id>/`` directory whose ``startedat`` is older than ``age`` is removed (or, with
``dryrun``, only reported). The walk descends only into repository name directories and
``_uploads``, never into ``_layers``/``_manifests``. An upload without a readable ``startedat``
is kept, as Distribution keeps it. The first run waits a random part of the interval (at most an
hour, as Distribution) so that a fleet restarted together does not purge in step.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dockyard.storage import paths
from dockyard.storage.driver.base import FileInfo, PathNotFoundError, StorageDriver

log = logging.getLogger(__name__)

MAX_JITTER = 3600.0


@dataclass(frozen=True, slots=True)
class PurgeResult:
    deleted: list[str]
    errors: list[str]


def parse_started_at(content: bytes) -> datetime | None:
    """RFC 3339 as Distribution writes it (possibly with nanoseconds and a local offset)."""
    try:
        text = content.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    if "." in text:  # trim Go's nanoseconds to what fromisoformat reads
        head, _, rest = text.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def _upload_dirs(driver: StorageDriver) -> list[str]:
    found: list[str] = []

    async def visit(info: FileInfo) -> bool:
        if not info.is_dir:
            return False
        name = info.path.rsplit("/", 1)[1]
        if name == "_uploads":
            found.append(info.path)
            return False
        return not name.startswith("_")

    try:
        await driver.walk(paths.REPOSITORIES, visit)
    except PathNotFoundError:
        return []
    return found


async def purge_uploads(
    driver: StorageDriver, older_than: datetime, actually_delete: bool = True
) -> PurgeResult:
    log.info(
        "PurgeUploads starting: olderThan=%s, actuallyDelete=%s",
        older_than.isoformat(),
        actually_delete,
    )
    deleted: list[str] = []
    errors: list[str] = []
    for uploads in await _upload_dirs(driver):
        try:
            sessions = await driver.list(uploads)
        except PathNotFoundError:
            continue
        for session in sessions:
            try:
                started = parse_started_at(await driver.get_content(f"{session}/startedat"))
            except PathNotFoundError:
                started = None
            except Exception as exc:
                errors.append(f"{session}: {exc}")
                continue
            if started is None or started >= older_than:
                continue
            if actually_delete:
                try:
                    await driver.delete(session)
                except PathNotFoundError:
                    pass
                except Exception as exc:
                    errors.append(f"{session}: {exc}")
                    continue
                log.info("purged upload %s (started %s)", session, started.isoformat())
            else:
                log.info("dry run: would purge upload %s (started %s)", session, started)
            deleted.append(session)
    log.info("Purge uploads finished. Num deleted=%d, num errors=%d", len(deleted), len(errors))
    return PurgeResult(deleted, errors)


class UploadPurger:
    """The background task; with several workers only the one holding ``lock_path`` purges."""

    def __init__(
        self,
        driver: StorageDriver,
        age: float,
        interval: float,
        dry_run: bool,
        lock_path: str | None = None,
    ) -> None:
        self.driver = driver
        self.age = age
        self.interval = interval
        self.dry_run = dry_run
        self.lock_path = lock_path
        self._lock_fd: int | None = None

    def _leader(self) -> bool:
        if self.lock_path is None or self._lock_fd is not None:
            return True
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._lock_fd = fd
        return True

    async def run(self) -> None:
        jitter = random.uniform(0, min(self.interval, MAX_JITTER))
        log.info("Starting upload purge in %.3gs", jitter)
        await asyncio.sleep(jitter)
        while True:
            if self._leader():
                try:
                    older_than = datetime.now(UTC) - timedelta(seconds=self.age)
                    await purge_uploads(self.driver, older_than, not self.dry_run)
                except Exception:
                    log.exception("upload purge failed")
            log.info("Starting upload purge in %.3gs", self.interval)
            await asyncio.sleep(self.interval)

    def close(self) -> None:
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._lock_fd)
            self._lock_fd = None
