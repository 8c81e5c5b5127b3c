"""Worker snapshots in the server's state directory: written by workers, read by the debug server.

A snapshot is one small JSON file per worker process (``worker-<pid>.json``), replaced atomically
by rename. Counters of workers that have exited are kept (so totals never go backwards); gauges
count only live workers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from typing import Any

import orjson

STATE_DIR_ENV = "DOCKYARD_STATE_DIR"
STATE_PREFIX = "dockyard-state-"
STALE_AFTER = 60.0
"""Seconds without a snapshot before a dead registry's state directory may be removed. Workers
write every :data:`INTERVAL`; the wait also spares a live registry whose process id this one
cannot see (another PID namespace sharing the temp directory)."""
INTERVAL = 1.0


def state_dir() -> str | None:
    return os.environ.get(STATE_DIR_ENV) or None


def write(directory: str, data: dict[str, Any]) -> None:
    pid = os.getpid()
    path = os.path.join(directory, f"worker-{pid}.json")
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as f:
        f.write(orjson.dumps(data, default=str))
    os.replace(tmp, path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_all(directory: str) -> list[dict[str, Any]]:
    """Every worker's latest snapshot, each with ``alive`` set."""
    out = []
    with contextlib.suppress(FileNotFoundError):
        for name in sorted(os.listdir(directory)):
            if not (name.startswith("worker-") and name.endswith(".json")):
                continue
            try:
                with open(os.path.join(directory, name), "rb") as f:
                    data = orjson.loads(f.read())
            except (OSError, orjson.JSONDecodeError):
                continue
            data["alive"] = _alive(int(data.get("pid", 0)))
            out.append(data)
    return out


def make_state_dir() -> str:
    """The registry's private state directory, in the temp directory and named after this process.

    The serving process removes it on the way out; one that was killed cannot, so the state
    directories of registries that are gone are removed here first.
    """
    base = tempfile.gettempdir()
    remove_stale_state_dirs(base)
    return tempfile.mkdtemp(prefix=f"{STATE_PREFIX}{os.getpid()}-", dir=base)


def remove_stale_state_dirs(base: str, now: float | None = None) -> list[str]:
    """Remove ``dockyard-state-<pid>-*`` directories whose process is gone and which have been
    quiet for :data:`STALE_AFTER` seconds; returns their paths."""
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(STATE_PREFIX):
            continue
        owner = entry.name[len(STATE_PREFIX) :].split("-", 1)[0]
        if not owner.isdigit():
            continue
        try:
            quiet = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
        except OSError:
            continue
        if quiet and entry.is_dir(follow_symlinks=False) and not _alive(int(owner)):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed
