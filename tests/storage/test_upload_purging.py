"""Upload purging against a real server: old sessions go, fresh ones stay, dry run keeps all."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import yaml

from support.api import start_upload
from support.server import DockyardServer, base_config, free_port, wait_until

REPOS = "docker/registry/v2/repositories"


def _old_upload(root: Path, repo: str, started: bytes = b"2020-01-02T03:04:05Z") -> Path:
    session = root / REPOS / repo / "_uploads" / str(uuid.uuid4())
    session.mkdir(parents=True)
    (session / "startedat").write_bytes(started)
    (session / "data").write_bytes(b"abandoned bytes")
    return session


def _purging(**fields: object) -> dict[str, object]:
    return {"uploadpurging": {"enabled": True, "age": "1h", "interval": "1s", **fields}}


def test_old_uploads_are_purged_fresh_ones_kept(
    make_server: Callable[..., DockyardServer], repo: str
) -> None:
    server = make_server(start=False, storage__maintenance=_purging(dryrun=False))
    old = _old_upload(server.root, repo)
    nested = _old_upload(server.root, repo + "/deeper/name", b"2021-06-01T00:00:00.123456789+02:00")
    unreadable = _old_upload(server.root, repo + "-odd", b"not a time")
    server.start()
    with server.client() as client:
        fresh = start_upload(client, repo)
        wait_until(
            lambda: not old.exists() and not nested.exists(), 20, what="purge of old uploads"
        )
        assert unreadable.exists(), "an upload without a readable startedat is kept"
        response = client.patch(fresh, content=b"still going")
        assert response.status_code == 202, "a fresh upload survives the purge"
        assert (server.root / REPOS / repo / "_uploads").exists()
    assert "Purge uploads finished" in server.logs()


def test_dry_run_removes_nothing(make_server: Callable[..., DockyardServer], repo: str) -> None:
    server = make_server(start=False, storage__maintenance=_purging(dryrun=True))
    old = _old_upload(server.root, repo)
    server.start()
    wait_until(lambda: "would purge upload" in server.logs(), 20, what="a dry-run purge")
    assert old.exists() and (old / "data").read_bytes() == b"abandoned bytes"


def test_bad_purge_settings_stop_startup_with_one_line(tmp_path: Path) -> None:
    config = base_config(tmp_path / "data", free_port())
    config["storage"]["maintenance"] = {"uploadpurging": {"enabled": True, "age": "banana"}}
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [sys.executable, "-m", "dockyard", "serve", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "uploadpurging" in lines[0] and "age" in lines[0]
    assert "Traceback" not in result.stderr
