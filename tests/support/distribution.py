"""CNCF Distribution 2.8 (Debian's ``docker-registry``) as a real server for interop tests.

It takes the same Distribution-format config as Dockyard (:func:`support.server.base_config`:
filesystem storage, deletes enabled, no auth, upload purging off), on a free loopback port, and
is started, waited for and stopped the same way as :class:`support.server.DockyardServer`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from support.programs import run
from support.server import DockyardServer, _answers, base_config, wait_until

PROGRAM = "docker-registry"


class DistributionServer(DockyardServer):
    """``docker-registry serve config.yml`` with its data under ``root``."""

    def __init__(self, workdir: Path, root: Path | None = None) -> None:
        super().__init__(workdir)
        if root is not None:
            self.root = root
        self.config = base_config(self.root, self.port)

    def start(self, wait: bool = True) -> DistributionServer:
        self.write_config()
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [PROGRAM, "serve", str(self.config_path)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.workdir,
                start_new_session=True,
            )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        def ready() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"{PROGRAM} exited with {code}:\n{self.logs()}")
            return _answers(f"{self.url}/v2/")

        wait_until(ready, timeout, what=f"{PROGRAM} on {self.url}")

    def garbage_collect(self, *args: str) -> str:
        """Distribution's offline ``garbage-collect`` over this server's storage (stopped)."""
        assert self.process is None, "stop the registry before collecting garbage"
        self.write_config()
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        return run(PROGRAM, "garbage-collect", str(self.config_path), *args, env=env)
