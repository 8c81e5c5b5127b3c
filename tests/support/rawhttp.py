"""Requests sent byte-for-byte as written, for paths an ordinary client would normalise.

httpx resolves ``..`` segments and re-encodes paths; attacks on the URL grammar must reach the
server untouched, so these go through ``http.client`` with the path as given.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def raw_request(
    host: str,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 30.0,
) -> RawResponse:
    """Send ``method path`` to ``host`` ("127.0.0.1:port") exactly; header names are lowered."""
    name, port = host.rsplit(":", 1)
    conn = http.client.HTTPConnection(name, int(port), timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        data = response.read()
        return RawResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        conn.close()


def raw_bytes(host: str, request: bytes, timeout: float = 30.0) -> int:
    """Send a hand-written HTTP/1.1 request; returns the response status (0 if none came).

    For bytes no client library will put on the wire (non-ASCII in the path or a header).
    """
    import socket

    name, port = host.rsplit(":", 1)
    with socket.create_connection((name, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        while b"\r\n" not in received:
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
    status_line = received.split(b"\r\n", 1)[0].split()
    return int(status_line[1]) if len(status_line) > 1 else 0
