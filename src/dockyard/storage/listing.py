"""Sorted child names of a storage directory, without the driver's full-path round trip.

``driver.list`` returns full paths, which callers that want names split again: for a
repository with 10,000 tags that is 10,000 strings built and split in Python, about as long as
the ``listdir`` itself (~7 ms each on the 2-core box, where Distribution answers the whole tag
list in ~16 ms). On a local filesystem the names are listed and sorted in one pool call;
other drivers go through ``driver.list``.
"""

from __future__ import annotations

import os

from dockyard.storage.driver.base import StorageDriver


async def child_names(driver: StorageDriver, path: str) -> list[str]:
    """Names of the entries under ``path``, sorted by byte value; PathNotFoundError if none."""
    run = getattr(driver, "run", None)
    full = driver.local_path(path) if run is not None else None
    if full is None:
        return sorted(entry.rsplit("/", 1)[1] for entry in await driver.list(path))
    try:
        return await run(_sorted_listdir, full)  # type: ignore[misc]
    except OSError as exc:
        raise driver.translate(exc, path) from exc  # type: ignore[attr-defined]


def _sorted_listdir(full: str) -> list[str]:
    names = os.listdir(full)
    names.sort()
    return names
