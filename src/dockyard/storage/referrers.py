"""The referrers index: which manifests name a given digest as their ``subject``.

Distribution has no referrers API. Dockyard keeps one small descriptor file per referrer under
``_referrers/<alg>/<hex>/`` (a ``_``-prefixed directory, so Distribution's walkers ignore it). An
entry whose manifest was deleted behind our back (by Distribution's GC, say) is skipped on read,
and manifests listed by the OCI referrers tag schema (``<alg>-<hex>`` tags) are merged in, so data
pushed before the API existed still shows up.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from dockyard.registry.errors import RegistryError
from dockyard.registry.reference import Digest
from dockyard.storage import paths
from dockyard.storage.driver.base import PathNotFoundError, StorageDriver

log = logging.getLogger(__name__)


class ReferrerIndex:
    def __init__(self, driver: StorageDriver, name: str) -> None:
        self.driver = driver
        self.name = name

    async def add(self, subject: Digest, descriptor: dict[str, Any]) -> None:
        referrer = Digest.parse(descriptor["digest"])
        path = paths.referrer_entry(self.name, subject, referrer)
        await self.driver.put_content(path, orjson.dumps(descriptor))

    async def remove(self, subject: Digest, referrer: Digest) -> None:
        try:
            await self.driver.delete(paths.referrer_entry(self.name, subject, referrer))
        except PathNotFoundError:
            pass

    async def entries(self, subject: Digest) -> list[dict[str, Any]]:
        """Descriptors recorded for ``subject``, in digest order (unchecked for existence)."""
        try:
            children = await self.driver.list(paths.referrers_dir(self.name, subject))
        except PathNotFoundError:
            return []
        out = []
        for child in children:
            if not child.endswith(".json"):
                continue
            try:
                descriptor = orjson.loads(await self.driver.get_content(child))
                Digest.parse(descriptor["digest"])
            except (PathNotFoundError, orjson.JSONDecodeError, KeyError, TypeError, RegistryError):
                log.warning("skipping unreadable referrer entry %s", child)
                continue
            out.append(descriptor)
        return out
