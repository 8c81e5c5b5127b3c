"""Distribution's storage layout, written out independently of ``dockyard.storage.paths``.

Tests inspect a server's data directory through these so that a mistake in the layout module
cannot hide itself: the expected paths come from ``storage-layout-notes.md``, not from the code
under test.
"""

from __future__ import annotations

from pathlib import Path


def v2(root: Path) -> Path:
    return root / "docker" / "registry" / "v2"


def _split(digest: str) -> tuple[str, str]:
    algorithm, _, hex_ = digest.partition(":")
    return algorithm, hex_


def blob_data(root: Path, digest: str) -> Path:
    algorithm, hex_ = _split(digest)
    return v2(root) / "blobs" / algorithm / hex_[:2] / hex_ / "data"


def repository(root: Path, name: str) -> Path:
    return v2(root) / "repositories" / name


def layer_link(root: Path, name: str, digest: str) -> Path:
    algorithm, hex_ = _split(digest)
    return repository(root, name) / "_layers" / algorithm / hex_ / "link"


def revision_link(root: Path, name: str, digest: str) -> Path:
    algorithm, hex_ = _split(digest)
    return repository(root, name) / "_manifests" / "revisions" / algorithm / hex_ / "link"


def tag_dir(root: Path, name: str, tag: str) -> Path:
    return repository(root, name) / "_manifests" / "tags" / tag


def tag_current_link(root: Path, name: str, tag: str) -> Path:
    return tag_dir(root, name, tag) / "current" / "link"


def tag_index_link(root: Path, name: str, tag: str, digest: str) -> Path:
    algorithm, hex_ = _split(digest)
    return tag_dir(root, name, tag) / "index" / algorithm / hex_ / "link"


def upload_dir(root: Path, name: str, upload_id: str) -> Path:
    return repository(root, name) / "_uploads" / upload_id


def uploads(root: Path, name: str) -> list[str]:
    """Upload ids with a directory under the repository (none when ``_uploads`` is absent)."""
    parent = repository(root, name) / "_uploads"
    return sorted(p.name for p in parent.iterdir()) if parent.is_dir() else []


def files_under(path: Path) -> list[str]:
    """Every regular file below ``path``, relative and sorted (for exact layout checks)."""
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())
