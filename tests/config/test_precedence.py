"""Precedence: Distribution's defaults < the configuration file < ``REGISTRY_*`` variables."""

from __future__ import annotations

import os
from pathlib import Path

from config.test_models import load_text
from support.server import DockyardServer, free_port

FILE = """
version: 0.1
storage:
  filesystem:
    rootdirectory: /file/root
  maintenance:
    uploadpurging:
      age: 2h
http:
  addr: 127.0.0.1:1111
  secret: file-secret
tags:
  maxtags: 50
"""


def test_defaults_then_file_then_environment(tmp_path: Path) -> None:
    defaults = load_text(tmp_path, "version: 0.1\nstorage:\n  filesystem:\n")
    from_file = load_text(tmp_path, FILE)
    from_env = load_text(
        tmp_path,
        FILE,
        {
            "REGISTRY_HTTP_ADDR": "127.0.0.1:2222",
            "REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE": "3h",
            "REGISTRY_CATALOG_MAXENTRIES": "7",
        },
    )
    # key: (default, file, environment)
    table = {
        "rootdirectory": (
            defaults.storage.driver_params["rootdirectory"],
            from_file.storage.driver_params["rootdirectory"],
            from_env.storage.driver_params["rootdirectory"],
        ),
        "age": tuple(
            c.storage.maintenance.uploadpurging.age for c in (defaults, from_file, from_env)
        ),
        "addr": tuple(c.http.addr for c in (defaults, from_file, from_env)),
        "maxtags": tuple(c.tags.maxtags for c in (defaults, from_file, from_env)),
        "maxentries": tuple(c.catalog.maxentries for c in (defaults, from_file, from_env)),
        "interval": tuple(
            c.storage.maintenance.uploadpurging.interval for c in (defaults, from_file, from_env)
        ),
    }
    assert table == {
        "rootdirectory": ("/var/lib/registry", "/file/root", "/file/root"),  # file only
        "age": (168 * 3600, 2 * 3600, 3 * 3600),  # all three levels
        "addr": (":5000", "127.0.0.1:1111", "127.0.0.1:2222"),
        "maxtags": (1000, 50, 50),
        "maxentries": (1000, 1000, 7),  # default, then environment
        "interval": (24 * 3600, 24 * 3600, 24 * 3600),  # default throughout
    }


def test_a_real_server_listens_where_the_environment_says(tmp_path: Path) -> None:
    """The file says one port, ``REGISTRY_HTTP_ADDR`` another: the server takes the latter."""
    env_port = free_port()
    server = DockyardServer(tmp_path, env={"REGISTRY_HTTP_ADDR": f"127.0.0.1:{env_port}"})
    file_port = server.port
    server.port = env_port  # where the test expects it to answer
    server.start()
    try:
        with server.client() as client:
            assert client.get("/v2/").status_code == 200
        server.port = file_port
        assert file_port != env_port
        with server.client(timeout=2.0) as client:
            try:
                client.get("/v2/")
                answered = True
            except Exception:
                answered = False
        assert not answered, "the file's port answered"
    finally:
        server.stop()
    assert "REGISTRY_HTTP_ADDR" not in os.environ
