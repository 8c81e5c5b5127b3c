"""``dockyard garbage-collect``: a data directory built through a real server, collected offline
by the real command, then served again; and the same collection on every storage driver."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from dockyard.storage import gc
from dockyard.storage.driver.filesystem import FilesystemDriver
from storage import drivers
from storage.aio import run_async
from storage.gcdata import APP, OTHER, SIGNATURE, Layout, Scenario, build
from support.images import OCI_INDEX, OCI_MANIFEST
from support.server import DockyardServer

ACCEPT = {"accept": f"{OCI_MANIFEST}, {OCI_INDEX}"}


def garbage_collect(config: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dockyard", "garbage-collect", *flags, str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Scenario]]:
    """:mod:`gcdata`'s scenario, built once through a real server; tests work on copies."""
    server = DockyardServer(tmp_path_factory.mktemp("gc-template"))
    server.start()
    try:
        with server.client() as client:
            scenario = build(client)
    finally:
        server.stop()
    yield server.root, scenario


@pytest.fixture
def collected(
    template: tuple[Path, Scenario], make_server: Callable[..., DockyardServer]
) -> tuple[DockyardServer, Scenario]:
    """A stopped server whose data directory is a fresh copy of the template."""
    root, scenario = template
    server = make_server(start=False)
    shutil.copytree(root, server.root)
    server.write_config()
    return server, scenario


def _manifest(client: httpx.Client, repo: str, digest: str) -> int:
    return client.get(f"/v2/{repo}/manifests/{digest}", headers=ACCEPT).status_code


def _blob(client: httpx.Client, repo: str, digest: str) -> int:
    return client.get(f"/v2/{repo}/blobs/{digest}").status_code


