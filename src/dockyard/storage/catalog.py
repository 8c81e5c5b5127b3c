"""The repository catalog: a walk of ``repositories/`` in Distribution's order, one page at a time.

Repositories are directories holding ``_manifests``; ``_``-prefixed directories are never entered,
so the walk touches only repository name directories, never blobs, layers or uploads. Names are
ordered component by component (so ``a/b`` precedes ``a-b``), which lets a page that starts after
``last`` skip every subtree that sorts before it: a page costs its own size, not the catalog's.
"""

from __future__ import annotations

from dockyard.storage import paths
from dockyard.storage.driver.base import PathNotFoundError, StorageDriver


async def _children(driver: StorageDriver, path: str) -> list[str]:
    try:
        entries = await driver.list(path)
    except PathNotFoundError:
        return []
    return sorted(entry.rsplit("/", 1)[1] for entry in entries)


async def repositories(driver: StorageDriver, n: int, last: str = "") -> tuple[list[str], bool]:
    """Up to ``n`` repository names after ``last``, and whether more follow."""
    found: list[str] = []

    async def visit(path: str, parts: list[str], bound: list[str] | None) -> bool:
        names = await _children(driver, path)
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
            if await visit(f"{path}/{name}", [*parts, name], child_bound):
                return True
        return False

    await visit(paths.REPOSITORIES, [], last.split("/") if last else None)
    return found[:n], len(found) > n
