"""A real webhook receiver for notification tests: an HTTP server in a thread of the test."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from support.server import DockyardServer, base_config, free_port, wait_until


class Receiver:
    """Records every POSTed envelope; ``status`` is what it answers (settable while running)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.status = 200
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/callback"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests.append(
                        {
                            "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": json.loads(body),
                            "status": receiver.status,
                            "time": time.monotonic(),
                        }
                    )
                    status = receiver.status
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_HEAD(self) -> None:
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def endpoint_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def accepted(self, path: str | None = None) -> list[dict[str, Any]]:
        """Events from requests answered 2xx/3xx (to ``path`` if given), in arrival order."""
        with self._lock:
            return [
                event
                for request in self.requests
                if 200 <= request["status"] < 400 and (path is None or request["path"] == path)
                for event in request["body"]["events"]
            ]

    def attempts(self) -> int:
        with self._lock:
            return len(self.requests)

    def wait_for(self, predicate: Any, timeout: float = 15.0, what: str = "") -> list[dict]:
        """Wait until ``predicate(accepted events)`` holds; returns the events."""
        wait_until(lambda: predicate(self.accepted()), timeout, what=what or "webhook events")
        return self.accepted()


def matching(events: list[dict[str, Any]], repo: str, action: str | None = None) -> list[dict]:
    return [
        e
        for e in events
        if e["target"].get("repository") == repo and (action is None or e["action"] == action)
    ]


def endpoint(receiver: Receiver, name: str = "hook", **fields: Any) -> dict[str, Any]:
    """A ``notifications.endpoints`` entry pointing at ``receiver``, with quick retries."""
    entry = {"name": name, "url": receiver.url, "timeout": "2s", "threshold": 3, "backoff": "50ms"}
    entry.update(fields)
    return entry


def notifying_server(
    workdir: Path, endpoints: list[dict[str, Any]], **overrides: Any
) -> DockyardServer:
    """A (not yet started) registry notifying ``endpoints``."""
    server = DockyardServer(workdir)
    server.config = base_config(
        server.root, server.port, notifications={"endpoints": endpoints}, **overrides
    )
    return server
