"""One round of each measurement against one server; every function returns ``{metric: value}``.

Bulk-transfer metrics drive the raw-socket client (:mod:`bench.client`); request-rate metrics
run ``wrk`` (:mod:`bench.wrk`); ``HEAD`` latency is timed request by request on one keep-alive
connection, because wrk cannot parse bodiless ``HEAD`` responses that carry a Content-Length.
"""

from __future__ import annotations

import shutil
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import fixtures, skopeo, wrk
from bench.client import Connection, expect, split_location
from bench.fixtures import Body, Image, Payload
from bench.profile import MiB, Profile
from bench.servers import Server, memory_kib

UPLOAD_REPO = "bench/upload"
DOWNLOAD_REPO = "bench/download"
MANIFEST_REPO = "bench/manifest"
OCTET = {"Content-Type": "application/octet-stream"}

Result = dict[str, float]


@dataclass
class Bench:
    """What every measurement needs: sizes, data, and per-server state from preparation."""

    profile: Profile
    payload: Payload
    image: Image
    workdir: Path
    state: dict[str, dict[str, Any]] = field(default_factory=dict)

    def timed(self, step: Callable[[], int]) -> tuple[int, float]:
        """Repeat ``step`` (returns bytes or items done) until the round's budget is used."""
        done, elapsed = 0, 0.0
        while elapsed == 0.0 or elapsed < self.profile.budget:
            started = time.perf_counter()
            done += step()
            elapsed += time.perf_counter() - started
        return done, elapsed


# -- helpers ---------------------------------------------------------------------------------


def _with_query(target: str, query: str) -> str:
    return f"{target}{'&' if '?' in target else '?'}{query}"


def push_monolithic(conn: Connection, repo: str, body: Body) -> None:
    location = expect(conn.request("POST", f"/v2/{repo}/blobs/uploads/"), 202).header("location")
    target = _with_query(split_location(location), f"digest={body.digest}")
    response = conn.request("PUT", target, body.chunks(), length=body.length, headers=OCTET)
    expect(response, 201)


def push_chunked(conn: Connection, repo: str, body: Body, chunk: int) -> None:
    location = expect(conn.request("POST", f"/v2/{repo}/blobs/uploads/"), 202).header("location")
    offset = 0
    for views in _groups(body.chunks(chunk), chunk):
        length = sum(len(v) for v in views)
        headers = {**OCTET, "Content-Range": f"{offset}-{offset + length - 1}"}
        response = conn.request(
            "PATCH", split_location(location), views, length=length, headers=headers
        )
        location = expect(response, 202).header("location")
        offset += length
    target = _with_query(split_location(location), f"digest={body.digest}")
    expect(conn.request("PUT", target, b""), 201)


def _groups(views: Iterator[memoryview], size: int) -> Iterator[list[memoryview]]:
    """Regroup ``views`` into lists of exactly ``size`` bytes (the last may be shorter)."""
    group: list[memoryview] = []
    have = 0
    for view in views:
        while view:
            take = view[: size - have]
            group.append(take)
            have += len(take)
            view = view[len(take) :]
            if have == size:
                yield group
                group, have = [], 0
    if group:
        yield group


def _forget(server: Server, *digests: str) -> None:
    """Remove uploaded blobs' data from disk (untimed) so runs do not fill the disk."""
    for digest in digests:
        hex_ = digest.split(":", 1)[1]
        shutil.rmtree(server.root / "docker/registry/v2/blobs/sha256" / hex_[:2] / hex_, True)


# -- preparation (untimed) -------------------------------------------------------------------


def prepare(bench: Bench, server: Server) -> None:
    """Push what the read metrics need through the API: a big blob and a tagged image."""
    state = bench.state.setdefault(server.label, {})
    with server.connect() as conn:
        body = bench.payload.body(bench.profile.blob_size)
        push_monolithic(conn, DOWNLOAD_REPO, body)
        state["download"] = body.digest
        for data in bench.image.blobs.values():
            digest = fixtures.digest_of(data)
            location = expect(conn.request("POST", f"/v2/{MANIFEST_REPO}/blobs/uploads/"), 202)
            target = _with_query(split_location(location.header("location")), f"digest={digest}")
            expect(conn.request("PUT", target, data, headers=OCTET), 201)
        headers = {"Content-Type": fixtures.OCI_MANIFEST}
        target = f"/v2/{MANIFEST_REPO}/manifests/latest"
        expect(conn.request("PUT", target, bench.image.manifest, headers=headers), 201)


