"""The servers under test: CNCF Distribution and Dockyard, started with equivalent settings.

Both get the same Distribution-format ``config.yml`` apart from port and root directory:
filesystem storage in a directory of the benchmark's work dir (the same disk), the in-memory
blob-descriptor cache, deletes on, access log off, upload purging off (it would walk storage in
the background) and log level ``error``. Each runs in its own session so that it and every
worker it forks are found (for RSS) and stopped together.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.client import Connection

START_TIMEOUT = 30.0
DISTRIBUTION_BINARY = "docker-registry"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Variant:
    """How to run one server: ``distribution``, or Dockyard under an ASGI server with N workers."""

    kind: str  # "distribution" | "granian" | "uvicorn"
    workers: int = 1
    readbuffer: int = 0  # dockyard.http.readbuffer (granian only); 0 = its default

    @property
    def label(self) -> str:
        if self.kind == "distribution":
            return "Distribution"
        suffix = "" if self.kind == "granian" else f" {self.kind}"
        buffer = f" rb{self.readbuffer // 1024}k" if self.readbuffer else ""
        return f"Dockyard{suffix} w{self.workers}{buffer}"

    @classmethod
    def parse(cls, spec: str) -> Variant:
        """``granian`` / ``granian:2`` / ``granian:1:131072`` (read buffer) / ``uvicorn:1`` /
        ``distribution``."""
        kind, _, rest = spec.partition(":")
        workers, _, readbuffer = rest.partition(":")
        if kind not in ("distribution", "granian", "uvicorn"):
            raise ValueError(f"unknown server {kind!r} (distribution, granian or uvicorn)")
        if readbuffer and kind != "granian":
            raise ValueError("a read buffer size applies to granian only")
        return cls(kind, int(workers) if workers else 1, int(readbuffer) if readbuffer else 0)


def config_for(root: Path, port: int, workers: int, readbuffer: int = 0) -> dict[str, Any]:
    dockyard: dict[str, Any] = {"workers": workers}
    if readbuffer:
        dockyard["http"] = {"readbuffer": readbuffer}
    return {
        "version": "0.1",
        "log": {"level": "error", "formatter": "text", "accesslog": {"disabled": True}},
        "storage": {
            "filesystem": {"rootdirectory": str(root)},
            "cache": {"blobdescriptor": "inmemory"},
            "delete": {"enabled": True},
            "maintenance": {"uploadpurging": {"enabled": False}},
        },
        "http": {"addr": f"127.0.0.1:{port}"},
        # Distribution ignores top-level keys it does not know.
        "dockyard": dockyard,
    }


@dataclass
class Server:
    variant: Variant
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def root(self) -> Path:
        return self.workdir / "data"

    @property
    def label(self) -> str:
        return self.variant.label

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def connect(self) -> Connection:
        return Connection(self.host, self.port)

    def command(self, config_path: Path) -> list[str]:
        kind = self.variant.kind
        if kind == "distribution":
            return [DISTRIBUTION_BINARY, "serve", str(config_path)]
        if kind == "granian":
            return [sys.executable, "-m", "dockyard", "serve", str(config_path)]
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "dockyard.server:worker_app",
            "--factory",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--workers",
            str(self.variant.workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ]

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)
        config_path = self.workdir / "config.yml"
        config_path.write_text(
            yaml.safe_dump(
                config_for(self.root, self.port, self.variant.workers, self.variant.readbuffer)
            )
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        env["DOCKYARD_CONFIG_FILE"] = str(config_path)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command(config_path),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=self.workdir,
                start_new_session=True,
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                log = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.label} exited with {self.process.returncode}:\n{log}")
            if self._answers():
                # Every worker must be up, not just the first one to accept.
                if self.variant.kind == "distribution" or self._workers_ready():
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.label} did not answer on {self.address}")
            time.sleep(0.05)

    def _answers(self) -> bool:
        try:
            with self.connect() as conn:
                return conn.request("GET", "/v2/").status == 200
        except OSError:
            return False

    def _workers_ready(self) -> bool:
        # granian and uvicorn: a supervisor plus ``workers`` children once all have started.
        return len(self.pids()) >= (1 if self.variant.workers == 1 else self.variant.workers + 1)

    def pids(self) -> list[int]:
        """The server's process and all its descendants."""
        if self.process is None:
            return []
        return descendants(self.process.pid)

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        self.process = None


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def memory_kib(pids: list[int], field_name: str) -> int:
    """Sum of ``VmRSS``/``VmHWM`` (KiB) over ``pids``; vanished processes count as 0."""
    total = 0
    prefix = field_name.encode() + b":"
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", "rb") as f:
                for line in f:
                    if line.startswith(prefix):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by ``pids`` (threads included)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS
