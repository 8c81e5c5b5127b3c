"""Per-endpoint event queues: a durable one on disk, and the in-memory one Distribution has.

The durable queue is an append-only log of JSON lines in numbered segment files plus a
fixed-width ``cursor`` file naming the first undelivered byte. ``put`` is one ``write(2)`` on an
``O_APPEND`` descriptor before the request's response is sent, so an event the registry accepted
survives the process being killed (it sits in the page cache; ``close`` fsyncs, a power cut can
still lose the last moments). Delivery is at-least-once: a crash between a successful POST and
the cursor update sends that event again, and receivers dedupe on the event ``id``.

Several worker processes may share one directory: each claims a ``slot-<n>`` with ``flock`` and
appends only to its own; a worker that finds a slot whose owner is gone (fewer workers after a
restart) adopts its undelivered events. The bound (``maxpending``) refuses new events when full;
the caller counts them as dropped.
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import logging
import os
import threading
from typing import Protocol

log = logging.getLogger(__name__)

SEGMENT_BYTES = 8 << 20
MAX_SLOTS = 1024
_CURSOR_FORMAT = b"%020d %020d\n"
_SUFFIX = ".seg"


class EventQueue(Protocol):
    """What an endpoint needs: writers ``put``, the delivery thread ``peek``/``ack``."""

    @property
    def pending(self) -> int: ...

    def put(self, record: bytes) -> bool:
        """Queue one encoded event (no newlines); False when the queue is full or broken."""
        ...

    def peek(self, timeout: float) -> bytes | None:
        """The oldest undelivered record, waiting up to ``timeout``; None if there is none."""
        ...

    def ack(self) -> None:
        """The record returned by ``peek`` was delivered: forget it."""
        ...

    def wake(self) -> None:
        """Release a ``peek`` that is waiting (shutdown)."""
        ...

    def close(self) -> None: ...


class MemoryQueue:
    """Distribution's behaviour: a bounded in-process FIFO, lost on exit."""

    def __init__(self, max_pending: int) -> None:
        self._items: collections.deque[bytes] = collections.deque()
        self._max = max_pending
        self._ready = threading.Condition()

    @property
    def pending(self) -> int:
        return len(self._items)

    def put(self, record: bytes) -> bool:
        with self._ready:
            if len(self._items) >= self._max:
                return False
            self._items.append(record)
            self._ready.notify()
        return True

    def peek(self, timeout: float) -> bytes | None:
        with self._ready:
            if not self._items:
                self._ready.wait(timeout)
            return self._items[0] if self._items else None

    def ack(self) -> None:
        with self._ready:
            if self._items:
                self._items.popleft()

    def wake(self) -> None:
        with self._ready:
            self._ready.notify_all()

    def close(self) -> None:
        self.wake()


def _segment_name(number: int) -> str:
    return f"{number:020d}{_SUFFIX}"


def _segments(directory: str) -> list[int]:
    found = []
    for name in os.listdir(directory):
        if name.endswith(_SUFFIX) and name[: -len(_SUFFIX)].isdigit():
            found.append(int(name[: -len(_SUFFIX)]))
    return sorted(found)


def _read_cursor(directory: str) -> tuple[int, int]:
    try:
        with open(os.path.join(directory, "cursor"), "rb") as f:
            seg, off = f.read().split()
        return int(seg), int(off)
    except (OSError, ValueError):
        return 0, 0


def _try_lock(path: str) -> int | None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


