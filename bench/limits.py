"""The machine's ceilings on the paths a blob takes: loopback TCP, sha256, disk write and read.

A blob upload is bounded by the slowest of receiving it (loopback), hashing it (one core of
sha256) and writing it durably (write + fsync); a download by loopback and reading the file.
These numbers say how close Dockyard gets to what the machine allows, which a ratio against
Distribution cannot.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from pathlib import Path

from bench.client import RECV_BUFFER, SOCKET_BUFFER
from bench.profile import MiB, Profile

CHUNK = 4 * MiB


def loopback(seconds: float, directory: Path) -> float:
    """MiB/s one TCP connection on 127.0.0.1 carries: ``sendfile`` of a cached file on one side
    (no user-space copy, as a server's zero-copy download does), ``recv_into`` on the other."""
    directory.mkdir(parents=True, exist_ok=True)
    source = directory / "loopback.bin"
    source.write_bytes(os.urandom(64 * MiB))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    received = 0

    def sink() -> None:
        nonlocal received
        conn, _ = listener.accept()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)
        buf = bytearray(RECV_BUFFER)
        with conn:
            while n := conn.recv_into(buf):
                received += n

    thread = threading.Thread(target=sink)
    thread.start()
    with socket.create_connection(("127.0.0.1", port)) as sock, open(source, "rb") as f:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            sock.sendfile(f, 0)
        sock.shutdown(socket.SHUT_WR)
        thread.join()
        elapsed = time.perf_counter() - started
    listener.close()
    source.unlink()
    return received / MiB / elapsed


def sha256(seconds: float) -> float:
    """MiB/s of ``hashlib.sha256`` on one core."""
    data = os.urandom(16 * MiB)
    hasher = hashlib.sha256()
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        hasher.update(data)
        done += len(data)
    return done / MiB / (time.perf_counter() - started)


def disk(directory: Path, size: int) -> dict[str, float]:
    """Write + fsync, cold read (after dropping the file's cached pages) and cached read."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "limits.bin"
    data = memoryview(os.urandom(CHUNK))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        started = time.perf_counter()
        for _ in range(size // CHUNK):
            os.write(fd, data)
        os.fsync(fd)
        write = size / MiB / (time.perf_counter() - started)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    cold = _read(path, size)
    cached = _read(path, size)
    path.unlink()
    return {"disk_write_fsync": write, "disk_read_cold": cold, "disk_read_cached": cached}


def _read(path: Path, size: int) -> float:
    buf = bytearray(CHUNK)
    fd = os.open(path, os.O_RDONLY)
    try:
        started = time.perf_counter()
        while os.readv(fd, [buf]):
            pass
        return size / MiB / (time.perf_counter() - started)
    finally:
        os.close(fd)


def measure(profile: Profile, workdir: Path) -> dict[str, float]:
    """Each ceiling is the best of a few tries: a ceiling is what the machine can do."""
    seconds, tries = (2.0, 3) if profile.name == "full" else (0.2, 1)
    out = {
        "loopback_tcp": max(loopback(seconds, workdir) for _ in range(tries)),
        "sha256_one_core": max(sha256(seconds) for _ in range(tries)),
    }
    disks = [disk(workdir, profile.blob_size) for _ in range(tries)]
    for key in disks[0]:
        out[key] = max(d[key] for d in disks)
    return out


FRACTIONS = (
    ("upload_monolithic", ("loopback_tcp", "sha256_one_core", "disk_write_fsync")),
    ("download", ("loopback_tcp", "disk_read_cached")),
)
"""Which ceilings bound which metric: the blob just written is read back from the page cache."""
