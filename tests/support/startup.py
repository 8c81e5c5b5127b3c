"""Start-up refusals: run ``dockyard serve`` on a config that must not start, get its one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml


def refused(
    workdir: Path, config: dict[str, Any], timeout: float = 60.0, env: dict[str, str] | None = None
) -> str:
    """The single stderr line of a ``dockyard serve`` that exits with status 2.

    ``env`` is added to this process's environment (less any ``OTEL_*`` of its own).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "refused.yml"
    path.write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [sys.executable, "-m", "dockyard", "serve", str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=workdir,
        env={k: v for k, v in os.environ.items() if not k.startswith("OTEL_")} | (env or {}),
    )
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]