class _Log:
    """One slot's segments and cursor; every method is called with the queue lock held."""

    def __init__(self, directory: str) -> None:
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.read_seg, self.read_off = _read_cursor(directory)
        segments = [s for s in _segments(directory) if s >= self.read_seg]
        for old in _segments(directory):
            if old < self.read_seg:
                os.unlink(os.path.join(directory, _segment_name(old)))
        if not segments:
            segments = [max(self.read_seg, 1)]
            self.read_off = 0
        if segments[0] != self.read_seg:
            self.read_off = 0
        self.read_seg = segments[0]
        self.write_seg = segments[-1]
        self.pending = self._recover(segments)
        path = os.path.join(directory, _segment_name(self.write_seg))
        self.wfd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.write_size = os.fstat(self.wfd).st_size
        self.rfd: int | None = None
        self.rfd_seg = -1
        self.cfd = os.open(os.path.join(directory, "cursor"), os.O_RDWR | os.O_CREAT, 0o644)
        self.save_cursor()

    def _recover(self, segments: list[int]) -> int:
        """Count undelivered records; cut a torn last line left by a crash mid-write."""
        pending = 0
        for number in segments:
            path = os.path.join(self.dir, _segment_name(number))
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                continue
            start = self.read_off if number == self.read_seg else 0
            complete = data.rfind(b"\n") + 1
            if complete < len(data):
                log.warning("event queue %s: dropping a torn record at its end", path)
                os.truncate(path, complete)
            pending += data.count(b"\n", start, complete)
        return pending

    def append(self, record: bytes) -> None:
        line = record + b"\n"
        try:
            written = os.write(self.wfd, line)
        except OSError:
            os.ftruncate(self.wfd, self.write_size)
            raise
        if written != len(line):
            os.ftruncate(self.wfd, self.write_size)
            raise OSError("short write to the event queue")
        self.write_size += written
        self.pending += 1
        if self.write_size >= SEGMENT_BYTES:
            os.close(self.wfd)
            self.write_seg += 1
            path = os.path.join(self.dir, _segment_name(self.write_seg))
            self.wfd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            self.write_size = 0

    def read(self) -> tuple[bytes, int]:
        """The record at the read position and its length on disk (pending > 0)."""
        while True:
            if self.rfd_seg != self.read_seg:
                if self.rfd is not None:
                    os.close(self.rfd)
                path = os.path.join(self.dir, _segment_name(self.read_seg))
                self.rfd = os.open(path, os.O_RDONLY)
                self.rfd_seg = self.read_seg
            assert self.rfd is not None
            parts: list[bytes] = []
            offset = self.read_off
            while True:
                chunk = os.pread(self.rfd, 65536, offset)
                if not chunk:
                    break
                end = chunk.find(b"\n")
                if end >= 0:
                    parts.append(chunk[:end])
                    record = b"".join(parts)
                    return record, len(record) + 1
                parts.append(chunk)
                offset += len(chunk)
            if self.read_seg >= self.write_seg:
                raise OSError(f"event queue {self.dir}: record missing at the read position")
            self._next_segment()

    def _next_segment(self) -> None:
        finished = self.read_seg
        self.read_seg += 1
        self.read_off = 0
        self.save_cursor()
        if self.rfd is not None:
            os.close(self.rfd)
            self.rfd, self.rfd_seg = None, -1
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(self.dir, _segment_name(finished)))

    def advance(self, length: int) -> None:
        self.read_off += length
        self.pending -= 1
        finished = (
            self.read_seg < self.write_seg
            and self.rfd is not None
            and self.read_off >= os.fstat(self.rfd).st_size
        )
        if finished:
            self._next_segment()
        else:
            self.save_cursor()

    def save_cursor(self) -> None:
        os.pwrite(self.cfd, _CURSOR_FORMAT % (self.read_seg, self.read_off), 0)

    def drain(self) -> list[bytes]:
        """Every undelivered record, oldest first (adopting another slot)."""
        out = []
        while self.pending:
            record, length = self.read()
            out.append(record)
            self.advance(length)
        return out

    def close(self, sync: bool = True) -> None:
        for fd in (self.wfd, self.cfd):
            if sync:
                with contextlib.suppress(OSError):
                    os.fsync(fd)
            os.close(fd)
        if self.rfd is not None:
            os.close(self.rfd)
            self.rfd = None


class DurableQueue:
    """The on-disk queue of one endpoint in one worker process (see the module docstring)."""

    def __init__(self, directory: str, max_pending: int) -> None:
        os.makedirs(directory, exist_ok=True)
        self._max = max_pending
        self._ready = threading.Condition()
        self._head: tuple[bytes, int] | None = None
        self._slot_fd, slot = self._claim(directory)
        self._log = _Log(os.path.join(directory, f"slot-{slot}"))
        self._adopt_orphans(directory, slot)
        self._closed = False

    @staticmethod
    def _claim(directory: str) -> tuple[int, int]:
        for slot in range(MAX_SLOTS):
            fd = _try_lock(os.path.join(directory, f"slot-{slot}.lock"))
            if fd is not None:
                return fd, slot
        raise OSError(f"{directory}: no free event queue slot (more than {MAX_SLOTS} workers?)")

    def _adopt_orphans(self, directory: str, own: int) -> None:
        for name in sorted(os.listdir(directory)):
            if not name.startswith("slot-") or name.endswith(".lock") or name == f"slot-{own}":
                continue
            fd = _try_lock(os.path.join(directory, name + ".lock"))
            if fd is None:
                continue  # a live worker owns it
            try:
                orphan = _Log(os.path.join(directory, name))
                records = orphan.drain()
                orphan.close(sync=False)
                for record in records:
                    self._log.append(record)
                if records:
                    log.info("event queue %s: adopted %d undelivered events", name, len(records))
            finally:
                os.close(fd)

    @property
    def pending(self) -> int:
        return self._log.pending

    def put(self, record: bytes) -> bool:
        with self._ready:
            if self._closed or self._log.pending >= self._max:
                return False
            try:
                self._log.append(record)
            except OSError as exc:
                log.error("event queue %s: cannot write: %s", self._log.dir, exc)
                return False
            self._ready.notify()
        return True

    def peek(self, timeout: float) -> bytes | None:
        with self._ready:
            if self._head is None and self._log.pending == 0 and not self._closed:
                self._ready.wait(timeout)
            if self._closed or self._log.pending == 0:
                return None
            if self._head is None:
                self._head = self._log.read()
            return self._head[0]

    def ack(self) -> None:
        with self._ready:
            if self._head is not None and not self._closed:
                self._log.advance(self._head[1])
                self._head = None

    def wake(self) -> None:
        with self._ready:
            self._ready.notify_all()

    def close(self) -> None:
        with self._ready:
            if self._closed:
                return
            self._closed = True
            self._log.close()
            os.close(self._slot_fd)
            self._ready.notify_all()
