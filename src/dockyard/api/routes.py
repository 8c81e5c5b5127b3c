"""The URL table of the API (OCI end-1 … end-13), matched in order.

Names are matched loosely here (``.+``) and validated by the dispatcher, so that a malformed name
answers ``NAME_INVALID`` instead of a bare 404. The upload routes come before the blob route
because ``uploads`` would otherwise read as a digest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BASE = "base"
CATALOG = "catalog"
TAGS = "tags"
MANIFEST = "manifest"
BLOB_UPLOAD = "blob_upload"
BLOB_UPLOAD_CHUNK = "blob_upload_chunk"
BLOB = "blob"
REFERRERS = "referrers"


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    pattern: re.Pattern[str]
    methods: frozenset[str]

    @property
    def needs_name(self) -> bool:
        return self.name not in (BASE, CATALOG)


def _route(name: str, pattern: str, *methods: str) -> Route:
    # DOTALL: a name with a newline in it must reach name validation (NAME_INVALID), not 404.
    return Route(name, re.compile(pattern, re.DOTALL), frozenset(methods))


ROUTES: tuple[Route, ...] = (
    _route(BASE, r"^/v2/?$", "GET", "HEAD"),
    _route(CATALOG, r"^/v2/_catalog$", "GET", "HEAD"),
    _route(TAGS, r"^/v2/(?P<name>.+)/tags/list$", "GET", "HEAD"),
    _route(
        MANIFEST,
        r"^/v2/(?P<name>.+)/manifests/(?P<reference>[^/]+)$",
        "GET",
        "HEAD",
        "PUT",
        "DELETE",
    ),
    _route(BLOB_UPLOAD, r"^/v2/(?P<name>.+)/blobs/uploads/?$", "POST"),
    _route(
        BLOB_UPLOAD_CHUNK,
        r"^/v2/(?P<name>.+)/blobs/uploads/(?P<uuid>[^/]+)$",
        "GET",
        "HEAD",
        "PATCH",
        "PUT",
        "DELETE",
    ),
    _route(BLOB, r"^/v2/(?P<name>.+)/blobs/(?P<digest>[^/]+)$", "GET", "HEAD", "DELETE"),
    _route(REFERRERS, r"^/v2/(?P<name>.+)/referrers/(?P<digest>[^/]+)$", "GET", "HEAD"),
)


def match(path: str) -> tuple[Route, dict[str, str]] | None:
    if not path.startswith("/v2"):
        return None
    for route in ROUTES:
        found = route.pattern.fullmatch(path)
        if found:
            return route, found.groupdict()
    return None
