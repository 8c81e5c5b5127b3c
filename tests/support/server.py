"""Real server processes for tests: Dockyard (``python -m dockyard serve``) and others.

Every server gets a free loopback port and its own temporary directory, is waited for with a
deadline (never a bare sleep), and is stopped — killed if need be — when the test is done.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import yaml

START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(
    condition: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02, what: str = ""
) -> None:
    """Poll ``condition`` until it holds; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(interval)


def _answers(url: str, verify: Any = False) -> bool:
    try:
        httpx.get(url, timeout=1.0, verify=verify)
    except httpx.HTTPError:
        return False
    return True


def base_config(root: Path, port: int, **overrides: Any) -> dict[str, Any]:
    """A Distribution-format config for a test server: filesystem storage under ``root``."""
    config: dict[str, Any] = {
        "version": "0.1",
        "log": {"level": "info", "formatter": "text", "accesslog": {"disabled": False}},
        "storage": {
            "filesystem": {"rootdirectory": str(root)},
            "delete": {"enabled": True},
            "maintenance": {"uploadpurging": {"enabled": False}},
        },
        "http": {"addr": f"127.0.0.1:{port}"},
    }
    for key, value in overrides.items():
        _merge(config, key.split("__"), value)
    return config


def _merge(config: dict[str, Any], path: list[str], value: Any) -> None:
    node = config
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


class DockyardServer:
    """A ``dockyard serve`` subprocess with its own config, data directory and log file."""

    def __init__(
        self,
        workdir: Path,
        config: dict[str, Any] | None = None,
        *,
        env: dict[str, str] | None = None,
        args: list[str] | None = None,
        scheme: str = "http",
        verify: Any = False,
    ) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.root = workdir / "data"
        self.config = config if config is not None else base_config(self.root, self.port)
        self.config_path = workdir / "config.yml"
        self.log_path = workdir / "server.log"
        self.env = env or {}
        self.args = args or []
        self.scheme = scheme
        self.verify = verify
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def write_config(self) -> None:
        self.config_path.write_text(yaml.safe_dump(self.config))

    def start(self, wait: bool = True) -> DockyardServer:
        self.write_config()
        # Only what the test asks for: no stray REGISTRY_* overrides, and no OTEL_* that could
        # switch tracing on and send spans somewhere.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_", "OTEL_"))}
        # Its temp files (the state directory) live in the test's own directory, so a server
        # the test kills leaves nothing behind in the machine's /tmp.
        tmp = self.workdir / "tmp"
        tmp.mkdir(exist_ok=True)
        env["TMPDIR"] = str(tmp)
        env.update(self.env)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dockyard", "serve", str(self.config_path), *self.args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.workdir,
            start_new_session=True,
        )
        log.close()
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        def ready() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"dockyard exited with {code}:\n{self.logs()}")
            return _answers(f"{self.url}/v2/", self.verify)

        wait_until(ready, timeout, what=f"dockyard on {self.url}")

    def logs(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _signal_group(self, sig: int) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, then SIGKILL after ``timeout``; returns the exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait(5)
        self._signal_group(signal.SIGKILL)  # stray workers
        code = self.process.returncode
        self.process = None
        return code

    def kill(self) -> None:
        """SIGKILL the whole process group: a crash, with no chance to clean up."""
        if self.process is None:
            return
        self._signal_group(signal.SIGKILL)
        self.process.wait(10)
        self.process = None

    def restart(self) -> DockyardServer:
        self.stop()
        return self.start()

    def client(self, **kwargs: Any) -> httpx.Client:
        kwargs.setdefault("timeout", 30.0)
        kwargs.setdefault("verify", self.verify)
        return httpx.Client(base_url=self.url, **kwargs)


@contextlib.contextmanager
def running(server: DockyardServer) -> Iterator[DockyardServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()
