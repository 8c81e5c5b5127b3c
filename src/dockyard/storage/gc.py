"""Offline mark-and-sweep garbage collection, as Distribution's ``registry garbage-collect``.

*Mark*: for every repository, every manifest revision whose blob exists is marked, with what it
references (config, layers, index children; never its ``subject``), recursively through the
revisions of the same repository. With ``delete_untagged`` a revision no tag's ``current/link``
names is queued for deletion instead, unless something marked references it.

*Sweep*: queued manifests lose their revision directory and their entries in every tag's
history; every unmarked blob's directory goes; every repository ``_layers`` link naming an
unmarked blob goes (Distribution v3; v2.8 left them). Dockyard also removes ``_referrers``
entries whose manifest is gone. Repositories, tags and upload sessions are never touched.

Where Dockyard deliberately differs (all of it keeps *more*):

* an untagged manifest whose ``subject`` is a manifest that stays is kept with ``delete_untagged``
  (signatures and SBOMs pushed through the referrers API are untagged; Distribution, lacking that
  API, never sees them — its clients tag them through the referrers tag schema);
* a manifest kept only because something references it has its own references marked too
  (Distribution can keep such a manifest and delete its layers), and layer links are judged
  against the final mark set;
* an unreadable link or manifest stops the run before anything is deleted, and a repository
  without ``_manifests/tags`` counts as having no tags;
* repositories holding only ``_layers`` links are visited too, so their dead links go.

Run it with the registry stopped or read-only: a push racing the sweep can lose blobs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from dockyard.registry.reference import Digest
from dockyard.storage import inventory as scan
from dockyard.storage import paths
from dockyard.storage.driver.base import PathNotFoundError, StorageDriver
from dockyard.storage.inventory import CorruptStorageError, ManifestLinks

log = logging.getLogger(__name__)

__all__ = ["CorruptStorageError", "GarbageCollector", "Options", "Result"]


@dataclass(frozen=True, slots=True)
class Options:
    dry_run: bool = False
    delete_untagged: bool = False
    quiet: bool = False


@dataclass(slots=True)
class Result:
    """What was deleted (or, in a dry run, would be)."""

    marked: int = 0
    blobs: list[Digest] = field(default_factory=list)
    manifests: list[tuple[str, Digest]] = field(default_factory=list)
    layer_links: list[tuple[str, Digest]] = field(default_factory=list)
    referrer_entries: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Untagged:
    repository: str
    digest: Digest
    subject: Digest | None


class GarbageCollector:
    """One mark-and-sweep run over a driver. ``out`` receives the progress lines."""

    def __init__(
        self, driver: StorageDriver, options: Options, out: Callable[[str], None] = print
    ) -> None:
        self.driver = driver
        self.options = options
        self._out = out
        self._marked: set[Digest] = set()
        self._expanded: set[tuple[str, Digest]] = set()
        self._links: dict[Digest, ManifestLinks] = {}
        self._revisions: dict[str, set[Digest]] = {}
        self._tags: dict[str, list[str]] = {}
        self._queued: list[_Untagged] = []
        self._queued_keys: set[tuple[str, Digest]] = set()

    def _emit(self, line: str) -> None:
        if not self.options.quiet:
            self._out(line)

    async def run(self) -> Result:
        repositories = await scan.repositories(self.driver)
        for name in repositories:
            await self._mark_repository(name)
        await self._settle_queue()
        doomed = [q for q in self._queued if q.digest not in self._marked]
        for q in doomed:
            self._emit(f"manifest eligible for deletion: {q.repository}@{q.digest}")
        blobs = [d for d in await scan.blobs(self.driver) if d not in self._marked]
        result = Result(marked=len(self._marked), blobs=blobs)
        result.manifests = [(q.repository, q.digest) for q in doomed]
        for name in repositories:
            for digest in await scan.linked_digests(self.driver, paths.layers_dir(name)):
                if digest not in self._marked:
                    result.layer_links.append((name, digest))
        gone = {(q.repository, q.digest) for q in doomed}
        for name in repositories:
            for entry in await scan.referrer_entries(self.driver, name):
                alive = entry.referrer in self._revisions.get(name, set())
                if not alive or (name, entry.referrer) in gone:
                    result.referrer_entries.append(entry.path)
        self._emit(
            f"\n{result.marked} blobs marked, {len(blobs)} blobs and "
            f"{len(doomed)} manifests eligible for deletion"
        )
        await self._sweep(result)
        return result

    # -- mark ----------------------------------------------------------------------------------

    async def _mark_repository(self, name: str) -> None:
        self._emit(name)
        revisions = await scan.linked_digests(self.driver, paths.revisions_dir(name))
        self._revisions[name] = set(revisions)
        tagged: set[Digest] = set()
        if self.options.delete_untagged:
            tags = await scan.current_tags(self.driver, name)
            self._tags[name] = sorted(tags)
            tagged = set(tags.values())
        for digest in revisions:
            if self.options.delete_untagged and digest not in tagged:
                links = await self._manifest_links(digest)
                self._queued.append(_Untagged(name, digest, links.subject))
                self._queued_keys.add((name, digest))
                continue
            await self._mark_manifest(name, digest)

    async def _mark_manifest(self, name: str, digest: Digest) -> None:
        self._marked.add(digest)
        self._emit(f"{name}: marking manifest {digest}")
        await self._expand(name, digest)

    async def _expand(self, name: str, digest: Digest) -> None:
        """Mark what manifest ``digest`` of repository ``name`` references, recursively."""
        if (name, digest) in self._expanded:
            return
        self._expanded.add((name, digest))
        for ref in (await self._manifest_links(digest)).references:
            if ref not in self._marked:
                self._marked.add(ref)
                self._emit(f"{name}: marking blob {ref}")
            if ref in self._revisions[name]:
                await self._expand(name, ref)

    async def _manifest_links(self, digest: Digest) -> ManifestLinks:
        links = self._links.get(digest)
        if links is None:
            try:
                content = await self.driver.get_content(paths.blob_data(digest))
            except PathNotFoundError:
                raise CorruptStorageError(f"manifest {digest} vanished during the run") from None
            links = self._links[digest] = scan.manifest_links(content, str(digest))
        return links

    def _kept(self, name: str, digest: Digest) -> bool:
        """Whether revision ``digest`` of ``name`` survives the run as things stand."""
        if digest not in self._revisions[name]:
            return False
        return digest in self._marked or (name, digest) not in self._queued_keys

    async def _settle_queue(self) -> None:
        """Keep queued manifests that something marked references, or whose subject stays."""
        progress = True
        while progress:
            progress = False
            for q in self._queued:
                if (q.repository, q.digest) in self._expanded:
                    continue
                referenced = q.digest in self._marked
                referrer = q.subject is not None and self._kept(q.repository, q.subject)
                if referenced or referrer:
                    await self._mark_manifest(q.repository, q.digest)
                    progress = True

    # -- sweep ---------------------------------------------------------------------------------

    async def _sweep(self, result: Result) -> None:
        for digest in result.blobs:
            self._emit(f"blob eligible for deletion: {digest}")
        for name, digest in result.layer_links:
            self._emit(f"{name}: layer link eligible for deletion: {digest}")
        for path in result.referrer_entries:
            self._emit(f"referrer entry eligible for deletion: {path}")
        if self.options.dry_run:
            return
        for name, digest in result.manifests:
            await self._remove_manifest(name, digest)
        for digest in result.blobs:
            await self._delete(paths.blob_dir(digest))
        for name, digest in result.layer_links:
            await self._delete(paths.layer_link(name, digest))
        for path in result.referrer_entries:
            await self._delete(path)

    async def _remove_manifest(self, name: str, digest: Digest) -> None:
        for tag in self._tags.get(name, []):
            entry = paths.tag_index_link(name, tag, digest).rsplit("/", 1)[0]
            await self._delete(entry)
        await self._delete(paths.revision_dir(name, digest))

    async def _delete(self, path: str) -> None:
        try:
            await self.driver.delete(path)
        except PathNotFoundError:
            return
        log.info("deleted %s", path)
