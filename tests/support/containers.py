"""podman and buildah as test clients, each test with its own image store.

Both run as root without systemd or a container runtime in play: the ``vfs`` storage driver (no
overlay mounts to leak), ``cgroupfs`` and file-based events, and every path (image store, run
state, temporary files, configuration) under one temporary directory, so nothing of the
machine's own container setup is read or changed. Neither tool runs a container here: images
are pulled, built from scratch, pushed and inspected, which is all a registry sees of them.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from support.programs import run

TIMEOUT = 120.0


class ContainerTools:
    """``podman`` and ``buildah`` sharing one private image store; :meth:`close` removes it.

    Everything lives in a fresh directory directly under the system's temporary directory:
    podman refuses a run root longer than 50 characters, which pytest's paths exceed.
    """

    def __init__(self) -> None:
        base = Path(tempfile.mkdtemp(prefix="dyct-"))
        self.base = base
        self.root = base / "storage"
        self.runroot = base / "run"
        self.tmpdir = base / "tmp"
        for path in (self.root, self.runroot, self.tmpdir):
            path.mkdir(parents=True, exist_ok=True)
        storage_conf = base / "storage.conf"
        storage_conf.write_text(
            f'[storage]\ndriver = "vfs"\nrunroot = "{self.runroot}"\ngraphroot = "{self.root}"\n'
        )
        containers_conf = base / "containers.conf"
        containers_conf.write_text(
            '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
            f'tmp_dir = "{self.tmpdir}"\n'
        )
        registries_conf = base / "registries.conf"
        registries_conf.write_text("unqualified-search-registries = []\n")
        self.env = {
            **os.environ,
            "CONTAINERS_STORAGE_CONF": str(storage_conf),
            "CONTAINERS_CONF": str(containers_conf),
            "CONTAINERS_REGISTRIES_CONF": str(registries_conf),
            "TMPDIR": str(self.tmpdir),
        }

    def podman(self, *args: str, timeout: float = TIMEOUT) -> str:
        return run(
            "podman",
            "--root", str(self.root),
            "--runroot", str(self.runroot),
            "--storage-driver", "vfs",
            "--cgroup-manager", "cgroupfs",
            "--events-backend", "file",
            "--tmpdir", str(self.tmpdir),
            *args,
            timeout=timeout,
            env=self.env,
        )  # fmt: skip

    def buildah(self, *args: str, timeout: float = TIMEOUT) -> str:
        return run(
            "buildah",
            "--root", str(self.root),
            "--runroot", str(self.runroot),
            "--storage-driver", "vfs",
            *args,
            timeout=timeout,
            env=self.env,
        )  # fmt: skip

    def inspect_image(self, name: str) -> dict[str, Any]:
        return json.loads(self.podman("image", "inspect", name))[0]

    def close(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)
