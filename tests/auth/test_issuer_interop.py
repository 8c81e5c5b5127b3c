"""CNCF Distribution 2.8 (Debian's ``docker-registry``) trusting Dockyard's built-in token
issuer: skopeo pushes to Distribution with tokens Dockyard issued, and the policy holds there.
Shows the token format (claims, ``x5c``) is Distribution's own."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from auth.conftest import PASSWORDS
from auth.test_auth_clients import copy, layout
from auth.test_token_issuer import issuer_config
from support.pki import Issued
from support.server import DockyardServer, free_port, wait_until

pytestmark = [
    pytest.mark.interop,
    pytest.mark.clients,
    pytest.mark.skipif(
        shutil.which("docker-registry") is None or shutil.which("skopeo") is None,
        reason="needs docker-registry and skopeo",
    ),
]


@pytest.fixture
def issuer(
    tmp_path: Path, htpasswd: Path, signer: tuple[Issued, Path, Path]
) -> Iterator[DockyardServer]:
    server = DockyardServer(tmp_path / "dockyard")
    # certificate: tokens carry x5c, which is how Distribution 2.x finds the signing key.
    server.config = issuer_config(
        server.root, server.port, htpasswd, signer, certificate=str(signer[1])
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def distribution(
    tmp_path: Path, issuer: DockyardServer, signer: tuple[Issued, Path, Path]
) -> Iterator[str]:
    port = free_port()
    token = dict(issuer.config["auth"]["token"])
    config = {
        "version": "0.1",
        "log": {"level": "info"},
        "storage": {"filesystem": {"rootdirectory": str(tmp_path / "distribution-data")}},
        "http": {"addr": f"127.0.0.1:{port}"},
        "auth": {"token": token},
    }
    path = tmp_path / "distribution.yml"
    path.write_text(yaml.safe_dump(config))
    log = open(tmp_path / "distribution.log", "wb")
    process = subprocess.Popen(
        ["docker-registry", "serve", str(path)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")},
    )
    log.close()

    def ready() -> bool:
        assert process.poll() is None, (tmp_path / "distribution.log").read_text()
        try:
            return httpx.get(f"http://127.0.0.1:{port}/v2/", timeout=1).status_code == 401
        except httpx.HTTPError:
            return False

    try:
        wait_until(ready, 30, what="docker-registry")
        yield f"127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def test_distribution_accepts_dockyard_tokens(distribution: str, tmp_path: Path) -> None:
    target = f"docker://{distribution}/team/interop:v1"
    creds = f"alice:{PASSWORDS['alice']}"
    pushed = copy(tmp_path, layout(tmp_path, "interop"), target, "--dest-creds", creds)
    assert pushed.returncode == 0, pushed.stderr
    pulled = copy(tmp_path, target, f"oci:{tmp_path / 'out'}:v1", "--src-creds", creds)
    assert pulled.returncode == 0, pulled.stderr
    forbidden = copy(
        tmp_path,
        layout(tmp_path, "interop-forbidden"),
        f"docker://{distribution}/other/interop:v1",
        "--dest-creds",
        creds,
    )
    assert forbidden.returncode != 0
    assert "denied" in forbidden.stderr.lower() or "unauthorized" in forbidden.stderr.lower()
    assert PASSWORDS["alice"] not in (tmp_path / "distribution.log").read_text()
