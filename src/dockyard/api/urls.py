"""URLs for ``Location`` and ``Link`` headers, honouring ``http.host`` and ``relativeurls``.

Distribution builds absolute URLs from ``http.host`` when set, else from the request: the first
element of an RFC 7239 ``Forwarded`` header (``proto=``, ``host=``) when present, otherwise
``X-Forwarded-Proto``/``X-Forwarded-Host`` (first of a list), otherwise the ``Host`` header.
``relativeurls: true`` drops scheme and host.

``http.host`` (with a scheme and a host) wins over ``relativeurls``, as in Distribution, and the
API path is resolved against it as a relative reference: ``https://r.example.com/reg/`` gives
``https://r.example.com/reg/v2/…`` while ``https://r.example.com/reg`` (no trailing slash) gives
``https://r.example.com/v2/…``; ``http.prefix`` is not added to it. A ``host`` without a scheme
is ignored, as Distribution ignores it. Relative URLs keep ``http.prefix`` (Distribution drops
it, pointing clients outside the prefix).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from dockyard.api.http import Request

# One ``key=value`` pair of a Forwarded element; values may be quoted (RFC 7230 quoted-string).
_FORWARDED_PAIR = re.compile(r'\s*([A-Za-z]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*)\s*')


def forwarded(header: str) -> dict[str, str]:
    """The parameters of the first element of a ``Forwarded`` header, keys lower-cased.

    Malformed input yields what parsed before the fault (possibly nothing), never an error.
    """
    out: dict[str, str] = {}
    position = 0
    while position < len(header):
        found = _FORWARDED_PAIR.match(header, position)
        if not found:
            break
        key, value = found.group(1).lower(), found.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.setdefault(key, value)
        position = found.end()
        if position >= len(header) or header[position] == ",":
            break
        if header[position] != ";":
            break
        position += 1
    return out


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
        header = request.header("forwarded")
        if header:
            params = forwarded(header)
            proto, host = params.get("proto") or proto, params.get("host") or host
        else:
            proto = _first(request.header("x-forwarded-proto")) or proto
            host = _first(request.header("x-forwarded-host")) or host
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


def _first(value: str | None) -> str:
    return value.split(",")[0].strip() if value else ""
