"""Request-rate measurements with ``wrk`` and ``registry.lua``.

wrk is an event-driven C load generator; one thread drives every connection. Its own CPU time is
taken from ``getrusage(RUSAGE_CHILDREN)`` around each run and reported as a fraction of one core,
so a reader can check that the load generator was not the bottleneck (on two cores it takes
CPU from the server, equally for both servers).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.servers import Server

SCRIPT = Path(__file__).with_name("registry.lua")


class WrkError(Exception):
    pass


@dataclass(frozen=True)
class WrkRun:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_fraction: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def run(
    server: Server,
    path: str,
    connections: int,
    seconds: int,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body_file: Path | None = None,
    rotate: bool = False,
) -> WrkRun:
    env = {
        **os.environ,
        "BENCH_METHOD": method,
        "BENCH_PATH": path,
        "BENCH_ROTATE": "1" if rotate else "0",
        "BENCH_BODY_FILE": str(body_file or ""),
        "BENCH_HEADERS": "|".join(f"{k}: {v}" for k, v in (headers or {}).items()),
    }
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(SCRIPT),
        f"http://{server.address}",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 30)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise WrkError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    stats = json.loads(line[len("BENCH ") :])
    errors = {k: stats[k] for k in ("connect", "read", "write", "status", "timeout") if stats[k]}
    if errors or not stats["requests"]:
        raise WrkError(f"{method} {path} on {server.label}: {stats['requests']} requests, {errors}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return WrkRun(
        requests=stats["requests"],
        seconds=stats["duration_us"] / 1e6,
        p50_ms=stats["p50_us"] / 1000,
        p99_ms=stats["p99_us"] / 1000,
        cpu_fraction=cpu / wall,
    )