# -- blob transfer ---------------------------------------------------------------------------


def upload_monolithic(bench: Bench, server: Server) -> Result:
    size = bench.profile.blob_size
    with server.connect() as conn:
        pushed: list[str] = []

        def step() -> int:
            body = bench.payload.body(size)
            push_monolithic(conn, UPLOAD_REPO, body)
            pushed.append(body.digest)
            return size

        done, elapsed = bench.timed(step)
    _forget(server, *pushed)
    return {"upload_monolithic": done / MiB / elapsed}


def upload_chunked(bench: Bench, server: Server) -> Result:
    size, chunk = bench.profile.blob_size, bench.profile.chunk_size
    with server.connect() as conn:
        pushed: list[str] = []

        def step() -> int:
            body = bench.payload.body(size)
            push_chunked(conn, UPLOAD_REPO, body, chunk)
            pushed.append(body.digest)
            return size

        done, elapsed = bench.timed(step)
    _forget(server, *pushed)
    return {"upload_chunked": done / MiB / elapsed}


def download(bench: Bench, server: Server) -> Result:
    digest = bench.state[server.label]["download"]
    target = f"/v2/{DOWNLOAD_REPO}/blobs/{digest}"
    with server.connect() as conn:

        def whole() -> int:
            return expect(conn.request("GET", target, keep=False), 200).length

        done, elapsed = bench.timed(whole)
        size, window = bench.profile.blob_size, bench.profile.range_size
        offset = 0

        def ranged() -> int:
            nonlocal offset
            end = min(offset + window, size) - 1
            headers = {"Range": f"bytes={offset}-{end}"}
            got = expect(conn.request("GET", target, headers=headers, keep=False), 206).length
            offset = 0 if end + 1 >= size else end + 1
            return got

        ranged_done, ranged_elapsed = bench.timed(ranged)
    return {
        "download": done / MiB / elapsed,
        "download_ranged": ranged_done / MiB / ranged_elapsed,
    }


