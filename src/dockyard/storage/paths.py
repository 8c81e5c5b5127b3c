"""Distribution's storage layout: every driver path Dockyard reads or writes is built here.

The layout is byte-for-byte Distribution's (see ``storage-layout-notes.md``) so that a data
directory can be served by either registry. Names, tags and digests are validated before they
reach these functions; the driver checks the path grammar once more before any I/O.
"""

from __future__ import annotations

from dockyard.registry.reference import Digest

ROOT = "/docker/registry/v2"
BLOBS = f"{ROOT}/blobs"
REPOSITORIES = f"{ROOT}/repositories"


def _alg(digest: Digest) -> str:
    # Distribution turns the separators an algorithm name may contain into directory levels.
    return digest.algorithm.replace("+", "/").replace(".", "/").replace(";", "/")


def blob_dir(digest: Digest) -> str:
    return f"{BLOBS}/{_alg(digest)}/{digest.hex[:2]}/{digest.hex}"


def blob_data(digest: Digest) -> str:
    return f"{blob_dir(digest)}/data"


def repository(name: str) -> str:
    return f"{REPOSITORIES}/{name}"


def layer_link(name: str, digest: Digest) -> str:
    return f"{REPOSITORIES}/{name}/_layers/{_alg(digest)}/{digest.hex}/link"


def layers_dir(name: str) -> str:
    return f"{REPOSITORIES}/{name}/_layers"


def manifests_dir(name: str) -> str:
    return f"{REPOSITORIES}/{name}/_manifests"


def revisions_dir(name: str) -> str:
    return f"{REPOSITORIES}/{name}/_manifests/revisions"


def revision_dir(name: str, digest: Digest) -> str:
    return f"{REPOSITORIES}/{name}/_manifests/revisions/{_alg(digest)}/{digest.hex}"


def revision_link(name: str, digest: Digest) -> str:
    return f"{revision_dir(name, digest)}/link"


def tags_dir(name: str) -> str:
    return f"{REPOSITORIES}/{name}/_manifests/tags"


def tag_dir(name: str, tag: str) -> str:
    return f"{REPOSITORIES}/{name}/_manifests/tags/{tag}"


def tag_current_link(name: str, tag: str) -> str:
    return f"{tag_dir(name, tag)}/current/link"


def tag_index_dir(name: str, tag: str) -> str:
    return f"{tag_dir(name, tag)}/index"


def tag_index_link(name: str, tag: str, digest: Digest) -> str:
    return f"{tag_dir(name, tag)}/index/{_alg(digest)}/{digest.hex}/link"


def uploads_dir(name: str) -> str:
    return f"{REPOSITORIES}/{name}/_uploads"


def upload_dir(name: str, upload_id: str) -> str:
    return f"{REPOSITORIES}/{name}/_uploads/{upload_id}"


def upload_data(name: str, upload_id: str) -> str:
    return f"{upload_dir(name, upload_id)}/data"


def upload_started_at(name: str, upload_id: str) -> str:
    return f"{upload_dir(name, upload_id)}/startedat"


# Dockyard's own addition, ignored by Distribution (whose walkers skip ``_``-prefixed dirs):
# one small descriptor file per referrer, grouped by the subject it refers to.
def referrers_dir(name: str, subject: Digest) -> str:
    return f"{REPOSITORIES}/{name}/_referrers/{_alg(subject)}/{subject.hex}"


def referrer_entry(name: str, subject: Digest, referrer: Digest) -> str:
    return f"{referrers_dir(name, subject)}/{_alg(referrer)}-{referrer.hex}.json"
