"""The ``redirect`` storage middleware: blob downloads are redirected to ``baseurl`` + the
blob's storage path (a CDN or proxy in front of the same bucket or directory)."""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from dockyard.storage.driver.base import StorageDriver


class RedirectDriver:
    """Forwards everything to ``inner`` except :meth:`redirect_url`."""

    def __init__(self, inner: StorageDriver, scheme: str, host: str, base_path: str) -> None:
        self.inner = inner
        self.name = inner.name
        self._scheme = scheme
        self._host = host
        self._base_path = base_path

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def redirect_url(self, method: str, path: str) -> str | None:
        full = posixpath.join(self._base_path, path.lstrip("/")) if self._base_path else path
        if not full.startswith("/"):
            full = "/" + full
        return urlunsplit((self._scheme, self._host, quote(full), "", ""))


def redirect(inner: StorageDriver, options: dict[str, Any]) -> RedirectDriver:
    base = options.get("baseurl")
    if base is None:
        raise ValueError("no baseurl provided")
    if not isinstance(base, str):
        raise ValueError("baseurl must be a string")
    parts = urlsplit(base)
    if not parts.scheme:
        raise ValueError("no scheme specified for redirect baseurl")
    if not parts.netloc:
        raise ValueError("no host specified for redirect baseurl")
    return RedirectDriver(inner, parts.scheme, parts.netloc, parts.path)