def concurrent_pushes(bench: Bench, server: Server) -> Result:
    count, size = bench.profile.pushes, bench.profile.push_size
    bodies = [bench.payload.body(size) for _ in range(count)]
    conns = [server.connect() for _ in range(count)]
    barrier = threading.Barrier(count + 1)
    errors: list[BaseException] = []

    def push(conn: Connection, body: Body) -> None:
        barrier.wait()
        try:
            push_monolithic(conn, UPLOAD_REPO, body)
        except BaseException as exc:  # reported after the join
            errors.append(exc)

    threads = [threading.Thread(target=push, args=pair) for pair in zip(conns, bodies, strict=True)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for conn in conns:
        conn.close()
    _forget(server, *(body.digest for body in bodies))
    if errors:
        raise errors[0]
    return {"concurrent_pushes": count * size / MiB / elapsed}


# -- small requests --------------------------------------------------------------------------


def head_latency(bench: Bench, server: Server) -> Result:
    digest = next(iter(bench.image.blobs))
    target = f"/v2/{MANIFEST_REPO}/blobs/{digest}"
    samples: list[float] = []
    with server.connect() as conn:
        for _ in range(50):  # warm caches and the connection
            expect(conn.request("HEAD", target), 200)
        deadline = time.perf_counter() + max(bench.profile.budget, 0.2)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            expect(conn.request("HEAD", target), 200)
            samples.append(time.perf_counter() - started)
    samples.sort()
    return {
        "head_p50": samples[len(samples) // 2] * 1000,
        "head_p99": samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1000,
    }


def manifest_get(bench: Bench, server: Server) -> Result:
    out: Result = {}
    headers = {"Accept": fixtures.OCI_MANIFEST}
    for conns in (1, 32):
        run = wrk.run(
            server,
            f"/v2/{MANIFEST_REPO}/manifests/latest",
            conns,
            bench.profile.wrk_seconds,
            headers=headers,
        )
        out[f"manifest_get_c{conns}"] = run.rate
        out[f"manifest_get_c{conns}_p99"] = run.p99_ms
        bench.state[server.label].setdefault("wrk_cpu", []).append(run.cpu_fraction)
    return out


def manifest_put(bench: Bench, server: Server) -> Result:
    out: Result = {}
    body_file = bench.workdir / "manifest.json"
    body_file.write_bytes(bench.image.manifest)
    state = bench.state[server.label]
    for conns in (1, 32):
        # New tags on every run: re-tagging an existing tag to the same digest writes nothing.
        state["put_runs"] = runs = state.get("put_runs", 0) + 1
        run = wrk.run(
            server,
            f"/v2/{MANIFEST_REPO}/manifests/r{runs}-c{conns}-",
            conns,
            bench.profile.wrk_seconds,
            method="PUT",
            body_file=body_file,
            headers={"Content-Type": fixtures.OCI_MANIFEST},
            rotate=True,
        )
        out[f"manifest_put_c{conns}"] = run.rate
        out[f"manifest_put_c{conns}_p99"] = run.p99_ms
        bench.state[server.label].setdefault("wrk_cpu", []).append(run.cpu_fraction)
    return out


def tags_list(bench: Bench, server: Server) -> Result:
    with server.connect() as conn:

        def tags() -> None:
            response = expect(conn.request("GET", "/v2/bench/tags/tags/list"), 200)
            count = response.body.count(b'"v')
            if count != bench.profile.tags:
                raise AssertionError(f"{server.label}: {count} tags listed")

        return {"tags_list": statistics.median(_times(bench, tags))}


def catalog(bench: Bench, server: Server) -> Result:
    """Every page of the catalog at the server's default page size, following ``Link``."""
    with server.connect() as conn:

        def walk() -> None:
            target, names = "/v2/_catalog", 0
            while target:
                response = expect(conn.request("GET", target), 200)
                names += response.body.count(b'"catalog/')
                link = response.header("link")
                target = split_location(link[1 : link.index(">")]) if link else ""
            if names != bench.profile.repositories:
                raise AssertionError(f"{server.label}: {names} repositories in the catalog")

        return {"catalog": statistics.median(_times(bench, walk))}


def _times(bench: Bench, fn: Callable[[], None]) -> list[float]:
    times: list[float] = []
    deadline = time.perf_counter() + bench.profile.budget
    while not times or time.perf_counter() < deadline:
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def skopeo_copy(bench: Bench, server: Server) -> Result:
    state = bench.state[server.label]
    state["skopeo_rounds"] = round_ = state.get("skopeo_rounds", 0) + 1
    layout = bench.workdir / f"image-{server.port}-{round_}"
    skopeo.write_image(layout, bench.profile.image_layers, bench.profile.layer_size)
    ref = f"{server.address}/bench/skopeo{round_}:latest"
    copy_in = skopeo.copy(f"oci:{layout}:latest", f"docker://{ref}")
    out_dir = bench.workdir / f"pulled-{server.port}-{round_}"
    copy_out = skopeo.copy(f"docker://{ref}", f"dir:{out_dir}")
    shutil.rmtree(layout, True)
    shutil.rmtree(out_dir, True)
    return {"skopeo_in": copy_in, "skopeo_out": copy_out}


# -- memory ----------------------------------------------------------------------------------


def big_push_rss(bench: Bench, server: Server) -> Result:
    """The servers' summed RSS, sampled every 20 ms while a ``big_blob`` is pushed."""
    body = bench.payload.body(bench.profile.big_blob)
    idle = memory_kib(server.pids(), "VmRSS")
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, memory_kib(server.pids(), "VmRSS"))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with server.connect() as conn:
            push_monolithic(conn, UPLOAD_REPO, body)
    finally:
        stop.set()
        sampler.join()
    _forget(server, body.digest)
    return {"rss_idle": idle / 1024, "rss_big_push": peak / 1024}


def peak_rss(server: Server) -> float:
    return memory_kib(server.pids(), "VmHWM") / 1024
