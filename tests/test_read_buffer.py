"""``dockyard.http.readbuffer``: granian's HTTP/1.1 read buffer, which bounds upload chunks."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from dockyard import server
from dockyard.config import loader
from support.server import DockyardServer, running


def _config(tmp_path: Path, text: str) -> loader.Configuration:
    path = tmp_path / "config.yml"
    path.write_text(text)
    return loader.load(str(path))


BASE = "version: 0.1\nstorage:\n  inmemory: {}\n"


def test_default_leaves_granians_buffer(tmp_path: Path) -> None:
    options = server.granian_options(_config(tmp_path, BASE), "127.0.0.1", 5000, {})
    assert "http1_settings" not in options


def test_setting_reaches_granian(tmp_path: Path) -> None:
    config = _config(tmp_path, BASE + "dockyard:\n  http:\n    readbuffer: 131072\n")
    options = server.granian_options(config, "127.0.0.1", 5000, {})
    assert options["http1_settings"].max_buffer_size == 131072


@pytest.mark.parametrize("value", ["100", "-1", "big"])
def test_bad_values_are_refused_with_the_key(tmp_path: Path, value: str) -> None:
    with pytest.raises(loader.ConfigError, match=r"dockyard\.http\.readbuffer"):
        _config(tmp_path, BASE + f"dockyard:\n  http:\n    readbuffer: {value}\n")


def test_uploads_with_a_small_buffer_store_every_byte(tmp_path: Path) -> None:
    registry = DockyardServer(tmp_path)
    registry.config["dockyard"] = {"http": {"readbuffer": 16384}}
    blob = os.urandom(3 << 20)
    digest = "sha256:" + hashlib.sha256(blob).hexdigest()
    with running(registry), registry.client(timeout=30) as client:
        response = client.post(
            f"/v2/small/buf/blobs/uploads/?digest={digest}",
            content=blob,
            headers={"Content-Type": "application/octet-stream"},
        )
        assert response.status_code == 201, response.text
        location = client.post("/v2/small/buf/blobs/uploads/").headers["location"]
        for start in range(0, len(blob), 1 << 20):
            part = blob[start : start + (1 << 20)]
            response = client.patch(
                location,
                content=part,
                headers={"Content-Range": f"{start}-{start + len(part) - 1}"},
            )
            assert response.status_code == 202, response.text
            location = response.headers["location"]
        sep = "&" if "?" in location else "?"
        assert client.put(f"{location}{sep}digest={digest}").status_code == 201
        fetched = client.get(f"/v2/small/buf/blobs/{digest}")
        assert fetched.status_code == 200
        assert fetched.content == blob
