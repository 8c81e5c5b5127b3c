"""A genuinely full disk for tests: a size-limited tmpfs in a private mount namespace.

``unshare --mount`` (as root) or ``unshare --user --map-root-user --mount`` (unprivileged user
namespaces, enabled on Debian) gives a process its own mount table; a tmpfs mounted there with
``size=`` answers ``ENOSPC`` exactly as a full disk does, disappears with the process, and never
touches the host's mounts. When neither works the tests that need it are skipped with the reason.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from support.server import DockyardServer

_PREFIXES = (
    ["unshare", "--mount", "--propagation", "private"],
    ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private"],
)
_MOUNT_THEN_EXEC = 'mount -t tmpfs -o "size=$1" tmpfs "$0" && shift && exec "$@"'


@functools.cache
def namespace_prefix() -> tuple[list[str] | None, str]:
    """The command prefix that can mount a tmpfs privately, or None and why not."""
    if shutil.which("unshare") is None:
        return None, "util-linux unshare is not installed"
    reasons = []
    with tempfile.TemporaryDirectory() as probe:
        for prefix in _PREFIXES:
            try:
                result = subprocess.run(
                    [*prefix, "sh", "-c", _MOUNT_THEN_EXEC, probe, "64k", "true"],
                    capture_output=True,
                    timeout=20,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                reasons.append(f"{' '.join(prefix)}: {exc}")
                continue
            if result.returncode == 0:
                return list(prefix), ""
            reasons.append(f"{' '.join(prefix)}: {result.stderr.decode(errors='replace').strip()}")
    return None, "cannot mount a size-limited tmpfs here: " + "; ".join(reasons)


def tmpfs_command(mountpoint: Path, size: str, command: list[str]) -> list[str]:
    """``command`` run with a ``size``-limited tmpfs mounted at ``mountpoint`` (must exist)."""
    prefix, reason = namespace_prefix()
    if prefix is None:
        raise RuntimeError(reason)
    return [*prefix, "sh", "-c", _MOUNT_THEN_EXEC, str(mountpoint), size, *command]


class TmpfsServer(DockyardServer):
    """A Dockyard server whose storage root is a tmpfs of ``size`` bytes, private to it."""

    def __init__(self, workdir: Path, size: str) -> None:
        super().__init__(workdir)
        self.size = size
        self.root.mkdir(parents=True, exist_ok=True)

    def start(self, wait: bool = True) -> TmpfsServer:
        self.write_config()
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        command = [sys.executable, "-m", "dockyard", "serve", str(self.config_path)]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                tmpfs_command(self.root, self.size, command),
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.workdir,
                start_new_session=True,
            )
        if wait:
            self.wait_ready()
        return self

    def storage_path(self, relative: str) -> Path:
        """A path inside the server's private tmpfs, seen through ``/proc/<pid>/root``."""
        assert self.process is not None
        return Path(f"/proc/{self.process.pid}/root") / str(self.root).lstrip("/") / relative
