"""One benchmark run: fixtures, servers, interleaved rounds of every metric, results.

Every server runs for the whole run (idle when not measured). Each metric is measured in
``rounds`` rounds; within a round the servers take turns, and the order rotates every round
(A B, B A, A B, …), so slow drift of the machine (other load, page cache, thermal) falls on
both. The value reported is the median of the rounds.
"""

from __future__ import annotations

import logging
import os
import platform
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import fixtures, limits, measure
from bench.metrics import GROUPS, PEAK_RSS, Group
from bench.profile import Profile
from bench.servers import Server, Variant, cpu_seconds

log = logging.getLogger("bench")


@dataclass
class Results:
    profile: Profile
    servers: list[str]
    rounds: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    """metric key → server label → one value per round."""
    limits: dict[str, float] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    machine: dict[str, Any] = field(default_factory=dict)
    date: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))

    def value(self, key: str, server: str) -> float | None:
        values = self.rounds.get(key, {}).get(server)
        return statistics.median(values) if values else None

    def add(self, key: str, server: str, value: float) -> None:
        self.rounds.setdefault(key, {}).setdefault(server, []).append(value)


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {"cores": os.cpu_count(), "python": platform.python_version()}
    info["kernel"] = platform.release()
    try:
        with open("/proc/meminfo") as f:
            info["memory_gib"] = round(int(f.readline().split()[1]) / (1 << 20), 1)
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next((ln.split(":", 1)[1].strip() for ln in f if "model name" in ln), "")
        info["load_average"] = os.getloadavg()[0]
    except OSError:
        pass
    for package in ("granian", "uvicorn", "uvloop", "orjson"):
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return info


def run(
    profile: Profile,
    variants: list[Variant],
    workdir: Path,
    groups: list[Group] | None = None,
    with_limits: bool = True,
) -> Results:
    groups = list(GROUPS) if groups is None else groups
    results = Results(profile, [v.label for v in variants], machine=machine_info())
    if with_limits:
        log.info("measuring the machine's limits")
        results.limits = limits.measure(profile, workdir / "limits")
    bench = measure.Bench(profile, fixtures.Payload(), fixtures.small_image(), workdir)
    servers = [Server(v, workdir / f"server{i}") for i, v in enumerate(variants)]
    try:
        if any(g.name in ("tags", "catalog") for g in groups):
            _write_fixtures(bench, servers)
        for server in servers:
            server.start()
        for server in servers:
            measure.prepare(bench, server)
        for group in groups:
            _run_group(bench, group, servers, results)
        for server in servers:
            results.add(PEAK_RSS.key, server.label, measure.peak_rss(server))
            cpu = bench.state.get(server.label, {}).get("wrk_cpu")
            if cpu:
                results.notes.setdefault("wrk_cpu_max", {})[server.label] = round(max(cpu), 3)
    finally:
        for server in servers:
            server.stop()
    return results


def _write_fixtures(bench: measure.Bench, servers: list[Server]) -> None:
    """Write the layout into the first server's root, copy it byte for byte to the others."""
    started = time.perf_counter()
    first = servers[0].root
    profile = bench.profile
    fixtures.write_layout(first, bench.image, profile.tags, profile.repositories)
    written = time.perf_counter()
    for server in servers[1:]:
        server.root.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cp", "-a", f"{first}/.", str(server.root)], check=True)
    log.info(
        "fixtures written in %.1fs, copied in %.1fs",
        written - started,
        time.perf_counter() - written,
    )


def _run_group(bench: measure.Bench, group: Group, servers: list[Server], results: Results) -> None:
    cpu = results.notes.setdefault("server_cores_used", {}).setdefault(group.name, {})
    for round_ in range(group.rounds or bench.profile.rounds):
        shift = round_ % len(servers)
        for server in servers[shift:] + servers[:shift]:
            cpu_before = cpu_seconds(server.pids())
            started = time.perf_counter()
            values = group.step(bench, server)
            elapsed = time.perf_counter() - started
            used = (cpu_seconds(server.pids()) - cpu_before) / elapsed
            cpu.setdefault(server.label, []).append(round(used, 2))
            for key, value in values.items():
                results.add(key, server.label, value)
            shown = ", ".join(f"{k}={v:.4g}" for k, v in values.items())
            log.info(
                "%-14s round %d %-22s %5.1fs %4.2f cores  %s",
                group.name,
                round_ + 1,
                server.label,
                elapsed,
                used,
                shown,
            )
