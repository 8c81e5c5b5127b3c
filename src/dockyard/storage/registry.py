"""The namespace (Distribution's ``registry``) and the repository it hands out.

A :class:`Repository` is cheap: it binds a name to the shared driver, blob store, uploads and
caches. Wrappers (notification listeners, repository middleware) receive and return objects with
the same attributes, which is the seam the seed's ``applyRepoMiddleware`` and
``repositoryWithListener`` plug into.
"""

from __future__ import annotations

from dataclasses import dataclass

from dockyard.storage import catalog, paths
from dockyard.storage.blobs import BlobStore, LinkedBlobStore
from dockyard.storage.cache import BlobDescriptorCacheProvider, NoCacheProvider
from dockyard.storage.driver.base import StorageDriver
from dockyard.storage.manifests import ManifestStore, ManifestValidation
from dockyard.storage.referrers import ReferrerIndex
from dockyard.storage.tags import TagStore
from dockyard.storage.uploads import UploadStore


@dataclass(frozen=True, slots=True)
class RegistryOptions:
    delete_enabled: bool = False
    redirect_enabled: bool = True
    validation: ManifestValidation = ManifestValidation()


class Repository:
    """Everything stored under one repository name."""

    def __init__(self, registry: Registry, name: str) -> None:
        self.name = name
        self.registry = registry
        self.driver = registry.driver
        self.blob_store = registry.blobs
        self.blobs = LinkedBlobStore(
            registry.blobs, name, paths.layer_link, registry.cache.repository(name)
        )
        self.uploads = registry.uploads
        self.tags = TagStore(registry.driver, name)
        self.referrers = ReferrerIndex(registry.driver, name)
        self.manifests = ManifestStore(
            registry.blobs,
            name,
            self.blobs,
            self.tags,
            self.referrers,
            registry.options.validation,
        )


class Registry:
    """The set of repositories on one storage driver."""

    def __init__(
        self,
        driver: StorageDriver,
        options: RegistryOptions | None = None,
        cache: BlobDescriptorCacheProvider | None = None,
    ) -> None:
        self.driver = driver
        self.options = options if options is not None else RegistryOptions()
        self.cache = cache if cache is not None else NoCacheProvider()
        self.blobs = BlobStore(driver, self.cache.global_cache())
        self.uploads = UploadStore(driver, self.blobs)

    def repository(self, name: str) -> Repository:
        return Repository(self, name)

    async def repositories(self, n: int, last: str = "") -> tuple[list[str], bool]:
        return await catalog.repositories(self.driver, n, last)
