"""The repository catalog: a walk of ``repositories/`` in Distribution's order, one page at a time.

Repositories are directories holding ``_manifests``; ``_``-prefixed directories are never entered,
so the walk touches only repository name directories, never blobs, layers or uploads. Names are
ordered component by component (so ``a/b`` precedes ``a-b``), which lets a page that starts after
``last`` skip every subtree that sorts before it: a page costs its own size, not the catalog's.

The walk is written once, as a generator that yields each directory it needs listed and is sent
the names back. On a local filesystem the whole page is walked in one call on the driver's thread
pool (a page lists about ``n`` directories, and one pool hop per listing cost ~50 µs each, ten
times the listing itself); any other driver is driven listing by listing through its API.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator

from dockyard.storage import paths
from dockyard.storage.driver.base import PathNotFoundError, StorageDriver

Walk = Generator[str, list[str], bool]


async def _children(driver: StorageDriver, path: str) -> list[str]:
    try:
        entries = await driver.list(path)
    except PathNotFoundError:
        return []
    return sorted(entry.rsplit("/", 1)[1] for entry in entries)


def _walk(found: list[str], n: int, path: str, parts: list[str], bound: list[str] | None) -> Walk:
    """Visit ``path``; yields paths to list, receives their sorted child names; True when full."""
    names = yield path
    if parts and bound is None and "_manifests" in names:
        found.append("/".join(parts))
        if len(found) > n:
            return True
    for name in names:
        if name.startswith("_"):
            continue
        child_bound: list[str] | None = None
        if bound:
            if name < bound[0]:
                continue
            if name == bound[0]:
                child_bound = bound[1:]
        # An empty bound means this child *is* ``last``: skip it, but not what lies below.
        if (yield from _walk(found, n, f"{path}/{name}", [*parts, name], child_bound)):
            return True
    return False


def _drive_locally(walk: Walk, local_path: Callable[[str], str | None]) -> None:
    """Run ``walk`` to the end with blocking directory listings (on a pool thread)."""
    try:
        path = next(walk)
        while True:
            full = local_path(path)
            assert full is not None
            try:
                names = sorted(os.listdir(full))
            except (FileNotFoundError, NotADirectoryError):
                names = []
            path = walk.send(names)
    except StopIteration:
        return


async def repositories(driver: StorageDriver, n: int, last: str = "") -> tuple[list[str], bool]:
    """Up to ``n`` repository names after ``last``, and whether more follow."""
    found: list[str] = []
    walk = _walk(found, n, paths.REPOSITORIES, [], last.split("/") if last else None)
    run = getattr(driver, "run", None)
    if run is not None and driver.local_path(paths.REPOSITORIES) is not None:
        await run(_drive_locally, walk, driver.local_path)
    else:
        try:
            path = next(walk)
            while True:
                path = walk.send(await _children(driver, path))
        except StopIteration:
            pass
    return found[:n], len(found) > n
