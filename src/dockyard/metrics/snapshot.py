"""Worker snapshots in the server's state directory: written by workers, read by the debug server.

A snapshot is one small JSON file per worker process (``worker-<pid>.json``), replaced atomically
by rename. Counters of workers that have exited are kept (so totals never go backwards); gauges
count only live workers.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import orjson

STATE_DIR_ENV = "DOCKYARD_STATE_DIR"
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
