"""URLs for ``Location`` and ``Link`` headers, honouring ``http.host`` and ``relativeurls``.

As Distribution builds them:

- ``http.host`` with a scheme and a host wins over everything (``relativeurls`` too): the API
  path is resolved against it as a relative reference, so ``https://r.example.com/reg/`` gives
  ``https://r.example.com/reg/v2/…`` while ``https://r.example.com/reg`` (no trailing slash)
  gives ``https://r.example.com/v2/…``; ``http.prefix`` is not added.
- otherwise ``relativeurls: true`` gives an absolute path (Dockyard keeps ``http.prefix`` in it,
  where Distribution drops it and so points clients outside the prefix);
- otherwise scheme and host come from ``Forwarded`` (RFC 7239) if present, else
  ``X-Forwarded-Proto``/``X-Forwarded-Host`` (the first of a list), else the request itself
  (``https`` on a TLS listener), followed by ``http.prefix``.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from dockyard.api.http import Request


def _forwarded(value: str) -> dict[str, str]:
    """The first element of an RFC 7239 ``Forwarded`` header as lower-case key → value."""
    first = value.split(",", 1)[0]
    params: dict[str, str] = {}
    for pair in first.split(";"):
        key, sep, val = pair.strip().partition("=")
        if sep:
            params[key.strip().lower()] = val.strip().strip('"')
    return params


class URLBuilder:
    def __init__(self, host: str = "", prefix: str = "", relative: bool = False) -> None:
        self._prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self._relative = relative
        self._root: str | None = None
        parts = urlsplit(host) if host else None
        if parts is not None and parts.scheme and parts.netloc:
            directory = parts.path[: parts.path.rfind("/")] if "/" in parts.path else ""
            self._root = f"{parts.scheme}://{parts.netloc}{directory}"

    def base(self, request: Request) -> str:
        if self._root is not None:
            return self._root
        if self._relative:
            return self._prefix
        proto, host = request.scheme, request.host
        forwarded = request.header("forwarded")
        if forwarded:
            params = _forwarded(forwarded)
            proto = params.get("proto") or proto
            host = params.get("host") or host
        else:
            proto = (request.header("x-forwarded-proto") or proto).split(",")[0].strip()
            host = (request.header("x-forwarded-host") or host).split(",")[0].strip()
        if not host:
            return self._prefix
        return f"{proto}://{host}{self._prefix}"

    def path(self, request: Request, path: str) -> str:
        return self.base(request) + quote(path, safe="/:@=&?-._~")

    def blob(self, request: Request, name: str, digest: str) -> str:
        return self.path(request, f"/v2/{name}/blobs/{digest}")

    def manifest(self, request: Request, name: str, reference: str) -> str:
        return self.path(request, f"/v2/{name}/manifests/{reference}")

    def upload(self, request: Request, name: str, upload_id: str) -> str:
        return self.path(request, f"/v2/{name}/blobs/uploads/{upload_id}")
