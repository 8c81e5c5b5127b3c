"""URLs for ``Location`` and ``Link`` headers, honouring ``http.host`` and ``relativeurls``.

Distribution builds absolute URLs from ``http.host`` when set, else from the request's
``X-Forwarded-Proto``/``X-Forwarded-Host``/``Host``; ``relativeurls: true`` drops scheme and host.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from dockyard.api.http import Request


class URLBuilder:
    def __init__(self, host: str = "", prefix: str = "", relative: bool = False) -> None:
        self._host = host.rstrip("/")
        self._prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self._relative = relative

    def base(self, request: Request) -> str:
        if self._relative:
            return self._prefix
        if self._host:
            return self._host + (urlsplit(self._host).path.rstrip("/") and "" or self._prefix)
        proto = request.header("x-forwarded-proto") or request.scheme
        host = request.header("x-forwarded-host") or request.host
        if not host:
            return self._prefix
        return f"{proto.split(',')[0].strip()}://{host.split(',')[0].strip()}{self._prefix}"

    def path(self, request: Request, path: str) -> str:
        return self.base(request) + quote(path, safe="/:@=&?-._~")

    def blob(self, request: Request, name: str, digest: str) -> str:
        return self.path(request, f"/v2/{name}/blobs/{digest}")

    def manifest(self, request: Request, name: str, reference: str) -> str:
        return self.path(request, f"/v2/{name}/manifests/{reference}")

    def upload(self, request: Request, name: str, upload_id: str) -> str:
        return self.path(request, f"/v2/{name}/blobs/uploads/{upload_id}")