def test_mark_and_sweep(collected: tuple[DockyardServer, Scenario]) -> None:
    server, s = collected
    disk = Layout(server.root)
    result = garbage_collect(server.config_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    c, o = s.images["C"], s.images["O"]
    garbage = [s.digest("C"), c["config"].digest, *(layer.digest for layer in c["layers"])]
    garbage += [s.digest("O"), o["config"].digest, o["layers"][1].digest]
    garbage += [s.digest("X"), s.digest("Y")]
    for digest in garbage:
        assert f"blob eligible for deletion: {digest}" in result.stdout
        assert not disk.blob(digest).exists(), digest
    # Distribution v3: the repository links to deleted blobs go too.
    for digest in (c["config"].digest, s.digest("X")):
        assert not disk.layer_link(APP, digest).exists()
    assert not disk.layer_link(OTHER, o["config"].digest).exists()
    assert f"{APP}: marking manifest {s.digest('A')}" in result.stdout
    assert "0 manifests eligible for deletion" in result.stdout

    server.start()
    with server.client() as client:
        # Everything a revision references survives, untagged or not.
        for key in ("A", "B", "I", "M1", "M2", "S", "T"):
            assert _manifest(client, APP, s.digest(key)) == 200, key
        for key in ("A", "B", "M1", "M2"):
            img = s.images[key]
            for blob in (img["config"], *img["layers"]):
                assert _blob(client, APP, blob.digest) == 200, (key, blob.digest)
        assert client.get(f"/v2/{APP}/manifests/a", headers=ACCEPT).status_code == 200
        assert client.get(f"/v2/{APP}/tags/list").json()["tags"] == ["a", "multi"]
        # A layer O shared with A stays, though O is gone.
        assert disk.blob(o["layers"][0].digest).exists()
        for digest in garbage:
            assert _blob(client, APP, digest) == 404
        assert _manifest(client, APP, s.digest("C")) == 404
        assert set(client.get("/v2/_catalog").json()["repositories"]) >= {APP, OTHER}


def test_dry_run_deletes_nothing(collected: tuple[DockyardServer, Scenario]) -> None:
    server, s = collected
    disk = Layout(server.root)
    before = disk.snapshot()
    for flags in (("--dry-run",), ("-d", "--delete-untagged")):
        result = garbage_collect(server.config_path, *flags)
        assert result.returncode == 0, result.stderr
        assert f"blob eligible for deletion: {s.digest('X')}" in result.stdout
        assert disk.snapshot() == before
    assert f"manifest eligible for deletion: {APP}@{s.digest('B')}" in result.stdout


def test_delete_untagged(collected: tuple[DockyardServer, Scenario]) -> None:
    server, s = collected
    disk = Layout(server.root)
    result = garbage_collect(server.config_path, "--delete-untagged")
    assert result.returncode == 0, result.stderr
    b = s.images["B"]
    assert f"manifest eligible for deletion: {APP}@{s.digest('B')}" in result.stdout
    assert f"manifest eligible for deletion: {APP}@{s.digest('T')}" in result.stdout
    assert "2 manifests eligible for deletion" in result.stdout
    assert not disk.revision(APP, s.digest("B")).exists()
    assert not disk.blob(b["config"].digest).exists()
    assert not disk.blob(b["layers"][0].digest).exists()
    assert disk.blob(b["layers"][1].digest).exists()  # shared with A
    # T signed B, which is gone: its manifest and its referrers-index entry go as well.
    assert not disk.revision(APP, s.digest("T")).exists()
    assert not disk.referrer_entry(APP, s.digest("B"), s.digest("T")).exists()
    assert disk.referrer_entry(APP, s.digest("A"), s.digest("S")).exists()

    server.start()
    with server.client() as client:
        # M1 and M2 are untagged, but the tagged index "multi" references them.
        for key in ("A", "I", "M1", "M2"):
            assert _manifest(client, APP, s.digest(key)) == 200, key
            for blob in (s.images[key]["config"], *s.images[key]["layers"]) if key != "I" else ():
                assert _blob(client, APP, blob.digest) == 200
        # S is untagged, but it is a referrer of A, which stays (a Dockyard rule).
        assert _manifest(client, APP, s.digest("S")) == 200
        referrers = client.get(f"/v2/{APP}/referrers/{s.digest('A')}").json()["manifests"]
        assert [(r["digest"], r["artifactType"]) for r in referrers] == [(s.digest("S"), SIGNATURE)]
        assert client.get(f"/v2/{APP}/referrers/{s.digest('B')}").json()["manifests"] == []
        for key in ("B", "T"):
            assert _manifest(client, APP, s.digest(key)) == 404, key


def test_needs_a_configuration(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dockyard", "garbage-collect"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "configuration path unspecified" in result.stderr
    bad = tmp_path / "bad.yml"
    bad.write_text("version: 0.1\nstorage:\n  s3:\n    region: x\n    bucket: y\n")
    result = garbage_collect(bad)
    assert result.returncode == 2
    assert result.stderr == (
        "dockyard: storage.s3: the s3 storage driver is not available in Dockyard yet "
        "(use filesystem)\n"
    )


@pytest.mark.parametrize("untagged", [False, True], ids=["plain", "delete-untagged"])
def test_every_driver_collects_the_same(
    template: tuple[Path, Scenario], tmp_path: Path, untagged: bool
) -> None:
    """GC uses only the driver contract: the same tree, copied into each driver, ends the same.

    The reference is the command run on the filesystem data directory.
    """
    root, _ = template
    reference = tmp_path / "reference"
    shutil.copytree(root, reference / "data")
    config = reference / "config.yml"
    config.write_text(
        f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {reference / 'data'}\n"
    )
    flags = ("--delete-untagged",) if untagged else ()
    assert garbage_collect(config, "--quiet", *flags).returncode == 0

    @run_async
    async def collect_everywhere() -> None:
        expected = await drivers.files(FilesystemDriver(str(reference / "data")))
        source = FilesystemDriver(str(root))
        for name in drivers.PARAMS:
            driver = drivers.create(name, tmp_path / name)
            await drivers.copy(source, driver)
            options = gc.Options(delete_untagged=untagged, quiet=True)
            await gc.GarbageCollector(driver, options).run()
            remaining = await drivers.files(driver)
            assert sorted(remaining) == sorted(expected), name
            assert remaining == expected, name
            await driver.close()
        await source.close()

    collect_everywhere()


def test_unreadable_link_stops_before_deleting(collected: tuple[DockyardServer, Scenario]) -> None:
    server, s = collected
    disk = Layout(server.root)
    link = disk.revision(APP, s.digest("A")) / "link"
    link.write_bytes(b"sha256:not-a-digest\n")
    before = disk.snapshot()
    result = garbage_collect(server.config_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"dockyard: garbage-collect: stopped before deleting anything: unreadable link file "
        f"/docker/registry/v2/repositories/{APP}/_manifests/revisions/sha256/"
        f"{s.digest('A')[7:]}/link: b'sha256:not-a-digest\\n'"
    ]
    assert disk.snapshot() == before


@pytest.mark.interop
def test_same_blobs_as_distribution(template: tuple[Path, Scenario], tmp_path: Path) -> None:
    """Distribution 2.8's own ``garbage-collect`` on a copy of the same data deletes the same blobs.

    (2.8 leaves ``_layers`` links to deleted blobs behind, which v3 and Dockyard remove, and it
    knows nothing of Dockyard's ``_referrers``; everything else must match file for file.)
    """
    if shutil.which("docker-registry") is None:
        pytest.skip("docker-registry (Distribution 2.8) is not installed; scripts/test installs it")
    root, _ = template
    results = {}
    for name, command in (
        ("distribution", ["docker-registry", "garbage-collect"]),
        ("dockyard", [sys.executable, "-m", "dockyard", "garbage-collect"]),
    ):
        data = tmp_path / name / "data"
        shutil.copytree(root, data)
        config = tmp_path / name / "config.yml"
        config.write_text(f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {data}\n")
        done = subprocess.run([*command, str(config)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        results[name] = {str(p.relative_to(data)) for p in data.rglob("*") if p.is_file()}
    ignored = ("/_layers/", "/_referrers/")
    assert {p for p in results["dockyard"] if not any(i in p for i in ignored)} == {
        p for p in results["distribution"] if not any(i in p for i in ignored)
    }
    # The only links Dockyard removed beyond 2.8 point at blobs both deleted.
    for path in results["distribution"] - results["dockyard"]:
        assert "/_layers/" in path or "/_referrers/" in path, path
        if "/_layers/" in path:
            hex_ = path.split("/")[-2]
            assert (
                f"docker/registry/v2/blobs/sha256/{hex_[:2]}/{hex_}/data" not in results["dockyard"]
            )
