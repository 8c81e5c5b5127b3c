"""Middleware by name: the built-in ``redirect`` storage middleware, third-party middleware
found through entry points or ``module:attr`` names, and clear start-up errors."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

from support.api import push_blob, push_image
from support.server import DockyardServer

SAMPLE = '''
"""A third-party middleware package, as an operator would install it."""


class HiddenTags:
    def __init__(self, inner, prefix):
        self._inner = inner
        self._prefix = prefix

    def __getattr__(self, name):
        return getattr(self._inner, name)

    async def all(self):
        return [t for t in await self._inner.all() if not t.startswith(self._prefix)]


def hide_tags(repository, options):
    repository.tags = HiddenTags(repository.tags, options["prefix"])
    return repository


class Catalog:
    def __init__(self, inner, prefix):
        self._inner = inner
        self._prefix = prefix

    def __getattr__(self, name):
        return getattr(self._inner, name)

    async def repositories(self, n, last=""):
        names, more = await self._inner.repositories(n, last)
        return [r for r in names if not r.startswith(self._prefix)], more


def private_catalog(registry, options):
    return Catalog(registry, options["prefix"])
'''


def _package(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "sample_mw-0.1.dist-info").mkdir(parents=True)
    (site / "sample_mw.py").write_text(SAMPLE)
    (site / "sample_mw-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: sample-mw\nVersion: 0.1\n"
    )
    (site / "sample_mw-0.1.dist-info" / "entry_points.txt").write_text(
        textwrap.dedent(
            """\
            [dockyard.middleware.repository]
            hidetags = sample_mw:hide_tags
            """
        )
    )
    return site


def _blob_path(digest: str) -> str:
    hexpart = digest.split(":", 1)[1]
    return f"/docker/registry/v2/blobs/sha256/{hexpart[:2]}/{hexpart}/data"


def test_redirect_storage_middleware(make_server: Callable[..., DockyardServer], repo: str) -> None:
    server = make_server(
        middleware={
            "storage": [{"name": "redirect", "options": {"baseurl": "https://cdn.example.test/r"}}]
        }
    )
    with server.client() as client:
        digest = push_blob(client, repo, b"served elsewhere")
        for method in ("GET", "HEAD"):
            response = client.request(method, f"/v2/{repo}/blobs/{digest}")
            assert response.status_code == 307
            assert response.headers["location"] == "https://cdn.example.test/r" + _blob_path(digest)
    server.stop()
    server.config["storage"]["redirect"] = {"disable": True}
    server.start()
    with server.client() as client:
        assert client.get(f"/v2/{repo}/blobs/{digest}").content == b"served elsewhere"


def test_disabled_entries_are_skipped(
    make_server: Callable[..., DockyardServer], repo: str
) -> None:
    entry = {"name": "redirect", "disabled": True, "options": {"baseurl": "https://x.test"}}
    server = make_server(middleware={"storage": [entry]})
    with server.client() as client:
        digest = push_blob(client, repo, b"served here")
        assert client.get(f"/v2/{repo}/blobs/{digest}").status_code == 200


def test_third_party_middleware(
    make_server: Callable[..., DockyardServer], tmp_path: Path, repo: str
) -> None:
    site = _package(tmp_path)
    server = make_server(
        env={"PYTHONPATH": str(site)},
        middleware={
            "repository": [{"name": "hidetags", "options": {"prefix": "hidden-"}}],
            "registry": [{"name": "sample_mw:private_catalog", "options": {"prefix": "secret/"}}],
        },
    )
    with server.client() as client:
        push_image(client, repo, "hidden-build", "mw")
        push_image(client, repo, "v1", "mw")
        push_image(client, "secret/" + repo, "v1", "mw2")
        assert client.get(f"/v2/{repo}/tags/list").json()["tags"] == ["v1"]
        assert client.get(f"/v2/{repo}/manifests/hidden-build").status_code == 200
        names = client.get("/v2/_catalog", params={"n": 1000}).json()["repositories"]
        assert repo in names and "secret/" + repo not in names


def _startup_error(make_server: Callable[..., DockyardServer], **overrides: object) -> str:
    server = make_server(start=False, **overrides)
    server.start(wait=False)
    assert server.process is not None
    assert server.process.wait(60) == 2
    lines = [line for line in server.logs().splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_unknown_middleware_stops_startup(make_server: Callable[..., DockyardServer]) -> None:
    line = _startup_error(make_server, middleware={"storage": [{"name": "cloudfront"}]})
    assert "middleware.storage: 'cloudfront': unknown storage middleware" in line
    line = _startup_error(make_server, middleware={"repository": [{"name": "nope"}]})
    assert "middleware.repository: 'nope'" in line


def test_bad_middleware_options_stop_startup(make_server: Callable[..., DockyardServer]) -> None:
    line = _startup_error(make_server, middleware={"storage": [{"name": "redirect"}]})
    assert (
        line == "dockyard: middleware.storage: unable to configure 'redirect': no baseurl provided"
    )
