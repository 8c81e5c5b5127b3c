"""Enumerating what is stored, with the driver's ``walk``: repositories, links, blobs, referrers.

These scans touch every entry of a subtree, so only offline tools (garbage collection) use them;
no request path does. They work on any driver, since they use nothing but the driver contract.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import orjson

from dockyard.registry.errors import RegistryError
from dockyard.registry.reference import Digest
from dockyard.storage import paths
from dockyard.storage.driver.base import FileInfo, PathNotFoundError, StorageDriver

log = logging.getLogger(__name__)


class CorruptStorageError(Exception):
    """Something GC must understand to be safe (a link, a manifest) cannot be read."""


async def repositories(driver: StorageDriver) -> list[str]:
    """Every repository name, in walk order: directories holding ``_manifests`` or ``_layers``.

    The catalog lists only the first kind (as Distribution does). Collection also visits
    repositories that hold nothing but blob links — pushed blobs and no manifest, or every
    manifest deleted on a store without empty directories — so their dead links go too.
    """
    found: dict[str, None] = {}
    prefix = paths.REPOSITORIES + "/"

    async def visit(info: FileInfo) -> bool:
        if not info.is_dir:
            return False
        parent, _, name = info.path.rpartition("/")
        if name in ("_manifests", "_layers"):
            found[parent[len(prefix) :]] = None
            return False
        return not name.startswith("_")  # _uploads, _referrers: never repositories

    try:
        await driver.walk(paths.REPOSITORIES, visit)
    except PathNotFoundError:
        return []
    return list(found)


async def _link_files(driver: StorageDriver, top: str) -> list[str]:
    files: list[str] = []

    async def visit(info: FileInfo) -> bool:
        if not info.is_dir and info.path.endswith("/link"):
            files.append(info.path)
        return True

    try:
        await driver.walk(top, visit)
    except PathNotFoundError:
        return []
    return files


async def blob_exists(driver: StorageDriver, digest: Digest) -> bool:
    try:
        info = await driver.stat(paths.blob_data(digest))
    except PathNotFoundError:
        return False
    return not info.is_dir


async def read_link_strict(driver: StorageDriver, path: str) -> Digest | None:
    """The digest in a link file; None if it vanished; CorruptStorageError if unreadable."""
    try:
        content = await driver.get_content(path)
    except PathNotFoundError:
        return None
    try:
        return Digest.parse(content.decode("ascii"))
    except (UnicodeDecodeError, RegistryError):
        raise CorruptStorageError(f"unreadable link file {path}: {content[:80]!r}") from None


async def linked_digests(driver: StorageDriver, top: str) -> list[Digest]:
    """Digests named by the link files under ``top`` whose blob exists (Distribution's Enumerate).

    A link whose blob is gone is skipped, as Distribution does; an unreadable link stops the
    scan, because guessing what it pointed at could delete something still in use.
    """
    found: list[Digest] = []
    for path in await _link_files(driver, top):
        digest = await read_link_strict(driver, path)
        if digest is not None and await blob_exists(driver, digest):
            found.append(digest)
    return found


async def current_tags(driver: StorageDriver, name: str) -> dict[str, Digest]:
    """Each tag of repository ``name`` and the digest its ``current/link`` names."""
    try:
        children = await driver.list(paths.tags_dir(name))
    except PathNotFoundError:
        return {}
    tags: dict[str, Digest] = {}
    for child in children:
        tag = child.rsplit("/", 1)[1]
        digest = await read_link_strict(driver, paths.tag_current_link(name, tag))
        if digest is not None:
            tags[tag] = digest
    return tags


def digest_from_blob_path(path: str) -> Digest | None:
    """``.../blobs/<alg>/<hex[:2]>/<hex>/data`` → the digest, or None if it is not one."""
    parts = path[len(paths.BLOBS) + 1 :].split("/")
    if len(parts) != 4 or parts[3] != "data" or parts[1] != parts[2][:2]:
        return None  # Dockyard's algorithms (sha256, sha512) are one path component
    try:
        return Digest.parse(f"{parts[0]}:{parts[2]}")
    except RegistryError:
        return None


async def blobs(driver: StorageDriver) -> list[Digest]:
    """Every blob in the global store. Files that do not name a digest are left alone."""
    found: list[Digest] = []

    async def visit(info: FileInfo) -> bool:
        if not info.is_dir and info.path.endswith("/data"):
            digest = digest_from_blob_path(info.path)
            if digest is None:
                log.warning("ignoring %s: not a blob path", info.path)
            else:
                found.append(digest)
        return True

    try:
        await driver.walk(paths.BLOBS, visit)
    except PathNotFoundError:
        return []
    return found


@dataclass(frozen=True, slots=True)
class ReferrerEntry:
    path: str
    referrer: Digest


async def referrer_entries(driver: StorageDriver, name: str) -> list[ReferrerEntry]:
    """Dockyard's ``_referrers`` index entries of repository ``name``."""
    top = f"{paths.repository(name)}/_referrers"
    found: list[ReferrerEntry] = []

    async def visit(info: FileInfo) -> bool:
        if not info.is_dir and info.path.endswith(".json"):
            stem = info.path.rsplit("/", 1)[1].removesuffix(".json")
            try:
                found.append(ReferrerEntry(info.path, Digest.parse(stem.replace("-", ":", 1))))
            except RegistryError:
                log.warning("ignoring %s: not a referrer entry", info.path)
        return True

    try:
        await driver.walk(top, visit)
    except PathNotFoundError:
        return []
    return found


@dataclass(frozen=True, slots=True)
class ManifestLinks:
    """What a manifest points at, read leniently so any manifest ever stored can be followed."""

    references: tuple[Digest, ...]
    subject: Digest | None


def _digest_at(descriptor: object, key: str = "digest") -> Digest | None:
    if isinstance(descriptor, dict) and isinstance(descriptor.get(key), str):
        try:
            return Digest.parse(descriptor[key])
        except RegistryError:
            return None
    return None


def manifest_links(content: bytes, where: str) -> ManifestLinks:
    """Config, layers, index children and (Docker schema 1) ``fsLayers`` of a stored manifest.

    Works from the JSON alone, whatever the media type, so that content pushed under rules
    Dockyard no longer accepts (schema 1 from an old Distribution) is still protected.
    """
    try:
        document = orjson.loads(content)
    except orjson.JSONDecodeError:
        raise CorruptStorageError(f"manifest {where} is not JSON") from None
    if not isinstance(document, dict):
        raise CorruptStorageError(f"manifest {where} is not a JSON object")
    found: list[Digest | None] = [_digest_at(document.get("config"))]
    for key, field in (("layers", "digest"), ("manifests", "digest"), ("fsLayers", "blobSum")):
        entries = document.get(key)
        if isinstance(entries, list):
            found.extend(_digest_at(entry, field) for entry in entries)
    references = tuple(dict.fromkeys(d for d in found if d is not None))
    return ManifestLinks(references, _digest_at(document.get("subject")))
